"""checkov scans infra/ and reports no failed check.

checkov runs from a virtualenv of its own (.cache/checkov-venv, gitignored): its fork of hcl2
clashes with python-hcl2, which the other infra tests use. The venv is created on first use with
uv (needs the package registry); later runs reuse it. Measured here: install ~2 s from uv's cache,
scan ~9 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.infra.hcl import INFRA, REPO

CHECKOV_VERSION = "3.3.30"
VENV = REPO / ".cache" / "checkov-venv"
STAMP = VENV / f".installed-checkov-{CHECKOV_VERSION}"


def _bin(name: str) -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def _ensure_checkov() -> Path:
    if STAMP.is_file() and _bin("checkov").is_file():
        return _bin("checkov")
    uv = [sys.executable, "-m", "uv"]
    if subprocess.run([*uv, "--version"], capture_output=True, check=False).returncode != 0:
        uv = ["uv"]
    VENV.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([*uv, "venv", "--quiet", "--allow-existing", str(VENV)], check=True, timeout=120)
    subprocess.run(
        [*uv, "pip", "install", "--quiet", "--python", str(_bin("python")), f"checkov=={CHECKOV_VERSION}"],
        check=True,
        timeout=600,
    )
    STAMP.touch()
    return _bin("checkov")


@pytest.fixture(scope="module")
def checkov_report() -> list[dict[str, Any]]:
    checkov = _ensure_checkov()
    result = subprocess.run(
        [
            str(checkov),
            "-d",
            str(INFRA),
            "--framework",
            "terraform",
            "--quiet",
            "--compact",
            "--skip-download",  # offline: no guideline links or platform policies
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    assert result.returncode in (0, 1), f"checkov crashed ({result.returncode}):\n{result.stderr[-3000:]}"
    report = json.loads(result.stdout)
    return report if isinstance(report, list) else [report]


def test_checkov_finds_no_failed_check(checkov_report: list[dict[str, Any]]) -> None:
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
        for report in checkov_report
        for c in report.get("results", {}).get("failed_checks", [])
    ]
    assert not failed, "\n".join(failed)


def test_checkov_scanned_the_modules(checkov_report: list[dict[str, Any]]) -> None:
    summary = next(r["summary"] for r in checkov_report if r.get("check_type") == "terraform")
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] >= 40
    assert summary["passed"] > 100
