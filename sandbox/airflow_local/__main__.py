"""`python -m sandbox.airflow_local [--api-port 8080] [--home .airflow] ...` (what `make airflow` runs)."""

from __future__ import annotations

import sys

from sandbox.airflow_local.stack import parse, run

if __name__ == "__main__":
    sys.exit(run(parse()))
