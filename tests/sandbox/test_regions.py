"""Region-correct state and ARNs across the sandbox's own services: a resource created in a
region is found there and only there, and its ARN names that region and the account."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.readback import run_query
from sandbox.server import Sandbox

HOME, AWAY = "eu-west-1", "us-east-1"
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def client(sandbox: Sandbox) -> Callable[[str, str], Any]:
    def make(service: str, region: str) -> Any:
        return boto3.session.Session().client(
            service,  # type: ignore[call-overload]
            endpoint_url=sandbox.endpoint_url,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make


def test_appflow_flows_and_profiles_live_in_their_region(client: Callable[[str, str], Any]) -> None:
    away = client("appflow", AWAY)
    profile = away.create_connector_profile(
        connectorProfileName="regional-profile",
        connectorType="Salesforce",
        connectionMode="Public",
        connectorProfileConfig={
            "connectorProfileProperties": {"Salesforce": {"instanceUrl": "https://r.my.salesforce.com"}},
            "connectorProfileCredentials": {"Salesforce": {"accessToken": "t"}},
        },
    )
    assert (
        profile["connectorProfileArn"]
        == f"arn:aws:appflow:{AWAY}:{ACCOUNT}:connectorprofile/regional-profile"
    )
    created = away.create_flow(
        flowName="regional-flow",
        triggerConfig={"triggerType": "OnDemand"},
        sourceFlowConfig={
            "connectorType": "Salesforce",
            "connectorProfileName": "regional-profile",
            "sourceConnectorProperties": {"Salesforce": {"object": "Campaign"}},
        },
        destinationFlowConfigList=[
            {
                "connectorType": "S3",
                "destinationConnectorProperties": {
                    "S3": {"bucketName": "regional-bucket", "bucketPrefix": "x"}
                },
            }
        ],
        tasks=[{"taskType": "Map_all", "sourceFields": [], "connectorOperator": {"Salesforce": "NO_OP"}}],
    )
    assert created["flowArn"] == f"arn:aws:appflow:{AWAY}:{ACCOUNT}:flow/regional-flow"

    home = client("appflow", HOME)
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        home.describe_flow(flowName="regional-flow")
    assert "regional-flow" not in [f["flowName"] for f in home.list_flows()["flows"]]
    assert (
        home.describe_connector_profiles(connectorProfileNames=["regional-profile"])[
            "connectorProfileDetails"
        ]
        == []
    )
    names = {
        o["name"]
        for o in away.list_connector_entities(connectorProfileName="regional-profile")["connectorEntityMap"][
            "Objects"
        ]
    }
    assert {"Campaign", "CampaignMember", "Product2", "Pricebook2", "Task", "Event", "User", "Case"} <= names


def test_glue_jobs_are_found_in_their_region_only(client: Callable[[str, str], Any]) -> None:
    s3, glue = client("s3", AWAY), client("glue", AWAY)
    s3.create_bucket(Bucket="regional-scripts")
    s3.put_object(
        Bucket="regional-scripts",
        Key="job.py",
        Body=b"import os\nassert os.environ['AWS_REGION'] == 'us-east-1'\n",
    )
    glue.create_job(
        Name="regional-job",
        Role=f"arn:aws:iam::{ACCOUNT}:role/glue",
        Command={"Name": "pythonshell", "ScriptLocation": "s3://regional-scripts/job.py"},
    )
    run_id = glue.start_job_run(JobName="regional-job")["JobRunId"]
    deadline = time.monotonic() + 60
    while (run := glue.get_job_run(JobName="regional-job", RunId=run_id)["JobRun"])["JobRunState"] not in {
        "SUCCEEDED",
        "FAILED",
    }:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    home = client("glue", HOME)
    for call in (
        lambda: home.start_job_run(JobName="regional-job"),
        lambda: home.get_job_run(JobName="regional-job", RunId=run_id),
    ):
        with pytest.raises(ClientError, match="EntityNotFoundException"):
            call()


def test_redshift_workgroups_statements_and_data_are_regional(client: Callable[[str, str], Any]) -> None:
    for region in (HOME, AWAY):
        serverless = client("redshift-serverless", region)
        serverless.create_namespace(namespaceName="twin", dbName="dev")
        workgroup = serverless.create_workgroup(workgroupName="twin", namespaceName="twin")["workgroup"]
        assert workgroup["workgroupArn"].startswith(
            f"arn:aws:redshift-serverless:{region}:{ACCOUNT}:workgroup/"
        )
    target = {"WorkgroupName": "twin", "Database": "dev"}
    home, away = client("redshift-data", HOME), client("redshift-data", AWAY)
    created = home.execute_statement(Sql="CREATE TABLE public.only_here AS SELECT 1 AS x", **target)["Id"]
    while home.describe_statement(Id=created)["Status"] not in {"FINISHED", "FAILED"}:
        time.sleep(0.02)
    assert home.describe_statement(Id=created)["Status"] == "FINISHED"
    with pytest.raises(RuntimeError, match="only_here"):  # the same name in another region: another warehouse
        run_query(away, target, "SELECT x FROM public.only_here")
    statement = home.execute_statement(Sql="SELECT 1", **target)["Id"]
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        away.describe_statement(Id=statement)
    assert statement not in [s["Id"] for s in away.list_statements()["Statements"]]

    with pytest.raises(ClientError, match="ConflictException"):  # a namespace with a workgroup stays
        client("redshift-serverless", AWAY).delete_namespace(namespaceName="twin")
    client("redshift-serverless", AWAY).delete_workgroup(workgroupName="twin")
    with pytest.raises(ClientError, match="Redshift endpoint doesn't exist in this region"):
        away.execute_statement(Sql="SELECT 1", **target)
    assert run_query(home, target, "SELECT x FROM public.only_here") == [[1]]
