"""The emulated orgs delete, restore, merge and purge as Salesforce does, and the sandbox's AppFlow
reads them with queryAll (`includeDeletedRecords`) and shapes values per `dataTransferApi`."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.appflow.service import AppflowService
from sandbox.salesforce import FieldSpec, RecordRejectedError, SalesforceOrg
from sandbox.salesforce.lifecycle import RECYCLE_BIN_DAYS
from tests.sandbox.conftest import BUCKET

LATER = datetime(2025, 1, 20, 9, tzinfo=UTC)


@pytest.fixture
def org() -> SalesforceOrg:
    source = SalesforceOrg("lifecycle", records_per_object=12)
    source.set_clock(LATER)
    return source


def ids(org: SalesforceOrg, object_name: str, include_deleted: bool = False) -> set[str]:
    return {str(r["Id"]) for r in org.records(object_name, include_deleted=include_deleted)}


def test_a_deletion_moves_systemmodstamp_only_and_queryall_still_returns_the_record(
    org: SalesforceOrg,
) -> None:
    target = sorted(ids(org, "Lead"))[0]
    before = org.get("Lead", target)
    assert before is not None
    assert org.delete("Lead", [target]) == [target]
    assert target not in ids(org, "Lead")
    binned = org.get("Lead", target, include_deleted=True)
    assert binned is not None
    assert binned["IsDeleted"] is True
    assert binned["SystemModstamp"] == LATER
    assert binned["LastModifiedDate"] == before["LastModifiedDate"]
    assert binned["LastName"] == before["LastName"]
    with pytest.raises(RecordRejectedError, match="ENTITY_IS_DELETED"):
        org.delete("Lead", [target])


def test_an_undelete_restores_the_record_with_a_new_systemmodstamp(org: SalesforceOrg) -> None:
    target = sorted(ids(org, "Lead"))[1]
    org.delete("Lead", [target])
    org.set_clock(LATER + timedelta(hours=1))
    assert org.undelete("Lead", [target]) == [target]
    restored = org.get("Lead", target)
    assert restored is not None
    assert restored["IsDeleted"] is False
    assert restored["SystemModstamp"] == LATER + timedelta(hours=1)
    with pytest.raises(RecordRejectedError, match="UNDELETE_FAILED"):
        org.undelete("Lead", [target])


def test_deleting_an_account_takes_its_contacts_and_restoring_it_brings_them_back(org: SalesforceOrg) -> None:
    contacts = org.records("Contact")
    account = next(str(c["AccountId"]) for c in contacts if c["AccountId"] in ids(org, "Account"))
    children = {str(c["Id"]) for c in contacts if c["AccountId"] == account}
    deleted = org.delete("Account", [account])
    assert children <= set(deleted)
    assert not children & ids(org, "Contact")
    org.set_clock(LATER + timedelta(minutes=5))
    assert children <= set(org.undelete("Account", [account]))
    assert children <= ids(org, "Contact")


def test_a_merge_deletes_the_others_into_the_master_and_reparents_their_children(org: SalesforceOrg) -> None:
    accounts = sorted(ids(org, "Account"))
    master, loser = accounts[0], accounts[1]
    org.set_clock(LATER)
    child = next((c for c in org.records("Contact") if c["AccountId"] == loser), None)
    reparented = org.merge("Account", master, [loser], {"Name": "Merged Inc"})
    merged = org.get("Account", loser, include_deleted=True)
    assert merged is not None
    assert (merged["IsDeleted"], merged["MasterRecordId"]) == (True, master)
    assert org.get("Account", master)["Name"] == "Merged Inc"  # type: ignore[index]
    assert org.get("Account", master)["LastModifiedDate"] == LATER  # type: ignore[index]
    if child is not None:
        assert str(child["Id"]) in reparented
        assert org.get("Contact", str(child["Id"]))["AccountId"] == master  # type: ignore[index]
    with pytest.raises(RecordRejectedError, match="INVALID_TYPE"):
        org.merge("Opportunity", *sorted(ids(org, "Opportunity"))[:1], sorted(ids(org, "Opportunity"))[1:2])


def test_purged_and_hard_deleted_records_are_gone_even_for_queryall(org: SalesforceOrg) -> None:
    first, second, third = sorted(ids(org, "Lead"))[:3]
    org.delete("Lead", [first])
    org.set_clock(LATER + timedelta(minutes=1))
    assert org.purge("Lead", [first]) == [first]
    org.hard_delete("Lead", [second])
    assert not {first, second} & ids(org, "Lead", include_deleted=True)
    org.delete("Lead", [third])
    org.set_clock(LATER + timedelta(days=RECYCLE_BIN_DAYS, minutes=2))  # the Recycle Bin keeps 15 days
    assert third not in ids(org, "Lead", include_deleted=True)
    with pytest.raises(RecordRejectedError, match="INVALID_ID_FIELD"):
        org.purge("Lead", [sorted(ids(org, "Lead"))[0]])  # a live record is not in the Recycle Bin


def test_a_record_changes_once_an_instant(org: SalesforceOrg) -> None:
    target = sorted(ids(org, "Lead"))[0]
    org.delete("Lead", [target])
    with pytest.raises(ValueError, match="move the clock on"):
        org.undelete("Lead", [target])  # same instant as the deletion


@pytest.fixture
def flow_org(
    appflow: Any, appflow_service: AppflowService, request: pytest.FixtureRequest
) -> tuple[str, SalesforceOrg]:
    """A connector profile of this test's own (its own emulated org), its clock after the history."""
    name = f"lifecycle-{request.node.name}"[:60].replace("[", "-").replace("]", "")
    appflow.create_connector_profile(
        connectorProfileName=name,
        connectorType="Salesforce",
        connectionMode="Public",
        connectorProfileConfig={
            "connectorProfileProperties": {
                "Salesforce": {"instanceUrl": f"https://{name}.my.salesforce.com"}
            },
            "connectorProfileCredentials": {"Salesforce": {"accessToken": "token"}},
        },
    )
    org = appflow_service.org(name)
    org.set_clock(LATER)
    return name, org


def transfer(
    appflow: Any, read_rows: Any, wait_for_run: Any, profile: str, *, api: str | None, deleted: bool,
    typed: bool = True,
) -> list[dict[str, Any]]:  # fmt: skip
    """One run of a Map_all Account flow through the sandbox's AppFlow API: the rows it wrote."""
    flow = f"{profile}-{api or 'default'}-{int(deleted)}-{int(typed)}-{next(RUNS)}"
    source: dict[str, Any] = {"object": "Account", "includeDeletedRecords": deleted}
    if api:
        source["dataTransferApi"] = api
    prefix = f"lifecycle/{flow}"
    appflow.create_flow(
        flowName=flow,
        triggerConfig={"triggerType": "OnDemand"},
        sourceFlowConfig={
            "connectorType": "Salesforce",
            "connectorProfileName": profile,
            "sourceConnectorProperties": {"Salesforce": source},
        },
        destinationFlowConfigList=[
            {
                "connectorType": "S3",
                "destinationConnectorProperties": {
                    "S3": {
                        "bucketName": BUCKET,
                        "bucketPrefix": prefix,
                        "s3OutputFormatConfig": {"fileType": "PARQUET", "preserveSourceDataTyping": typed},
                    }
                },
            }
        ],
        tasks=[{"taskType": "Map_all", "sourceFields": [], "connectorOperator": {"Salesforce": "NO_OP"}}],
    )
    execution = appflow.start_flow(flowName=flow)["executionId"]
    assert wait_for_run(flow, execution)["executionStatus"] == "Successful"
    return read_rows(prefix + "/")


RUNS = itertools.count()


def test_include_deleted_records_reads_the_recycle_bin(
    appflow: Any, read_rows: Any, wait_for_run: Any, flow_org: tuple[str, SalesforceOrg]
) -> None:
    profile, org = flow_org
    target = sorted(ids(org, "Account"))[0]
    org.delete("Account", [target])
    live = {
        row["Id"]
        for row in transfer(appflow, read_rows, wait_for_run, profile, api="REST_SYNC", deleted=False)
    }
    everything = {
        row["Id"]: row
        for row in transfer(appflow, read_rows, wait_for_run, profile, api="REST_SYNC", deleted=True)
    }
    assert live == ids(org, "Account")
    assert set(everything) == ids(org, "Account", include_deleted=True)
    assert target not in live
    assert everything[target]["IsDeleted"] is True


def test_rest_and_bulk_shape_nulls_dates_and_compound_fields_differently(
    appflow: Any, read_rows: Any, wait_for_run: Any, flow_org: tuple[str, SalesforceOrg],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    profile, org = flow_org
    address = {"street": "1 Main St", "city": "Basel", "country": "CH"}
    org.add_field("Account", FieldSpec("BillingAddress", "address", "Billing Address"), address)

    def run(api: str | None, typed: bool = True) -> list[dict[str, Any]]:
        return transfer(appflow, read_rows, wait_for_run, profile, api=api, deleted=False, typed=typed)

    rest, bulk = run("REST_SYNC"), run("BULKV2")
    assert '"city": "Basel"' in rest[0]["BillingAddress"]
    assert "BillingAddress" not in bulk[0]  # Bulk API 2.0 does not transfer compound fields
    assert None in {row["Website"] for row in rest}, "the generator leaves some websites empty"
    assert None not in {row["Website"] for row in bulk}  # Bulk's CSV has no null: empty text
    assert "" in {row["Website"] for row in bulk}
    assert run("REST_SYNC", typed=False)[0]["SystemModstamp"].endswith("+0000")
    assert run("BULKV2", typed=False)[0]["SystemModstamp"].endswith("Z")
    # AUTOMATIC (the default) switches from REST to Bulk API 2.0 at 1,000,000 records on AWS
    monkeypatch.setenv("SANDBOX_APPFLOW_BULK_THRESHOLD", "5")
    assert "BillingAddress" not in run(None)[0]
    monkeypatch.setenv("SANDBOX_APPFLOW_BULK_THRESHOLD", "1000")
    assert "BillingAddress" in run("AUTOMATIC")[0]


def test_another_process_changes_the_org_through_the_control_endpoint(
    control: Any, flow_org: tuple[str, SalesforceOrg]
) -> None:
    profile, org = flow_org
    first, second, third = sorted(ids(org, "Lead"))[:3]
    done = control(
        "POST", "/_sandbox/appflow/change",
        {"connectorProfileName": profile, "object": "Lead", "operation": "merge", "ids": [second], "masterId": first},
    )  # fmt: skip
    assert done["operation"] == "merge"
    control(
        "POST", "/_sandbox/appflow/clock", {"connectorProfileName": profile, "now": "2025-01-21T00:00:00Z"}
    )
    control(
        "POST", "/_sandbox/appflow/change",
        {"connectorProfileName": profile, "object": "Lead", "operation": "delete", "ids": [third]},
    )  # fmt: skip
    query = f"/_sandbox/appflow/records?connectorProfileName={profile}&object=Lead&includeDeleted=true"
    records = {r["Id"]: r for r in control("GET", query)["records"]}
    assert records[second]["MasterRecordId"] == first
    assert records[third]["IsDeleted"] is True
    live = control("GET", f"/_sandbox/appflow/records?connectorProfileName={profile}&object=Lead")["records"]
    assert not {second, third} & {r["Id"] for r in live}
