"""Where `include/` is, locally and on MWAA.

MWAA ships only the DAGs folder and plugins.zip to workers, so the bundle puts `include/` inside
the DAGs folder; in the repository it sits beside `dags/`. Both are found from the DAG file, and
LAKEHOUSE_INCLUDE_DIR overrides for anything else.
"""

from __future__ import annotations

import os
from pathlib import Path

INCLUDE_ENV = "LAKEHOUSE_INCLUDE_DIR"


def find_include_dir(dag_file: str | Path) -> Path:
    override = os.environ.get(INCLUDE_ENV)
    if override:
        return Path(override)
    here = Path(dag_file).resolve().parent
    for candidate in (here / "include", here.parent / "include"):
        if (candidate / "config").is_dir():
            return candidate
    raise FileNotFoundError(
        f"no include/config beside or above {here}; set {INCLUDE_ENV} to the folder holding config/ and sql/"
    )
