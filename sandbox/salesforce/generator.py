"""Deterministic synthetic records with a modification history.

Each record gets a creation time on one of the org's `days` days up to `today`, and some are
modified again on later days. The org shows each record as of its clock, so moving the clock day
by day makes the same Id show up in several daily windows with a different LastModifiedDate, as a
live org does between two daily loads.

Determinism: the record timeline (ids, creation and modification times, audit users) comes from
one generator seeded by profile and object; each field's first values come from a generator of
its own (profile, object, field), and each modification from one seeded by the record and day.
Adding a field to a schema therefore leaves every other field's values, and the timeline, as they
were. Values that Salesforce derives (Name from FirstName/LastName, compound addresses from their
components, IsClosed from the stage or status, ...) are derived the same way here (`derive`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
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
_SENTENCES = ("Renewal expected next quarter.", "Met at the trade show.", "Needs a follow-up call.", "")
# City, state/region, postal code, ISO country, latitude, longitude
_PLACES = (
    ("Paris", "Ile-de-France", "75008", "FR", 48.8738, 2.2950),
    ("Berlin", "Berlin", "10117", "DE", 52.5163, 13.3777),
    ("Dublin", "Leinster", "D02 X285", "IE", 53.3438, -6.2546),
    ("Madrid", "Madrid", "28013", "ES", 40.4169, -3.7035),
    ("Lisbon", "Lisboa", "1100-148", "PT", 38.7078, -9.1366),
    ("Vienna", "Wien", "1010", "AT", 48.2082, 16.3738),
)
_STREETS = ("Rue de Rivoli", "Unter den Linden", "Grafton Street", "Gran Via", "Rua Augusta", "Graben")
_PRODUCTS = ("Analytics Suite", "Data Connector", "Support Plan", "Training Day", "Edge Gateway")


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


def _place(index: int) -> tuple[str, str, str, str, float, float]:
    return _PLACES[index % len(_PLACES)]


class _ValueMaker:
    """Makes one field's value from the random stream it is given."""

    def __init__(self, profile: str, count: int, timeline: Timeline) -> None:
        self.profile = profile
        self.count = count
        self.timeline = timeline

    def text(self, spec: FieldSpec, index: int, rng: random.Random) -> str:
        name = spec.name
        made = self._named_text(name, index, rng)
        if made is not None:
            return made
        if name == "Name":
            return f"{rng.choice(_WORDS)} {rng.choice(_SUFFIXES)} {index}"
        if spec.type == "textarea":
            return rng.choice(_SENTENCES)
        return f"{spec.display_label} {rng.randint(1, 999)}"

    def _named_text(self, name: str, index: int, rng: random.Random) -> str | None:
        makers: dict[str, Callable[[], str]] = {
            "FirstName": lambda: rng.choice(_FIRST),
            "LastName": lambda: rng.choice(_LAST),
            "Company": lambda: f"{rng.choice(_WORDS)} {rng.choice(_SUFFIXES)}",
            "CompanyName": lambda: f"{rng.choice(_WORDS)} {rng.choice(_SUFFIXES)}",
            "Title": lambda: rng.choice(("CTO", "Buyer", "Analyst", "VP Sales")),
            "Department": lambda: rng.choice(("Sales", "Marketing", "Finance", "IT")),
            "Division": lambda: rng.choice(("EMEA", "Americas", "APAC")),
            "External_Id__c": lambda: f"EXT-{index:05d}",
            "Username": lambda: f"user{index}@{self.profile}.example.com",
            "Alias": lambda: f"u{index:05d}"[:8],
            "CommunityNickname": lambda: f"user{index}",
            "EmployeeNumber": lambda: f"E{index:06d}",
            "CaseNumber": lambda: f"{index + 1:08d}",
            "ProductCode": lambda: f"P-{index:04d}",
            "StockKeepingUnit": lambda: f"SKU-{index:05d}",
            "AccountNumber": lambda: f"CD{rng.randint(100000, 999999)}",
            "Sic": lambda: str(rng.randint(1000, 9999)),
            "TickerSymbol": lambda: rng.choice(_WORDS).upper()[:4],
            "Site": lambda: rng.choice(("Headquarters", "Branch", "Plant")),
            "Location": lambda: rng.choice(("Zoom", "Office", "Customer site")),
            "NextStep": lambda: rng.choice(("Send proposal", "Schedule demo", "Negotiate terms")),
            "CallDisposition": lambda: rng.choice(("Left voicemail", "Interested", "Call back later")),
        }
        if name in makers:
            return makers[name]()
        if name.endswith("Street"):
            return f"{rng.randint(1, 200)} {_STREETS[index % len(_STREETS)]}"
        if name.endswith("City"):
            return _place(index)[0]
        if name.endswith("State"):
            return _place(index)[1]
        if name.endswith("PostalCode"):
            return _place(index)[2]
        if name.endswith("Country"):
            return _place(index)[3]
        if name in {"SuppliedName"}:
            return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if name in {"Subject"}:
            return rng.choice(("Call", "Email", "Send Quote", "Follow-up", "Product question"))
        return None

    def value(self, spec: FieldSpec, index: int, rng: random.Random) -> Value:
        if spec.nillable and spec.type != "boolean" and not spec.external_id and rng.random() < 0.08:
            return None
        kind = spec.type
        if kind in {"address", "location"}:
            return None  # derived from its components
        if spec.name.endswith("Latitude"):
            return _place(index)[4]
        if spec.name.endswith("Longitude"):
            return _place(index)[5]
        if kind in {"picklist", "multipicklist"} and spec.picklist_values:
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
            if spec.name == "Birthdate":
                return date(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
            return self.timeline.today + timedelta(days=rng.randint(-60, 90))
        if kind == "datetime":
            return self.timeline.day_start(0) - timedelta(seconds=rng.randint(0, 86_400 * 30))
        if kind == "reference" and spec.reference_targets:
            targets = spec.reference_targets  # a polymorphic lookup points at its main object mostly
            target = targets[0] if len(targets) == 1 or rng.random() < 0.8 else rng.choice(targets[1:])
            return make_id(target, record_number(self.profile, target, rng.randrange(self.count)))
        text = self.text(spec, index, rng)
        if kind == "combobox" and spec.picklist_values and not text:
            text = rng.choice(spec.picklist_values)
        return text[: spec.length] if spec.length else text


def generate(
    profile: str, schema: ObjectSchema, count: int, timeline: Timeline
) -> dict[str, list[RecordVersion]]:
    """`count` records of `schema`, each with its versions in time order."""
    rng = random.Random(stable_int(profile, schema.name))  # noqa: S311 - synthetic data, not security
    maker = _ValueMaker(profile, count, timeline)
    writable = [spec for spec in schema.fields.values() if not spec.system]
    mutable = [spec for spec in writable if spec.updatable and not spec.external_id]
    streams = {spec.name: random.Random(stable_int(profile, schema.name, spec.name)) for spec in writable}  # noqa: S311
    histories: dict[str, list[RecordVersion]] = {}
    for index in range(count):
        record_id = make_id(schema.name, record_number(profile, schema.name, index))
        created_offset = rng.randrange(timeline.days)
        created_at = timeline.day_start(created_offset) + timedelta(seconds=rng.randrange(86_400))
        creator = _user(profile, rng.randrange(count))
        values: dict[str, Value] = {
            spec.name: maker.value(spec, index, streams[spec.name]) for spec in writable
        }
        later_days = list(range(created_offset + 1, timeline.days))
        modified_days = sorted(rng.sample(later_days, k=min(len(later_days), rng.choice((0, 0, 1, 1, 2)))))
        audit = {"CreatedById": creator, "LastModifiedById": creator}
        versions = [_version(schema, record_id, created_at, created_at, values, audit)]
        for day in modified_days:
            change = random.Random(stable_int(profile, schema.name, record_id, str(day)))  # noqa: S311
            values = dict(values)
            for spec in change.sample(mutable, k=min(2, len(mutable))):
                values[spec.name] = maker.value(spec, index, change)
            modified_at = timeline.day_start(day) + timedelta(seconds=rng.randrange(86_400))
            audit = {"CreatedById": creator, "LastModifiedById": _user(profile, rng.randrange(count))}
            versions.append(_version(schema, record_id, created_at, modified_at, values, audit))
        histories[record_id] = versions
    return histories


def _user(profile: str, index: int) -> str:
    return make_id("User", record_number(profile, "User", index))


def derive(schema: ObjectSchema, values: dict[str, Value]) -> dict[str, Value]:
    """The values Salesforce computes from others, recomputed (a copy).

    Name of a person from FirstName and LastName; a compound address from its components (null
    when they all are); and the object's own rules: Opportunity IsClosed/IsWon from StageName and
    ExpectedRevenue = Amount x Probability; Case and Task IsClosed from Status; an
    OpportunityLineItem's TotalPrice = Quantity x UnitPrice; an Event's end from its start and
    duration; a CampaignMember is a Contact's or a Lead's. An org calls it after every write.
    """
    derived = dict(values)
    fields = schema.fields
    if {"FirstName", "LastName", "Name"} <= fields.keys():
        derived["Name"] = " ".join(str(derived[k]) for k in ("FirstName", "LastName") if derived.get(k))
    for spec in fields.values():
        if spec.components:
            parts = {key: derived.get(component) for key, component in spec.components}
            derived[spec.name] = parts if any(v is not None for v in parts.values()) else None
    rule = _RULES.get(schema.name)
    if rule is not None:
        rule(derived)
    return derived


def _opportunity(values: dict[str, Value]) -> None:
    stage = values.get("StageName")
    values["IsClosed"] = stage in {"Closed Won", "Closed Lost"}
    values["IsWon"] = stage == "Closed Won"
    amount, probability = values.get("Amount"), values.get("Probability")
    if isinstance(amount, float) and isinstance(probability, float):
        values["ExpectedRevenue"] = round(amount * probability / 100, 2)
    else:
        values["ExpectedRevenue"] = None
    close = values.get("CloseDate")
    if isinstance(close, date):
        values["FiscalYear"], values["FiscalQuarter"] = close.year, (close.month - 1) // 3 + 1


def _closed_by_status(closed_status: str, closed_at: str) -> Callable[[dict[str, Value]], None]:
    def rule(values: dict[str, Value]) -> None:
        values["IsClosed"] = values.get("Status") == closed_status
        if not values["IsClosed"]:
            values[closed_at] = None

    return rule


def _task(values: dict[str, Value]) -> None:
    _closed_by_status("Completed", "CompletedDateTime")(values)
    values["IsHighPriority"] = values.get("Priority") == "High"


def _event(values: dict[str, Value]) -> None:
    start, minutes = values.get("StartDateTime"), values.get("DurationInMinutes")
    if isinstance(start, datetime) and isinstance(minutes, int):
        values["EndDateTime"] = start + timedelta(minutes=minutes)
        values["ActivityDateTime"], values["ActivityDate"] = start, start.date()


def _line_item(values: dict[str, Value]) -> None:
    quantity, price = values.get("Quantity"), values.get("UnitPrice")
    values["ListPrice"] = price
    if isinstance(quantity, float) and isinstance(price, float):
        values["TotalPrice"] = round(quantity * price, 2)


def _campaign_member(values: dict[str, Value]) -> None:
    if values.get("ContactId"):
        values["LeadId"], values["Type"] = None, "Contact"
    else:
        values["Type"] = "Lead" if values.get("LeadId") else None
    values["HasResponded"] = values.get("Status") == "Responded"
    if not values["HasResponded"]:
        values["FirstRespondedDate"] = None


def _lead(values: dict[str, Value]) -> None:
    if not values.get("IsConverted"):
        for name in ("ConvertedDate", "ConvertedAccountId", "ConvertedContactId", "ConvertedOpportunityId"):
            values[name] = None


_RULES: dict[str, Callable[[dict[str, Value]], None]] = {
    "Opportunity": _opportunity,
    "Case": _closed_by_status("Closed", "ClosedDate"),
    "Task": _task,
    "Event": _event,
    "OpportunityLineItem": _line_item,
    "CampaignMember": _campaign_member,
    "Lead": _lead,
}


def _version(
    schema: ObjectSchema,
    record_id: str,
    created_at: datetime,
    modified_at: datetime,
    values: dict[str, Value],
    audit: dict[str, str],
) -> RecordVersion:
    system: dict[str, Value] = {
        "Id": record_id,
        "IsDeleted": False,
        "CreatedDate": created_at,
        "CreatedById": audit["CreatedById"],
        "LastModifiedDate": modified_at,
        "LastModifiedById": audit["LastModifiedById"],
        "SystemModstamp": modified_at,
    }
    if "MasterRecordId" in schema.fields:
        system["MasterRecordId"] = None
    return RecordVersion(at=modified_at, values={**system, **derive(schema, values)})
