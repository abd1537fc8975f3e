"""AppflowRunFullOperator on every standard object, in a DAG per region: each run lands the object's
records as the org holds them, with every described field as a column, through flows whose ARNs
name their region.

The provider sleeps AppflowBaseOperator.UPDATE_PROPAGATION_TIME (15 s) after updating a flow, for
AWS's eventual consistency; the sandbox is consistent at once, so it is set to 0 here (a
sandbox-only timing, like the poll intervals).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.fidelity.conftest import REGIONS, task_states
from tests.fidelity.dags.fidelity_appflow import OBJECTS, flow_name

pytestmark = pytest.mark.airflow

PROFILE = "fidelity-salesforce"


def bucket_for(region: str) -> str:
    return f"fidelity-appflow-{region}"


def _flow(object_name: str, region: str) -> dict[str, Any]:
    """The flow as Terraform's aws_appflow_flow would create it: Map_all, typed Parquet."""
    return {
        "flowName": flow_name(object_name),
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
                        "bucketName": bucket_for(region),
                        "bucketPrefix": "salesforce",
                        "s3OutputFormatConfig": {"fileType": "PARQUET", "preserveSourceDataTyping": True},
                    }
                },
            }
        ],
        "tasks": [
            {
                "taskType": "Map_all",
                "sourceFields": [],
                "connectorOperator": {"Salesforce": "NO_OP"},
                "taskProperties": {"EXCLUDE_SOURCE_FIELDS_LIST": "[]"},
            }
        ],
    }


@pytest.fixture(scope="module")
def flows(regional: Callable[[str, str], Any]) -> None:
    for region in REGIONS:
        s3, appflow = regional("s3", region), regional("appflow", region)
        location = (
            {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        s3.create_bucket(Bucket=bucket_for(region), **location)
        appflow.create_connector_profile(
            connectorProfileName=PROFILE,
            connectorType="Salesforce",
            connectionMode="Public",
            connectorProfileConfig={
                "connectorProfileProperties": {
                    "Salesforce": {"instanceUrl": "https://fidelity.my.salesforce.com"}
                },
                "connectorProfileCredentials": {"Salesforce": {"accessToken": "sandbox"}},
            },
        )
        for object_name in OBJECTS:
            appflow.create_flow(**_flow(object_name, region))


@pytest.fixture(scope="module")
def runs(fidelity_dags: dict[str, Any], flows: None) -> Iterator[dict[str, Any]]:
    from airflow.providers.amazon.aws.operators.appflow import AppflowBaseOperator

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AppflowBaseOperator, "UPDATE_PROPAGATION_TIME", 0)
        yield {
            region: fidelity_dags[f"fidelity_appflow_{region.replace('-', '_')}"].test() for region in REGIONS
        }


def _landed(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    assert len(keys) == 1, keys
    return list(
        pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read())).to_pylist()
    )


@pytest.mark.parametrize("region", REGIONS)
def test_every_standard_object_lands_every_record_and_field(
    runs: dict[str, Any], regional: Callable[[str, str], Any], fidelity_sandbox: Any, region: str
) -> None:
    run = runs[region]
    assert set(task_states(run).values()) == {"success"}, task_states(run)
    org = fidelity_sandbox.service("appflow").org(PROFILE)
    s3 = regional("s3", region)
    for object_name in OBJECTS:
        rows = _landed(s3, bucket_for(region), f"salesforce/{flow_name(object_name)}/")
        truth = {str(r["Id"]): r for r in org.records(object_name)}
        assert {row["Id"] for row in rows} == set(truth), object_name
        assert set(rows[0]) == set(org.describe(object_name).fields), object_name
    accounts = {
        row["Id"]: row for row in _landed(s3, bucket_for(region), f"salesforce/{flow_name('Account')}/")
    }
    for record in org.records("Account"):  # the compound address: its components' dict, as JSON text
        landed = accounts[record["Id"]]["BillingAddress"]
        assert (json.loads(landed) if landed is not None else None) == record["BillingAddress"]


def test_flows_are_regional_and_their_arns_name_the_region(
    runs: dict[str, Any], regional: Callable[[str, str], Any]
) -> None:
    for region in REGIONS:
        appflow = regional("appflow", region)
        described = appflow.describe_flow(flowName=flow_name("Case"))
        assert described["flowArn"] == f"arn:aws:appflow:{region}:123456789012:flow/{flow_name('Case')}"
        records = appflow.describe_flow_execution_records(flowName=flow_name("Case"))["flowExecutions"]
        assert [r["executionStatus"] for r in records] == ["Successful"], "one run per region, its own"
