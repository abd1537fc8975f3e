"""The emulated orgs' standard objects: described through AppFlow as Salesforce describes them,
with consistent, deterministic records; unknown objects fail as Salesforce does."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.salesforce import RecordRejectedError, SalesforceOrg
from sandbox.salesforce.ids import STANDARD_KEY_PREFIXES
from sandbox.salesforce.schema import STANDARD_OBJECTS, build_schema

GTM_OBJECTS = (
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
)
SYSTEM = (
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
)


def _described(appflow: Any, profile: str, name: str) -> dict[str, Any]:
    fields = appflow.describe_connector_entity(
        connectorEntityName=name, connectorType="Salesforce", connectorProfileName=profile
    )["connectorEntityFields"]
    return {field["identifier"]: field for field in fields}


def _type(field: dict[str, Any]) -> str:
    return str(field["supportedFieldTypeDetails"]["v1"]["fieldType"])


@pytest.mark.parametrize("name", GTM_OBJECTS)
def test_each_gtm_object_is_described_with_its_system_fields(appflow: Any, profile: str, name: str) -> None:
    fields = _described(appflow, profile, name)
    assert set(SYSTEM) <= set(fields)
    for incremental in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
        assert fields[incremental]["sourceProperties"]["isTimestampFieldForIncrementalQueries"] is True
    assert fields["Id"]["isPrimaryKey"] is True


def test_fields_types_and_relationships_follow_the_object_reference(appflow: Any, profile: str) -> None:
    account = _described(appflow, profile, "Account")
    assert _type(account["BillingAddress"]) == "address"
    assert account["BillingAddress"]["destinationProperties"]["isCreatable"] is False
    assert account["BillingAddress"]["supportedFieldTypeDetails"]["v1"]["filterOperators"] == ["PROJECTION"]
    assert {_type(account[f"Billing{part}"]) for part in ("Latitude", "Longitude")} == {"double"}
    assert _type(account["ShippingPostalCode"]) == "string"
    for name in ("Account", "Contact", "Lead"):
        master = _described(appflow, profile, name)["MasterRecordId"]
        assert _type(master) == "reference"
        assert master["destinationProperties"]["isUpdatable"] is False
    assert "MasterRecordId" not in _described(appflow, profile, "Opportunity")
    assert "MasterRecordId" not in _described(appflow, profile, "Case")
    assert _type(_described(appflow, profile, "Contact")["MailingAddress"]) == "address"
    assert _type(_described(appflow, profile, "Lead")["Address"]) == "address"
    task = build_schema("Task").fields
    assert task["WhoId"].reference_targets == ("Contact", "Lead")
    assert build_schema("OpportunityLineItem").fields["PricebookEntryId"].reference_to == "PricebookEntry"
    case = _described(appflow, profile, "Case")
    assert case["Status"]["supportedFieldTypeDetails"]["v1"]["supportedValues"] == [
        "New",
        "Working",
        "Escalated",
        "Closed",
    ]


def test_unknown_objects_fail_as_salesforce_does(appflow: Any, profile: str) -> None:
    with pytest.raises(ClientError) as failed:
        appflow.describe_connector_entity(
            connectorEntityName="Campaigns", connectorType="Salesforce", connectorProfileName=profile
        )
    assert failed.value.response["Error"]["Code"] == "ConnectorServerException"
    assert "sObject type 'Campaigns' is not supported" in failed.value.response["Error"]["Message"]


def test_records_are_deterministic_related_and_consistent() -> None:
    first, again = SalesforceOrg("objects-org"), SalesforceOrg("objects-org")
    for name in STANDARD_OBJECTS:
        records = first.records(name)
        assert records == again.records(name), name
        assert {str(r["Id"])[:3] for r in records} == {STANDARD_KEY_PREFIXES[name]}, name
    accounts = {r["Id"] for r in first.records("Account")}
    assert {r["AccountId"] for r in first.records("Opportunity")} - {None} <= accounts
    users = {r["Id"] for r in first.records("User")}
    assert {r["OwnerId"] for r in first.records("Opportunity")} - {None} <= users
    case_owners = {str(r["OwnerId"]) for r in first.records("Case")} - {"None"}
    assert {owner[:3] for owner in case_owners} == {"005", "00G"}, "a user or a queue (Group)"
    assert {owner for owner in case_owners if owner.startswith("005")} <= users
    for opportunity in first.records("Opportunity"):
        assert opportunity["IsClosed"] == (opportunity["StageName"] in {"Closed Won", "Closed Lost"})
    for account in first.records("Account"):
        address = account["BillingAddress"]
        assert address is None or address["city"] == account["BillingCity"]
        assert account["MasterRecordId"] is None
    for contact in first.records("Contact"):
        assert contact["Name"] == " ".join(p for p in (contact["FirstName"], contact["LastName"]) if p)


def test_a_compound_field_is_written_through_its_components() -> None:
    org = SalesforceOrg("compound-org")
    account = org.records("Account")[0]
    with pytest.raises(RecordRejectedError) as refused:
        org.upsert("Account", {"Id": account["Id"], "BillingAddress": {"city": "Rome"}}, ["Id"])
    assert refused.value.code == "INVALID_FIELD_FOR_INSERT_UPDATE"
