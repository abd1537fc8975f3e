"""Load `feeds.yaml` like `flows.yaml`: defaults applied, each feed validated on its own, every
problem collected as `FILE:LINE: feeds[NAME].FIELD: WHAT`.

The file is optional: a deployment without on-prem feeds has none. A feed's `source` is a union
told apart by `kind`; pydantic reports its errors under the kind (`source.database.table`), which
is not where the key sits in the YAML, so the kind is taken out of the path here before the line
is looked up.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from lakehouse.config.environments import Environment
from lakehouse.config.errors import Problem
from lakehouse.config.feed_rules import environment_rules, feed_rules, reference_rules, uniqueness_rules
from lakehouse.config.feeds import SOURCE_MODELS, Feed, FeedSettings
from lakehouse.config.names import snake_case
from lakehouse.config.reporting import (
    Reporter,
    entry_label,
    located,
    read_document,
    unknown_key_message,
    validation_message,
)

FEEDS_FILE = "feeds.yaml"
PER_FEED_KEYS = ("name", "source", "target_table")


def load_feeds(
    file: Path,
    environments: Mapping[str, Environment],
    problems: list[Problem],
    only_feed: str | None = None,
) -> list[Feed]:
    """The valid feeds of `file` (none when it does not exist); problems are appended.

    `only_feed` validates just the feed whose snake_case name it is: what a worker running one of
    its tasks needs. Rules across feeds are the DAG processor's job, which loads everything.
    """
    if not file.exists():
        return []
    doc = read_document(file, problems)
    if doc is None:
        return []
    report = Reporter(doc, problems)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("feeds"), list):
        report.at((), "", "expected a mapping with 'defaults: {...}' (optional) and 'feeds: [...]'")
        return []
    for key in data:
        if key not in ("defaults", "feeds"):
            report.at((key,), str(key), "unknown key; the file holds 'defaults' and 'feeds'")
    defaults = _defaults(data.get("defaults"), report)
    candidates: list[tuple[int, Feed]] = []
    for index, raw in enumerate(data["feeds"]):
        if only_feed is not None and snake_case(entry_label(raw, index)) != only_feed:
            continue
        feed = _feed(index, raw, defaults, environments, report)
        if feed is not None:
            candidates.append((index, feed))
    duplicates = uniqueness_rules(candidates, environments)
    if only_feed is None:  # rules across feeds: the DAG processor's job, which loads them all
        duplicates += reference_rules(candidates)
    rejected = {index for index, _, _ in duplicates}
    for index, field_name, message in duplicates:
        label = entry_label(data["feeds"][index], index)
        report.field(("feeds", index), f"feeds[{label}]", field_name, message)
    return [feed for index, feed in candidates if index not in rejected]


def _defaults(raw: Any, report: Reporter) -> dict[str, Any]:
    """Validated once, where written; feeds inherit only the valid keys."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        report.at(("defaults",), "defaults", "expected a mapping of feed keys")
        return {}
    for key in PER_FEED_KEYS:
        if key in raw:
            report.at(("defaults", key), f"defaults.{key}", "is per feed; it cannot have a default")
    settings = {k: v for k, v in raw.items() if k not in PER_FEED_KEYS}
    bad = report.invalid_keys(FeedSettings, settings, ("defaults",), "defaults")
    return {k: v for k, v in settings.items() if k not in bad}


def _feed(
    index: int,
    raw: Any,
    defaults: dict[str, Any],
    environments: Mapping[str, Environment],
    report: Reporter,
) -> Feed | None:
    path = ("feeds", index)
    where = f"feeds[{entry_label(raw, index)}]"
    if not isinstance(raw, dict):
        report.at(path, where, "expected a mapping with at least 'name', 'source' and 'target_table'")
        return None
    merged = {**defaults, **raw}
    inherited = {k for k in defaults if k not in raw}
    feed, bad = _validate(merged, path, where, inherited, report)
    checked = feed or _without(merged, bad)
    if checked is None:
        return None
    problems = [
        (field_name, message)
        for field_name, message in feed_rules(checked) + environment_rules(checked, environments)
        if field_name.split(".")[0] not in bad
    ]
    for field_name, message in problems:
        report.field(path, where, field_name, message, inherited)
    return None if problems or feed is None else feed


def _validate(
    merged: dict[str, Any],
    path: tuple[str | int, ...],
    where: str,
    inherited: set[str],
    report: Reporter,
) -> tuple[Feed | None, set[str]]:
    """The feed, or None and the top-level keys that are wrong (each reported at its own line)."""
    try:
        return Feed.model_validate(merged), set()
    except ValidationError as exc:
        bad: set[str] = set()
        for error in exc.errors():
            loc, message = _located(error)
            if not loc:
                report.at(path, where, message)
                continue
            bad.add(str(loc[0]))
            if loc[0] in inherited:
                continue  # reported once, at the defaults
            report.field(path, where, ".".join(str(part) for part in loc), message)
        return None, bad


def _located(error: Any) -> tuple[tuple[str | int, ...], str]:
    """The error's path as written in the YAML, and its message."""
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind = error["type"]
    if loc and loc[0] == "checks":
        return located(error, Feed)
    if kind == "union_tag_not_found":
        return loc, "needs 'kind': database, api or files"
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag")
        return (*loc, "kind"), f"'{tag}' is not a source kind; allowed: database, api, files"
    model: type[BaseModel] = Feed
    if len(loc) >= 2 and loc[0] == "source" and loc[1] in SOURCE_MODELS:
        model = SOURCE_MODELS[str(loc[1])]
        loc = (loc[0], *loc[2:])
    if kind == "extra_forbidden":
        return loc, unknown_key_message(str(loc[-1]), sorted(_nested(model, loc).model_fields))
    return loc, validation_message(error, model, loc)


def _nested(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel]:
    """The (sub)model whose key `loc` names: `spark.partiton_column` is SparkRead's, not Feed's."""
    for part in loc[:-1]:
        info = model.model_fields.get(str(part))
        annotation = info.annotation if info else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return model


def _without(merged: dict[str, Any], bad: set[str]) -> Feed | None:
    """The feed with its invalid keys left at their defaults, so cross-field rules can still run."""
    try:
        return Feed.model_validate({k: v for k, v in merged.items() if k not in bad})
    except ValidationError:
        return None
