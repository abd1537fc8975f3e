"""A worker reads only its flow's lines of flows.yaml, and gets exactly what the whole file says.

The property under test: for every flow of a config, loading it the worker's way
(`only_table`) gives the same Flow, and the same problems at the same lines, as picking it out
of a full load. Configs where cutting text would be unsound must still satisfy it (the loader
falls back to the whole file), and the tests check that the cut really is taken where it is
sound, so the fast path cannot quietly disappear.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from bench.workloads import flows_yaml
from lakehouse.config import load_config
from lakehouse.config.flow_subset import cut_flows
from lakehouse.config.names import snake_case
from tests.conftest import SAMPLE_CONFIG


def write_flows(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "flows.yaml").write_text(text)
    shutil.copy(SAMPLE_CONFIG / "environments.yaml", config / "environments.yaml")
    return config


def assert_worker_view_matches(config: Path, also: tuple[str, ...] = ()) -> list[str]:
    """Every table's worker load equals the full load's flows and problems for it, also for the
    tables in `also` that the file may not have; returns the tables it checked."""
    full = load_config(config)
    tables = sorted({snake_case(f.name) for f in full.flows} | _tables_of_problems(full.problems) | set(also))
    assert tables
    for table in tables:
        worker = load_config(config, only_table=table)
        assert worker.flows == [f for f in full.flows if snake_case(f.name) == table], table
        expected = [p for p in full.problems if p.where.startswith("flows[") and _table(p.where) == table]
        assert [p for p in worker.problems if p.where.startswith("flows[")] == expected, table
    return tables


def _table(where: str) -> str:
    return snake_case(where.removeprefix("flows[").partition("]")[0])


def _tables_of_problems(problems: list[object]) -> set[str]:
    return {_table(p.where) for p in problems if p.where.startswith("flows[")}  # type: ignore[attr-defined]


# --- the fast path is taken where it is sound -----------------------------------------------


def test_the_sample_and_the_benchmark_configs_are_cut(tmp_path: Path) -> None:
    sample = (SAMPLE_CONFIG / "flows.yaml").read_text()
    bench = flows_yaml(40)
    for text, table in ((sample, "contact"), (bench, "obj0021__c")):
        cut = cut_flows(text, table)
        assert cut is not None
        assert cut.count("\n") == text.count("\n"), "every kept line stays on its line"
        assert cut.count("- name:") == 1


@pytest.mark.parametrize("source", ["sample", "bench"])
def test_every_flow_loads_the_same_for_a_worker(tmp_path: Path, source: str) -> None:
    text = (SAMPLE_CONFIG / "flows.yaml").read_text() if source == "sample" else flows_yaml(24)
    tables = assert_worker_view_matches(write_flows(tmp_path, text))
    assert len(tables) == (4 if source == "sample" else 24) or source == "sample"


LAYOUTS = {
    "indented items, defaults after the flows, comments between items": """\
        flows:
          # the first flow
          - name: Account
            pii_columns: [Phone, Fax]   # a flat list, closed on its line

          # a comment at the items' indentation
          - 'name': "Contact"   # quoted key and value
            description: Rep's contacts, "double" quotes inside a plain scalar
          - bookmark_col: appflow_date_str
            name: Lead # name on a later line
            description: |
              A block scalar with a line that looks like a flow:
              - name: Account
        defaults:
          connector_profile: roche-salesforce-connector-profile1
        """,
    "indentless items": """\
        defaults:
          connector_profile: roche-salesforce-connector-profile1
        flows:
        - name: Account
          tags:
          - gtm
        - name: CustomObject__c
          description: 'it''s quoted'
        """,
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
def test_block_style_layouts_are_cut_and_load_the_same(tmp_path: Path, layout: str) -> None:
    text = textwrap.dedent(LAYOUTS[layout])
    config = write_flows(tmp_path, text)
    for table in assert_worker_view_matches(config):
        assert cut_flows(text, table) is not None, table


def test_a_worker_reports_its_flows_problem_at_the_same_line(tmp_path: Path) -> None:
    text = flows_yaml(12).replace("name: Obj0007__c\n", "name: Obj0007__c\n  retries: many\n")
    config = write_flows(tmp_path, text)
    worker = load_config(config, only_table="obj0007__c")
    assert cut_flows(text, "obj0007__c") is not None
    line = text.splitlines().index("  retries: many") + 1
    assert [(p.line, p.where) for p in worker.problems] == [(line, "flows[Obj0007__c].retries")]
    assert_worker_view_matches(config)


# --- where cutting is unsound, the whole file decides -----------------------------------------

UNSOUND = {
    # A naive cut would take the second half of this description for the flow Contact.
    "multi-line quoted scalar": """\
        defaults:
          connector_profile: roche-salesforce-connector-profile1
        flows:
          - name: Account
            description: "Accounts; Contact used to be loaded as
          - name: Contact
            retries: 7
            but no more"
        """,
    "multi-line flow collection": """\
        flows:
          - name: Account
            connector_profile: [roche-salesforce-connector-profile1,
          - name: Contact ]
        """,
    "alias to an anchor in another flow": """\
        flows:
          - name: Account
            connector_profile: &profiles roche-salesforce-connector-profile1
          - name: Contact
            connector_profile: *profiles
        """,
    "block scalar keeping its trailing blank lines": """\
        flows:
          - name: Contact
            connector_profile: roche-salesforce-connector-profile1
            description: |+
              kept

          - name: Account
            connector_profile: roche-salesforce-connector-profile1
        """,
    "flow-style item": """\
        flows:
          - {name: Contact, connector_profile: roche-salesforce-connector-profile1}
          - name: Account
            connector_profile: roche-salesforce-connector-profile1
        """,
}


@pytest.mark.parametrize("case", UNSOUND, ids=list(UNSOUND))
def test_unsound_cuts_fall_back_to_the_whole_file(tmp_path: Path, case: str) -> None:
    text = textwrap.dedent(UNSOUND[case])
    config = write_flows(tmp_path, text)
    assert_worker_view_matches(config, also=("contact", "account"))
    cut = cut_flows(text, "contact")
    if cut is not None:  # the flow-style item: the cut keeps nothing, so the loader reads it all
        assert "name: Contact" not in cut


def test_a_multi_line_description_never_yields_a_flow_the_file_does_not_have(tmp_path: Path) -> None:
    config = write_flows(tmp_path, textwrap.dedent(UNSOUND["multi-line quoted scalar"]))
    full = load_config(config)
    assert [p.where for p in full.problems] == ["flows[Account].description"]  # the file has no Contact
    worker = load_config(config, only_table="contact")
    assert (worker.flows, worker.problems) == ([], [])


def test_a_syntax_error_in_the_wanted_flow_is_reported_from_the_whole_file(tmp_path: Path) -> None:
    text = flows_yaml(6).replace("name: Obj0003__c\n", "name: Obj0003__c\n  retries: [1\n")
    config = write_flows(tmp_path, text)
    worker = load_config(config, only_table="obj0003__c")
    assert worker.flows == []
    assert [p.line for p in worker.problems] == [p.line for p in load_config(config).problems]
