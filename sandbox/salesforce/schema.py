"""Which objects an emulated org knows and their schemas: the standard objects of `standard.py`,
and any custom object `X__c` with a generic schema. Field metadata itself lives in `fields.py`
(re-exported here, where the org and the AppFlow service import it from)."""

from __future__ import annotations

from sandbox.salesforce.fields import (
    ADDRESS_KEYS,
    COMPOUND_TYPES,
    INTEGER_TYPES,
    NUMBER_TYPES,
    TEXT_TYPES,
    FieldSpec,
    FieldType,
    ObjectSchema,
    system_fields,
)
from sandbox.salesforce.standard import MERGEABLE_OBJECTS, STANDARD

__all__ = [
    "ADDRESS_KEYS",
    "COMPOUND_TYPES",
    "INTEGER_TYPES",
    "MERGEABLE_OBJECTS",
    "NUMBER_TYPES",
    "STANDARD_OBJECTS",
    "TEXT_TYPES",
    "FieldSpec",
    "FieldType",
    "ObjectSchema",
    "build_schema",
    "is_known_object",
    "object_label",
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


STANDARD_OBJECTS: tuple[str, ...] = tuple(STANDARD)


def is_known_object(name: str) -> bool:
    """The standard objects we model, and any custom object (`__c`). Anything else is what
    Salesforce answers INVALID_TYPE for (sObject type 'X' is not supported)."""
    return name in STANDARD or (name.endswith("__c") and len(name) > 3)


def object_label(name: str) -> str:
    """The object's label (ListConnectorEntities), without building its schema."""
    return STANDARD[name][0] if name in STANDARD else name.removesuffix("__c").replace("_", " ")


def build_schema(name: str) -> ObjectSchema:
    """A fresh schema for `name` (caller checks is_known_object first)."""
    own = STANDARD[name][1]() if name in STANDARD else _custom()
    schema = ObjectSchema(name=name, label=object_label(name))
    for spec in [*system_fields(), *own]:
        schema.add(spec)
    return schema
