"""Deterministic synthetic records with a modification history.

Each record gets a creation time on one of the org's `days` days up to `today`, and some are
modified again on later days. The org shows each record as of its clock, so moving the clock day
by day makes the same Id show up in several daily windows with a different LastModifiedDate, as a
live org does between two daily loads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sandbox.salesforce.ids import make_id, stable_int
from sandbox.salesforce.schema import FieldSpec, ObjectSchema
from sandbox.salesforce.values import Value

_WORDS = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Hooli",
    "Soylent",
)
_SUFFIXES = ("Corp", "Ltd", "GmbH", "SA", "Inc")
_FIRST = ("Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger")
_LAST = ("Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen")
_CITIES = ("Paris", "Berlin", "Dublin", "Madrid", "Lisbon", "Vienna")
_SENTENCES = ("Renewal expected next quarter.", "Met at the trade show.", "Needs a follow-up call.", "")


@dataclass(frozen=True)
class RecordVersion:
    """A record's full field values from `at` until its next version."""

    at: datetime
    values: dict[str, Value]


@dataclass(frozen=True)
class Timeline:
    """`today` is the org's last day of history; records spread over the `days` days up to it."""

    today: date
    days: int = 7

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=self.days - 1)

    def day_start(self, offset: int) -> datetime:
        return datetime.combine(self.first_day + timedelta(days=offset), time(), tzinfo=UTC)


def record_number(profile: str, object_name: str, index: int) -> int:
    """Distinct per (profile, object, index), so ids differ between orgs as they do between real ones."""
    return stable_int(profile, object_name) % 62**5 * 100_000 + index


class _ValueMaker:
    """Makes one field's value; one seeded Random per object keeps everything reproducible."""

    def __init__(self, rng: random.Random, profile: str, count: int, timeline: Timeline) -> None:
        self.rng = rng
        self.profile = profile
        self.count = count
        self.timeline = timeline

    def text(self, spec: FieldSpec, index: int) -> str:
        rng = self.rng
        name = spec.name
        by_name: dict[str, str] = {
            "FirstName": rng.choice(_FIRST),
            "LastName": rng.choice(_LAST),
            "Company": f"{rng.choice(_WORDS)} {rng.choice(_SUFFIXES)}",
            "Title": rng.choice(("CTO", "Buyer", "Analyst", "VP Sales")),
            "BillingCity": rng.choice(_CITIES),
            "BillingCountry": rng.choice(("FR", "DE", "IE", "ES", "PT", "AT")),
            "External_Id__c": f"EXT-{index:05d}",
        }
        if name in by_name:
            return by_name[name]
        if name == "Name":
            return f"{rng.choice(_WORDS)} {rng.choice(_SUFFIXES)} {index}"
        if spec.type == "textarea":
            return rng.choice(_SENTENCES)
        return f"{spec.display_label} {rng.randint(1, 999)}"

    def value(self, spec: FieldSpec, index: int) -> Value:
        rng = self.rng
        if spec.nillable and spec.type != "boolean" and not spec.external_id and rng.random() < 0.08:
            return None
        kind = spec.type
        if kind in {"picklist", "multipicklist", "combobox"} and spec.picklist_values:
            return rng.choice(spec.picklist_values)
        if kind == "email":
            return f"{rng.choice(_FIRST).lower()}.{index}@example.com"
        if kind == "phone":
            return f"+1-555-{rng.randint(0, 9999):04d}"
        if kind == "url":
            return f"https://www.{rng.choice(_WORDS).lower()}{index}.example.com"
        if kind == "boolean":
            return rng.random() < 0.3
        if kind in {"int", "long"}:
            return rng.randint(1, 5000)
        if kind == "percent":
            return float(rng.choice((10, 20, 50, 75, 90, 100)))
        if kind in {"double", "currency"}:
            return round(rng.uniform(100, 250_000), 2)
        if kind == "date":
            return self.timeline.today + timedelta(days=rng.randint(-60, 90))
        if kind == "datetime":
            return self.timeline.day_start(0) - timedelta(seconds=rng.randint(0, 86_400 * 30))
        if kind == "reference" and spec.reference_to:
            target = record_number(self.profile, spec.reference_to, rng.randrange(self.count))
            return make_id(spec.reference_to, target)
        return self.text(spec, index)


def generate(
    profile: str, schema: ObjectSchema, count: int, timeline: Timeline
) -> dict[str, list[RecordVersion]]:
    """`count` records of `schema`, each with its versions in time order."""
    rng = random.Random(stable_int(profile, schema.name))  # noqa: S311 - synthetic data, not security
    maker = _ValueMaker(rng, profile, count, timeline)
    writable = [spec for spec in schema.fields.values() if not spec.system]
    mutable = [spec for spec in writable if spec.updatable and not spec.external_id]
    histories: dict[str, list[RecordVersion]] = {}
    audit = {"Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp"}  # set by _version
    unset_system = {name: None for name, spec in schema.fields.items() if spec.system and name not in audit}
    for index in range(count):
        record_id = make_id(schema.name, record_number(profile, schema.name, index))
        created_offset = rng.randrange(timeline.days)
        created_at = timeline.day_start(created_offset) + timedelta(seconds=rng.randrange(86_400))
        values: dict[str, Value] = {spec.name: maker.value(spec, index) for spec in writable}
        values = {**unset_system, **values}  # MasterRecordId and the like: null until a merge
        later_days = list(range(created_offset + 1, timeline.days))
        modified_days = sorted(rng.sample(later_days, k=min(len(later_days), rng.choice((0, 0, 1, 1, 2)))))
        versions = [_version(record_id, created_at, created_at, values)]
        for day in modified_days:
            values = dict(values)
            for spec in rng.sample(mutable, k=min(2, len(mutable))):
                values[spec.name] = maker.value(spec, index)
            modified_at = timeline.day_start(day) + timedelta(seconds=rng.randrange(86_400))
            versions.append(_version(record_id, created_at, modified_at, values))
        histories[record_id] = versions
    return histories


def _version(
    record_id: str, created_at: datetime, modified_at: datetime, values: dict[str, Value]
) -> RecordVersion:
    if "FirstName" in values and "LastName" in values:  # Contact, Lead: Name is compound, read-only
        values = {**values, "Name": " ".join(str(values[k]) for k in ("FirstName", "LastName") if values[k])}
    system: dict[str, Value] = {
        "Id": record_id,
        "IsDeleted": False,
        "CreatedDate": created_at,
        "LastModifiedDate": modified_at,
        "SystemModstamp": modified_at,
    }
    return RecordVersion(at=modified_at, values={**system, **values})
