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
from sandbox.salesforce.lifecycle import CASCADE_DELETES, MAX_MERGED, RecordState, latest_before
from sandbox.salesforce.schema import (
    MERGEABLE_OBJECTS,
    STANDARD_OBJECTS,
    FieldSpec,
    ObjectSchema,
    build_schema,
    is_known_object,
)
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
class _Change:
    """One record's next version, planned before any is written (operations are all or nothing)."""

    object_name: str
    record_id: str
    state: RecordState
    values: Mapping[str, Value]
    user_edit: bool = False
    cascade_of: str | None = None


_DELETED: Mapping[str, Value] = {"IsDeleted": True}
_RESTORED: Mapping[str, Value] = {"IsDeleted": False}


@dataclass(frozen=True)
class UpsertResult:
    id: str
    created: bool


class SalesforceOrg:
    """The org behind one connector profile.

    The clock defaults to the end of `today`, so every generated version is visible; `set_clock`
    moves it (records created later do not exist yet, later modifications are not seen yet).
    Upserts, deletes, undeletes, merges and purges happen at the clock's time, with the semantics
    of `sandbox.salesforce.lifecycle`.
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
        self._histories: dict[str, dict[str, RecordState]] = {}
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
            for state in self._histories[object_name].values():
                for version in state.versions:
                    version.values.setdefault(spec.name, default)

    # -- reading ------------------------------------------------------------------------------

    def records(self, object_name: str, *, include_deleted: bool = False) -> list[dict[str, Value]]:
        """Every record as of the clock (copies), in id order: what `query` returns, or with
        `include_deleted` what `queryAll` returns (the Recycle Bin too, IsDeleted = true)."""
        with self._lock:
            self._ensure(object_name)
            states = self._histories[object_name].values()
            current = (state.visible(self._clock, include_deleted=include_deleted) for state in states)
            return sorted(
                (dict(version.values) for version in current if version is not None),
                key=lambda values: str(values["Id"]),
            )

    def get(
        self, object_name: str, record_id: str, *, include_deleted: bool = False
    ) -> dict[str, Value] | None:
        with self._lock:
            self._ensure(object_name)
            state = self._histories[object_name].get(record_id)
            version = state.visible(self._clock, include_deleted=include_deleted) if state else None
            return dict(version.values) if version else None

    def versions(self, object_name: str, record_id: str) -> list[dict[str, Value]]:
        """Every version of a record up to the clock, oldest first (what a replica could have seen)."""
        with self._lock:
            self._ensure(object_name)
            state = self._histories[object_name].get(record_id)
            return [dict(v.values) for v in (state.versions if state else []) if v.at <= self._clock]

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
            self._histories[object_name][str(match.values["Id"])].versions.append(RecordVersion(now, merged))
            return UpsertResult(id=str(match.values["Id"]), created=False)

    def delete(self, object_name: str, record_ids: Iterable[str]) -> list[str]:
        """Move records to the Recycle Bin (with an Account, its contacts and opportunities);
        returns every id deleted, cascades included. All or nothing."""
        with self._lock:
            self._ensure(object_name)
            changes: list[_Change] = []
            for record_id in record_ids:
                state = self._live_state(object_name, record_id)
                changes.append(_Change(object_name, record_id, state, _DELETED))
                for child_object, field_name in CASCADE_DELETES.get(object_name, ()):
                    for child_id, child in self._referring(child_object, field_name, {record_id}):
                        changes.append(_Change(child_object, child_id, child, _DELETED, cascade_of=record_id))
            return self._apply(changes)

    def undelete(self, object_name: str, record_ids: Iterable[str]) -> list[str]:
        """Restore records from the Recycle Bin, with what their deletion took along."""
        with self._lock:
            self._ensure(object_name)
            changes: list[_Change] = []
            for record_id in record_ids:
                state = self._state(object_name, record_id)
                if not state.in_recycle_bin(self._clock):
                    raise RecordRejectedError("UNDELETE_FAILED", f"{record_id} is not in the Recycle Bin")
                changes.append(_Change(object_name, record_id, state, _RESTORED))
                for child_object, _field in CASCADE_DELETES.get(object_name, ()):
                    for child_id, child in self._histories.get(child_object, {}).items():
                        if child.deleted_with == record_id and child.in_recycle_bin(self._clock):
                            changes.append(_Change(child_object, child_id, child, _RESTORED))
            return self._apply(changes)

    def merge(
        self,
        object_name: str,
        master_id: str,
        merged_ids: Iterable[str],
        master_values: Mapping[str, object] | None = None,
    ) -> list[str]:
        """merge(): `merged_ids` are deleted into `master_id`, which may take `master_values`;
        returns the ids of the records re-parented to the master."""
        with self._lock:
            schema = self._ensure(object_name)
            losers = list(dict.fromkeys(merged_ids))
            if object_name not in MERGEABLE_OBJECTS:
                raise RecordRejectedError("INVALID_TYPE", f"merge() does not support {object_name}")
            if not losers or len(losers) + 1 > MAX_MERGED or master_id in losers:
                raise RecordRejectedError(
                    "INVALID_OPERATION", f"merge takes a master and one or two other records, got {losers}"
                )
            edits = self._checked(schema, master_values or {}, [])
            changes = [_Change(object_name, master_id, self._live_state(object_name, master_id), edits, True)]
            for loser in losers:
                merged: dict[str, Value] = {"IsDeleted": True, "MasterRecordId": master_id}
                changes.append(_Change(object_name, loser, self._live_state(object_name, loser), merged))
            for child_object, field_name in self._references_to(object_name):
                for child_id, child in self._referring(child_object, field_name, set(losers)):
                    changes.append(_Change(child_object, child_id, child, {field_name: master_id}, True))
            return self._apply(changes)[1 + len(losers) :]

    def purge(self, object_name: str, record_ids: Iterable[str] | None = None) -> list[str]:
        """emptyRecycleBin(): the records (default: all of the object's in the Recycle Bin) are
        gone for good; not even queryAll returns them."""
        with self._lock:
            self._ensure(object_name)
            states = self._histories[object_name]
            if record_ids is None:
                wanted = [rid for rid, state in states.items() if state.in_recycle_bin(self._clock)]
            else:
                wanted = list(record_ids)
            for record_id in wanted:
                if not self._state(object_name, record_id).in_recycle_bin(self._clock):
                    raise RecordRejectedError("INVALID_ID_FIELD", f"{record_id} is not in the Recycle Bin")
            for record_id in wanted:
                states[record_id].purged_at = self._clock
            return wanted

    def hard_delete(self, object_name: str, record_ids: Iterable[str]) -> list[str]:
        """Bulk API hardDelete: deleted and purged at once, never in the Recycle Bin."""
        with self._lock:
            deleted = self.delete(object_name, record_ids)
            for states in self._histories.values():
                for deleted_id in deleted:
                    if deleted_id in states:
                        states[deleted_id].purged_at = self._clock
            return deleted

    # -- internals ----------------------------------------------------------------------------

    def _ensure(self, object_name: str) -> ObjectSchema:
        schema = self._schemas.get(object_name)
        if schema is None:
            if not is_known_object(object_name):
                raise UnknownObjectError(f"sObject type '{object_name}' is not supported.")
            schema = build_schema(object_name)
            self._schemas[object_name] = schema
            generated = generate(self.profile, schema, self.records_per_object, self.timeline)
            self._histories[object_name] = {rid: RecordState(versions) for rid, versions in generated.items()}
        return schema

    def _state(self, object_name: str, record_id: str) -> RecordState:
        state = self._histories[object_name].get(record_id)
        if state is None:
            raise RecordRejectedError("NOT_FOUND", f"no {object_name} with id {record_id}")
        return state

    def _live_state(self, object_name: str, record_id: str) -> RecordState:
        state = self._state(object_name, record_id)
        if state.live(self._clock) is None:
            raise RecordRejectedError("ENTITY_IS_DELETED", f"{object_name} {record_id} is deleted")
        return state

    def _apply(self, changes: list[_Change]) -> list[str]:
        """Write every change as a new version at the clock, or none if one cannot be written:
        SystemModstamp always moves, LastModifiedDate only for a user's edit of the record's
        fields (see sandbox.salesforce.lifecycle). The generated history's versions after the
        clock are dropped for a changed record: they were the future of a record that no longer
        has it (a deleted record does not get edited tomorrow)."""
        now = self._clock
        for change in changes:
            seen = latest_before(change.state.versions, now)
            if seen is not None and seen.at >= now:
                raise ValueError(
                    f"{change.object_name} {change.record_id} changed at {seen.at.isoformat()}, the org's "
                    "clock: move the clock on before changing it again"
                )
        for change in changes:
            change.state.versions = [v for v in change.state.versions if v.at <= now]
            current = change.state.visible(now, include_deleted=True) or change.state.versions[-1]
            stamps: dict[str, Value] = {"SystemModstamp": now}
            if change.user_edit:
                stamps["LastModifiedDate"] = now
            change.state.versions.append(RecordVersion(now, {**current.values, **change.values, **stamps}))
            if change.values.get("IsDeleted") is False:
                change.state.deleted_with = None
            elif change.cascade_of is not None:
                change.state.deleted_with = change.cascade_of
        return [change.record_id for change in changes]

    def _references_to(self, object_name: str) -> list[tuple[str, str]]:
        """(object, field) of every reference field pointing at `object_name` (MasterRecordId aside)."""
        found: list[tuple[str, str]] = []
        for other in sorted({*STANDARD_OBJECTS, *self._schemas}):
            if not is_known_object(other):
                continue
            for spec in self._ensure(other).fields.values():
                if spec.reference_to == object_name and spec.name != "MasterRecordId":
                    found.append((other, spec.name))
        return found

    def _referring(
        self, object_name: str, field_name: str, targets: set[str]
    ) -> list[tuple[str, RecordState]]:
        """The live records of `object_name` whose `field_name` holds one of `targets`."""
        self._ensure(object_name)
        found = []
        for record_id, state in self._histories[object_name].items():
            live = state.live(self._clock)
            if live is not None and live.values.get(field_name) in targets:
                found.append((record_id, state))
        return found

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
        """The live record with these key values (a deleted record is never matched, as in Salesforce)."""
        if any(value is None for value in key_values.values()):
            return None
        for state in self._histories[object_name].values():
            current = state.live(self._clock)
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
        self._histories[schema.name][record_id] = RecordState([RecordVersion(now, merged)])
        return UpsertResult(id=record_id, created=True)
