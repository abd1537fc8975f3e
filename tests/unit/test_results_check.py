"""The results check (lakehouse.aws.results_check): field types, nulls, lengths, file formats,
streaming in chunks; pure, no AWS."""

from __future__ import annotations

import pytest

from lakehouse.aws.results_check import (
    SAMPLES_PER_COLUMN,
    ResultsCheck,
    csv_rows,
    file_format,
    json_lines,
    split_lines,
    value_problem,
)
from lakehouse.aws.salesforce_types import SalesforceField, fields_from_entity

FIELDS = [
    SalesforceField("External_Id__c", "string", upsertable=True, max_length=10),
    SalesforceField("Name", "string", nullable=False, max_length=5),
    SalesforceField("Amount__c", "currency"),
    SalesforceField("Count__c", "int"),
    SalesforceField("Active__c", "boolean", nullable=False, defaulted_on_create=True),
    SalesforceField("Start__c", "date"),
    SalesforceField("Seen__c", "datetime"),
    SalesforceField("Owner__c", "reference"),
    SalesforceField("Id", "id", creatable=False, updatable=False, nullable=False),
]
BY_NAME = {f.name: f for f in FIELDS}


def chunks(text: str, size: int = 7) -> list[bytes]:
    """A file as S3 hands it over: fixed-size chunks that cut lines (and characters) anywhere."""
    data = text.encode()
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(
    ("field", "value", "typed", "problem"),
    [
        ("Amount__c", 12.5, True, None),
        ("Amount__c", 12, True, None),
        ("Amount__c", "12.5", True, "text, not a number"),
        ("Amount__c", "12.5", False, None),
        ("Amount__c", "high", False, "not a number"),
        ("Amount__c", True, True, "a boolean, not a number"),
        ("Amount__c", "nan", False, "not a finite number"),
        ("Count__c", 3.0, True, None),
        ("Count__c", 3.5, True, "not a whole number"),
        ("Count__c", "7", False, None),
        ("Active__c", False, True, None),
        ("Active__c", "TRUE", False, None),
        ("Active__c", "yes", False, "not a boolean (true or false)"),
        ("Active__c", "true", True, "not a boolean (true or false)"),
        ("Active__c", None, True, None),
        ("Start__c", "2025-01-31", True, None),
        ("Start__c", "2025-02-30", True, "not a valid date"),
        ("Start__c", "31/01/2025", False, "not a date (YYYY-MM-DD)"),
        ("Start__c", 20250131, True, "a number, not a date"),
        ("Seen__c", "2025-01-10T08:15:30.000Z", True, None),
        ("Seen__c", "2025-01-10T08:15:30.000+0000", True, None),
        ("Seen__c", "2025-01-10 08:15:30", False, None),
        ("Seen__c", "2025-01-10", True, "not an ISO 8601 datetime (YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM])"),
        ("Seen__c", "2025-01-10T25:00:00Z", True, "not a valid datetime"),
        ("Owner__c", "001000000000001AAA", True, None),
        ("Owner__c", "not-an-id", True, "not a 15- or 18-character record id"),
        ("Name", "Acme", True, None),
        ("Name", "Acme Corp", True, "9 characters, longer than the field's 5"),
        ("Name", 12345, True, None),
        ("Name", ["a"], True, "a JSON list, not text"),
        ("Name", None, True, "null in a required field"),
        ("Name", "", False, "null in a required field"),
        ("Amount__c", None, True, None),
    ],
)
def test_value_problem(field: str, value: object, typed: bool, problem: str | None) -> None:
    assert value_problem(BY_NAME[field], value, typed=typed) == problem


def test_a_null_upsert_key_cannot_be_matched() -> None:
    field = BY_NAME["External_Id__c"]
    assert value_problem(field, None, typed=True, upsert_key=True) == (
        "null in an upsert field: the record cannot be matched"
    )


def test_split_lines_reassembles_lines_cut_by_chunks() -> None:
    text = '{"a": "é"}\n\n{"b": 2}\nlast'
    assert list(split_lines(chunks(text, 3))) == [b'{"a": "\xc3\xa9"}\n', b"\n", b'{"b": 2}\n', b"last"]


def test_json_lines_reports_unreadable_lines_with_their_number() -> None:
    rows = list(json_lines(split_lines(chunks('{"a": 1}\n\nnot json\n[1]\n'))))
    assert [(r.line, r.values, r.error) for r in rows] == [
        (1, {"a": 1}, None),
        (3, None, "not JSON (Expecting value)"),
        (4, None, "a JSON list, not an object"),
    ]


def test_csv_rows_read_quoted_newlines_and_empty_cells_as_null() -> None:
    text = 'Name,Amount__c\r\n"two\nlines",1.5\r\nx,\r\nshort\r\n'
    rows = list(csv_rows(split_lines(chunks(text, 4))))
    assert [(r.line, r.values, r.error) for r in rows] == [
        (3, {"Name": "two\nlines", "Amount__c": "1.5"}, None),
        (4, {"Name": "x", "Amount__c": None}, None),
        (5, None, "1 cells under a header of 2"),
    ]


def test_file_format_follows_the_flow_then_the_extension() -> None:
    assert file_format("a.csv", "JSON") == "JSON"
    assert file_format("a.jsonl", "CSV") == "CSV"
    assert file_format("a.csv", None) == "CSV"
    assert file_format("a.jsonl", None) == "JSON"


def check(files: dict[str, str], upsert: tuple[str, ...] = ("External_Id__c",)) -> ResultsCheck:
    result = ResultsCheck("Thing__c", FIELDS, list(upsert))
    for path, text in files.items():
        kind = file_format(path, None)
        lines = split_lines(chunks(text))
        result.add_file(path, json_lines(lines) if kind == "JSON" else csv_rows(lines), typed=kind == "JSON")
    return result


def test_valid_results_have_no_problem() -> None:
    result = check(
        {
            "s3://b/p/a.jsonl": '{"External_Id__c": "E1", "Name": "Acme", "Amount__c": 1.5}\n',
            "s3://b/p/b.csv": "External_Id__c,Active__c,Seen__c\nE2,true,2025-01-10T08:15:30Z\n",
        }
    )
    assert result.problems() == []
    assert result.summary() == {
        "files": 2,
        "records": 2,
        "columns": ["Active__c", "Amount__c", "External_Id__c", "Name", "Seen__c"],
        "offending_columns": {},
    }


def test_offending_values_are_named_by_column_with_file_line_and_a_bounded_sample() -> None:
    lines = [f'{{"External_Id__c": "E{i}", "Amount__c": "x{i}"}}' for i in range(5)]
    lines.append('{"External_Id__c": "E9", "Active__c": 1}')
    result = check({"s3://b/p/a.jsonl": "\n".join(lines)})
    (problem,) = result.problems()
    assert problem.startswith("values that do not fit their fields in columns Active__c, Amount__c: ")
    assert (
        "Active__c (boolean): 1 value, e.g. 1 at s3://b/p/a.jsonl:6 (not a boolean (true or false))"
        in problem
    )
    assert (
        "Amount__c (currency): 5 values, e.g. 'x0' at s3://b/p/a.jsonl:1 (text, not a number), "
        "'x1' at s3://b/p/a.jsonl:2 (text, not a number), 'x2' at s3://b/p/a.jsonl:3 (text, not a number)"
    ) in problem
    assert "'x3'" not in problem
    assert len(result.offenses["Amount__c"].samples) == SAMPLES_PER_COLUMN


def test_columns_and_upsert_fields_are_checked_against_the_object() -> None:
    result = check(
        {"s3://b/p/a.csv": "Name,Id,Scoree__c\nA,001000000000001AAA,1\n"}, upsert=("Name", "Nope__c")
    )
    assert result.problems() == [
        "columns not in Thing__c: Scoree__c",
        "columns Salesforce does not let a writer set: Id",
        "upsert fields missing from the results: Nope__c",
        "upsert fields Salesforce does not accept as upsert keys: Name",
        "upsert fields not in Thing__c: Nope__c",
    ]


def test_unreadable_lines_and_empty_results_are_problems() -> None:
    assert check({"s3://b/p/a.jsonl": ""}).problems() == ["no records in the results"]
    problems = check({"s3://b/p/a.jsonl": '{"External_Id__c": "E1"}\n{oops\n'}).problems()
    assert problems == [
        "1 unreadable lines: s3://b/p/a.jsonl:2: not JSON (Expecting property name enclosed in double quotes)"
    ]


def test_fields_from_entity_reads_what_writers_need() -> None:
    response = {
        "connectorEntityFields": [
            {
                "identifier": "Name",
                "supportedFieldTypeDetails": {"v1": {"fieldType": "string", "fieldLengthRange": {"maximum": 80}}},
                "destinationProperties": {"isNullable": False, "isUpsertable": True, "isCreatable": True},
            },
            {"identifier": "Flag__c", "supportedFieldTypeDetails": {"v1": {"fieldType": "boolean"}},
             "destinationProperties": {"isDefaultedOnCreate": True, "isUpdatable": False}},
        ]
    }  # fmt: skip
    name, flag = fields_from_entity(response)
    assert (name.max_length, name.nullable, name.upsertable) == (80, False, True)
    assert (flag.max_length, flag.defaulted_on_create, flag.updatable, flag.nullable) == (
        None,
        True,
        False,
        True,
    )
