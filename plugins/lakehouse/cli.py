"""`lakehouse` / `python -m lakehouse`: validate the config, list the DAGs, print the schema.

Imports neither Airflow nor boto3: it answers in well under a second on a laptop or in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from lakehouse.config import load_config
from lakehouse.plan import plan_environment
from lakehouse.plan.assets import results_asset
from lakehouse.plan.feeds import plan_feeds
from lakehouse.plan.inventory import environment_dag_ids
from lakehouse.plan.pools import environment_pools
from lakehouse.schema import schemas, write_schemas
from lakehouse.scoring import plan_scoring

DEFAULT_CONFIG_DIR = Path("include/config")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    code: int = args.handler(args)
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lakehouse", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check flows.yaml and environments.yaml")
    validate.add_argument("config_dir", nargs="?", type=Path, default=DEFAULT_CONFIG_DIR)
    validate.add_argument("--env", help="also require this environment to be defined and valid")
    validate.set_defaults(handler=_validate)

    dags = commands.add_parser("dags", help="list the DAGs an environment would get")
    dags.add_argument("config_dir", nargs="?", type=Path, default=DEFAULT_CONFIG_DIR)
    dags.add_argument("--env", required=True)
    dags.add_argument("--json", action="store_true", help="machine-readable output")
    dags.set_defaults(handler=_dags)

    pools = commands.add_parser(
        "pools", help="the Airflow pools an environment needs (JSON for `airflow pools import`)"
    )
    pools.add_argument("config_dir", nargs="?", type=Path, default=DEFAULT_CONFIG_DIR)
    pools.add_argument("--env", required=True)
    pools.set_defaults(handler=_pools)

    schema = commands.add_parser("schema", help="print the JSON Schema of the config files")
    schema.add_argument("--write", type=Path, metavar="DIR", help="write *.schema.json into DIR")
    schema.set_defaults(handler=_schema)
    return parser


def _pools(args: argparse.Namespace) -> int:
    """Every pool the environment's DAGs use, as `airflow pools import` reads them."""
    config = load_config(args.config_dir)
    environment = config.environments.get(args.env)
    if environment is None:
        print(f"environment '{args.env}' is not defined or not valid", file=sys.stderr)
        return 1
    print(json.dumps({p.name: p.as_import() for p in environment_pools(environment)}, indent=2))
    return 0


def _validate(args: argparse.Namespace) -> int:
    config = load_config(args.config_dir)
    problems = list(config.error().problems)
    if (
        args.env
        and args.env not in config.environments
        and not any(p.where.startswith(f"environments[{args.env}]") for p in problems)
    ):
        print(
            f"{args.config_dir / 'environments.yaml'}:1: environments[{args.env}]: not defined",
            file=sys.stderr,
        )
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    envs = [args.env] if args.env else sorted(config.environments)
    counts = ", ".join(
        f"{env}: {len(config.flows_for(env))} flows, {len(config.feeds_for(env))} feeds" for env in envs
    )
    print(f"{args.config_dir}: valid ({counts})")
    return 0


def _dags(args: argparse.Namespace) -> int:
    config = load_config(args.config_dir)
    for problem in config.error().problems:
        print(problem, file=sys.stderr)
    if args.env not in config.environments:
        print(f"environment '{args.env}' is not defined or not valid", file=sys.stderr)
        return 1
    plans = plan_environment(config, args.env)
    feeds = plan_feeds(config, args.env)
    scoring = plan_scoring(config, args.env)
    if args.json:
        rows = [
            {
                "dag_id": p.dag_id,
                "schedule": p.schedule.expression,
                "airflow_schedule": p.schedule.describe,
                "trigger": p.flow.trigger,
                "profiles": [q.profile for q in p.profiles],
                "tasks": [f"{q.group_id}.{task}" for q in p.profiles for task, _ in p.tasks],
            }
            for p in plans
        ]
        rows += [
            {
                "dag_id": f.dag_id,
                "schedule": f.schedule.expression,
                "airflow_schedule": f.schedule.describe,
                "glue_job": f.glue_job,
                "table": f.asset_name,
                "tasks": [task for task, _ in f.tasks],
            }
            for f in feeds
        ]
        if scoring is not None:
            rows.append(
                {
                    "dag_id": scoring.dag_id,
                    "schedule": f"asset:{scoring.source_asset.name}",
                    "reads": scoring.view,
                    "writes": f"s3://{scoring.results_bucket}/{scoring.results_key}",
                    "tasks": ["score_accounts"],
                }
            )
        print(json.dumps(rows, indent=2))
    else:
        for plan in plans:
            when = f"{plan.schedule.expression} -> {plan.schedule.describe}"
            if plan.flow.trigger == "results":
                when += "; and when its results Asset is updated: " + ", ".join(
                    results_asset(p).name for p in plan.profiles
                )
            print(f"{plan.dag_id}  [{when}]")
            for profile in plan.profiles:
                print(f"  {profile.group_id}  ({profile.appflow_flow} -> {profile.location})")
                print("    " + " >> ".join(task for task, _ in plan.tasks))
        for feed in feeds:
            print(f"{feed.dag_id}  [{feed.schedule.expression} -> {feed.schedule.describe}]")
            print(f"  Glue job {feed.glue_job} -> {feed.location} ({feed.asset_name})")
            print("    " + " >> ".join(task for task, _ in feed.tasks))
        if scoring is not None:
            print(f"{scoring.dag_id}  [when {scoring.source_asset.name} is updated] (example)")
            print(f"  {scoring.view} -> s3://{scoring.results_bucket}/{scoring.results_key}")
        print(f"{len(environment_dag_ids(config, args.env))} DAG(s) for environment '{args.env}'")
    return 1 if config.problems else 0


def _schema(args: argparse.Namespace) -> int:
    if args.write:
        for path in write_schemas(args.write):
            print(path)
    else:
        print(json.dumps(schemas(), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
