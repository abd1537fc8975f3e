"""Lexical helpers over SQL text: split a script into statements, find code outside literals.

Redshift-to-DuckDB rewrites must never touch string literals, quoted identifiers or comments
(a view's SQL often carries 'GETDATE()' inside a comment or a literal), so every rewrite works on
the code segments this module yields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

_TOKEN = re.compile(r"'(?:[^']|'')*'?|\"(?:[^\"]|\"\")*\"?|--[^\n]*|/\*.*?(?:\*/|\Z)", re.DOTALL)


def segments(sql: str) -> Iterator[tuple[bool, str]]:
    """Yield (is_code, text) pieces: code, or a literal / quoted identifier / comment kept as is."""
    pos = 0
    for match in _TOKEN.finditer(sql):
        if match.start() > pos:
            yield True, sql[pos : match.start()]
        yield False, match.group(0)
        pos = match.end()
    if pos < len(sql):
        yield True, sql[pos:]


def map_code(sql: str, rewrite: Callable[[str], str]) -> str:
    """Apply `rewrite` to the code outside literals and comments."""
    return "".join(rewrite(text) if is_code else text for is_code, text in segments(sql))


def code_only(sql: str) -> str:
    """The SQL with literals and comments blanked out, for matching keywords and names."""
    return "".join(text if is_code else " " for is_code, text in segments(sql))


def split_statements(sql: str) -> list[str]:
    """Split a script on the semicolons that are code, dropping empty statements."""
    statements: list[str] = []
    current: list[str] = []
    for is_code, text in segments(sql):
        if not is_code:
            current.append(text)
            continue
        parts = text.split(";")
        current.append(parts[0])
        for part in parts[1:]:
            statements.append("".join(current))
            current = [part]
    statements.append("".join(current))
    return [s.strip() for s in statements if code_only(s).strip()]
