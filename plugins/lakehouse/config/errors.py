"""Configuration problems, reported all at once, one line each: `FILE:LINE: WHERE: WHAT`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a config file, with enough context to fix it without reading code."""

    file: Path
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{_display(self.file)}:{self.line}:{where} {self.message}"


class ConfigError(Exception):
    """Every problem found in a configuration, sorted by file and line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: Path, line: int, where: str, message: str) -> ConfigError:
        return cls([Problem(file, line, where, message)])

    @classmethod
    def many(cls, file: Path, items: Iterable[tuple[int, str, str]]) -> ConfigError:
        return cls(Problem(file, line, where, message) for line, where, message in items)


def _display(file: Path) -> str:
    """Relative to the working directory when below it: shorter, and clickable in terminals."""
    try:
        relative = os.path.relpath(file)
    except ValueError:  # pragma: no cover - different drive on Windows
        return str(file)
    return str(file) if relative.startswith("..") else relative
