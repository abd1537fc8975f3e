"""The order in which xdist hands out the suite's files: longest first, by their recorded seconds.

`make test` gives whole files to its workers (--dist loadfile) in collection order
(--no-loadscope-reorder). xdist's own order, most cases first, put the real-scheduler files (a few
long cases each) and the heavy DAG-running files after hundreds of quick ones, and they ended the
run alone. Handing out the longest first (LPT, the classic makespan heuristic, as pytest-split
does with its stored durations) leaves the quick files to fill the gaps at the end.

tests/durations.json holds each file's seconds (setup, call and teardown of its cases) from a
whole run on the 2-core machine: `make test-durations` records them again. A file it does not
know yet is ranked by its cases at DEFAULT_CASE_SECONDS each.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

DURATIONS = Path(__file__).resolve().parent / "durations.json"
DEFAULT_CASE_SECONDS = 1.0
_recorded: defaultdict[str, float] = defaultdict(float)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-file-durations",
        metavar="PATH",
        help="write each test file's seconds (setup + call + teardown) to PATH as JSON at the end",
    )


def file_of(nodeid: str) -> str:
    return nodeid.partition("::")[0]


@pytest.hookimpl(trylast=True)  # after `-m` has deselected what does not run
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files longest first; each file's cases keep their order."""
    known: dict[str, float] = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(file_of(item.nodeid), []).append(item)

    def seconds(name: str) -> float:
        return known.get(name, DEFAULT_CASE_SECONDS * len(files[name]))

    items[:] = [item for name in sorted(files, key=seconds, reverse=True) for item in files[name]]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _recorded[file_of(report.nodeid)] += report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = session.config.getoption("record_file_durations")
    if not target or hasattr(session.config, "workerinput"):  # the controller writes, once
        return
    ordered = {name: round(seconds, 1) for name, seconds in sorted(_recorded.items())}
    Path(target).write_text(json.dumps(ordered, indent=1) + "\n")
