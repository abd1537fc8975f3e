"""Which Salesforce API a flow run reads through, and how each one shapes the values it returns.

AppFlow's `SalesforceSourceProperties.dataTransferApi` (AppFlow API Reference): `REST_SYNC` always
uses the REST API, `BULKV2` always Bulk API 2.0, and `AUTOMATIC` (the default) uses REST below
1,000,000 records and Bulk API 2.0 from there on; "the respective Salesforce API formats the data
differently. Some of the differences include how dates are formatted and null values are
represented. Also, Bulk API 2.0 doesn't transfer Salesforce compound fields."

What the sandbox writes for each, following what each Salesforce API returns:

| | REST API (JSON, REST API Developer Guide) | Bulk API 2.0 (CSV results, Bulk API 2.0 Developer Guide) |
|---|---|---|
| dateTime as text | `2025-01-10T08:15:30.000+0000` | `2025-01-10T08:15:30.000Z` |
| null | null | an empty CSV field: `""` for text; null once typed for numbers, dates, booleans |
| compound fields (address, location) | the field, its components as a JSON object | absent |

`SANDBOX_APPFLOW_BULK_THRESHOLD` (default 1,000,000, AWS's figure) moves AUTOMATIC's switch, so a
test can show the change of shape without a million records.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Literal

from sandbox.salesforce.schema import FieldSpec

Api = Literal["REST", "BULKV2"]
DEFAULT_BULK_THRESHOLD = 1_000_000
COMPOUND_TYPES = frozenset({"address", "location"})
TEXT_LIKE = frozenset(
    {"id", "reference", "string", "textarea", "picklist", "multipicklist", "combobox", "email", "phone",
     "url", "encryptedstring", "time", "base64", "anyType"}
)  # fmt: skip


class UnknownTransferApiError(ValueError):
    """A dataTransferApi value AppFlow does not accept."""


def bulk_threshold() -> int:
    return int(os.environ.get("SANDBOX_APPFLOW_BULK_THRESHOLD", str(DEFAULT_BULK_THRESHOLD)))


def chosen_api(source: Mapping[str, object], records: int) -> Api:
    """The API a run uses: the flow's pinned one, or AUTOMATIC's choice by the record count."""
    configured = str(source.get("dataTransferApi") or "AUTOMATIC")
    if configured == "REST_SYNC":
        return "REST"
    if configured == "BULKV2":
        return "BULKV2"
    if configured == "AUTOMATIC":
        return "BULKV2" if records >= bulk_threshold() else "REST"
    raise UnknownTransferApiError(
        f"dataTransferApi {configured!r} is not one of AUTOMATIC, BULKV2, REST_SYNC"
    )


def transferred(spec: FieldSpec | None, api: Api) -> bool:
    """Whether the API returns the field at all (Bulk API 2.0 leaves compound fields out)."""
    return not (api == "BULKV2" and spec is not None and spec.type in COMPOUND_TYPES)


def as_text(value: object, api: Api) -> str | None:
    """A value as the API prints it, for a flow that does not preserve source data types."""
    if value is None:
        return "" if api == "BULKV2" else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
        return stamp + ("Z" if api == "BULKV2" else "+0000")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def as_typed(value: object, spec: FieldSpec | None, api: Api) -> object:
    """A value for a typed (preserveSourceDataTyping) column: Bulk API 2.0's CSV has no null,
    so a null text value arrives as an empty string; compound values are JSON text."""
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    kind = spec.type if spec else "string"
    if value is None and api == "BULKV2" and (kind in TEXT_LIKE or kind in COMPOUND_TYPES):
        return ""
    return value
