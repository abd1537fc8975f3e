"""Salesforce field types (as DescribeConnectorEntity reports them) to Glue column types.

Text-like and compound types become `string`: Spectrum cannot query Salesforce's compound
address/location structures column by column anyway, and a string never loses data.

| Salesforce type | Glue type |
|---|---|
| id, reference, string, textarea, (multi)picklist, combobox, email, phone, url, | string |
| encryptedstring, base64, time, address, location, anyType | string |
| boolean | boolean |
| int, long | bigint |
| double, percent, currency | double |
| date | date |
| datetime | timestamp |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GLUE_TYPES: dict[str, str] = {
    **dict.fromkeys(
        [
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
            "base64",
            "time",
            "address",
            "location",
            "anytype",
        ],
        "string",
    ),
    "boolean": "boolean",
    "int": "bigint",  # AppFlow may write 32- or 64-bit integers; bigint reads both
    "long": "bigint",
    "double": "double",
    "percent": "double",
    "currency": "double",
    "date": "date",
    "datetime": "timestamp",
}


@dataclass(frozen=True)
class SalesforceField:
    """One field as DescribeConnectorEntity reports it: its type for the catalog, and what a
    writer may send (`destinationProperties`, `fieldLengthRange`) for upserts."""

    name: str
    sf_type: str
    upsertable: bool = False
    creatable: bool = True
    updatable: bool = True
    nullable: bool = True
    defaulted_on_create: bool = False
    max_length: int | None = None

    @property
    def glue_type(self) -> str:
        return GLUE_TYPES.get(self.sf_type.lower(), "string")

    @property
    def column(self) -> str:
        return self.name.lower()


COMPOUND_TYPES = frozenset({"address", "location"})
"""Salesforce's compound fields: Bulk API 2.0 does not transfer them (AppFlow API Reference,
SalesforceSourceProperties.dataTransferApi)."""


def transferred(field: SalesforceField, data_transfer_api: str) -> bool:
    """Whether a flow reading through `data_transfer_api` lands the field at all."""
    return not (data_transfer_api == "BULKV2" and field.sf_type.lower() in COMPOUND_TYPES)


def fields_from_entity(response: Mapping[str, Any]) -> list[SalesforceField]:
    """The fields of a DescribeConnectorEntity response (the seed's get_salesforce_object_fields)."""
    fields = []
    for entry in response["connectorEntityFields"]:
        details = entry.get("supportedFieldTypeDetails", {}).get("v1", {})
        destination = entry.get("destinationProperties", {})
        length = (details.get("fieldLengthRange") or {}).get("maximum")
        fields.append(
            SalesforceField(
                name=entry["identifier"],
                sf_type=details.get("fieldType", "string"),
                upsertable=bool(destination.get("isUpsertable", False)),
                creatable=bool(destination.get("isCreatable", True)),
                updatable=bool(destination.get("isUpdatable", True)),
                nullable=bool(destination.get("isNullable", True)),
                defaulted_on_create=bool(destination.get("isDefaultedOnCreate", False)),
                max_length=int(length) if length else None,
            )
        )
    return fields


def describe_salesforce_fields(
    client: Any, connector_profile: str, object_name: str
) -> list[SalesforceField]:
    """An object's fields as its org reports them through AppFlow (DescribeConnectorEntity).

    One call for schema discovery and for the upsert check, so both read the same fields.
    """
    response = client.describe_connector_entity(
        connectorEntityName=object_name,
        connectorType="Salesforce",
        connectorProfileName=connector_profile,
    )
    return fields_from_entity(response)
