"""Turn what is wrong with a YAML file into one-line problems with file, line and field.

Shared by the loaders of flows.yaml, environments.yaml and feeds.yaml, so every file reports the
same way: pydantic's errors mapped back to the line of the key, unknown keys with a "did you mean",
problems of a key inherited from `defaults:` reported once, at the defaults.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lakehouse.config.checks import check_error_location
from lakehouse.config.errors import ConfigError, Problem
from lakehouse.config.yaml_source import YamlDocument, load_yaml, parse_yaml

M = TypeVar("M", bound=BaseModel)


def read_document(file: Path, problems: list[Problem], text: str | None = None) -> YamlDocument | None:
    """`file` parsed, or None with its problems reported; `text`: its content, already read."""
    if text is None and not file.is_file():
        problems.append(Problem(file, 1, "", "file not found"))
        return None
    try:
        return load_yaml(file) if text is None else parse_yaml(text, file)
    except ConfigError as exc:
        problems.extend(exc.problems)
        return None


def entry_label(raw: Any, index: int) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    return name if isinstance(name, str) and name else f"#{index + 1}"


class Reporter:
    """Turns pydantic errors and rule violations into one-line problems with file and line."""

    def __init__(self, doc: YamlDocument, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems

    def at(self, path: tuple[str | int, ...], where: str, message: str) -> None:
        self.problems.append(Problem(self.doc.file, self.doc.line_of(path), where, message))

    def field(
        self,
        path: tuple[str | int, ...],
        where: str,
        field_name: str,
        message: str,
        inherited: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> None:
        parts = [int(p) if p.isdigit() else p for p in field_name.split(".")]
        head = field_name.split(".")[0]
        if head in inherited:
            self.at(("defaults", *parts), f"{where}.{field_name} (from defaults)", message)
        else:
            self.at((*path, *parts), f"{where}.{field_name}", message)

    def validate(
        self,
        model: type[M],
        raw: Any,
        path: tuple[str | int, ...],
        where: str,
        inherited: set[str] = frozenset(),  # type: ignore[assignment]
        bad_keys: set[str] | None = None,
    ) -> M | None:
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                loc, message = located(error, model)
                field_name = ".".join(str(part) for part in loc)
                if loc and bad_keys is not None:
                    bad_keys.add(str(loc[0]))
                if loc and loc[0] in inherited:
                    continue  # reported once, at the defaults
                if loc:
                    self.field(path, where, field_name, message)
                else:
                    self.at(path, where, message)
            return None

    def invalid_keys(
        self, model: type[BaseModel], raw: dict[str, Any], path: tuple[str | int, ...], where: str
    ) -> set[str]:
        """Validate a partial mapping; report and return the keys that are wrong."""
        try:
            model.model_validate(raw)
        except ValidationError as exc:
            bad: set[str] = set()
            for error in exc.errors():
                loc, message = located(error, model)
                if not loc:
                    continue
                bad.add(str(loc[0]))
                self.field(path, where, ".".join(str(p) for p in loc), message)
            return bad
        return set()


def located(error: Any, model: type[BaseModel]) -> tuple[tuple[Any, ...], str]:
    """The error's path as written in the YAML (a check's kind taken out) and its message."""
    loc, tag_message, check_model = check_error_location(error)
    if tag_message is not None:
        return loc, tag_message
    if check_model is not None and error["type"] == "extra_forbidden":
        return loc, unknown_key_message(str(loc[-1]), sorted(check_model.model_fields))
    return loc, validation_message(error, model, loc)


def validation_message(error: Any, model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return unknown_key_message(str(loc[-1]), _allowed_keys(model, loc))
    if kind == "missing":
        return "is required"
    message = str(error["msg"]).removeprefix("Value error, ")
    if "input" in error and kind not in ("value_error",) and not isinstance(error["input"], (dict, list)):
        message += f" (got {error['input']!r})"
    return message


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys of the (possibly nested) model that `loc` points into."""
    current: type[BaseModel] = model
    for part in loc[:-1]:
        info = current.model_fields.get(str(part))
        annotation = info.annotation if info else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            current = annotation
    return sorted(current.model_fields)


def unknown_key_message(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key '{key}'; {hint}allowed keys: {', '.join(allowed)}"
