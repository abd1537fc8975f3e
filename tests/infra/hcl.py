"""infra/*.tf read with python-hcl2, normalised for the checks: quotes and markers dropped."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
MODULES = INFRA / "modules"
ENVS = INFRA / "envs"

_MARKERS = ("__is_block__", "__comments__", "__inline_comments__")


def unquote(value: str) -> str:
    """`"text"` -> `text`; expressions (`${...}`) are returned as they are."""
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {unquote(k): normalise(v) for k, v in value.items() if k not in _MARKERS}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str):
        return unquote(value)
    return value


def tf_files() -> list[Path]:
    return sorted(INFRA.rglob("*.tf"))


@functools.cache
def parse(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        return normalise(hcl2.load(handle))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Block:
    """A resource or data block: `kind` is resource/data, `address` e.g. aws_s3_bucket.zone."""

    kind: str
    type: str
    name: str
    body: dict[str, Any]
    path: Path

    @property
    def address(self) -> str:
        prefix = "data." if self.kind == "data" else ""
        return f"{prefix}{self.type}.{self.name}"

    @property
    def module(self) -> str:
        return self.path.parent.name


def blocks(directory: Path, kind: str = "resource") -> Iterator[Block]:
    for path in sorted(directory.rglob("*.tf")):
        for entry in parse(path).get(kind, []):
            for type_, named in entry.items():
                for name, body in named.items():
                    yield Block(kind, type_, name, body, path)


def module_blocks(module: str, kind: str = "resource") -> list[Block]:
    return list(blocks(MODULES / module, kind))


def locals_of(path: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for entry in parse(path).get("locals", []):
        merged.update(entry)
    return merged


def first(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The first nested block `key` (blocks parse as lists of dicts)."""
    value = body.get(key)
    assert isinstance(value, list), f"no block {key!r}"
    assert value, f"empty block {key!r}"
    assert isinstance(value[0], dict), f"{key!r} is not a block"
    return value[0]


def ignore_changes(body: dict[str, Any]) -> list[str]:
    lifecycle = body.get("lifecycle") or [{}]
    return [str(item).removeprefix("${").removesuffix("}") for item in lifecycle[0].get("ignore_changes", [])]


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Statements of an aws_iam_policy_document, dynamic ones included (their `content`)."""
    found = list(document.get("statement", []))
    for dynamic in document.get("dynamic", []):
        for label, body in dynamic.items():
            if label == "statement":
                found.extend(body.get("content", []))
    return found
