"""Field and object metadata, shaped like Salesforce's describe: what AppFlow's
DescribeConnectorEntity reports and what upserts are validated against."""

from __future__ import annotations

import dataclasses
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
COMPOUND_TYPES: frozenset[str] = frozenset({"address", "location"})

ADDRESS_KEYS: tuple[str, ...] = (
    "street",
    "city",
    "state",
    "postalCode",
    "country",
    "latitude",
    "longitude",
    "geocodeAccuracy",
)
"""The keys of a compound address value, as Salesforce's REST API returns them."""


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
    polymorphic: tuple[str, ...] = ()
    """Other objects a polymorphic lookup may point at (Task.WhoId: Contact or Lead)."""
    components: tuple[tuple[str, str], ...] = ()
    """A compound field's parts: (REST key, component field), e.g. ("city", "BillingCity")."""
    defaulted_on_create: bool = False
    """Salesforce fills it when a create leaves it out (OwnerId: the running user)."""

    @property
    def display_label(self) -> str:
        return self.label or self.name.removesuffix("__c").replace("_", " ")

    @property
    def upsertable(self) -> bool:
        """AppFlow's isUpsertable: the field can be written both on insert and on update."""
        return self.creatable and self.updatable

    @property
    def reference_targets(self) -> tuple[str, ...]:
        """Every object the lookup may point at, its main one first."""
        return (self.reference_to, *self.polymorphic) if self.reference_to else self.polymorphic


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


def system(
    name: str,
    kind: FieldType,
    label: str,
    *,
    incremental: bool = False,
    nillable: bool = False,
    reference_to: str | None = None,
) -> FieldSpec:
    """A field the org sets: never created or updated by a writer."""
    return FieldSpec(
        name, kind, label, nillable=nillable, creatable=False, updatable=False, system=True,
        incremental_timestamp=incremental, reference_to=reference_to,
    )  # fmt: skip


def system_fields() -> list[FieldSpec]:
    """The system fields every object has (Object Reference, "System Fields")."""
    return [
        system("Id", "id", "Record ID"),
        system("IsDeleted", "boolean", "Deleted"),
        system("CreatedDate", "datetime", "Created Date", incremental=True),
        system("CreatedById", "reference", "Created By ID", reference_to="User"),
        system("LastModifiedDate", "datetime", "Last Modified Date", incremental=True),
        system("LastModifiedById", "reference", "Last Modified By ID", reference_to="User"),
        system("SystemModstamp", "datetime", "System Modstamp", incremental=True),
    ]


def master_record(object_name: str) -> FieldSpec:
    """MasterRecordId of the objects merge() supports: the surviving record, null unless merged."""
    return system("MasterRecordId", "reference", "Master Record ID", nillable=True, reference_to=object_name)


def read_only(spec: FieldSpec) -> FieldSpec:
    """A field Salesforce computes (formula, roll-up, auto-number): described, never written."""
    return dataclasses.replace(spec, creatable=False, updatable=False)


def address(prefix: str, label: str, *, skip: tuple[str, ...] = ()) -> list[FieldSpec]:
    """An address compound field and its components (`BillingStreet` ... `BillingAddress`).

    `skip` leaves out components already declared (the sample's BillingCity, BillingCountry).
    The compound itself is read-only: writers set the components.
    """
    parts: list[tuple[str, FieldSpec]] = [
        ("street", FieldSpec(f"{prefix}Street", "textarea", f"{label} Street", length=255)),
        ("city", FieldSpec(f"{prefix}City", "string", f"{label} City", length=40)),
        ("state", FieldSpec(f"{prefix}State", "string", f"{label} State/Province", length=80)),
        ("postalCode", FieldSpec(f"{prefix}PostalCode", "string", f"{label} Zip/Postal Code", length=20)),
        ("country", FieldSpec(f"{prefix}Country", "string", f"{label} Country", length=80)),
        ("latitude", FieldSpec(f"{prefix}Latitude", "double", f"{label} Latitude")),
        ("longitude", FieldSpec(f"{prefix}Longitude", "double", f"{label} Longitude")),
        (
            "geocodeAccuracy",
            FieldSpec(
                f"{prefix}GeocodeAccuracy",
                "picklist",
                f"{label} Geocode Accuracy",
                picklist_values=("Address", "NearAddress", "Block", "Street", "ExtendedZip", "Zip", "City"),
            ),
        ),
    ]
    compound = FieldSpec(
        f"{prefix}Address",
        "address",
        f"{label} Address",
        creatable=False,
        updatable=False,
        components=tuple((key, spec.name) for key, spec in parts),
    )
    return [spec for _, spec in parts if spec.name not in skip] + [compound]
