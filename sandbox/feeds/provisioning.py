"""What Terraform creates for the feeds of one environment, created in the sandbox, plus the
sandbox's own sources behind them.

Per environment: the feeds' Glue database, `jobs/feed_ingest.py` uploaded to
`s3://<scripts>/glue/feed_ingest.py` and the `feed_job` package to
`s3://<scripts>/glue/feed_job.zip` (built as `make bundle` builds it, passed as
`--extra-py-files`), one Glue job per feed (`<env>-feed-<snake name>`, at most one run at a time,
on the feed's workers), and each database or API feed's secret pointing at the sandbox's SQLite
database or HTTP API. Files feeds get Finance's daily drops in their landing prefix.
Idempotent; secrets are rewritten because the sandbox's URL changes from start to start.
"""

from __future__ import annotations

import functools
import json
import logging
import tempfile
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from lakehouse.config import LoadedConfig
from lakehouse.config.feeds import ApiSource, DatabaseSource, FilesSource
from lakehouse.plan.feeds import PACKAGE_KEY, SCRIPT_KEY, FeedPlan, plan_feeds
from sandbox.feeds import data
from sandbox.feeds.service import PREFIX
from tools.bundle import build_feed_job_zip

log = logging.getLogger(__name__)

SCRIPT = Path(__file__).resolve().parents[2] / "jobs" / "feed_ingest.py"
JOB_TIMEOUT_MINUTES = 60


def provision_feeds(
    client: Callable[[str], Any], config: LoadedConfig, env: str, endpoint_url: str
) -> list[str]:
    """Create the feeds' resources of `env`; returns the Glue job names."""
    plans = plan_feeds(config, env)
    if not plans:
        return []
    environment = config.environments[env]
    glue, s3, secrets = client("glue"), client("s3"), client("secretsmanager")
    sources = _sources(endpoint_url)
    _ignore_exists(lambda: glue.create_database(DatabaseInput={"Name": plans[0].glue_database}))
    if SCRIPT.is_file():
        s3.upload_file(str(SCRIPT), environment.buckets.scripts, SCRIPT_KEY)
        with tempfile.TemporaryDirectory(prefix="feed-job-") as folder:
            package = build_feed_job_zip(Path(folder) / "feed_job.zip", SCRIPT.parent)
            s3.upload_file(str(package), environment.buckets.scripts, PACKAGE_KEY)
    else:  # a job run then fails with "Failed to download script", which says what is missing
        log.warning("%s does not exist: the feed jobs have no script", SCRIPT)
    role = f"arn:aws:iam::{environment.account_id}:role/gtm-lakehouse-{env}-glue-feeds"
    for plan in plans:
        _ignore_exists(functools.partial(glue.create_job, **job_request(plan, role)))
        secret = _secret(plan, sources)
        if secret is not None:
            _put_secret(secrets, *secret)
        source = plan.feed.source
        if isinstance(source, FilesSource):
            for day in data.DROP_DAYS:
                key = f"{source.landing_prefix}/{day:%Y%m%d}/targets.{source.format}"
                body = data.file_body(data.sales_targets(day), source.format)
                s3.put_object(Bucket=environment.buckets.raw, Key=key, Body=body)
    return [plan.glue_job for plan in plans]


def job_request(plan: FeedPlan, role: str) -> dict[str, Any]:
    """The job as Terraform defines it (infra/modules/feeds): Glue 5.0 running the repository's script
    with the package, on the feed's workers."""
    return {
        "Name": plan.glue_job,
        "Description": f"On-prem feed {plan.feed.name} -> {plan.asset_name}",
        "Role": role,
        "Command": {"Name": "glueetl", "ScriptLocation": plan.script_location, "PythonVersion": "3"},
        "DefaultArguments": plan.default_arguments,
        "GlueVersion": "5.0",
        "ExecutionProperty": {"MaxConcurrentRuns": 1},
        "MaxRetries": 0,
        "Timeout": JOB_TIMEOUT_MINUTES,
        "WorkerType": plan.worker_type,
        "NumberOfWorkers": plan.number_of_workers,
    }


def _sources(endpoint_url: str) -> dict[str, str]:
    """Where the sandbox serves the sources (GET /_sandbox/feeds/ builds the service and database)."""
    with urllib.request.urlopen(endpoint_url + PREFIX, timeout=30) as response:  # noqa: S310 - the sandbox
        answer: dict[str, str] = json.load(response)
    return answer


def _secret(plan: FeedPlan, sources: dict[str, str]) -> tuple[str, str] | None:
    source = plan.feed.source
    if isinstance(source, DatabaseSource) and plan.source_secret:
        return plan.source_secret, json.dumps({"url": sources["database_url"]})
    if isinstance(source, ApiSource) and plan.source_secret:
        return plan.source_secret, json.dumps(
            {"base_url": sources["api_base_url"], "token": sources["api_token"]}
        )
    return None


def _put_secret(secrets: Any, name: str, text: str) -> None:
    try:
        secrets.create_secret(Name=name, SecretString=text)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceExistsException":
            raise
        secrets.put_secret_value(SecretId=name, SecretString=text)


def _ignore_exists(call: Callable[[], Any]) -> None:
    try:
        call()
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in {
            "AlreadyExistsException",
            "IdempotentParameterMismatchException",
        }:
            raise
