"""A user's first Glue DAG, in the shape of the Amazon provider's example_glue: crawl the files
that landed in S3 (`land()`, which the test calls as the loads before it would have) with
GlueCrawlerOperator + GlueCrawlerSensor, then run a Glue job. One DAG per region, identical but
for `region_name`; only the aws_default connection's endpoint points at the sandbox.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.operators.glue_crawler import GlueCrawlerOperator
from airflow.providers.amazon.aws.operators.s3 import S3CreateObjectOperator
from airflow.providers.amazon.aws.sensors.glue_crawler import GlueCrawlerSensor
from airflow.sdk import DAG, chain

REGIONS = ("eu-west-1", "us-east-1")
ROLE = "arn:aws:iam::123456789012:role/fidelity-glue"
CRAWLER = "fidelity-lake-crawler"
JOB = "fidelity-region-job"
DAYS = ("2025-01-14", "2025-01-15")
JOB_SCRIPT = """
import os, sys
import boto3
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
bucket = args["--bucket"]
region = os.environ["AWS_REGION"]
boto3.client("s3").put_object(Bucket=bucket, Key="job-output/region.txt", Body=region.encode())
"""


def bucket_for(region: str) -> str:
    return f"fidelity-lake-{region}"


def database_for(region: str) -> str:
    return "fidelity_" + region.replace("-", "_")


def sales_parquet(day: str) -> bytes:
    table = pa.table(
        {
            "Id": ["0018d00000000001", "0018d00000000002"],
            "Amount": [1250.5, 99.0],
            "Quantity": pa.array([3, 1], pa.int32()),
            "ClosedAt": pa.array([dt.datetime.fromisoformat(f"{day}T10:00:00")] * 2, pa.timestamp("ms")),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


CONTACTS_CSV = "id,email,score,active\n1,ada@example.com,0.91,true\n2,alan@example.com,0.42,false\n"
EVENTS_JSON = (
    '{"event": "open", "count": 3, "meta": {"ip": "10.0.0.1"}}\n{"event": "click", "count": 4000000000}\n'
)


def land(s3: Any, region: str) -> None:
    """The lake's files: Parquet under Hive-style `dt=` folders, CSV under `region=/dt=`, JSON lines
    under plain date folders."""
    bucket = bucket_for(region)
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **location)
    for day in DAYS:
        s3.put_object(Bucket=bucket, Key=f"sales/dt={day}/part-00000.parquet", Body=sales_parquet(day))
        s3.put_object(
            Bucket=bucket, Key=f"contacts/region=emea/dt={day}/contacts.csv", Body=CONTACTS_CSV.encode()
        )
        s3.put_object(Bucket=bucket, Key=f"events/{day}/events.json", Body=EVENTS_JSON.encode())


def make_dag(region: str) -> DAG:
    bucket = bucket_for(region)
    with DAG(
        dag_id=f"fidelity_glue_{region.replace('-', '_')}",
        schedule=None,
        start_date=dt.datetime(2025, 1, 1),
        catchup=False,
        tags=["fidelity"],
    ) as dag:
        crawl = GlueCrawlerOperator(
            task_id="crawl",
            config={
                "Name": CRAWLER,
                "Role": ROLE,
                "DatabaseName": database_for(region),
                "Targets": {
                    "S3Targets": [
                        {"Path": f"s3://{bucket}/sales/"},
                        {"Path": f"s3://{bucket}/contacts/"},
                        {"Path": f"s3://{bucket}/events/"},
                    ]
                },
            },
            region_name=region,
            wait_for_completion=False,
        )
        wait_for_crawl = GlueCrawlerSensor(
            task_id="wait_for_crawl", crawler_name=CRAWLER, region_name=region, poke_interval=0.5, timeout=120
        )
        script = S3CreateObjectOperator(
            task_id="upload_job_script",
            s3_bucket=bucket,
            s3_key="scripts/region_job.py",
            data=JOB_SCRIPT,
            replace=True,
            region_name=region,
        )
        job = GlueJobOperator(
            task_id="run_job",
            job_name=JOB,
            script_location=f"s3://{bucket}/scripts/region_job.py",
            iam_role_arn=ROLE,
            create_job_kwargs={
                "Command": {"Name": "pythonshell", "ScriptLocation": f"s3://{bucket}/scripts/region_job.py"}
            },
            script_args={"--bucket": bucket},
            region_name=region,
            wait_for_completion=True,
            job_poll_interval=0.5,
            verbose=False,
        )
        chain(crawl, wait_for_crawl, script, job)
    return dag


for _region in REGIONS:
    globals()[f"fidelity_glue_{_region.replace('-', '_')}"] = make_dag(_region)
