"""Salesforce's daily API limit, as AppFlow reports it, and the once-a-day alert claim.

An AppFlow run that Salesforce refused because the org's API allowance is spent ends in Error
with Salesforce's status code `REQUEST_LIMIT_EXCEEDED` ("TotalRequests Limit exceeded.") in
`errorInfo.executionMessage`. That is not a fault of the run, the data or the code: the run can
only succeed again once the allowance is back, so it is treated as a state (docs/scale.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.exceptions import ClientError

LIMIT_CODE = "REQUEST_LIMIT_EXCEEDED"
ALERT_CLAIM_PREFIX = "_lakehouse/salesforce-limits"


def is_request_limit(message: str | None) -> bool:
    return bool(message) and LIMIT_CODE in str(message)


def claim_daily_alert(s3: Any, bucket: str, profile_slug: str, day: dt.date, note: str) -> bool:
    """Whether this caller is the first of `day` to report the org's limit: a conditional write
    (If-None-Match: *) of `_lakehouse/salesforce-limits/<profile>/<day>.json`, which S3 lets only
    one writer win, however many paused runs ask at once. An error other than "already claimed"
    counts as claimed: a second alert is better than none."""
    key = f"{ALERT_CLAIM_PREFIX}/{profile_slug}/{day.isoformat()}.json"
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=note.encode(), IfNoneMatch="*")
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        already = code in {"PreconditionFailed", "ConditionalRequestConflict"} or status in {409, 412}
        return not already
    return True
