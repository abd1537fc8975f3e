"""One emulated Salesforce org: schemas, records as of the org's clock, upserts, schema changes.

Thread-safe: AppFlow runs read and write it from their own threads while the gateway serves
describe calls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sandbox.salesforce.generator import RecordVersion, Timeline, generate, record_number
from sandbox.salesforce.ids import make_id
from sandbox.salesforce.schema import FieldSpec, ObjectSchema, build_schema, is_known_object
from sandbox.salesforce.values import MissingValueError, StringTooLongError, Value, ValueTypeError, coerce

DEFAULT_TODAY = date(2025, 1, 15)
DEFAULT_RECORDS_PER_OBJECT = 60


class UnknownObjectError(LookupError):
    """Salesforce: INVALID_TYPE (sObject type 'X' is not supported)."""


class RecordRejectedError(ValueError):
    """One record refused by an upsert, with Salesforce's status code (e.g. INVALID_FIELD)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class UpsertResult:
    id: str
    created: bool


class SalesforceOrg:
    """The org behind one connector profile.

    The clock defaults to the end of `today`, so every generated version is visible; `set_clock`
    moves it (records created later do not exist yet, later modifications are not seen yet).
    Upserts happen at the clock's time.
    """

    def __init__(
        self,
        profile: str,
        *,
        today: date = DEFAULT_TODAY,
        days: int = 7,
        records_per_object: int = DEFAULT_RECORDS_PER_OBJECT,
    ) -> None:
        self.profile = profile
        self.timeline = Timeline(today=today, days=days)
        self.records_per_object = records_per_object
        self._lock = threading.RLock()
        self._schemas: dict[str, ObjectSchema] = {}
        self._histories: dict[str, dict[str, list[RecordVersion]]] = {}
        self._inserted: dict[str, int] = {}
        self._clock = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC) - timedelta(seconds=1)

    # -- metadata -----------------------------------------------------------------------------

    @property
    def clock(self) -> datetime:
        with self._lock:
            return self._clock

    def set_clock(self, now: datetime) -> None:
        with self._lock:
            self._clock = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)

    def object_names(self) -> list[str]:
        """The standard objects plus every custom object used so far."""
        from sandbox.salesforce.schema import STANDARD_OBJECTS

        with self._lock:
            return sorted({*STANDARD_OBJECTS, *self._schemas})

    def describe(self, object_name: str) -> ObjectSchema:
        with self._lock:
            return self._ensure(object_name)

    def add_field(self, object_name: str, spec: FieldSpec, default: Value = None) -> None:
        """Schema change: new field on an object; existing records get `default` in every version."""
        with self._lock:
            schema = self._ensure(object_name)
            schema.add(spec)
            for versions in self._histories[object_name].values():
                for version in versions:
                    version.values.setdefault(spec.name, default)

    # -- reading ------------------------------------------------------------------------------

    def records(self, object_name: str) -> list[dict[str, Value]]:
        """Every record as of the clock (copies), in id order."""
        with self._lock:
            self._ensure(object_name)
            current = (self._current(versions) for versions in self._histories[object_name].values())
            return sorted(
                (dict(version.values) for version in current if version is not None),
                key=lambda values: str(values["Id"]),
            )

    def get(self, object_name: str, record_id: str) -> dict[str, Value] | None:
        with self._lock:
            self._ensure(object_name)
            version = self._current(self._histories[object_name].get(record_id, []))
            return dict(version.values) if version else None

    # -- writing ------------------------------------------------------------------------------

    def upsert(
        self, object_name: str, record: Mapping[str, object], id_fields: Iterable[str]
    ) -> UpsertResult:
        """Insert or update one record matched on `id_fields`; RecordRejectedError if it is invalid."""
        with self._lock:
            schema = self._ensure(object_name)
            keys = list(id_fields) or ["Id"]
            values = self._checked(schema, record, keys)
            match = self._match(object_name, {key: values.get(key) for key in keys})
            now = self._clock
            if match is None:
                return self._insert(schema, values, now)
            for name, _value in values.items():
                spec = schema.fields[name]
                if name not in keys and not spec.updatable:
                    raise RecordRejectedError("INVALID_FIELD_FOR_INSERT_UPDATE", f"{name} is not updateable")
            merged = {**match.values, **values, "LastModifiedDate": now, "SystemModstamp": now}
            self._histories[object_name][str(match.values["Id"])].append(RecordVersion(now, merged))
            return UpsertResult(id=str(match.values["Id"]), created=False)

    # -- internals ----------------------------------------------------------------------------

    def _ensure(self, object_name: str) -> ObjectSchema:
        schema = self._schemas.get(object_name)
        if schema is None:
            if not is_known_object(object_name):
                raise UnknownObjectError(f"sObject type '{object_name}' is not supported.")
            schema = build_schema(object_name)
            self._schemas[object_name] = schema
            self._histories[object_name] = generate(
                self.profile, schema, self.records_per_object, self.timeline
            )
        return schema

    def _current(self, versions: list[RecordVersion]) -> RecordVersion | None:
        visible = [version for version in versions if version.at <= self._clock]
        return visible[-1] if visible else None

    def _checked(
        self, schema: ObjectSchema, record: Mapping[str, object], keys: list[str]
    ) -> dict[str, Value]:
        values: dict[str, Value] = {}
        for name, raw in record.items():
            spec = schema.fields.get(name)
            if spec is None:
                raise RecordRejectedError(
                    "INVALID_FIELD", f"No such column '{name}' on entity '{schema.name}'"
                )
            if spec.system and name not in keys:
                raise RecordRejectedError("INVALID_FIELD_FOR_INSERT_UPDATE", f"{name} is not writeable")
            try:
                values[name] = coerce(spec, raw)
            except MissingValueError as error:
                raise RecordRejectedError("REQUIRED_FIELD_MISSING", str(error)) from error
            except StringTooLongError as error:
                raise RecordRejectedError("STRING_TOO_LONG", str(error)) from error
            except ValueTypeError as error:
                raise RecordRejectedError("INVALID_TYPE_ON_FIELD_IN_RECORD", str(error)) from error
        for key in keys:
            if key not in schema.fields:
                raise RecordRejectedError(
                    "INVALID_FIELD", f"No such column '{key}' on entity '{schema.name}'"
                )
        return values

    def _match(self, object_name: str, key_values: dict[str, Value]) -> RecordVersion | None:
        if any(value is None for value in key_values.values()):
            return None
        for versions in self._histories[object_name].values():
            current = self._current(versions)
            if current and all(current.values.get(key) == value for key, value in key_values.items()):
                return current
        return None

    def _insert(self, schema: ObjectSchema, values: dict[str, Value], now: datetime) -> UpsertResult:
        for name in values:
            spec = schema.fields[name]
            if not spec.creatable and not spec.system:
                raise RecordRejectedError("INVALID_FIELD_FOR_INSERT_UPDATE", f"{name} is not createable")
        missing = [
            spec.name
            for spec in schema.fields.values()
            if not spec.system and not spec.nillable and spec.creatable and spec.type != "boolean"
            and values.get(spec.name) is None
        ]  # fmt: skip
        if missing:
            raise RecordRejectedError("REQUIRED_FIELD_MISSING", f"Required fields are missing: {missing}")
        number = self._inserted.get(schema.name, 0)
        self._inserted[schema.name] = number + 1
        index = self.records_per_object + 10_000 + number
        record_id = make_id(schema.name, record_number(self.profile, schema.name, index))
        defaults: dict[str, Value] = {spec.name: None for spec in schema.fields.values()}
        defaults.update({spec.name: False for spec in schema.fields.values() if spec.type == "boolean"})
        system: dict[str, Value] = {
            "Id": record_id,
            "IsDeleted": False,
            "CreatedDate": now,
            "LastModifiedDate": now,
            "SystemModstamp": now,
        }
        merged = {**defaults, **values, **system}
        self._histories[schema.name][record_id] = [RecordVersion(now, merged)]
        return UpsertResult(id=record_id, created=True)
