"""Create or resize an environment's Airflow pools on MWAA: `python tools/mwaa_pools.py --env dev
--environment-name gtm-lakehouse-dev [--region eu-west-1]` (Terraform runs it: infra/modules/mwaa).

The pools are `lakehouse pools` (one per Salesforce org, sized by environments.yaml
`salesforce_limits`). They live in the environment's metadata database, which only Airflow reaches,
so they go through MWAA's InvokeRestApi (the Airflow REST API behind IAM: `airflow:InvokeRestApi`
and a role that may edit pools): PATCH /pools/{name}, and POST /pools where it does not exist yet.
A pool left out of the config is kept (a DAG may still use it). Why not startup.sh: it runs before
each component starts, on every worker too, with no metadata database to write to on Airflow 3.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def pools(config_dir: Path, env: str) -> dict[str, dict[str, Any]]:
    """What `lakehouse pools` prints: {name: {slots, description, include_deferred}}."""
    done = subprocess.run(  # noqa: S603 (our own CLI, with this interpreter)
        [sys.executable, "-m", "lakehouse", "pools", str(config_dir), "--env", env],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO / "plugins")},
    )
    result: dict[str, dict[str, Any]] = json.loads(done.stdout)
    return result


def apply(client: Any, environment_name: str, wanted: dict[str, dict[str, Any]]) -> list[str]:
    """PATCH each pool, POST the ones MWAA reports missing (404); returns what was done."""
    done = []
    for name, body in sorted(wanted.items()):
        try:
            # Airflow 3 validates a PATCHed pool whole: name, slots and include_deferred
            client.invoke_rest_api(
                Name=environment_name, Path=f"/pools/{name}", Method="PATCH", Body={"name": name, **body}
            )
            done.append(f"updated {name}: {body['slots']} slots")
        except client.exceptions.RestApiClientException as error:
            if error.response.get("RestApiStatusCode") != 404:
                raise
            client.invoke_rest_api(
                Name=environment_name, Path="/pools", Method="POST", Body={"name": name, **body}
            )
            done.append(f"created {name}: {body['slots']} slots")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", required=True)
    parser.add_argument("--environment-name", required=True, help="the MWAA environment")
    parser.add_argument("--region")
    parser.add_argument("--config-dir", type=Path, default=REPO / "include" / "config")
    args = parser.parse_args(argv)
    import boto3

    client = boto3.client("mwaa", region_name=args.region)
    for line in apply(client, args.environment_name, pools(args.config_dir, args.env)):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
