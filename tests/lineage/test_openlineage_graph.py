"""The OpenLineage events of a demo-sized run draw the whole graph, edge by edge:

Salesforce object -> S3 (the table's prefix) -> Glue table (= its Spectrum external table) ->
current-state view -> the scores in the results zone -> the upsert's Salesforce object.

`make demo`'s own code path (sandbox/demo.py: every ingest DAG of dev for one day, the scoring DAG
and the upsert DAG, without the feeds) runs in a subprocess with its own sandbox, AIRFLOW_HOME and
OpenLineage's file transport, as `make demo` does; the events it wrote are read back here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from typing import Any

import pytest

from lakehouse.config import load_config
from lakehouse.plan import plan_environment
from lakehouse.scoring import plan_scoring
from sandbox.lineage_graph import Edge, Node, datasets, edges, events
from tests.conftest import REPO, SAMPLE_CONFIG

pytestmark = [pytest.mark.airflow, pytest.mark.timeout(600)]

ENV = "dev"
REGION, ACCOUNT_ID = "eu-west-1", "111111111111"
REDSHIFT = "redshift://gtm-lakehouse-dev.eu-west-1:5439"
GLUE = f"arn:aws:glue:{REGION}:{ACCOUNT_ID}"
RAW, RESULTS = "s3://gtm-lakehouse-dev-raw", "s3://gtm-lakehouse-dev-results"


@pytest.fixture(scope="module")
def run_events(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    path = tmp_path_factory.mktemp("lineage") / "events.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "LAKEHOUSE_"))}
    done = subprocess.run(
        [sys.executable, "-m", "sandbox.demo", "--days", "1", "--no-feeds", "--lineage", str(path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=540,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
    found = events(path)
    assert found, "no OpenLineage event was written"
    return found


def host(profile: str) -> str:
    """The instance host provisioning gives each org's connector profile (its instanceUrl)."""
    return f"salesforce://{profile}.my.salesforce.com"


def test_every_step_from_the_salesforce_object_to_the_upsert_target_is_an_edge(
    run_events: list[dict[str, Any]],
) -> None:
    graph = edges(run_events)
    config = load_config(SAMPLE_CONFIG)
    scoring = plan_scoring(config, ENV)
    assert scoring is not None
    source, target = scoring.source_profile, scoring.target_profile
    p, table = source.group_id, source.table
    s3_table = Node(RAW, f"appflow/{p}/{table}")
    glue = Node(GLUE, f"table/{source.glue_database}/{table}")
    external = Node(REDSHIFT, f"gtm.{source.external_schema}.{table}")
    view = Node(REDSHIFT, f"gtm.{p}.{table}_current")
    results = Node(RESULTS, target.prefix)
    upserted = Node(host(target.profile), scoring.target.flow.sf_object)
    ingest, upsert = scoring.source.dag_id, scoring.target.dag_id

    expected = [
        Edge(Node(host(source.profile), "Account"), s3_table, f"{ingest}.{p}.run_flow"),
        Edge(s3_table, glue, f"{ingest}.{p}.register_table"),
        Edge(s3_table, external, f"{ingest}.{p}.register_table"),
        Edge(s3_table, glue, f"{ingest}.{p}.register_partition"),
        Edge(external, view, f"{ingest}.{p}.build_views"),
        Edge(view, results, f"{scoring.dag_id}.score_accounts"),
        Edge(results, upserted, f"{upsert}.{target.group_id}.run_flow"),
    ]
    missing = [edge for edge in expected if edge not in graph]
    assert not missing, "missing edges:\n" + "\n".join(map(str, missing))

    # and the chain holds as a lineage tool walks it: edges plus the Glue table's symlink
    facets = datasets(run_events)
    symlinks = facets[glue]["symlinks"]["identifiers"]
    assert [(s["namespace"], s["name"], s["type"]) for s in symlinks] == [
        (external.namespace, external.name, "TABLE")
    ]
    reachable = _reachable(graph, {glue: {external}}, Node(host(source.profile), "Account"))
    assert upserted in reachable


def test_every_ingest_dag_and_profile_has_its_edges(run_events: list[dict[str, Any]]) -> None:
    graph = edges(run_events)
    for plan in plan_environment(load_config(SAMPLE_CONFIG), ENV):
        if plan.direction != "ingest":
            continue
        for profile in plan.profiles:
            s3_table = Node(RAW, profile.prefix)
            sf = Node(host(profile.profile), plan.flow.sf_object)
            job = f"{plan.dag_id}.{profile.group_id}.run_flow"
            assert Edge(sf, s3_table, job) in graph, job
            glue = Node(GLUE, f"table/{profile.glue_database}/{profile.table}")
            assert Edge(s3_table, glue, f"{plan.dag_id}.{profile.group_id}.register_table") in graph


def test_datasets_carry_their_schema_where_the_columns_are_known(run_events: list[dict[str, Any]]) -> None:
    facets = datasets(run_events)
    account = facets[Node(host("roche-salesforce-connector-profile1"), "Account")]
    sf_fields = {f["name"]: f["type"] for f in account["schema"]["fields"]}
    assert sf_fields["Id"] == "id"  # the Salesforce types, as DescribeConnectorEntity names them
    assert sf_fields["AnnualRevenue"] == "currency"
    glue = facets[Node(GLUE, "table/roche_salesforce_connector_profile1_dev/account")]
    glue_fields = {f["name"]: f["type"] for f in glue["schema"]["fields"]}
    assert glue_fields["id"] == "string"
    assert glue_fields["lastmodifieddate"] == "timestamp"
    assert glue_fields["appflow_date_str"] == "string"  # the partition column


def test_every_event_is_in_the_environments_namespace_and_every_task_completed(
    run_events: list[dict[str, Any]],
) -> None:
    by_state: dict[str, set[str]] = defaultdict(set)
    for event in run_events:
        assert event["job"]["namespace"] == f"lakehouse-{ENV}", event["job"]
        by_state[event["eventType"]].add(event["job"]["name"])
    assert "FAIL" not in by_state, by_state["FAIL"]
    assert any(name.endswith(".run_flow") for name in by_state["COMPLETE"])


def _reachable(graph: set[Edge], same_as: dict[Node, set[Node]], start: Node) -> set[Node]:
    following: dict[Node, set[Node]] = defaultdict(set)
    for edge in graph:
        following[edge.source].add(edge.target)
    for node, others in same_as.items():
        following[node] |= others
    seen, todo = {start}, [start]
    while todo:
        for nxt in following[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen
