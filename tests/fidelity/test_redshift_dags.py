"""RedshiftDataOperator on a serverless workgroup in eu-west-1 and a provisioned cluster in
us-east-1; once the warehouse is deleted the Data API refuses the statements, as AWS does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.readback import run_query
from tests.fidelity.conftest import task_states
from tests.fidelity.dags.fidelity_redshift import CLUSTER, WORKGROUP

pytestmark = pytest.mark.airflow

TARGETS = {
    WORKGROUP["region"]: {"WorkgroupName": WORKGROUP["workgroup_name"], "Database": "dev"},
    CLUSTER["region"]: {
        "ClusterIdentifier": CLUSTER["cluster_identifier"],
        "DbUser": "awsuser",
        "Database": "dev",
    },
}


def _dag(dags: dict[str, Any], region: str) -> Any:
    return dags[f"fidelity_redshift_{region.replace('-', '_')}"]


@pytest.fixture(scope="module")
def warehouses(regional: Callable[[str, str], Any]) -> None:
    serverless = regional("redshift-serverless", WORKGROUP["region"])
    serverless.create_namespace(namespaceName="fidelity-ns", dbName="dev")
    serverless.create_workgroup(workgroupName=WORKGROUP["workgroup_name"], namespaceName="fidelity-ns")
    regional("redshift", CLUSTER["region"]).create_cluster(
        ClusterIdentifier=CLUSTER["cluster_identifier"],
        NodeType="ra3.xlplus",
        MasterUsername="awsuser",
        MasterUserPassword="Sandbox-only-1",
        DBName="dev",
    )


def test_the_operator_runs_on_a_workgroup_and_on_a_cluster_each_in_its_region(
    fidelity_dags: dict[str, Any], warehouses: None, regional: Callable[[str, str], Any]
) -> None:
    for region, target in TARGETS.items():
        run = _dag(fidelity_dags, region).test()
        assert str(run.state) == "success", task_states(run)
        rows = run_query(regional("redshift-data", region), target, "SELECT region FROM public.region_check")
        assert rows == [[region]]
    other = regional("redshift-data", "us-east-1")
    with pytest.raises(ClientError) as missing:  # the workgroup is eu-west-1's
        other.execute_statement(Sql="SELECT 1", **TARGETS["eu-west-1"])
    assert missing.value.response["Error"]["Code"] == "ValidationException"


def test_statements_on_a_deleted_warehouse_are_refused(
    fidelity_dags: dict[str, Any], warehouses: None, regional: Callable[[str, str], Any]
) -> None:
    regional("redshift-serverless", WORKGROUP["region"]).delete_workgroup(
        workgroupName=WORKGROUP["workgroup_name"]
    )
    regional("redshift", CLUSTER["region"]).delete_cluster(
        ClusterIdentifier=CLUSTER["cluster_identifier"], SkipFinalClusterSnapshot=True
    )
    for region, target in TARGETS.items():
        run = _dag(fidelity_dags, region).test()
        assert task_states(run)["prepare"] == "failed"
        with pytest.raises(ClientError) as refused:
            regional("redshift-data", region).execute_statement(Sql="SELECT 1", **target)
        error = refused.value.response["Error"]
        assert (error["Code"], error["Message"]) == (
            "ValidationException",
            "Redshift endpoint doesn't exist in this region.",
        )
