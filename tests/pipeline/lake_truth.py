"""The warehouse against the org: run an object's DAGs, remember every version a run landed, and
compare `<table>_current`, `<table>_history` and `<table>_merges` (read through Spectrum) with the
emulated org's records and versions.

Used by tests/pipeline/test_deletes.py (scenarios and the property-based sequences) and by the demo's
own check that the org's live count equals the current view's.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.readback import parquet_rows
from sandbox.runs import interval_starting_on, run_day
from tests.pipeline.conftest import query, task_states

COMPARED = ("lastname", "company", "status", "email", "isdeleted", "masterrecordid")
"""Lead columns compared between the org and the views (lowercase, as Glue names them)."""


def timestamp(value: Any) -> dt.datetime:
    """A Spectrum timestamp (text through the Data API) or an org value, as aware UTC."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def text(value: Any) -> Any:
    """Org values as the Data API returns them: booleans as booleans, the rest as text or None."""
    if value is None or isinstance(value, bool):
        return value
    return str(value)


@dataclass
class ObjectLake:
    """One incremental object of one connector profile, on the sandbox."""

    dags: dict[str, Any]
    aws: Callable[[str], Any]
    org: Any
    object_name: str
    table: str
    group: str
    bucket: str = "gtm-lakehouse-dev-raw"
    seen: set[tuple[str, dt.datetime]] = field(default_factory=set)
    """(Id, SystemModstamp) of every version a run landed."""

    @property
    def database(self) -> str:
        return f"{self.group}_dev"

    def view(self, kind: str) -> str:
        return f"{self.group}.{self.table}_{kind}"

    def set_clock(self, moment: dt.datetime) -> None:
        self.org.set_clock(moment)

    def run(self, day: dt.date) -> Any:
        """The ingest DAG for the interval starting on `day`, at the org's clock; what it landed
        (the partition's rows once it points at the run's folder) joins `seen`."""
        dag = self.dags[f"sfdc_ingest__{self.table}"]
        run = run_day(dag, day)
        assert run.state == "success", task_states(run)
        start, _ = interval_starting_on(dag, day)
        location = self.partition_location(f"{start:%Y%m%d}")
        if location is not None:
            bucket, _, prefix = location.removeprefix("s3://").partition("/")
            for row in parquet_rows(self.aws("s3"), bucket, prefix):
                self.seen.add((str(row["Id"]), timestamp(row["SystemModstamp"])))
        return run

    def reconcile(self, as_of: dt.datetime) -> Any:
        """The reconciliation DAG whose interval ends at `as_of` (a 7-day interval)."""
        run = self.dags[f"sfdc_reconcile__{self.table}"].test(logical_date=as_of)
        assert run.state == "success", task_states(run)
        return run

    def partition_location(self, value: str) -> str | None:
        glue = self.aws("glue")
        try:
            found = glue.get_partition(
                DatabaseName=self.database, TableName=self.table, PartitionValues=[value]
            )
        except glue.exceptions.EntityNotFoundException:
            return None
        return str(found["Partition"]["StorageDescriptor"]["Location"])

    def current(self) -> dict[str, dict[str, Any]]:
        columns = ", ".join(("id", "systemmodstamp", *COMPARED))
        rows = query(self.aws("redshift-data"), f"SELECT {columns} FROM {self.view('current')}")
        return {row[0]: dict(zip(("id", "systemmodstamp", *COMPARED), row, strict=True)) for row in rows}

    def history(self) -> list[dict[str, Any]]:
        names = ("id", "systemmodstamp", "valid_from", "valid_to", "is_deleted", "is_current", *COMPARED)
        sql = f"SELECT {', '.join(names)} FROM {self.view('history')} ORDER BY id, valid_from"
        return [dict(zip(names, row, strict=True)) for row in query(self.aws("redshift-data"), sql)]

    def merges(self) -> dict[str, str]:
        sql = f"SELECT id, master_record_id FROM {self.view('merges')}"
        return {row[0]: row[1] for row in query(self.aws("redshift-data"), sql)}

    # -- what must hold ---------------------------------------------------------------------------

    def assert_current_equals_the_org(self) -> None:
        live = {str(r["Id"]): r for r in self.org.records(self.object_name)}
        current = self.current()
        missing, extra = sorted(set(live) - set(current)), sorted(set(current) - set(live))
        assert not missing, f"live in the org, not in {self.view('current')}: {missing}"
        assert not extra, f"in {self.view('current')}, not live in the org: {extra}"
        for record_id, row in current.items():
            record = live[record_id]
            assert timestamp(row["systemmodstamp"]) == timestamp(record["SystemModstamp"]), record_id
            for column in COMPARED:
                wanted = _lower(record).get(column)
                assert row[column] == text(wanted), (record_id, column, row[column], wanted)

    def assert_history_holds_every_version_seen(self) -> None:
        history = self.history()
        by_id: dict[str, list[dict[str, Any]]] = {}
        for row in history:
            by_id.setdefault(row["id"], []).append(row)
        versions = {(row["id"], timestamp(row["valid_from"])) for row in history}
        lost = sorted(self.seen - versions)
        assert not lost, f"versions a run saw but {self.view('history')} lacks: {lost[:5]}"
        for record_id, rows in by_id.items():
            starts = [timestamp(r["valid_from"]) for r in rows]
            assert starts == sorted(set(starts)), f"{record_id}: one row per version, in order: {starts}"
            for earlier, later in itertools.pairwise(rows):
                assert earlier["valid_to"] is not None, f"{record_id}: {earlier} never ends, {later} follows"
                ends, begins = timestamp(earlier["valid_to"]), timestamp(later["valid_from"])
                assert ends == begins, f"{record_id}: {earlier} does not end where {later} begins"
            last = rows[-1]
            if last["valid_to"] is not None:
                assert timestamp(last["valid_to"]) >= timestamp(last["valid_from"]), record_id
            for row in rows:
                self._assert_is_the_orgs_version(record_id, row)
        current_ids = {row["id"] for row in history if row["is_current"]}
        assert current_ids == set(self.current()), "is_current marks exactly what _current shows"

    def _assert_is_the_orgs_version(self, record_id: str, row: dict[str, Any]) -> None:
        stamp = timestamp(row["valid_from"])
        versions = [
            v
            for v in self.org.versions(self.object_name, record_id)
            if timestamp(v["SystemModstamp"]) == stamp
        ]
        assert versions, f"{record_id}: the org never had a version at {stamp}"
        version = versions[-1]
        assert row["is_deleted"] == bool(version["IsDeleted"]), (record_id, stamp)
        for column in COMPARED:
            wanted = _lower(version).get(column)
            assert row[column] == text(wanted), (record_id, stamp, column, row[column], wanted)


def _lower(record: dict[str, Any]) -> dict[str, Any]:
    return {key.lower(): value for key, value in record.items()}
