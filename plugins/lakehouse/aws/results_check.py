"""Checking ML results against a Salesforce object before AppFlow sends a single record.

Pure (no Airflow, no boto3): the operator feeds it the byte chunks of each results file, so a file
of any size is checked in bounded memory, one line at a time, and a unit test feeds it bytes.

What AppFlow reads from S3 for a Salesforce destination is CSV (a header row, then one record a
line; an empty cell is null) or JSON lines (one object a line, with JSON's own types). A mismatch
that Salesforce would refuse record by record (the run then "succeeds" with failed records) is
cheaper to stop here, before anything is written:

| field type (DescribeConnectorEntity) | JSON lines accepts | CSV accepts |
|---|---|---|
| double, percent, currency | a finite number | text of a finite number |
| int, long | a whole number | text of a whole number |
| boolean | true / false | `true` / `false` (any case) |
| date | `YYYY-MM-DD` | same |
| datetime | ISO 8601 (`2025-01-10T08:15:30.000Z`, an offset, or none = UTC) | same |
| time | `HH:MM[:SS[.fff]]`, optional `Z` | same |
| id, reference | a 15- or 18-character record id | same |
| any text type (string, textarea, picklist, url, ...) | text or a number, within the length | same |

Null (JSON null, an empty CSV cell) fails in an upsert field (the record cannot be matched) and in
a field that is not nullable unless Salesforce defaults it on create (booleans). What only the org
can know (a missing required field on insert, a restricted picklist value, an invalid email) is
left to Salesforce and comes back as failed records.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from lakehouse.aws.salesforce_types import SalesforceField

SAMPLES_PER_COLUMN = 3
"""Offending values reported per column: enough to see the pattern, never the whole file."""
MAX_FORMAT_PROBLEMS = 5

NUMBER_TYPES = frozenset({"double", "percent", "currency"})
INTEGER_TYPES = frozenset({"int", "long"})
ID_TYPES = frozenset({"id", "reference"})
_RECORD_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TZ_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


def file_format(path: str, flow_format: str | None) -> str:
    """`JSON` or `CSV`: the flow's s3InputFileType when known (AppFlow reads every file with it),
    else the file's extension."""
    if flow_format:
        return "JSON" if flow_format.upper() == "JSON" else "CSV"
    return "CSV" if path.lower().endswith(".csv") else "JSON"


def split_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Lines (with their `\\n`) of a byte stream read in chunks; at most one line is held at once."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        start = 0
        while (end := pending.find(b"\n", start)) >= 0:
            yield pending[start : end + 1]
            start = end + 1
        pending = pending[start:]
    if pending:
        yield pending


@dataclass(frozen=True)
class Row:
    """One record of a results file (`values`), or why its line could not be read (`error`)."""

    line: int
    values: Mapping[str, object] | None = None
    error: str | None = None


def json_lines(lines: Iterable[bytes]) -> Iterator[Row]:
    for number, raw in enumerate(lines, start=1):
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8", errors="replace").strip()
        if not text:
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            yield Row(number, error=f"not JSON ({error.msg})")
            continue
        if isinstance(record, dict):
            yield Row(number, values=record)
        else:
            yield Row(number, error=f"a JSON {type(record).__name__}, not an object")


def csv_rows(lines: Iterable[bytes]) -> Iterator[Row]:
    """Records of a CSV file with a header row; an empty cell is null. `line` is where the record
    ends (a quoted cell may span lines)."""
    text = (raw.decode("utf-8-sig" if n == 0 else "utf-8", errors="replace") for n, raw in enumerate(lines))
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        return
    for cells in reader:
        if not cells:
            continue
        if len(cells) != len(header):
            yield Row(reader.line_num, error=f"{len(cells)} cells under a header of {len(header)}")
            continue
        yield Row(
            reader.line_num,
            values={name: (cell if cell != "" else None) for name, cell in zip(header, cells, strict=True)},
        )


def _number(value: object, typed: bool) -> float | str:
    """The value as a float, or why it is not a finite number."""
    if isinstance(value, bool):
        return "a boolean, not a number"
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        if typed:
            return "text, not a number"
        try:
            number = float(value.strip())
        except ValueError:
            return "not a number"
    else:
        return f"a JSON {type(value).__name__}, not a number"
    return number if math.isfinite(number) else "not a finite number"


def _datetime_problem(text: str) -> str | None:
    if not _DATE.match(text) or len(text) < 11 or text[10] not in "T ":
        return "not an ISO 8601 datetime (YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM])"
    cleaned = _TZ_WITHOUT_COLON.sub(r"\1:\2", text.replace("Z", "+00:00"))
    try:
        dt.datetime.fromisoformat(cleaned)
    except ValueError:
        return "not a valid datetime"
    return None


def _text_problem(spec: SalesforceField, kind: str, value: str) -> str | None:
    if kind == "date":
        if not _DATE.fullmatch(value):
            return "not a date (YYYY-MM-DD)"
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "not a valid date"
    elif kind == "datetime":
        return _datetime_problem(value)
    elif kind == "time":
        try:
            dt.time.fromisoformat(value.removesuffix("Z"))
        except ValueError:
            return "not a time (HH:MM[:SS[.fff]])"
    elif kind in ID_TYPES:
        if not _RECORD_ID.fullmatch(value):
            return "not a 15- or 18-character record id"
    elif spec.max_length is not None and len(value) > spec.max_length:
        return f"{len(value)} characters, longer than the field's {spec.max_length}"
    return None


def value_problem(
    spec: SalesforceField, value: object, *, typed: bool, upsert_key: bool = False
) -> str | None:
    """Why `value` cannot be written to `spec`, or None when it fits.

    `typed` is True for JSON lines (a number must be a JSON number) and False for CSV, where every
    value is text and is parsed the way Salesforce parses it.
    """
    if value is None or (not typed and value == ""):
        if upsert_key:
            return "null in an upsert field: the record cannot be matched"
        if not spec.nullable and not spec.defaulted_on_create:
            return "null in a required field"
        return None
    kind = spec.sf_type.lower()
    if kind in NUMBER_TYPES or kind in INTEGER_TYPES:
        number = _number(value, typed)
        if isinstance(number, str):
            return number
        if kind in INTEGER_TYPES and not number.is_integer():
            return "not a whole number"
        return None
    if kind == "boolean":
        if isinstance(value, bool):
            return None
        if not typed and isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return None
        return "not a boolean (true or false)"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return f"a JSON {type(value).__name__}, not text"
    if not isinstance(value, str):
        if kind in {"date", "datetime", "time", *ID_TYPES}:
            return f"a number, not {'a record id' if kind in ID_TYPES else 'a ' + kind}"
        value = str(value)
    return _text_problem(spec, kind, value)


@dataclass(frozen=True)
class Offense:
    path: str
    line: int
    value: str
    reason: str

    def describe(self) -> str:
        return f"{self.value} at {self.path}:{self.line} ({self.reason})"


@dataclass
class ColumnOffenses:
    column: str
    sf_type: str
    count: int = 0
    samples: list[Offense] = field(default_factory=list)


def _shown(value: object) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class ResultsCheck:
    """Streams every record of every results file through the object's field rules and keeps
    only counts and the first few offending values per column."""

    def __init__(
        self, object_name: str, fields: Iterable[SalesforceField], upsert_fields: Sequence[str]
    ) -> None:
        self.object_name = object_name
        self.fields = {f.name: f for f in fields}
        self.upsert_fields = list(upsert_fields)
        self.files = 0
        self.records = 0
        self.columns: set[str] = set()
        self.offenses: dict[str, ColumnOffenses] = {}
        self.format_problems: list[str] = []
        self.format_problem_count = 0

    def add_file(self, path: str, rows: Iterable[Row], *, typed: bool) -> None:
        self.files += 1
        for row in rows:
            if row.values is None:
                self.format_problem_count += 1
                if len(self.format_problems) < MAX_FORMAT_PROBLEMS:
                    self.format_problems.append(f"{path}:{row.line}: {row.error}")
                continue
            self.records += 1
            self.columns.update(row.values)
            for column, value in row.values.items():
                spec = self.fields.get(column)
                if spec is None:
                    continue  # reported once as an unknown column
                reason = value_problem(spec, value, typed=typed, upsert_key=column in self.upsert_fields)
                if reason is not None:
                    self._offend(spec, path, row.line, value, reason)

    def _offend(self, spec: SalesforceField, path: str, line: int, value: object, reason: str) -> None:
        entry = self.offenses.setdefault(spec.name, ColumnOffenses(spec.name, spec.sf_type))
        entry.count += 1
        if len(entry.samples) < SAMPLES_PER_COLUMN:
            entry.samples.append(Offense(path, line, _shown(value), reason))

    def problems(self) -> list[str]:
        """Every problem found, one sentence each; empty when the results may be sent."""
        fields, keys = self.fields, self.upsert_fields
        problems: list[str] = []
        if self.records == 0 and not self.format_problems:
            problems.append("no records in the results")
        unknown = sorted(self.columns - set(fields))
        if unknown:
            problems.append(f"columns not in {self.object_name}: {', '.join(unknown)}")
        read_only = sorted(
            c
            for c in self.columns & set(fields)
            if c not in keys and not (fields[c].creatable or fields[c].updatable)
        )
        if read_only:
            problems.append(f"columns Salesforce does not let a writer set: {', '.join(read_only)}")
        missing = [f for f in keys if f not in self.columns]
        if missing and self.records:
            problems.append(f"upsert fields missing from the results: {', '.join(missing)}")
        not_upsertable = [f for f in keys if f in fields and not fields[f].upsertable]
        if not_upsertable:
            problems.append(
                f"upsert fields Salesforce does not accept as upsert keys: {', '.join(not_upsertable)}"
            )
        unknown_keys = [f for f in keys if f not in fields]
        if unknown_keys:
            problems.append(f"upsert fields not in {self.object_name}: {', '.join(unknown_keys)}")
        if self.offenses:
            columns = sorted(self.offenses)
            details = "; ".join(
                f"{o.column} ({o.sf_type}): {o.count} value{'s' if o.count != 1 else ''}, e.g. "
                + ", ".join(s.describe() for s in o.samples)
                for o in (self.offenses[c] for c in columns)
            )
            problems.append(f"values that do not fit their fields in columns {', '.join(columns)}: {details}")
        if self.format_problems:
            more = self.format_problem_count - len(self.format_problems)
            problems.append(
                f"{self.format_problem_count} unreadable lines: {'; '.join(self.format_problems)}"
                + (f" and {more} more" if more else "")
            )
        return problems

    def summary(self) -> dict[str, object]:
        """What the validation task returns (XCom): small, whatever the size of the results."""
        return {
            "files": self.files,
            "records": self.records,
            "columns": sorted(self.columns),
            "offending_columns": {
                name: {"count": o.count, "samples": [s.describe() for s in o.samples]}
                for name, o in sorted(self.offenses.items())
            },
        }
