"""The feed DAG's own steps around the provider's GlueJobOperator: the job's failure message, the
landed Parquet's schema, and a check that Spectrum reads every row the job wrote."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.sdk.exceptions import AirflowException, AirflowSkipException

from lakehouse.airflow.connections import wrangler_session
from lakehouse.airflow.operators.base import WranglerOperator
from lakehouse.airflow.operators.warehouse import WarehouseQueryOperator
from lakehouse.config.names import GLUE_NAME

if TYPE_CHECKING:
    import boto3


class FeedJobFailedError(AirflowException):
    """A feed's Glue job run ended without success; the message carries Glue's ErrorMessage."""


class FeedGlueJobOperator(GlueJobOperator):
    """The provider's operator, run against a job Terraform created, failing with the job's reason.

    The provider's hook fails a run with "Exiting Job <id> Run State: FAILED" only; the source's
    own error (Glue's ErrorMessage: the script's last stderr line) is what an on-call engineer
    needs, so it is read from GetJobRun and put in the task's exception. A job that does not exist
    fails at once, instead of the provider creating one with its defaults.
    """

    def execute(self, context: Any) -> Any:
        """Hands the run's own folder (`--target_location`, rendered from the plan per try) and its
        token to the next tasks, which audit and publish exactly that load."""
        target = str(self.script_args.get("--target_location", ""))
        ti = context["ti"]
        ti.xcom_push(key="target_location", value=target)
        ti.xcom_push(key="load_id", value=target.rstrip("/").rsplit("=", 1)[-1])
        return super().execute(context)

    def submit_job(self, context: Any) -> str:
        if not self.hook.has_job(self.job_name):
            raise AirflowException(
                f"Glue job {self.job_name} does not exist; it is created with the environment "
                "(infra/, or `python -m sandbox provision` locally)"
            )
        run_id: str = super().submit_job(context)
        return run_id

    def poll_until_complete(self, external_id: Any, context: Any) -> None:
        try:
            super().poll_until_complete(external_id, context)
        except AirflowException as exc:
            glue: Any = self.hook.conn
            run = glue.get_job_run(JobName=self.job_name, RunId=str(external_id))["JobRun"]
            reason = run.get("ErrorMessage") or "no error message"
            raise FeedJobFailedError(
                f"Glue job {self.job_name} run {external_id} ended {run.get('JobRunState')}: {reason}"
            ) from exc


class ParquetSchemaOperator(WranglerOperator):
    """The columns and Glue types of the Parquet files a job landed in one partition.

    No file means the source had no rows for the interval: the catalog steps are skipped, as the
    Salesforce DAGs skip them for an interval without records.
    """

    template_fields: Sequence[str] = ("location",)

    def __init__(self, *, location: str, partition_column: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.location = location
        self.partition_column = partition_column

    def execute(self, context: Any) -> dict[str, str]:
        import awswrangler as wr

        session = self.session()
        files = wr.s3.list_objects(self.location, boto3_session=session)
        if not files:
            raise AirflowSkipException(f"no Parquet under {self.location}: the source had no rows")
        columns, _ = wr.s3.read_parquet_metadata(files, boto3_session=session)
        problems = [f"{name}: {p}" for name in columns if (p := GLUE_NAME.problem(name))]
        if self.partition_column in columns:
            problems.append(f"{self.partition_column} is the partition column and cannot be a column too")
        if problems:
            raise ValueError(f"{self.location}: columns Glue and Spectrum cannot use: " + "; ".join(problems))
        return dict(columns)


class FeedPartitionCheckOperator(WarehouseQueryOperator):
    """Rows in the partition's Parquet footers equal the rows Spectrum reads for the partition.

    This proves the job's files, the Glue table and partition and the external schema agree: a
    file the catalog does not cover, a column type Spectrum cannot read, or a partition
    registered at the wrong place all show up as a difference here.
    """

    template_fields: Sequence[str] = aws_template_fields("location", "partition_value")

    def __init__(self, *, location: str, partition_value: str, count_sql: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.location = location
        self.partition_value = partition_value
        self.count_sql = count_sql

    def execute(self, context: Any) -> dict[str, int]:
        files, rows = parquet_rows(wrangler_session(self.aws_conn_id, self.region_name), self.location)
        statement_id = self.run_query(
            self.count_sql, parameters=[{"name": "partition_value", "value": self.partition_value}]
        )
        redshift: Any = self.hook.conn
        records = redshift.get_statement_result(Id=statement_id)["Records"]
        spectrum = int(next(iter(records[0][0].values())))
        self.log.info("%s: %s rows in %s files; Spectrum reads %s", self.location, rows, files, spectrum)
        if spectrum != rows:
            raise ValueError(
                f"{self.location}: {rows} rows in {files} Parquet files, but Spectrum reads {spectrum} "
                f"for partition {self.partition_value}"
            )
        return {"files": files, "rows": rows}


def parquet_rows(session: boto3.Session, location: str) -> tuple[int, int]:
    """(files, rows) under `location`, from the Parquet footers only (no data is read)."""
    import awswrangler as wr
    import pyarrow.parquet as pq
    from pyarrow import fs

    credentials = session.get_credentials()
    frozen = credentials.get_frozen_credentials() if credentials else None
    endpoint = wr.config.s3_endpoint_url
    s3 = fs.S3FileSystem(
        access_key=frozen.access_key if frozen else None,
        secret_key=frozen.secret_key if frozen else None,
        session_token=frozen.token if frozen else None,
        region=session.region_name,
        endpoint_override=endpoint,
        scheme="http" if endpoint and endpoint.startswith("http://") else "https",
    )
    files = wr.s3.list_objects(location, boto3_session=session)
    rows = 0
    for path in files:
        with s3.open_input_file(path.removeprefix("s3://")) as handle:
            rows += pq.ParquetFile(handle).metadata.num_rows
    return len(files), rows
