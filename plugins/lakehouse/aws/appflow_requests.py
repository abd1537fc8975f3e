"""AppFlow request shapes, built from a DescribeFlow response. Pure: tested without a network.

A run rewrites its flow: the filter that windows the interval, and the S3 prefix the run writes
to (ingest) or reads from (upsert). Everything else in the flow (its Map and PROJECTION tasks,
its connector settings, which Terraform owns) is passed back exactly as DescribeFlow returned it.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

# DescribeFlow returns read-only attributes that UpdateFlow refuses.
_UPDATE_KEYS = (
    "flowName",
    "description",
    "triggerConfig",
    "sourceFlowConfig",
    "destinationFlowConfigList",
    "tasks",
    "metadataCatalogConfig",
)


def epoch_ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def window_filter(connector_type: str, field: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Records with start <= field < end. AppFlow's BETWEEN excludes both bounds, so the lower
    bound moves back one millisecond and the upper bound stays at the interval's end."""
    return {
        "taskType": "Filter",
        "connectorOperator": {connector_type: "BETWEEN"},
        "sourceFields": [field],
        "taskProperties": {
            "DATA_TYPE": "datetime",
            "LOWER_BOUND": str(epoch_ms(start) - 1),
            "UPPER_BOUND": str(epoch_ms(end)),
        },
    }


def update_flow_request(
    described: Mapping[str, Any],
    *,
    filter_task: dict[str, Any] | None,
    destination_prefix: str | None = None,
    source_prefix: str | None = None,
    salesforce_source: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An UpdateFlow request: the described flow with our window filter and prefixes.

    Filter tasks other than PROJECTION (the field list) are ours from earlier runs and are
    replaced; the trigger becomes on demand, since Airflow decides when the flow runs.
    `salesforce_source` pins SalesforceSourceProperties the config decides (includeDeletedRecords,
    dataTransferApi), so the flow that runs is the flow the config describes.
    """
    request = {key: copy.deepcopy(described[key]) for key in _UPDATE_KEYS if key in described}
    connector_type = described["sourceFlowConfig"]["connectorType"]
    tasks = [
        task
        for task in request.get("tasks", [])
        if not (
            task.get("taskType") == "Filter"
            and task.get("connectorOperator", {}).get(connector_type) != "PROJECTION"
        )
    ]
    if filter_task is not None:
        tasks.append(filter_task)
    request["tasks"] = tasks
    request["triggerConfig"] = {"triggerType": "OnDemand"}
    if destination_prefix is not None:
        for destination in request["destinationFlowConfigList"]:
            s3 = destination.get("destinationConnectorProperties", {}).get("S3")
            if s3 is None:
                raise ValueError(
                    f"flow {described['flowName']} has no S3 destination to point at a partition"
                )
            s3["bucketPrefix"] = destination_prefix
    if salesforce_source:
        properties = request["sourceFlowConfig"].get("sourceConnectorProperties", {}).get("Salesforce")
        if properties is None:
            raise ValueError(
                f"flow {described['flowName']} has no Salesforce source to set {dict(salesforce_source)}"
            )
        properties.update(salesforce_source)
    if source_prefix is not None:
        s3_source = request["sourceFlowConfig"].get("sourceConnectorProperties", {}).get("S3")
        if s3_source is None:
            raise ValueError(f"flow {described['flowName']} has no S3 source to point at results")
        s3_source["bucketPrefix"] = source_prefix
    return request


def find_execution(client: Any, flow_name: str, execution_id: str) -> dict[str, Any] | None:
    """The record of `execution_id`, paging DescribeFlowExecutionRecords (newest first).

    botocore has no paginator for this operation, so the nextToken loop is ours.
    """
    request: dict[str, Any] = {"flowName": flow_name, "maxResults": 100}
    while True:
        page = client.describe_flow_execution_records(**request)
        for record in page.get("flowExecutions", []):
            if record.get("executionId") == execution_id:
                return dict(record)
        token = page.get("nextToken")
        if not token:
            return None
        request["nextToken"] = token
