"""Render the SQL of `include/sql/` with names that were validated as identifiers.

Templates use `${name}` placeholders (string.Template), filled here, at DAG build time, from the
plan, never from run-time input such as params or dag_run.conf: nothing a trigger supplies can
reach the SQL text. Every value is checked again before substitution, so a template can only ever
receive plain identifiers or the ARN/region shapes the config model accepted.
"""

from __future__ import annotations

import functools
from pathlib import Path
from string import Template

from lakehouse.config.names import AWS_REGION, IAM_ROLE_ARN, identifier_problem

_LITERALS = {"spectrum_role_arn": IAM_ROLE_ARN, "region": AWS_REGION}


class SqlTemplateError(ValueError):
    pass


@functools.cache
def _template(path: Path) -> Template:
    return Template(path.read_text(encoding="utf-8"))


def render_sql(sql_dir: Path, name: str, **values: str) -> list[str]:
    """The statements of `sql_dir/name.sql`, filled with `values`, one string per statement."""
    for key, value in values.items():
        rule = _LITERALS.get(key)
        problem = rule.problem(value) if rule else identifier_problem(value)
        if problem:
            raise SqlTemplateError(f"{name}.sql: ${{{key}}}: {problem}")
    try:
        text = _template(sql_dir / f"{name}.sql").substitute(values)
    except KeyError as exc:
        raise SqlTemplateError(f"{name}.sql uses ${{{exc.args[0]}}}, which is not provided") from None
    return split_statements(text)


def split_statements(text: str) -> list[str]:
    """Split on ';' at line ends, dropping comment-only chunks. Our templates hold no literals with ';'."""
    statements = []
    for chunk in text.split(";\n"):
        lines = [line for line in chunk.strip().rstrip(";").splitlines() if not line.strip().startswith("--")]
        statement = "\n".join(lines).strip()
        if statement:
            statements.append(statement)
    return statements
