"""An emulated Salesforce org: what the sandbox's AppFlow reads from and upserts into.

One org per AppFlow connector profile, in memory, deterministic (records are seeded by profile and
object name), so a test can predict exactly which records a window holds.
"""

from sandbox.salesforce.org import RecordRejectedError, SalesforceOrg, UnknownObjectError, UpsertResult
from sandbox.salesforce.schema import FieldSpec, ObjectSchema

__all__ = [
    "FieldSpec",
    "ObjectSchema",
    "RecordRejectedError",
    "SalesforceOrg",
    "UnknownObjectError",
    "UpsertResult",
]
