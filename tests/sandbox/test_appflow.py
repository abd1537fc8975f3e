"""AppFlow against the emulated Salesforce org, through unmodified boto3 and the provider's operator."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.appflow.salesforce_api import as_text
from sandbox.appflow.service import AppflowService
from sandbox.salesforce import SalesforceOrg
from sandbox.salesforce.values import parse_datetime
from sandbox.server import Sandbox

BUCKET = "appflow-test-zone"
FIELDS = ["Id", "Name", "LastModifiedDate"]
DAY = datetime(2025, 1, 12, tzinfo=UTC)


def _epoch_ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _daily_filter(day: datetime) -> dict[str, Any]:
    """The Filter task AppflowRunDailyOperator adds: BETWEEN day-1ms and day+1d, both exclusive."""
    return {
        "taskType": "Filter",
        "connectorOperator": {"Salesforce": "BETWEEN"},
        "sourceFields": ["LastModifiedDate"],
        "taskProperties": {
            "DATA_TYPE": "datetime",
            "LOWER_BOUND": _epoch_ms(day - timedelta(milliseconds=1)),
            "UPPER_BOUND": _epoch_ms(day + timedelta(days=1)),
        },
    }


def _in_window(org: SalesforceOrg, object_name: str, day: datetime) -> dict[str, str]:
    return {
        str(row["Id"]): as_text(row["LastModifiedDate"], "REST")  # AUTOMATIC below 1M records: REST
        for row in org.records(object_name)
        if day <= row["LastModifiedDate"] < day + timedelta(days=1)  # type: ignore[operator]
    }


def test_describe_connector_entity_reports_types_and_properties(appflow: Any, profile: str) -> None:
    fields = appflow.describe_connector_entity(
        connectorEntityName="Opportunity", connectorType="Salesforce", connectorProfileName=profile
    )["connectorEntityFields"]
    by_name = {field["identifier"]: field for field in fields}
    assert by_name["Id"]["supportedFieldTypeDetails"]["v1"]["fieldType"] == "id"
    assert by_name["AccountId"]["supportedFieldTypeDetails"]["v1"]["fieldType"] == "reference"
    assert by_name["Amount"]["supportedFieldTypeDetails"]["v1"]["fieldType"] == "currency"
    assert by_name["StageName"]["supportedFieldTypeDetails"]["v1"]["supportedValues"]
    assert by_name["LastModifiedDate"]["sourceProperties"]["isTimestampFieldForIncrementalQueries"] is True
    assert by_name["Amount"]["sourceProperties"]["isTimestampFieldForIncrementalQueries"] is False
    assert by_name["Amount"]["destinationProperties"]["isUpsertable"] is True
    assert by_name["CreatedDate"]["destinationProperties"]["isUpdatable"] is False
    assert by_name["Name"]["destinationProperties"]["isNullable"] is False

    custom = appflow.describe_connector_entity(connectorEntityName="Invoice__c", connectorProfileName=profile)
    assert {"Name", "Amount__c", "LastModifiedDate"} <= {
        f["identifier"] for f in custom["connectorEntityFields"]
    }
    objects = appflow.list_connector_entities(connectorProfileName=profile, connectorType="Salesforce")
    names = {entity["name"] for entity in objects["connectorEntityMap"]["Objects"]}
    assert {"Account", "Contact", "Opportunity", "Lead", "Invoice__c"} <= names

    with pytest.raises(ClientError) as missing:
        appflow.describe_connector_entity(connectorEntityName="Account", connectorProfileName="nope")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_full_run_writes_every_record_as_parquet(
    appflow: Any, appflow_service: AppflowService, profile: str, flow_request: Any, wait_for_run: Any,
    read_rows: Callable[[str], list[dict[str, Any]]],
) -> None:  # fmt: skip
    appflow.create_flow(**flow_request("contact-full", "Contact", "raw/contact/full", FIELDS))
    execution_id = appflow.start_flow(flowName="contact-full")["executionId"]
    record = wait_for_run("contact-full", execution_id)

    expected = {str(row["Id"]) for row in appflow_service.org(profile).records("Contact")}
    rows = read_rows("raw/contact/full/")
    assert record["executionStatus"] == "Successful"
    assert record["executionResult"]["recordsProcessed"] == len(expected) == len(rows)
    assert record["executionResult"]["bytesWritten"] > 0
    assert {row["Id"] for row in rows} == expected
    assert set(rows[0]) == set(FIELDS)
    assert all(len(row["Id"]) == 18 and row["Id"].startswith("003") for row in rows)


def test_daily_window_run_writes_exactly_the_records_of_its_window(
    appflow: Any, appflow_service: AppflowService, profile: str, flow_request: Any, wait_for_run: Any,
    read_rows: Callable[[str], list[dict[str, Any]]],
) -> None:  # fmt: skip
    request = flow_request("account-daily", "Account", "raw/account/dt=2025-01-12", FIELDS)
    appflow.create_flow(**request)
    described = appflow.describe_flow(flowName="account-daily")
    del described["triggerConfig"]["triggerProperties"]  # what the provider does before updating
    appflow.update_flow(
        flowName=described["flowName"],
        description=described["description"],
        triggerConfig=described["triggerConfig"],
        sourceFlowConfig=described["sourceFlowConfig"],
        destinationFlowConfigList=described["destinationFlowConfigList"],
        tasks=[*described["tasks"], _daily_filter(DAY)],
    )
    execution_id = appflow.start_flow(flowName="account-daily")["executionId"]
    record = wait_for_run("account-daily", execution_id)

    expected = _in_window(appflow_service.org(profile), "Account", DAY)
    rows = read_rows("raw/account/dt=2025-01-12/")
    assert record["executionStatus"] == "Successful", record
    assert 0 < len(expected) < 60
    assert {row["Id"]: row["LastModifiedDate"] for row in rows} == expected
    for row in rows:
        assert DAY <= parse_datetime(row["LastModifiedDate"]) < DAY + timedelta(days=1)
    assert record["executionResult"]["recordsProcessed"] == len(expected)


def test_same_id_shows_up_in_several_daily_windows_as_the_clock_moves() -> None:
    org = SalesforceOrg("windows", records_per_object=40)
    seen: dict[str, set[str]] = {}
    for offset in range(7):
        day = datetime(2025, 1, 9, tzinfo=UTC) + timedelta(days=offset)
        org.set_clock(day + timedelta(days=1) - timedelta(seconds=1))
        for record_id, modified in _in_window(org, "Lead", day).items():
            seen.setdefault(record_id, set()).add(modified)
    assert any(len(stamps) > 1 for stamps in seen.values())
    again = SalesforceOrg("windows", records_per_object=40)
    assert again.records("Lead")[0] == SalesforceOrg("windows", records_per_object=40).records("Lead")[0]


def test_errors_are_rest_json_with_aws_codes(appflow: Any, profile: str, flow_request: Any) -> None:
    with pytest.raises(ClientError) as missing:
        appflow.describe_flow(flowName="does-not-exist")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    appflow.create_flow(**flow_request("dup-flow", "Lead", "raw/lead", FIELDS))
    with pytest.raises(ClientError) as duplicate:
        appflow.create_flow(**flow_request("dup-flow", "Lead", "raw/lead", FIELDS))
    assert duplicate.value.response["Error"]["Code"] == "ConflictException"

    bad = flow_request("bad-trigger", "Lead", "raw/lead", FIELDS) | {
        "triggerConfig": {"triggerType": "Scheduled"}
    }
    with pytest.raises(ClientError) as invalid:
        appflow.create_flow(**bad)
    assert invalid.value.response["Error"]["Code"] == "ValidationException"

    with pytest.raises(ClientError) as on_demand:
        appflow.stop_flow(flowName="dup-flow")
    assert on_demand.value.response["Error"]["Code"] == "UnsupportedOperationException"
    assert "dup-flow" in {flow["flowName"] for flow in appflow.list_flows()["flows"]}
    appflow.delete_flow(flowName="dup-flow")
    assert "dup-flow" not in {flow["flowName"] for flow in appflow.list_flows()["flows"]}


def test_execution_records_are_paged_newest_first(appflow: Any, flow_request: Any, wait_for_run: Any) -> None:
    appflow.create_flow(**flow_request("paged", "Lead", "raw/lead/paged", FIELDS))
    started = []
    for _ in range(5):
        started.append(appflow.start_flow(flowName="paged")["executionId"])
        wait_for_run("paged", started[-1])

    first = appflow.describe_flow_execution_records(flowName="paged", maxResults=2)
    second = appflow.describe_flow_execution_records(
        flowName="paged", maxResults=2, nextToken=first["nextToken"]
    )
    third = appflow.describe_flow_execution_records(
        flowName="paged", maxResults=2, nextToken=second["nextToken"]
    )
    pages = [first, second, third]
    assert [len(page["flowExecutions"]) for page in pages] == [2, 2, 1]
    assert "nextToken" not in third
    ids = [record["executionId"] for page in pages for record in page["flowExecutions"]]
    assert ids == list(reversed(started))


def test_injected_failure_ends_the_run_in_error_with_the_message(
    appflow: Any, flow_request: Any, wait_for_run: Any, control: Callable[..., dict[str, Any]]
) -> None:
    appflow.create_flow(**flow_request("inject-fail", "Lead", "raw/lead/fail", FIELDS))
    control(
        "POST", "/_sandbox/appflow/inject", {"flowName": "inject-fail", "mode": "fail", "message": "boom"}
    )
    record = wait_for_run("inject-fail", appflow.start_flow(flowName="inject-fail")["executionId"])
    assert record["executionStatus"] == "Error"
    assert record["executionResult"]["errorInfo"]["executionMessage"] == "boom"
    after = wait_for_run("inject-fail", appflow.start_flow(flowName="inject-fail")["executionId"])
    assert after["executionStatus"] == "Successful"  # one-shot


def test_injected_hang_stays_in_progress_until_cancelled(
    appflow: Any, appflow_service: AppflowService, flow_request: Any, wait_for_run: Any
) -> None:
    appflow.create_flow(**flow_request("inject-hang", "Lead", "raw/lead/hang", FIELDS))
    appflow_service.inject("inject-hang", "hang")
    execution_id = appflow.start_flow(flowName="inject-hang")["executionId"]
    assert wait_for_run("inject-hang", execution_id, timeout=1.0)["executionStatus"] == "InProgress"
    assert (
        appflow.cancel_flow_executions(flowName="inject-hang", executionIds=[execution_id])[
            "invalidExecutions"
        ]
        == []
    )
    assert wait_for_run("inject-hang", execution_id, until="Canceled")["executionStatus"] == "Canceled"


def test_injected_partial_failure_reports_failed_records(
    appflow: Any, appflow_service: AppflowService, profile: str, flow_request: Any, wait_for_run: Any,
    read_rows: Callable[[str], list[dict[str, Any]]],
) -> None:  # fmt: skip
    appflow.create_flow(**flow_request("inject-partial", "Opportunity", "raw/opportunity/partial", FIELDS))
    appflow_service.inject("inject-partial", "partial")
    record = wait_for_run("inject-partial", appflow.start_flow(flowName="inject-partial")["executionId"])
    total = len(appflow_service.org(profile).records("Opportunity"))
    failed = record["executionResult"]["errorInfo"]["putFailuresCount"]
    assert record["executionStatus"] == "Successful"
    assert failed == total // 3
    assert (
        record["executionResult"]["recordsProcessed"]
        == total - failed
        == len(read_rows("raw/opportunity/partial/"))
    )


def test_injected_bad_loads_succeed_with_a_duplicated_id_or_a_null_field(
    appflow: Any, appflow_service: AppflowService, profile: str, flow_request: Any, wait_for_run: Any,
    read_rows: Callable[[str], list[dict[str, Any]]],
) -> None:  # fmt: skip
    total = len(appflow_service.org(profile).records("Opportunity"))
    appflow.create_flow(**flow_request("inject-bad", "Opportunity", "raw/opportunity/bad", FIELDS))
    appflow_service.inject("inject-bad", "duplicate_id")
    record = wait_for_run("inject-bad", appflow.start_flow(flowName="inject-bad")["executionId"])
    rows = read_rows("raw/opportunity/bad/")
    assert record["executionStatus"] == "Successful"
    assert record["executionResult"]["recordsProcessed"] == len(rows) == total + 1
    assert len({r["Id"] for r in rows}) == total, "one Id twice"
    appflow.create_flow(**flow_request("inject-null", "Opportunity", "raw/opportunity/null", FIELDS))
    appflow_service.inject("inject-null", "null_field", field="Name")
    record = wait_for_run("inject-null", appflow.start_flow(flowName="inject-null")["executionId"])
    rows = read_rows("raw/opportunity/null/")
    assert record["executionStatus"] == "Successful"
    assert len(rows) == total
    assert sum(r["Name"] is None for r in rows) == 1
    assert all(r["Name"] for r in appflow_service.org(profile).records("Opportunity")), "the org is unchanged"


def test_s3_to_salesforce_upsert_updates_inserts_and_reports_failed_records(
    appflow: Any, appflow_service: AppflowService, profile: str, s3: Any, wait_for_run: Any
) -> None:
    org = appflow_service.org(profile)
    existing = org.records("Account")[0]
    lines = [
        {"External_Id__c": existing["External_Id__c"], "Name": "Renamed Ltd", "AnnualRevenue": 12.5},
        {"External_Id__c": "NEW-0001", "Name": "Brand New SA", "NumberOfEmployees": "42"},
        {"External_Id__c": "NEW-0002", "Name": "Typo Inc", "NumberOfEmployees": "many"},
        {"External_Id__c": "NEW-0003", "Name": "Extra Inc", "NoSuchField__c": "x"},
    ]
    s3.put_object(
        Bucket=BUCKET, Key="reverse/account/part-0.json", Body="\n".join(map(json.dumps, lines)).encode()
    )
    appflow.create_flow(
        flowName="account-reverse",
        triggerConfig={"triggerType": "OnDemand"},
        sourceFlowConfig={
            "connectorType": "S3",
            "sourceConnectorProperties": {
                "S3": {"bucketName": BUCKET, "bucketPrefix": "reverse/account", "s3InputFormatConfig": {"s3InputFileType": "JSON"}}
            },
        },
        destinationFlowConfigList=[
            {
                "connectorType": "Salesforce",
                "connectorProfileName": profile,
                "destinationConnectorProperties": {
                    "Salesforce": {
                        "object": "Account",
                        "writeOperationType": "UPSERT",
                        "idFieldNames": ["External_Id__c"],
                        "errorHandlingConfig": {
                            "bucketName": BUCKET, "bucketPrefix": "errors/account", "failOnFirstDestinationError": False,
                        },
                    }
                },
            }
        ],
        tasks=[{"taskType": "Map_all", "sourceFields": [], "connectorOperator": {"S3": "NO_OP"}, "taskProperties": {}}],
    )  # fmt: skip
    execution_id = appflow.start_flow(flowName="account-reverse")["executionId"]
    record = wait_for_run("account-reverse", execution_id)

    assert record["executionStatus"] == "Successful", record
    assert record["executionResult"]["recordsProcessed"] == 2
    assert record["executionResult"]["errorInfo"]["putFailuresCount"] == 2
    updated = org.get("Account", str(existing["Id"]))
    assert updated is not None
    assert updated["Name"] == "Renamed Ltd"
    assert updated["AnnualRevenue"] == 12.5
    inserted = [row for row in org.records("Account") if row["External_Id__c"] == "NEW-0001"]
    assert len(inserted) == 1
    assert inserted[0]["NumberOfEmployees"] == 42
    assert str(inserted[0]["Id"]).startswith("001")
    assert not [row for row in org.records("Account") if row["External_Id__c"] in {"NEW-0002", "NEW-0003"}]

    key = f"errors/account/account-reverse/{execution_id}/failed-records.json"
    failed = [json.loads(line) for line in s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().splitlines()]
    assert [item["External_Id__c"] for item in failed] == ["NEW-0002", "NEW-0003"]
    assert "INVALID_TYPE_ON_FIELD_IN_RECORD" in failed[0]["sf__Error"]
    assert "INVALID_FIELD" in failed[1]["sf__Error"]


def test_schema_change_adds_a_field_visible_to_describe_and_runs(
    appflow: Any, appflow_service: AppflowService, profile: str, control: Callable[..., dict[str, Any]]
) -> None:
    control(
        "POST",
        "/_sandbox/appflow/fields",
        {"connectorProfileName": profile, "object": "Evolving__c", "name": "Region__c", "type": "picklist"},
    )
    fields = appflow.describe_connector_entity(
        connectorEntityName="Evolving__c", connectorProfileName=profile
    )
    assert "Region__c" in {field["identifier"] for field in fields["connectorEntityFields"]}
    assert all(row["Region__c"] is None for row in appflow_service.org(profile).records("Evolving__c"))


def test_provider_daily_operator_runs_against_the_sandbox(
    sandbox: Sandbox, appflow: Any, appflow_service: AppflowService, profile: str, flow_request: Any,
    read_rows: Callable[[str], list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from airflow.providers.amazon.aws.operators.appflow import AppflowBaseOperator, AppflowRunDailyOperator

    extra = {"endpoint_url": sandbox.endpoint_url, "region_name": "eu-west-1"}
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps({"conn_type": "aws", "extra": extra}))
    monkeypatch.setattr(AppflowBaseOperator, "UPDATE_PROPAGATION_TIME", 0)
    appflow.create_flow(
        **flow_request("opportunity-daily", "Opportunity", "raw/opportunity/dt=2025-01-13", FIELDS)
    )

    pushed: dict[str, Any] = {}

    class TaskInstance:
        def xcom_push(self, key: str, value: Any) -> None:
            pushed[key] = value

    operator = AppflowRunDailyOperator(
        task_id="extract",
        source="salesforce",
        flow_name="opportunity-daily",
        source_field="LastModifiedDate",
        filter_date="2025-01-13T00:00:00+00:00",
        poll_interval=1,
    )
    operator.execute({"task_instance": TaskInstance()})  # type: ignore[typeddict-item]

    day = datetime(2025, 1, 13, tzinfo=UTC)
    expected = _in_window(appflow_service.org(profile), "Opportunity", day)
    rows = read_rows("raw/opportunity/dt=2025-01-13/")
    assert pushed["execution_id"]
    assert expected
    assert {row["Id"]: row["LastModifiedDate"] for row in rows} == expected
    tasks = appflow.describe_flow(flowName="opportunity-daily")["tasks"]
    assert [task["connectorOperator"]["Salesforce"] for task in tasks if task["taskType"] == "Filter"] == [
        "PROJECTION",
        "BETWEEN",
    ]


def test_csv_insert_with_fail_on_first_error_stops_and_ends_in_error(
    appflow: Any, appflow_service: AppflowService, profile: str, s3: Any, wait_for_run: Any
) -> None:
    s3.put_object(
        Bucket=BUCKET, Key="reverse/widget/a.csv", Body=b"ext,name\nW-1,Widget One\nW-2,\nW-3,Widget Three\n"
    )
    mapping = [("ext", "External_Id__c"), ("name", "Name")]
    appflow.create_flow(
        flowName="widget-insert",
        triggerConfig={"triggerType": "OnDemand"},
        sourceFlowConfig={
            "connectorType": "S3",
            "sourceConnectorProperties": {
                "S3": {"bucketName": BUCKET, "bucketPrefix": "reverse/widget", "s3InputFormatConfig": {"s3InputFileType": "CSV"}}
            },
        },
        destinationFlowConfigList=[
            {
                "connectorType": "Salesforce",
                "connectorProfileName": profile,
                "destinationConnectorProperties": {
                    "Salesforce": {
                        "object": "Widget__c",
                        "writeOperationType": "INSERT",
                        "errorHandlingConfig": {"failOnFirstDestinationError": True},
                    }
                },
            }
        ],
        tasks=[
            {"taskType": "Map", "sourceFields": [src], "destinationField": dst, "connectorOperator": {"S3": "NO_OP"}}
            for src, dst in mapping
        ],
    )  # fmt: skip
    record = wait_for_run("widget-insert", appflow.start_flow(flowName="widget-insert")["executionId"])

    assert record["executionStatus"] == "Error"
    assert "REQUIRED_FIELD_MISSING" in record["executionResult"]["errorInfo"]["executionMessage"]
    assert "Record 2 failed" in record["executionResult"]["errorInfo"]["executionMessage"]
    assert record["executionResult"]["recordsProcessed"] == 1
    written = {row["External_Id__c"] for row in appflow_service.org(profile).records("Widget__c")}
    assert "W-1" in written
    assert not {"W-2", "W-3"} & written
