"""`python -m sandbox.airflow_local`: sandbox, provisioning, metadata DB, then the four components.

Runs in the foreground until Ctrl-C (SIGINT) or SIGTERM, or until a component dies; then stops
everything it started (a sandbox that was already running is left alone) and exits.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from lakehouse.config import load_config
from lakehouse.plan.pools import environment_pools
from sandbox.airflow_local.aws_sandbox import ensure_sandbox
from sandbox.airflow_local.components import STOP_STAGE, components, import_pools, migrate
from sandbox.airflow_local.metadata_db import start_metadata_db
from sandbox.airflow_local.processes import Supervisor
from sandbox.airflow_local.provisioning import provision
from sandbox.airflow_local.readiness import wait_until_answers
from sandbox.airflow_local.settings import (
    LOGIN_PASSWORD,
    LOGIN_USER,
    REGION,
    LocalAirflow,
    airflow_env,
    python_path,
    write_login,
)

REPO = Path(__file__).resolve().parents[2]
PIDS_FILE = "airflow-local.pids"  # JSON {"running": {name: pid}, "started": {name: pid}}
HEALTH_PATH = "/api/v2/monitor/health"


@dataclass(frozen=True)
class Options:
    home: Path
    api_port: int
    sandbox_port: int
    sandbox_state_dir: Path
    config_dir: Path
    env: str
    parallelism: int
    ready_timeout: float


def free_port() -> int:
    """A port free on 127.0.0.1 now (for tests: another process could take it before Airflow does)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the stack the same way Ctrl-C does


def _base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("AWS_PROFILE", None)
    env.update(
        {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}
    )
    env["PYTHONPATH"] = python_path(REPO, env.get("PYTHONPATH", ""))
    return env


def _start(options: Options, supervisor: Supervisor) -> LocalAirflow:
    base = _base_env()
    endpoint, started = ensure_sandbox(
        supervisor, options.sandbox_state_dir, options.sandbox_port, base, REPO
    )
    supervisor.say("launcher", f"sandbox {'started' if started else 'already running'} at {endpoint}")
    provision(supervisor, endpoint, options.config_dir, options.env, base, REPO)
    database_url = start_metadata_db(supervisor, options.home, free_port(), base)
    local = LocalAirflow(
        repo=REPO,
        home=options.home,
        endpoint_url=endpoint,
        database_url=database_url,
        api_port=options.api_port,
        lakehouse_env=options.env,
        parallelism=options.parallelism,
    )
    write_login(local.home)
    env = airflow_env(local, base)
    if env["AIRFLOW__CORE__PLUGINS_FOLDER"] != str(REPO / "plugins"):
        supervisor.say(
            "launcher", "plugins/ has no .airflowignore: plugins folder = an empty dir (settings.py)"
        )
    if supervisor.run("db-migrate", migrate(), env, REPO, timeout=300.0) != 0:
        raise RuntimeError("airflow db migrate failed; see its output above")
    pools_file = write_pools(options.config_dir, options.env, options.home)
    if supervisor.run("pools", import_pools(str(pools_file)), env, REPO, timeout=120.0) != 0:
        raise RuntimeError("airflow pools import failed; see its output above")
    for name, argv in components(local).items():
        supervisor.start(name, argv, env, REPO, stop_stage=STOP_STAGE.get(name, 0))
    if not wait_until_answers(
        local.api_url + HEALTH_PATH, options.ready_timeout, lambda: supervisor.crashed() is None
    ):
        raise RuntimeError(
            f"no answer from the api-server on {local.api_url} in {options.ready_timeout:.0f} s"
        )
    return local


def write_pools(config_dir: Path, env_name: str, home: Path) -> Path:
    """The environment's pools (`lakehouse pools`), as the deployment creates them on MWAA."""
    config = load_config(config_dir)
    environment = config.environments.get(env_name)
    pools = environment_pools(environment) if environment is not None else []
    path = home / "pools.json"
    path.write_text(json.dumps({pool.name: pool.as_import() for pool in pools}, indent=2) + "\n")
    return path


def _banner(local: LocalAirflow) -> str:
    return "\n".join(
        [
            "",
            f"Airflow UI:  {local.api_url}   login: {LOGIN_USER} / {LOGIN_PASSWORD}",
            f"REST API:    {local.api_url}/api/v2   (token: POST {local.api_url}/auth/token)",
            f"AWS sandbox: {local.endpoint_url}   AIRFLOW_HOME: {local.home}",
            "Ctrl-C stops everything started here.",
            "",
        ]
    )


def run(options: Options) -> int:
    options.home.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(pid_file=options.home / PIDS_FILE)
    signal.signal(signal.SIGINT, _interrupt)  # also when started with SIGINT ignored (`cmd &` in a script)
    signal.signal(signal.SIGTERM, _interrupt)
    code = 0
    try:
        local = _start(options, supervisor)
        supervisor.say("launcher", _banner(local))
        while (crashed := supervisor.crashed()) is None:
            time.sleep(0.5)
        supervisor.say("launcher", f"{crashed.name} exited with {crashed.process.returncode}: stopping")
        code = 1
    except KeyboardInterrupt:
        supervisor.say("launcher", "interrupted")
    except RuntimeError as error:  # PostgresError included
        supervisor.say("launcher", str(error))
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.say("launcher", "stopping every process started here")
        supervisor.stop_all()
        supervisor.say("launcher", "stopped")
    return code


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.airflow_local", description="Airflow 3 on 127.0.0.1 against the AWS sandbox"
    )
    parser.add_argument("--home", type=Path, default=REPO / ".airflow", help="AIRFLOW_HOME")
    parser.add_argument("--api-port", type=int, default=8080, help="0: a free port")
    parser.add_argument("--sandbox-port", type=int, default=4566, help="0: a free port")
    parser.add_argument("--sandbox-state-dir", type=Path, default=REPO / ".sandbox")
    parser.add_argument(
        "--config-dir",
        type=Path,
        default=Path(os.environ["LAKEHOUSE_INCLUDE_DIR"]) / "config"
        if os.environ.get("LAKEHOUSE_INCLUDE_DIR")
        else REPO / "include" / "config",
        help="what provisioning and the pools read (LAKEHOUSE_INCLUDE_DIR/config, else include/config)",
    )
    parser.add_argument("--env", default=os.environ.get("LAKEHOUSE_ENV", "dev"))
    parser.add_argument("--parallelism", type=int, default=4, help="AIRFLOW__CORE__PARALLELISM")
    parser.add_argument("--ready-timeout", type=float, default=120.0, help="seconds to wait for the API")
    args = parser.parse_args(argv)
    return Options(
        home=args.home.resolve(),
        api_port=args.api_port or free_port(),
        sandbox_port=args.sandbox_port,
        sandbox_state_dir=args.sandbox_state_dir.resolve(),
        config_dir=args.config_dir.resolve(),
        env=args.env,
        parallelism=args.parallelism,
        ready_timeout=args.ready_timeout,
    )
