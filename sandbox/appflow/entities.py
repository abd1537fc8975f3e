"""DescribeConnectorEntity / ListConnectorEntities documents from the org's object metadata."""

from __future__ import annotations

from sandbox.appflow.model import Document
from sandbox.salesforce import FieldSpec, ObjectSchema
from sandbox.salesforce.schema import COMPOUND_TYPES, object_label

_ORDERED = ["LESS_THAN", "GREATER_THAN", "BETWEEN", "LESS_THAN_OR_EQUAL_TO", "GREATER_THAN_OR_EQUAL_TO"]
_EQUALITY = ["EQUAL_TO", "NOT_EQUAL_TO"]
_ORDERED_TYPES = {"int", "long", "double", "percent", "currency", "date", "datetime", "time"}


def _filter_operators(spec: FieldSpec) -> list[str]:
    if spec.type in COMPOUND_TYPES:
        return ["PROJECTION"]  # SOQL filters on the components, never on the compound
    operators = ["PROJECTION", *_EQUALITY]
    if spec.type in _ORDERED_TYPES:
        operators += _ORDERED
    elif spec.type != "boolean":
        operators.append("CONTAINS")
    return operators


def entity_field(spec: FieldSpec) -> Document:
    details: Document = {"fieldType": spec.type, "filterOperators": _filter_operators(spec)}
    if spec.picklist_values:
        details["supportedValues"] = list(spec.picklist_values)
    if spec.type == "datetime":
        details["supportedDateFormat"] = "yyyy-MM-dd'T'HH:mm:ss.SSSZ"
    if spec.length is not None:
        details["fieldLengthRange"] = {"minimum": 0, "maximum": spec.length}
    writes = ["INSERT", "UPSERT", "UPDATE"] if spec.creatable or spec.updatable else []
    return {
        "identifier": spec.name,
        "label": spec.display_label,
        "isPrimaryKey": spec.name == "Id",
        "isDeprecated": False,
        "description": spec.display_label,
        "supportedFieldTypeDetails": {"v1": details},
        "sourceProperties": {
            "isRetrievable": True,
            "isQueryable": True,
            "isTimestampFieldForIncrementalQueries": spec.incremental_timestamp,
        },
        "destinationProperties": {
            "isCreatable": spec.creatable,
            "isNullable": spec.nillable,
            "isUpsertable": spec.upsertable or spec.external_id,
            "isUpdatable": spec.updatable,
            "isDefaultedOnCreate": spec.system or spec.type == "boolean" or spec.defaulted_on_create,
            "supportedWriteOperations": writes,
        },
    }


def describe_entity(schema: ObjectSchema) -> Document:
    return {"connectorEntityFields": [entity_field(spec) for spec in schema.fields.values()]}


def list_entities(names: list[str]) -> Document:
    objects = [{"name": name, "label": object_label(name), "hasNestedEntities": False} for name in names]
    return {"connectorEntityMap": {"Objects": objects}}
