"""AppflowRunFullOperator on every standard object the emulated orgs serve, one DAG per region.

The flows exist beforehand, as Terraform would have created them (the test creates them with
boto3 in each region); the DAG only runs them, as the provider's example_appflow does.
"""

from __future__ import annotations

import datetime as dt

from airflow.providers.amazon.aws.operators.appflow import AppflowRunFullOperator
from airflow.sdk import DAG

REGIONS = ("eu-west-1", "us-east-1")
OBJECTS = (
    "Account",
    "Contact",
    "Lead",
    "Opportunity",
    "OpportunityLineItem",
    "Case",
    "Campaign",
    "CampaignMember",
    "Task",
    "Event",
    "User",
    "Product2",
    "Pricebook2",
    "PricebookEntry",
)


def flow_name(object_name: str) -> str:
    return f"fidelity-{object_name.lower()}-full"


def make_dag(region: str) -> DAG:
    with DAG(
        dag_id=f"fidelity_appflow_{region.replace('-', '_')}",
        schedule=None,
        start_date=dt.datetime(2025, 1, 1),
        catchup=False,
        tags=["fidelity"],
    ) as dag:
        for object_name in OBJECTS:
            AppflowRunFullOperator(
                task_id=f"full_{object_name.lower()}",
                source="salesforce",
                flow_name=flow_name(object_name),
                poll_interval=0.2,  # the sandbox answers at once; AWS: the default 20 s
                region_name=region,
            )
    return dag


for _region in REGIONS:
    globals()[f"fidelity_appflow_{_region.replace('-', '_')}"] = make_dag(_region)
