"""Load `flows.yaml` and `environments.yaml`, apply defaults, and collect every problem.

Loading never stops at the first problem: each flow is validated on its own, so a config with
one bad flow still yields the good ones (the DAG files build those and surface the problems as an
import error), and `lakehouse validate` can list everything to fix in one go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from lakehouse.config.environments import ENV_NAME, Environment, rendered_name_problems
from lakehouse.config.errors import ConfigError, Problem
from lakehouse.config.flow_subset import cut_flows
from lakehouse.config.flows import Flow, FlowSettings
from lakehouse.config.names import snake_case
from lakehouse.config.reporting import Reporter, entry_label, read_document
from lakehouse.config.rules import environment_rules, flow_rules, reference_rules, uniqueness_rules
from lakehouse.config.yaml_source import YamlDocument, parse_yaml

if TYPE_CHECKING:
    from lakehouse.config.feeds import Feed

FLOWS_FILE = "flows.yaml"
ENVIRONMENTS_FILE = "environments.yaml"


@dataclass(frozen=True)
class LoadedConfig:
    """The valid part of a configuration and everything wrong with the rest."""

    config_dir: Path
    environments: dict[str, Environment]
    flows: list[Flow]
    problems: list[Problem] = field(default_factory=list)
    feeds: list[Feed] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def error(self) -> ConfigError:
        return ConfigError(self.problems)

    def flows_for(self, env: str) -> list[Flow]:
        return [f for f in self.flows if f.environment in ("all", env)]

    def feeds_for(self, env: str) -> list[Feed]:
        return [f for f in self.feeds if f.environment in ("all", env)]


def load_config(
    config_dir: Path, only_table: str | None = None, only_feed: str | None = None
) -> LoadedConfig:
    """Read the files of `config_dir`. Unreadable files become problems, not exceptions.

    `only_table` validates just the flows named so (as snake_case), `only_feed` just that feed
    (feeds.yaml, optional): what a worker running one task needs, so either skips the other
    file. Rules across flows and feeds are the DAG processor's job, which loads everything.
    """
    problems: list[Problem] = []
    environments = _load_environments(config_dir / ENVIRONMENTS_FILE, problems)
    flows = (
        []
        if only_feed is not None
        else _load_flows(config_dir / FLOWS_FILE, environments, problems, only_table)
    )
    feeds: list[Feed] = []
    if only_table is None:
        # Imported here: a worker running a flow's task (the hot path at 1,000 flows) never pays
        # for the feed models.
        from lakehouse.config.feeds_loader import FEEDS_FILE, load_feeds

        feeds = load_feeds(config_dir / FEEDS_FILE, environments, problems, only_feed)
    return LoadedConfig(config_dir, environments, flows, problems, feeds)


def _load_environments(file: Path, problems: list[Problem]) -> dict[str, Environment]:
    doc = read_document(file, problems)
    if doc is None:
        return {}
    report = Reporter(doc, problems)
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("environments"), dict):
        report.at((), "", "expected a mapping with the key 'environments: {dev: {...}, prod: {...}}'")
        return {}
    for key in doc.data:
        if key != "environments":
            report.at((key,), str(key), "unknown key; the file holds only 'environments'")
    valid: dict[str, Environment] = {}
    for name, raw in doc.data["environments"].items():
        path = ("environments", str(name))
        where = f"environments[{name}]"
        if not isinstance(name, str) or not ENV_NAME.fullmatch(name):
            report.at(path, where, "an environment name is 1-16 lowercase letters and digits")
            continue
        before = len(problems)
        env = report.validate(Environment, raw, path, where)
        if env is None:
            continue
        for field_name, message in rendered_name_problems(name, env):
            report.at((*path, *field_name.split(".")), f"{where}.{field_name}", message)
        if len(problems) == before:
            valid[name] = env
    return valid


def _load_flows(
    file: Path, environments: Mapping[str, Environment], problems: list[Problem], only_table: str | None
) -> list[Flow]:
    doc = _flows_document(file, problems, only_table)
    if doc is None:
        return []
    report = Reporter(doc, problems)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("flows"), list):
        report.at((), "", "expected a mapping with 'defaults: {...}' (optional) and 'flows: [...]'")
        return []
    for key in data:
        if key not in ("defaults", "flows"):
            report.at((key,), str(key), "unknown key; the file holds 'defaults' and 'flows'")
    defaults = _defaults(data.get("defaults"), report)
    candidates: list[tuple[int, Flow]] = []
    for index, raw in enumerate(data["flows"]):
        if only_table is not None and snake_case(entry_label(raw, index)) != only_table:
            continue
        flow = _flow(index, raw, defaults, environments, report)
        if flow is not None:
            candidates.append((index, flow))
    duplicates = uniqueness_rules(candidates, environments)
    if only_table is None:  # rules across flows: the DAG processor's job, which loads them all
        duplicates += reference_rules(candidates)
    rejected = {index for index, _, _ in duplicates}
    for index, field_name, message in duplicates:
        label = entry_label(data["flows"][index], index)
        report.field(("flows", index), f"flows[{label}]", field_name, message)
    return [flow for index, flow in candidates if index not in rejected]


def _flows_document(file: Path, problems: list[Problem], only_table: str | None) -> YamlDocument | None:
    """flows.yaml, read once: for a worker (`only_table`) just the lines of that flow and the
    defaults (flow_subset) when they can be cut out soundly and hold that flow; otherwise the whole
    file, which also reports whatever made the cut fail."""
    if only_table is None:
        return read_document(file, problems)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError:
        return read_document(file, problems)  # says why
    return _cut_document(text, file, only_table) or read_document(file, problems, text)


def _cut_document(text: str, file: Path, only_table: str) -> YamlDocument | None:
    cut = cut_flows(text, only_table)
    if cut is None:
        return None
    try:
        doc = parse_yaml(cut, file)
    except ConfigError:
        return None
    flows = doc.data.get("flows") if isinstance(doc.data, dict) else None
    if not isinstance(flows, list):
        return None
    found = any(snake_case(entry_label(raw, index)) == only_table for index, raw in enumerate(flows))
    return doc if found else None


def _defaults(raw: Any, report: Reporter) -> dict[str, Any]:
    """Defaults are validated once, where they are written; flows inherit only the valid keys."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        report.at(("defaults",), "defaults", "expected a mapping of flow keys")
        return {}
    for key in ("name", "object_name"):
        if key in raw:
            report.at(("defaults", key), f"defaults.{key}", "is per flow; it cannot have a default")
    settings = {k: v for k, v in raw.items() if k not in ("name", "object_name")}
    bad = report.invalid_keys(FlowSettings, settings, ("defaults",), "defaults")
    return {k: v for k, v in settings.items() if k not in bad}


def _flow(
    index: int,
    raw: Any,
    defaults: dict[str, Any],
    environments: Mapping[str, Environment],
    report: Reporter,
) -> Flow | None:
    path = ("flows", index)
    label = entry_label(raw, index)
    where = f"flows[{label}]"
    if not isinstance(raw, dict):
        report.at(path, where, "expected a mapping with at least 'name'")
        return None
    merged = {**defaults, **raw}
    inherited = {k for k in defaults if k not in raw}
    if "checks" in inherited and merged.get("destination") == "salesforce":
        # The defaults' checks audit ingest loads; an upsert flow has no load in the lake to audit.
        del merged["checks"]
        inherited.discard("checks")
    bad: set[str] = set()
    flow = report.validate(Flow, merged, path, where, inherited=inherited, bad_keys=bad)
    checked = flow or _without(merged, bad)
    if checked is None:
        return None
    problems = [
        (field_name, message)
        for field_name, message in flow_rules(checked) + environment_rules(checked, environments)
        if field_name.split(".")[0] not in bad
    ]
    for field_name, message in problems:
        report.field(path, where, field_name, message, inherited)
    return None if problems or flow is None else flow


def _without(merged: dict[str, Any], bad: set[str]) -> Flow | None:
    """The flow with its invalid keys left at their defaults, so cross-field rules can still run
    and the user sees every problem at once, not one layer per attempt."""
    try:
        return Flow.model_validate({k: v for k, v in merged.items() if k not in bad})
    except ValidationError:
        return None
