"""The naming rules of the services a configured name reaches.

A name from the YAML ends up in an AppFlow flow, an S3 key, a Glue table or a Redshift statement.
Checking it here, against the service's own rule, means no value can break a resource name or
smuggle SQL into a statement: everything that reaches SQL is an identifier matched by
REDSHIFT_IDENTIFIER (and not a reserved word) before any SQL is rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NameRule:
    """A pattern, a length bound and the sentence that explains them to a user."""

    pattern: re.Pattern[str]
    max_length: int
    explain: str
    min_length: int = 1

    def problem(self, value: str) -> str | None:
        """Why `value` breaks the rule, or None when it is fine."""
        if not value:
            return f"must not be empty; {self.explain}"
        if len(value) < self.min_length:
            return f"'{value}' is {len(value)} characters, at least {self.min_length} are needed"
        if len(value) > self.max_length:
            return f"'{value}' is {len(value)} characters, at most {self.max_length} are allowed"
        if not self.pattern.fullmatch(value):
            return f"'{value}' is not allowed: {self.explain}"
        return None


FLOW_NAME = NameRule(
    re.compile(r"[A-Za-z][A-Za-z0-9_]*"),
    80,
    "a flow name starts with a letter and holds only letters, digits and '_' "
    "(it becomes a DAG id, a Glue table and part of an AppFlow flow name)",
)

# Salesforce API names: a letter first, no spaces, no trailing or doubled '_', an optional
# namespace prefix (`ns__`) and an optional suffix such as `__c` for custom objects and fields.
_SF_WORD = r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*"
SALESFORCE_NAME = NameRule(
    re.compile(rf"(?:{_SF_WORD}__)?{_SF_WORD}(?:__(?:c|e|x|b|r|mdt|kav|ka|share|history|feed|chn|pc))?"),
    80,
    "a Salesforce API name starts with a letter, holds letters, digits and single '_', "
    "and may end in a suffix such as '__c'",
)

APPFLOW_FLOW_NAME = NameRule(
    re.compile(r"[a-zA-Z0-9][\w!@#.-]+"),
    256,
    "an AppFlow flow name starts with a letter or digit and holds letters, digits and _!@#.-",
)

APPFLOW_CONNECTOR_PROFILE = NameRule(
    re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*"),
    256,
    "a connector profile name starts with a letter or digit and holds letters, digits and _.-",
)

APPFLOW_DESCRIPTION = NameRule(
    re.compile(r"[\w!@#\-.?,\s]*"),
    2048,
    "AppFlow descriptions allow only letters, digits, white space and _!@#-.?,",
)

S3_BUCKET = NameRule(
    re.compile(
        r"(?!xn--)(?!sthree-)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9](?:[a-z0-9-]|\.(?!\.))*[a-z0-9](?<!-s3alias)(?<!--ol-s3)"
    ),
    63,
    "an S3 bucket name is 3-63 lowercase letters, digits, '-' and '.', starting and ending "
    "with a letter or digit, without '..' and not shaped like an IP address",
    min_length=3,
)

S3_PREFIX = NameRule(
    re.compile(r"(?!/)(?!.*//)(?!.*(?:^|/)\.\.?(?:/|$))[A-Za-z0-9!_.*'()=/-]*[A-Za-z0-9!_.*'()=-]"),
    700,
    "an S3 prefix holds letters, digits and !_.*'()=-/, with no leading or trailing '/', "
    "no '//' and no '.' or '..' segment",
)

# Glue allows more, but Athena and Redshift Spectrum only resolve lowercase names of this shape.
GLUE_NAME = NameRule(
    re.compile(r"[a-z0-9_]+"),
    255,
    "a Glue database, table or column name is lowercase letters, digits and '_'",
)

REDSHIFT_IDENTIFIER = NameRule(
    re.compile(r"[a-z_][a-z0-9_]*"),
    127,
    "a Redshift identifier starts with a lowercase letter or '_' and holds lowercase letters, digits and '_'",
)

REDSHIFT_DATABASE = NameRule(
    re.compile(r"[a-z_][a-z0-9_]*"), 64, "a Redshift database name is lowercase letters, digits and '_'"
)

REDSHIFT_WORKGROUP = NameRule(
    re.compile(r"[a-z0-9-]{3,64}"),
    64,
    "a Redshift Serverless workgroup is 3-64 lowercase letters, digits, '-'",
)

REDSHIFT_CLUSTER = NameRule(
    re.compile(r"[a-z](?:[a-z0-9]|-(?!-))*(?<!-)"),
    63,
    "a Redshift cluster identifier starts with a letter and holds lowercase letters, digits and "
    "single '-', not at the end",
)

AWS_ACCOUNT_ID = NameRule(re.compile(r"\d{12}"), 12, "an AWS account id is 12 digits (quote it in YAML)")

AWS_REGION = NameRule(re.compile(r"[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d"), 32, "e.g. eu-west-1")

IAM_ROLE_ARN = NameRule(
    re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}"),
    2048,
    "an IAM role ARN looks like arn:aws:iam::123456789012:role/Name",
)

SNS_TOPIC_ARN = NameRule(
    re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?"),
    1024,
    "an SNS topic ARN looks like arn:aws:sns:eu-west-1:123456789012:topic-name",
)

SECRET_NAME = NameRule(
    re.compile(r"[A-Za-z0-9/_+=.@-]+"), 512, "a Secrets Manager name holds letters, digits and /_+=.@-"
)

AIRFLOW_CONN_ID = NameRule(
    re.compile(r"[A-Za-z0-9_.-]+"), 250, "an Airflow connection id holds letters, digits and _.-"
)

DAG_TAG = NameRule(re.compile(r"[^\n\r\t]+"), 100, "a tag is one line of at most 100 characters")

OWNER = NameRule(re.compile(r"[\w .@-]+"), 100, "an owner holds letters, digits, spaces and _.@-")

# Words Redshift refuses as unquoted identifiers. Names never get quoted (quoting would let a
# value choose its own SQL), so a reserved word is refused instead.
REDSHIFT_RESERVED = frozenset(
    [
        "aes128",
        "aes256",
        "all",
        "allowoverwrite",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "authorization",
        "az64",
        "backup",
        "between",
        "binary",
        "blanksasnull",
        "both",
        "bytedict",
        "bzip2",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "credentials",
        "cross",
        "current_date",
        "current_time",
        "current_timestamp",
        "current_user",
        "current_user_id",
        "default",
        "deferrable",
        "deflate",
        "defrag",
        "delta",
        "delta32k",
        "desc",
        "disable",
        "distinct",
        "do",
        "else",
        "emptyasnull",
        "enable",
        "encode",
        "encrypt",
        "encryption",
        "end",
        "except",
        "explicit",
        "false",
        "for",
        "foreign",
        "freeze",
        "from",
        "full",
        "globaldict256",
        "globaldict64k",
        "grant",
        "group",
        "gzip",
        "having",
        "identity",
        "ignore",
        "ilike",
        "in",
        "initially",
        "inner",
        "intersect",
        "interval",
        "into",
        "is",
        "isnull",
        "join",
        "language",
        "leading",
        "left",
        "like",
        "limit",
        "localtime",
        "localtimestamp",
        "lun",
        "luns",
        "lzo",
        "lzop",
        "minus",
        "mostly16",
        "mostly32",
        "mostly8",
        "natural",
        "new",
        "not",
        "notnull",
        "null",
        "nulls",
        "off",
        "offline",
        "offset",
        "oid",
        "old",
        "on",
        "only",
        "open",
        "or",
        "order",
        "outer",
        "overlaps",
        "parallel",
        "partition",
        "percent",
        "permissions",
        "pivot",
        "placing",
        "primary",
        "raw",
        "readratio",
        "recover",
        "references",
        "respect",
        "rejectlog",
        "resort",
        "restrict",
        "returning",
        "right",
        "select",
        "session_user",
        "similar",
        "snapshot",
        "some",
        "sysdate",
        "system",
        "table",
        "tag",
        "tdes",
        "text255",
        "text32k",
        "then",
        "timestamp",
        "to",
        "top",
        "trailing",
        "true",
        "truncatecolumns",
        "type",
        "union",
        "unique",
        "unnest",
        "unpivot",
        "user",
        "using",
        "verbose",
        "wallet",
        "when",
        "where",
        "with",
        "without",
    ]
)


def identifier_problem(value: str) -> str | None:
    """Why `value` cannot be an unquoted Redshift/Glue identifier, or None."""
    problem = REDSHIFT_IDENTIFIER.problem(value)
    if problem is None and value in REDSHIFT_RESERVED:
        return f"'{value}' is a reserved word in Redshift SQL; choose another name"
    return problem


def snake_case(name: str) -> str:
    """`CustomSalesforceObject__c` -> `custom_salesforce_object__c`: readable lowercase ids."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return spaced.lower()


def slug(name: str) -> str:
    """A connector profile as an identifier: `roche-sf-profile1` -> `roche_sf_profile1`."""
    return re.sub(r"[^a-z0-9_]", "_", name.lower())
