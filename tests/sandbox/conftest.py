"""One sandbox per test session, on a free 127.0.0.1 port, stopped at the end.

AWS credentials and region are set to moto's test values for the whole session so no test can
reach a real account; clients point at the sandbox explicitly (`aws_client`).
"""

from __future__ import annotations

import io
import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]
import pytest

from sandbox.appflow.service import AppflowService
from sandbox.server import Sandbox

REGION = "eu-west-1"
PROFILE = "sf-sandbox-test"
BUCKET = "appflow-test-zone"
TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in TEST_ENV.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        with Sandbox(state_dir=tmp_path_factory.mktemp("sandbox")) as running:
            yield running


@pytest.fixture(scope="session")
def aws_client(sandbox: Sandbox) -> Callable[[str], Any]:
    """`aws_client("s3")`: a boto3 client of the sandbox (unmodified boto3, endpoint_url only)."""

    def make(service: str) -> Any:
        return boto3.session.Session().client(
            service,  # type: ignore[call-overload]
            endpoint_url=sandbox.endpoint_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make


@pytest.fixture(scope="session")
def appflow(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("appflow")


@pytest.fixture(scope="session")
def s3(aws_client: Callable[[str], Any]) -> Any:
    client = aws_client("s3")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return client


@pytest.fixture(scope="session")
def appflow_service(sandbox: Sandbox) -> AppflowService:
    service = sandbox.service("appflow")
    assert isinstance(service, AppflowService)
    return service


@pytest.fixture(scope="session")
def profile(appflow: Any) -> str:
    """A Salesforce connector profile: its name selects the emulated org."""
    appflow.create_connector_profile(
        connectorProfileName=PROFILE,
        connectorType="Salesforce",
        connectionMode="Public",
        connectorProfileConfig={
            "connectorProfileProperties": {
                "Salesforce": {"instanceUrl": "https://sandbox.my.salesforce.com"}
            },
            "connectorProfileCredentials": {"Salesforce": {"accessToken": "token"}},
        },
    )
    return PROFILE


def _salesforce_to_s3_flow(name: str, object_name: str, prefix: str, fields: list[str]) -> dict[str, Any]:
    tasks: list[dict[str, Any]] = [
        {"taskType": "Filter", "sourceFields": fields, "connectorOperator": {"Salesforce": "PROJECTION"}}
    ]
    tasks += [
        {
            "taskType": "Map",
            "sourceFields": [field],
            "destinationField": field,
            "connectorOperator": {"Salesforce": "NO_OP"},
            "taskProperties": {},
        }
        for field in fields
    ]
    return {
        "flowName": name,
        "description": f"{object_name} to S3",
        "triggerConfig": {"triggerType": "OnDemand"},
        "sourceFlowConfig": {
            "connectorType": "Salesforce",
            "connectorProfileName": PROFILE,
            "sourceConnectorProperties": {"Salesforce": {"object": object_name}},
        },
        "destinationFlowConfigList": [
            {
                "connectorType": "S3",
                "destinationConnectorProperties": {
                    "S3": {
                        "bucketName": BUCKET,
                        "bucketPrefix": prefix,
                        "s3OutputFormatConfig": {"fileType": "PARQUET", "preserveSourceDataTyping": False},
                    }
                },
            }
        ],
        "tasks": tasks,
    }


@pytest.fixture
def flow_request(profile: str, s3: Any) -> Callable[[str, str, str, list[str]], dict[str, Any]]:
    """`flow_request(name, object, prefix, fields)`: a Salesforce -> S3 (Parquet) CreateFlow request
    shaped like our Terraform's: a PROJECTION filter plus one Map task per field."""
    return _salesforce_to_s3_flow


@pytest.fixture
def wait_for_run(appflow: Any) -> Callable[..., dict[str, Any]]:
    """Poll DescribeFlowExecutionRecords until the execution leaves InProgress (or `timeout`)."""

    def wait(flow_name: str, execution_id: str, timeout: float = 15.0, until: str = "") -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            records = appflow.describe_flow_execution_records(flowName=flow_name)["flowExecutions"]
            record: dict[str, Any] = next(r for r in records if r["executionId"] == execution_id)
            done = record["executionStatus"] == until if until else record["executionStatus"] != "InProgress"
            if done or time.monotonic() > deadline:
                return record
            time.sleep(0.05)

    return wait


@pytest.fixture
def read_rows(s3: Any) -> Callable[[str], list[dict[str, Any]]]:
    """Every row of every Parquet file under an S3 prefix of the test bucket."""

    def read(prefix: str) -> list[dict[str, Any]]:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
        tables = [
            pq.read_table(io.BytesIO(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())) for key in keys
        ]
        return pa.concat_tables(tables).to_pylist() if tables else []

    return read


@pytest.fixture
def control(sandbox: Sandbox) -> Callable[..., dict[str, Any]]:
    """Call a control endpoint: `control("POST", "/_sandbox/appflow/inject", {...})` (unsigned)."""

    def call(method: str, path: str, document: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(document).encode() if document is not None else None
        request = urllib.request.Request(sandbox.endpoint_url + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            result: dict[str, Any] = json.loads(response.read())
        return result

    return call
