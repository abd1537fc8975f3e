# Every target bootstraps what it needs: a virtualenv in .venv with the pinned packages.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)
UV := $(PY) -m uv
ENV ?= dev
export PYTHONPATH := $(CURDIR)/plugins:$(CURDIR)

.PHONY: venv test lint typecheck unit demo validate dags schema bench-parse bench-backfill bench-ingest bench-views bench-checks up down airflow bundle lock clean

venv: $(STAMP)

$(STAMP):
	@$(PY) -m uv --version >/dev/null 2>&1 || $(PY) -m pip install --quiet uv
	@rm -f $(VENV)/.installed-*
	$(UV) venv --quiet --allow-existing --python $(PY) $(VENV)
	@# --compile-bytecode: every Airflow task, component and test subprocess imports Airflow, boto3
	@# and pandas; without .pyc files (PYTHONDONTWRITEBYTECODE=1, or a read-only venv) each one
	@# compiles them again, about 4 s a process on 2 cores.
	$(UV) pip install --quiet --compile-bytecode --python $(VENV)/bin/python -r requirements-dev.lock
	$(UV) pip install --quiet --python $(VENV)/bin/python --no-deps -e .
	@touch $@

## make demo: the main job. Every ingest pipeline over three days on the local sandbox, then what landed.
demo: venv
	$(BIN)/lakehouse validate include/config
	$(BIN)/python -m sandbox.demo --env $(ENV)

## make test: lint, type-check and the whole test suite (what CI runs).
test: lint typecheck
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

validate: venv
	$(BIN)/lakehouse validate include/config

dags: venv
	$(BIN)/lakehouse dags --env $(ENV)

schema: venv
	$(BIN)/lakehouse schema --write include/config/schema

## make bench-parse: DAG folder parse time at 10/100/1,000 objects vs hand-written DAGs and dag-factory.
bench-parse: venv
	$(BIN)/python -m bench.parse

## make bench-backfill: Glue API calls and seconds to register 365 daily partitions x 20 tables, ours vs 1 call each.
bench-backfill: venv
	$(BIN)/python -m bench.backfill

## make bench-ingest: the feed job's CSV/JSONL-to-Parquet conversion at 100 MB, 1 GB and 3 GB vs pyarrow's own path and pandas (MB/s, peak memory).
bench-ingest: venv
	$(BIN)/python -m bench.ingest

## make bench-views: <table>_current and <table>_history over 365 daily partitions, 1M records, 5% churn a day, vs hand-written SQL.
bench-views: venv
	$(BIN)/python -m bench.views

## make bench-checks: the data-quality checks on a day of 1M records vs loading that day (warehouse time; goal +25% at most).
bench-checks: venv
	$(BIN)/python -m bench.checks

## make up / make down: the local AWS sandbox on http://127.0.0.1:4566 (see sandbox/README.md).
up: venv
	$(BIN)/python -m sandbox up --port 4566 --state-dir .sandbox

down:
	$(BIN)/python -m sandbox down --state-dir .sandbox

## make airflow: Airflow 3.3.1 on http://127.0.0.1:8080 (admin / admin) against the sandbox; Ctrl-C stops it all.
airflow: venv
	$(BIN)/python -m sandbox.airflow_local --home .airflow --api-port 8080 --sandbox-port 4566 --sandbox-state-dir .sandbox --env $(ENV)

## make bundle: what MWAA installs, in dist/mwaa/ (plugins.zip, dags/ with include/, requirements.txt, startup.sh).
bundle: venv
	$(BIN)/python tools/bundle.py --out dist/mwaa

lock:
	$(UV) pip compile --quiet --python 3.11 requirements-dev.in -o requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
