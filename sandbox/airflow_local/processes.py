"""Start the stack's processes and stop every one of them, children included.

Each component runs in its own session (process group), so a Ctrl-C at the terminal reaches only
the launcher, which then stops the components: SIGINT to each component's main process (Airflow and
the sandbox shut down cleanly on it and stop their own children; SIGTERM leaves Airflow's children
behind), then SIGTERM and SIGKILL to whatever is left in its group after the grace period.
Output is prefixed with the component's name.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    reader: threading.Thread
    stop_stage: int = 0  # stopped after every child of a lower stage has ended

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs. A zombie does not count: it has ended and waits
    to be reaped, and an orphan's zombie (the scheduler's forkserver, once the scheduler is gone)
    waits for PID 1, which some container inits never get to; it would cost every stop the
    escalation's 12 s."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: a zombie counts as alive, the escalation ends it anyway
        return True
    return any(_live_member(int(entry.name), pgid) for entry in proc.iterdir() if entry.name.isdigit())


def proc_stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command's closing parenthesis (state, ppid, pgrp, ...), or None
    once the process is gone; the command itself may hold spaces and parentheses."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def _live_member(pid: int, pgid: int) -> bool:
    fields = proc_stat(pid)
    return fields is not None and int(fields[2]) == pgid and fields[0] not in {"Z", "X"}


def _signal_leader(pid: int, signum: int) -> None:
    """SIGINT goes to the component only: it stops its own workers (a scheduler whose LocalExecutor
    workers got the signal too waits for them forever)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


@dataclass
class Supervisor:
    """The children of one launcher; `pid_file` lists them (JSON) so a test can check they are gone."""

    pid_file: Path | None = None
    out: TextIO = field(default_factory=lambda: sys.stdout)
    children: list[Child] = field(default_factory=list)
    started: dict[str, int] = field(default_factory=dict)  # every child ever started, by name
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        cwd: Path,
        stop_stage: int = 0,
        run_as: Mapping[str, Any] | None = None,
    ) -> Child:
        """`run_as`: Popen's user/group arguments, for a server that refuses to run as root."""
        process = subprocess.Popen(  # noqa: S603 (argv built by this package)
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **(run_as or {}),
        )
        reader = threading.Thread(target=self._relay, args=(name, process), name=f"relay-{name}", daemon=True)
        child = Child(name, process, reader, stop_stage)
        reader.start()
        self.children.append(child)
        self.started[name] = process.pid
        self._write_pids()
        return child

    def run(self, name: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float) -> int:
        """Run a one-off step (db migrate, provisioning) to its end; its output is relayed too."""
        child = self.start(name, argv, env, cwd)
        try:
            code = child.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop_one(child, grace=5.0)
            code = -1
        child.reader.join(5.0)
        self.children.remove(child)
        self._write_pids()
        return code

    def crashed(self) -> Child | None:
        return next((child for child in self.children if not child.running()), None)

    def stop_all(self, grace: float = 15.0) -> None:
        """Stop the children stage by stage (the children of one stage together): SIGINT, and after
        `grace` seconds the escalation of `stop_one`.

        Stages matter: a scheduler finishing its running tasks needs the api-server (the Execution
        API) and the sandbox until it has ended, or it retries them forever.
        """
        for stage in sorted({child.stop_stage for child in self.children}):
            members = [child for child in self.children if child.stop_stage == stage]
            for child in members:
                if child.running():
                    _signal_leader(child.pid, signal.SIGINT)
            deadline = time.monotonic() + grace
            for child in members:
                self.stop_one(child, grace=max(0.5, deadline - time.monotonic()), interrupted=True)
        self.children.clear()
        self._write_pids()

    def stop_one(self, child: Child, grace: float, interrupted: bool = False) -> None:
        """SIGINT, then what still runs after `grace`: a second SIGINT to the component (Airflow's
        scheduler waits for its LocalExecutor workers, which ignore SIGINT, until "signalled again"),
        then SIGTERM and SIGKILL to its whole process group."""
        pgid = child.pid  # the leader of its own session: pid == pgid
        if child.running() and not interrupted:
            _signal_leader(pgid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(grace)
        steps = ((signal.SIGINT, _signal_leader, 5.0), (signal.SIGTERM, _signal_group, 5.0))
        for signum, send, wait in (*steps, (signal.SIGKILL, _signal_group, 2.0)):
            if not child.running() and not _group_alive(pgid):
                break
            self.say(child.name, f"still running: sending {signum.name}")
            send(pgid, signum)
            end = time.monotonic() + wait
            while (child.running() or _group_alive(pgid)) and time.monotonic() < end:
                time.sleep(0.1)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(1.0)
        child.reader.join(2.0)

    def _relay(self, name: str, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            self.say(name, raw.decode(errors="replace").rstrip())

    def say(self, name: str, line: str) -> None:
        """Write a prefixed line; once the terminal or pipe is gone (Ctrl-C on `make airflow | tee`),
        drop output instead of raising, so the cleanup still runs and children's pipes keep draining."""
        text = "".join(f"{name:<13}| {part}\n" for part in line.split("\n"))
        with self._lock:
            try:
                self.out.write(text)
                self.out.flush()
            except (OSError, ValueError):
                self.out = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the supervisor)

    def _write_pids(self) -> None:
        if self.pid_file is None:
            return
        running = {child.name: child.pid for child in self.children}
        self.pid_file.write_text(json.dumps({"running": running, "started": self.started}) + "\n")
