"""The audit of write-audit-publish: a new load's declared checks, run through Spectrum before the
partition readers use is pointed at the load.

Why our own operator and not the common-sql provider's check operators: see
`lakehouse.quality.sql` (they need a DbApiHook, scan the load once per check, have no severity and
record nothing). This one stages the load as a partition of `<table>__audit`
(`lakehouse.aws.audit_catalog`), measures every check in one statement through the Redshift Data
API (the provider's RedshiftDataHook), samples the failing rows of the failed checks in a second
one (only when something failed), drops the staging partition, writes one row per check to the
results table, and then:

- any `error` check failed: the task fails (AirflowFailException: no retry, the data would not
  change), its message naming every failed check; the failure alert carries it, once (a warehouse
  or catalog error, by contrast, is retried like any task's);
- only `warn` checks failed: the task succeeds, logs them as warnings, returns them (XCom) and
  sends one `warning` alert naming them itself (no callback fires on a success).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.sdk.exceptions import AirflowFailException

from lakehouse.airflow.connections import wrangler_session
from lakehouse.airflow.operators.warehouse import WarehouseQueryOperator
from lakehouse.plan.checks import AuditPlan, PlannedCheck
from lakehouse.quality.outcomes import Outcome, RunFacts, evaluate, masked, result_rows, summary
from lakehouse.quality.sql import measure_query, sample_query


class MissingColumnError(AirflowFailException):
    """A check names a column the load (or a relationship's target) does not have."""


class DataAuditOperator(WarehouseQueryOperator):
    template_fields: Sequence[str] = aws_template_fields(
        "location", "load_id", "partition_value", "interval_start", "interval_end"
    )

    def __init__(
        self,
        *,
        audit: AuditPlan,
        location: str,
        load_id: str,
        partition_value: str,
        interval_start: str,
        interval_end: str,
        schema_task_id: str,
        results_schema_sql: str,
        warning_notifier: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.audit = audit
        self.location = location
        self.load_id = load_id
        self.partition_value = partition_value
        self.interval_start = interval_start
        self.interval_end = interval_end
        self.schema_task_id = schema_task_id
        self.results_schema_sql = results_schema_sql
        self.warning_notifier = warning_notifier

    def execute(self, context: Any) -> dict[str, Any]:
        from lakehouse.aws.audit_catalog import stage_load, table_columns, unstage_load

        audit = self.audit
        session = wrangler_session(self.aws_conn_id, self.region_name)
        load_id = _safe_load_id(str(self.load_id))
        # The columns discovery found, pulled here rather than passed as an XComArg, which would add
        # a second edge from discovery and make the audit look like a branch of the DAG.
        self._require_columns(dict(context["ti"].xcom_pull(task_ids=self.schema_task_id) or {}))
        unrunnable = self._missing_targets(session, table_columns)
        runnable = replace(audit, checks=tuple(c for c in audit.checks if c.name not in unrunnable))
        volumes = [int(c.params["loads"]) for c in runnable.checks if c.kind == "volume"]
        history = self._history(session, max(volumes)) if volumes else []
        interval_end = _instant(self.interval_end)
        stage_load(
            session,
            database=audit.glue_database,
            table=audit.table,
            audit_table=audit.audit_table,
            load_id=load_id,
            location=self.location,
        )
        try:
            parameters = [{"name": "load_id", "value": load_id}]
            query = measure_query(runnable)
            measured = self._rows(self.run_query(query.sql, parameters=parameters))[0]
            outcomes = evaluate(runnable.checks, measured, history, interval_end)
            failed = [i for i, o in enumerate(outcomes) if not o.passed and o.check.row_level]
            sample_sql = sample_query(runnable, failed)
            if sample_sql:
                samples = self._rows(self.run_query(sample_sql, parameters=parameters))
                outcomes = _with_samples(outcomes, samples, audit.masked_columns)
        finally:
            unstage_load(
                session, database=audit.glue_database, audit_table=audit.audit_table, load_id=load_id
            )
        by_name = {o.check.name: o for o in outcomes}
        ordered = [by_name.get(c.name) or _unrunnable(c, unrunnable[c.name]) for c in audit.checks]
        self._record(session, context, ordered, load_id, interval_end)
        return self._verdict(context, ordered)

    def _history(self, session: Any, limit: int) -> list[int]:
        """Rows of the earlier partitions, newest first, from their Parquet footers: the volume
        check's baseline costs the warehouse nothing (a few S3 range reads here)."""
        from lakehouse.airflow.operators.feeds import parquet_rows
        from lakehouse.aws.audit_catalog import earlier_partitions

        earlier = earlier_partitions(
            session,
            database=self.audit.glue_database,
            table=self.audit.table,
            before=str(self.partition_value),
            limit=limit,
        )
        return [parquet_rows(session, location)[1] for _, location in earlier]

    def _require_columns(self, discovered: dict[str, str]) -> None:
        """Checks name columns of the load as discovery found them; any other is a failure now."""
        known = {name.lower() for name in discovered}
        missing = [(c.name, col) for c in self.audit.checks for col in c.columns if col not in known]
        if missing:
            named = "; ".join(f"check '{name}' names column '{column}'" for name, column in missing)
            raise MissingColumnError(
                f"{self.audit.object_name} ({self.audit.source}): {named}, which the load does not have "
                f"(discovered columns: {', '.join(sorted(known))})"
            )

    def _missing_targets(self, session: Any, table_columns: Any) -> dict[str, str]:
        """Relationship checks whose target table is not in the catalog yet (nothing of it was ever
        loaded): they fail as checks, with the reason. A target that exists but lacks the column
        is a configuration error and fails the task naming it."""
        unrunnable: dict[str, str] = {}
        for check in self.audit.checks:
            if check.kind != "relationships":
                continue
            table = str(check.params["table"]).partition(".")[2]
            columns = table_columns(session, database=self.audit.glue_database, table=table)
            if columns is None:
                unrunnable[check.name] = f"{check.params['table']} does not exist yet (never loaded)"
            elif str(check.params["field"]) not in {c.lower() for c in columns}:
                raise MissingColumnError(
                    f"{self.audit.object_name} ({self.audit.source}): check '{check.name}' refers to "
                    f"column '{check.params['field']}' of {check.params['table']}, which has no such column"
                )
        return unrunnable

    def _rows(self, statement_id: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        names: list[str] = []
        for page in self.result_pages(statement_id):
            names = [c["name"] for c in page.get("ColumnMetadata", [])] or names
            for record in page.get("Records", []):
                rows.append({name: _value(field) for name, field in zip(names, record, strict=True)})
        return rows

    def _record(
        self, session: Any, context: Any, outcomes: list[Outcome], load_id: str, interval_end: dt.datetime
    ) -> None:
        from lakehouse.aws.quality_results import write_results

        ti = context.get("ti")
        facts = RunFacts(
            run_id=str(context.get("run_id") or getattr(ti, "run_id", "")),
            dag_id=str(getattr(ti, "dag_id", "") or self.dag_id),
            task_id=self.task_id,
            object_name=self.audit.object_name,
            profile=self.audit.source,
            load_id=load_id,
            load_location=self.location,
            interval_start=_instant(self.interval_start),
            interval_end=interval_end,
            checked_at=dt.datetime.now(dt.UTC),
        )
        rows = result_rows(outcomes, facts)
        day = _instant(self.interval_start).strftime("%Y%m%d")
        stamp = facts.checked_at.strftime("%Y%m%dT%H%M%S%f")
        name = f"{self.dag_id}.{self.task_id}.{stamp}.parquet"
        url, created = write_results(session, self.audit.results, day=day, file_name=name, rows=rows)
        if created:  # the results' Spectrum schema comes with the table (outside a transaction)
            self.run_query(self.results_schema_sql)
        self.log.info(
            "%d check results written to %s (%s.%s)",
            len(rows), url, self.audit.results.external_schema, self.audit.results.table,
        )  # fmt: skip

    def _verdict(self, context: Any, outcomes: list[Outcome]) -> dict[str, Any]:
        for outcome in outcomes:
            (self.log.info if outcome.passed else self.log.warning)("%s", outcome.line())
            for row in outcome.sample:  # the task log has them (INFO); the console only the FAIL line
                self.log.info("  %s failing row (PII masked): %s", outcome.check.name, row)
        failed = [o for o in outcomes if not o.passed]
        report = {
            "load_location": self.location,
            "passed": [o.check.name for o in outcomes if o.passed],
            "failed": [
                {"check": o.check.name, "severity": o.check.severity, "detail": o.detail} for o in failed
            ],
        }
        if not failed:
            return report
        text = summary(outcomes, self.audit.object_name, self.audit.source)
        if any(o.blocks for o in failed):
            raise AirflowFailException(
                f"{text}. Nothing was published: readers keep the previous load. Fix the data and "
                "clear the run to reload and audit it again."
            )
        self.log.warning("%s", text)
        if self.warning_notifier is not None:
            self.warning_notifier({**context, "exception": text})
        return report


def _value(field: dict[str, Any]) -> Any:
    if field.get("isNull"):
        return None
    return next(iter(field.values()))


def _instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(str(text))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _safe_load_id(value: str) -> str:
    """The load's id is a partition value of `<table>__audit` and a bound SQL parameter."""
    from lakehouse.quality.sql import PARTITION_VALUE

    if not PARTITION_VALUE.fullmatch(value):
        raise AirflowFailException(f"{value!r} cannot identify a load (letters, digits, '_' and '-')")
    return value


def _with_samples(
    outcomes: list[Outcome], samples: list[dict[str, Any]], masked_columns: Sequence[str]
) -> list[Outcome]:
    by_check: dict[str, list[dict[str, Any]]] = {}
    for sampled in samples:
        row = {key.lower(): value for key, value in sampled.items()}  # Redshift's names are lowercase
        name = str(row.pop("check_name"))
        row.pop("load_id", None)
        by_check.setdefault(name, []).append(masked(row, masked_columns))
    return [replace(o, sample=tuple(by_check.get(o.check.name, ()))) for o in outcomes]


def _unrunnable(check: PlannedCheck, reason: str) -> Outcome:
    return Outcome(check, False, None, None, reason)
