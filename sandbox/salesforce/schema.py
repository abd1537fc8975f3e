"""Object and field metadata, shaped like Salesforce's describe: what AppFlow's DescribeConnectorEntity
reports and what upserts are validated against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sandbox.salesforce.ids import key_prefix

FieldType = Literal[
    "id",
    "reference",
    "string",
    "textarea",
    "picklist",
    "multipicklist",
    "combobox",
    "email",
    "phone",
    "url",
    "encryptedstring",
    "boolean",
    "int",
    "long",
    "double",
    "percent",
    "currency",
    "date",
    "datetime",
    "time",
    "address",
    "location",
]

TEXT_TYPES: frozenset[str] = frozenset(
    {
        "string",
        "textarea",
        "picklist",
        "multipicklist",
        "combobox",
        "email",
        "phone",
        "url",
        "encryptedstring",
    }
)
NUMBER_TYPES: frozenset[str] = frozenset({"double", "percent", "currency"})
INTEGER_TYPES: frozenset[str] = frozenset({"int", "long"})


@dataclass(frozen=True)
class FieldSpec:
    """One field. `system` fields (Id, audit dates) are set by the org, never by a writer."""

    name: str
    type: FieldType
    label: str = ""
    nillable: bool = True
    creatable: bool = True
    updatable: bool = True
    external_id: bool = False
    system: bool = False
    incremental_timestamp: bool = False
    picklist_values: tuple[str, ...] = ()
    reference_to: str | None = None
    length: int | None = None
    """Text fields: the most characters Salesforce stores (DescribeConnectorEntity's
    fieldLengthRange); a longer value is refused with STRING_TOO_LONG."""

    @property
    def display_label(self) -> str:
        return self.label or self.name.removesuffix("__c").replace("_", " ")

    @property
    def upsertable(self) -> bool:
        """AppFlow's isUpsertable: the field can be written both on insert and on update."""
        return self.creatable and self.updatable


@dataclass
class ObjectSchema:
    name: str
    label: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)

    @property
    def custom(self) -> bool:
        return self.name.endswith("__c")

    @property
    def key_prefix(self) -> str:
        return key_prefix(self.name)

    def add(self, spec: FieldSpec) -> None:
        self.fields[spec.name] = spec


def _system(name: str, kind: FieldType, label: str, *, incremental: bool = False) -> FieldSpec:
    return FieldSpec(
        name, kind, label, nillable=False, creatable=False, updatable=False, system=True,
        incremental_timestamp=incremental,
    )  # fmt: skip


def _system_fields(object_name: str) -> list[FieldSpec]:
    fields = [
        _system("Id", "id", "Record ID"),
        _system("IsDeleted", "boolean", "Deleted"),
        _system("CreatedDate", "datetime", "Created Date", incremental=True),
        _system("LastModifiedDate", "datetime", "Last Modified Date", incremental=True),
        _system("SystemModstamp", "datetime", "System Modstamp", incremental=True),
    ]
    if object_name in MERGEABLE_OBJECTS:
        # Set on the records a merge deleted: the id of the record they were merged into.
        master = FieldSpec(
            "MasterRecordId", "reference", "Master Record ID", creatable=False, updatable=False,
            system=True, reference_to=object_name,
        )  # fmt: skip
        fields.append(master)
    return fields


MERGEABLE_OBJECTS: frozenset[str] = frozenset({"Account", "Contact", "Lead"})
"""The objects Salesforce's merge() combines (SOAP API Developer Guide, merge(): "The only
supported object types are Lead, Contact and Account"); each carries MasterRecordId."""


_INDUSTRIES = ("Agriculture", "Banking", "Energy", "Healthcare", "Retail", "Technology")
_LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Trade Show")
_RATINGS = ("Hot", "Warm", "Cold")


def _account() -> list[FieldSpec]:
    return [
        FieldSpec("Name", "string", "Account Name", nillable=False),
        FieldSpec("Type", "picklist", "Account Type", picklist_values=("Prospect", "Customer", "Partner")),
        FieldSpec("Industry", "picklist", picklist_values=_INDUSTRIES),
        FieldSpec("Rating", "picklist", picklist_values=_RATINGS),
        FieldSpec("AnnualRevenue", "currency", "Annual Revenue"),
        FieldSpec("NumberOfEmployees", "int", "Employees"),
        FieldSpec("Phone", "phone", "Account Phone"),
        FieldSpec("Website", "url"),
        FieldSpec("BillingCity", "string", "Billing City"),
        FieldSpec("BillingCountry", "string", "Billing Country"),
        FieldSpec("Description", "textarea", "Account Description"),
        FieldSpec("External_Id__c", "string", "External Id", external_id=True),
    ]


def _contact() -> list[FieldSpec]:
    return [
        FieldSpec("FirstName", "string", "First Name"),
        FieldSpec("LastName", "string", "Last Name", nillable=False),
        FieldSpec("Name", "string", "Full Name", creatable=False, updatable=False),
        FieldSpec("AccountId", "reference", "Account ID", reference_to="Account"),
        FieldSpec("Email", "email"),
        FieldSpec("Phone", "phone", "Business Phone"),
        FieldSpec("Title", "string"),
        FieldSpec("LeadSource", "picklist", "Lead Source", picklist_values=_LEAD_SOURCES),
        FieldSpec("Birthdate", "date"),
        FieldSpec("HasOptedOutOfEmail", "boolean", "Email Opt Out", nillable=False),
        FieldSpec("External_Id__c", "string", "External Id", external_id=True),
    ]


def _opportunity() -> list[FieldSpec]:
    stages = ("Prospecting", "Qualification", "Proposal/Price Quote", "Closed Won", "Closed Lost")
    return [
        FieldSpec("Name", "string", "Opportunity Name", nillable=False),
        FieldSpec("AccountId", "reference", "Account ID", reference_to="Account"),
        FieldSpec("StageName", "picklist", "Stage", nillable=False, picklist_values=stages),
        FieldSpec("Amount", "currency"),
        FieldSpec("Probability", "percent", "Probability (%)"),
        FieldSpec("CloseDate", "date", "Close Date", nillable=False),
        FieldSpec("Type", "picklist", "Opportunity Type", picklist_values=("New Business", "Renewal")),
        FieldSpec("IsClosed", "boolean", "Closed", nillable=False, creatable=False, updatable=False),
        FieldSpec("Description", "textarea"),
        FieldSpec("External_Id__c", "string", "External Id", external_id=True),
    ]


def _lead() -> list[FieldSpec]:
    return [
        FieldSpec("FirstName", "string", "First Name"),
        FieldSpec("LastName", "string", "Last Name", nillable=False),
        FieldSpec("Name", "string", "Full Name", creatable=False, updatable=False),
        FieldSpec("Company", "string", nillable=False),
        FieldSpec("Email", "email"),
        FieldSpec("Phone", "phone"),
        FieldSpec(
            "Status", "picklist", "Lead Status", nillable=False, picklist_values=("Open", "Working", "Closed")
        ),
        FieldSpec("LeadSource", "picklist", "Lead Source", picklist_values=_LEAD_SOURCES),
        FieldSpec("Industry", "picklist", picklist_values=_INDUSTRIES),
        FieldSpec("Rating", "picklist", picklist_values=_RATINGS),
        FieldSpec("AnnualRevenue", "currency", "Annual Revenue"),
        FieldSpec("NumberOfEmployees", "int", "Employees"),
        FieldSpec("IsConverted", "boolean", "Converted", nillable=False, creatable=False, updatable=False),
        FieldSpec("External_Id__c", "string", "External Id", external_id=True),
    ]


def _custom() -> list[FieldSpec]:
    return [
        FieldSpec("Name", "string", nillable=False, length=80),
        FieldSpec("Description__c", "textarea"),
        FieldSpec("Amount__c", "currency"),
        FieldSpec("Quantity__c", "double"),
        FieldSpec("Active__c", "boolean", nillable=False),
        FieldSpec("Status__c", "picklist", picklist_values=("New", "Active", "Retired")),
        FieldSpec("Start_Date__c", "date"),
        FieldSpec("External_Id__c", "string", external_id=True, length=255),
        FieldSpec("Score__c", "percent", "Score"),  # what an ML model writes back (sandbox/demo_scores.py)
    ]


_STANDARD = {"Account": _account, "Contact": _contact, "Opportunity": _opportunity, "Lead": _lead}
STANDARD_OBJECTS: tuple[str, ...] = tuple(_STANDARD)


def is_known_object(name: str) -> bool:
    """The standard objects we model, and any custom object (`__c`)."""
    return name in _STANDARD or (name.endswith("__c") and len(name) > 3)


def build_schema(name: str) -> ObjectSchema:
    """A fresh schema for `name` (caller checks is_known_object first)."""
    own = _STANDARD[name]() if name in _STANDARD else _custom()
    schema = ObjectSchema(name=name, label=name.removesuffix("__c").replace("_", " "))
    for spec in [*_system_fields(name), *own]:
        schema.add(spec)
    return schema
