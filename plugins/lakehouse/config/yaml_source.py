"""YAML loading that remembers where every value came from.

Error messages must name the file and line of the offending value, so the loader keeps a map from
each value's path (`("flows", 2, "schedule_expression")`) to its line. It also refuses duplicate
keys: YAML silently keeps the last one, which would hide a typo or a merge mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is in every wheel we pin
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from lakehouse.config.errors import ConfigError

Path_ = tuple[str | int, ...]


class _DatelessLoader(_Loader):
    """Dates stay text, so the config model parses them and a bad one gets a line-numbered error
    (PyYAML would raise a bare ValueError for `2026-13-01`)."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    }


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: plain Python data plus the line of every value (1-based)."""

    file: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of the value at `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


def load_yaml(file: Path) -> YamlDocument:
    """Parse `file`; a syntax error or duplicate key raises ConfigError with its line."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError.single(file, 1, "", f"cannot read the file: {exc.strerror}") from exc
    return parse_yaml(text, file)


def parse_yaml(text: str, file: Path) -> YamlDocument:
    loader = _DatelessLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ConfigError.single(file, line, "", f"invalid YAML: {exc.problem or exc}") from exc
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    errors: list[tuple[int, str, str]] = []
    if node is not None:
        _walk(node, (), lines, errors)
    if errors:
        raise ConfigError.many(file, errors)
    return YamlDocument(file=file, data=data, lines=lines)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], errors: list[tuple[int, str, str]]) -> None:
    """Record the line of every value and report duplicate keys, which the loader would hide."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                errors.append(
                    (
                        key_node.start_mark.line + 1,
                        _dotted(child),
                        f"duplicate key '{key}' (first on line {lines[child]}); "
                        "YAML would silently keep only the last one",
                    )
                )
                continue
            seen.add(key)
            _walk(value_node, child, lines, errors)
            # A nested block starts on the line after its key; the key's line is what users look for.
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, errors)


def _dotted(path: Path_) -> str:
    return ".".join(str(part) for part in path)
