# Every target bootstraps what it needs: a virtualenv in .venv with the pinned packages.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)
UV := $(PY) -m uv
ENV ?= dev
export PYTHONPATH := $(CURDIR)/plugins:$(CURDIR):$(CURDIR)/jobs

FAST_TESTS := tests/unit tests/config tests/infra/test_config_parity.py tests/infra/test_terraform_files.py \
	tests/infra/test_lakeformation.py tests/infra/test_security.py tests/infra/test_platform_modules.py \
	tests/sandbox/test_salesforce_lifecycle.py tests/sandbox/test_salesforce_objects.py \
	tests/sandbox/test_salesforce_limits.py tests/sandbox/test_appflow.py tests/sandbox/test_gateway.py \
	tests/sandbox/test_redshift_data.py tests/sandbox/test_webhooks.py tests/sandbox/test_partition_catalog.py \
	tests/sandbox/test_regions.py tests/sandbox/test_glue_crawlers.py tests/jobs/test_feed_ingest.py

.PHONY: venv bytecode jdbc test test-durations test-fast lint typecheck unit demo validate dags schema bench-parse bench-backfill bench-ingest bench-views bench-checks up down airflow compose-smoke bundle lock clean

venv: $(STAMP) jdbc

## jdbc: the Debian JDBC drivers (PostgreSQL, SQLite) the Spark engine loads, installed when missing.
jdbc:
	@bash tools/bootstrap_jdbc.sh

$(STAMP):
	@$(PY) -m uv --version >/dev/null 2>&1 || $(PY) -m pip install --quiet uv
	@rm -f $(VENV)/.installed-*
	$(UV) venv --quiet --allow-existing --python $(PY) $(VENV)
	@# --compile-bytecode: every Airflow task, component and test subprocess imports Airflow, boto3
	@# and pandas; without .pyc files (PYTHONDONTWRITEBYTECODE=1, or a read-only venv) each one
	@# compiles them again, about 4 s a process on 2 cores.
	$(UV) pip install --quiet --compile-bytecode --python $(VENV)/bin/python -r requirements-dev.lock
	$(UV) pip install --quiet --python $(VENV)/bin/python --no-deps -e .
	@# setuptools leaves plugins/*.egg-info behind; on the Python path (plugins/) it would be a second
	@# copy of the package's metadata, and Airflow would load the lakehouse plugin's entry point twice.
	@rm -rf plugins/*.egg-info
	@touch $@

## bytecode: the project's own modules compiled once. Where PYTHONDONTWRITEBYTECODE=1 is set (as on
## this project's CI machines) no process writes .pyc files, and every Airflow task, sandbox server and
## test worker compiled plugins/ and sandbox/ again, about 0.8 s a process; they still read the .pyc
## files that exist, and a stale one (an edited module) is recompiled, never used.
bytecode: venv
	@$(BIN)/python -m compileall -q -j 0 plugins dags jobs sandbox tests bench tools

## make demo: the main job. Every ingest pipeline over three days on the local sandbox, then what landed.
demo: bytecode
	$(BIN)/lakehouse validate include/config
	$(BIN)/python -m sandbox.demo --env $(ENV)

## make test: lint, type-check and the whole test suite (what CI runs) on pytest-xdist workers, one
## more than the cores: a whole test file per worker, and about a quarter of a worker's time is spent
## waiting on a real scheduler or a subprocess, which the extra worker fills (docs/testing.md).
TEST_WORKERS ?= $(shell $(PY) -c 'import os; print(len(os.sched_getaffinity(0)) + 1 if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1) + 1)')
XDIST := -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder
test: lint typecheck bytecode
	$(BIN)/pytest $(XDIST)

## make test-durations: the whole suite once, each file's seconds written to tests/durations.json,
## the order in which make test hands the files out (longest first: tests/scheduling.py).
test-durations: bytecode
	$(BIN)/pytest $(XDIST) --record-file-durations tests/durations.json

## make test-fast: the pure core (config, plans, SQL, alerts) and the adapters' unit tests, for the
## edit-run loop (well under a minute); make test runs everything.
test-fast: bytecode
	$(BIN)/pytest -n auto $(FAST_TESTS)

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

## make bench-backfill: Glue API calls and seconds to register 365 daily partitions x 20 tables, ours vs 1 call each;
## then a backfill of every ingest object over BACKFILL_DAYS days on the scheduler, with and without the org pools.
BACKFILL_DAYS ?= 365
bench-backfill: venv
	$(BIN)/python -m bench.backfill
	$(BIN)/python -m bench.backfill_limits --days $(BACKFILL_DAYS)

## make bench-ingest: the feed job's CSV/JSONL-to-Parquet conversion at 100 MB, 1 GB and 3 GB vs pyarrow's own path and pandas (MB/s, peak memory),
## then a 5 GB PostgreSQL table through the python engine and the spark engine with 1 and 2 local executors.
bench-ingest: venv
	$(BIN)/python -m bench.ingest
	nice -n 10 $(BIN)/python -m bench.ingest_spark

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

## make compose-smoke: docker-compose.yaml run for real in a Docker engine of its own, the public images stood in for by local builds (as root; not part of make test).
compose-smoke: venv
	bash tools/compose_smoke/run.sh

## make bundle: what MWAA installs, in dist/mwaa/ (plugins.zip, dags/ with include/, requirements.txt, startup.sh),
## and what the feeds' Glue jobs run, in dist/glue/ (feed_ingest.py, feed_job.zip).
bundle: venv
	$(BIN)/python tools/bundle.py --out dist/mwaa

lock:
	$(UV) pip compile --quiet --python 3.11 requirements-dev.in -o requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
