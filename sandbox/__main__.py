"""`python -m sandbox up [--port 4566] [--state-dir DIR]` runs the sandbox in the foreground;
`python -m sandbox down [--state-dir DIR]` stops the one started with that state dir.

`up` writes `sandbox.pid` (and `endpoint`) in the state dir; `down` sends SIGINT to that pid and
waits for the process to end (SIGINT, not SIGTERM: the server closes its services on it).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from sandbox.provision import provision
from sandbox.server import HOST, Sandbox

DEFAULT_STATE_DIR = ".sandbox"
PID_FILE = "sandbox.pid"
ENDPOINT_FILE = "endpoint"


def _env_lines(endpoint: str) -> list[str]:
    return [
        f"export AWS_ENDPOINT_URL={endpoint}",
        "export AWS_ACCESS_KEY_ID=testing",
        "export AWS_SECRET_ACCESS_KEY=testing",
        "export AWS_DEFAULT_REGION=eu-west-1",
    ]


def up(port: int, state_dir: Path, host: str = HOST) -> int:
    pid_file = state_dir / PID_FILE
    if pid_file.exists() and _alive(int(pid_file.read_text().strip() or 0)):
        print(
            f"a sandbox is already running (pid {pid_file.read_text().strip()}); run `python -m sandbox down`"
        )
        return 1
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    sandbox = Sandbox(port=port, state_dir=state_dir, preload=True, host=host).start()
    try:
        pid_file.write_text(f"{os.getpid()}\n")
        (state_dir / ENDPOINT_FILE).write_text(sandbox.endpoint_url + "\n")
        print(f"sandbox listening on {sandbox.endpoint_url} (pid {os.getpid()}, state in {state_dir})")
        print("\n".join(_env_lines(sandbox.endpoint_url)), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        print("sandbox stopping", flush=True)
        sandbox.stop()
        pid_file.unlink(missing_ok=True)
        (state_dir / ENDPOINT_FILE).unlink(missing_ok=True)
    return 0


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """An ended process its parent has not reaped yet (e.g. a test's Popen) still answers kill(0)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] == "Z"


def down(state_dir: Path, timeout: float = 15.0) -> int:
    pid_file = state_dir / PID_FILE
    if not pid_file.exists():
        print(f"no sandbox running ({pid_file} does not exist)")
        return 0
    pid = int(pid_file.read_text().strip() or 0)
    if not _alive(pid):
        print(f"sandbox pid {pid} is not running; removing {pid_file}")
        pid_file.unlink(missing_ok=True)
        return 0
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        print(f"sandbox pid {pid} did not stop within {timeout:.0f} s", file=sys.stderr)
        return 1
    pid_file.unlink(missing_ok=True)
    print(f"sandbox pid {pid} stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Local AWS sandbox on 127.0.0.1")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="run the sandbox in the foreground")
    start.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "4566")))
    start.add_argument("--state-dir", type=Path, default=Path(DEFAULT_STATE_DIR))
    start.add_argument("--verbose", action="store_true", help="log every request")
    start.add_argument(
        "--host", default=HOST, help="address to bind (default 127.0.0.1; 0.0.0.0 only inside a container)"
    )
    stop = commands.add_parser("down", help="stop the sandbox started with this state dir")
    stop.add_argument("--state-dir", type=Path, default=Path(DEFAULT_STATE_DIR))
    prepare = commands.add_parser("provision", help="create what Terraform creates, for one environment")
    prepare.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))
    prepare.add_argument("--config-dir", type=Path, default=Path("include/config"))
    prepare.add_argument("--env", default="dev")
    args = parser.parse_args(argv)
    if args.command == "provision":
        done = provision(args.endpoint, args.config_dir, args.env)
        print(
            f"provisioned {args.env} at {args.endpoint}: {len(done.buckets)} buckets, "
            f"{len(done.connector_profiles)} connector profiles, {len(done.flows)} flows, "
            f"{len(done.glue_databases)} Glue databases, {len(done.feed_jobs)} feed Glue jobs"
        )
        return 0
    if args.command == "up":
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(name)s %(message)s"
        )
        logging.getLogger("botocore").setLevel(logging.WARNING)
        args.state_dir.mkdir(parents=True, exist_ok=True)
        return up(args.port, args.state_dir, args.host)
    return down(args.state_dir)


if __name__ == "__main__":
    sys.exit(main())
