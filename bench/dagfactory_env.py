"""The interpreter that runs dag-factory 1.1.0.

dag-factory 1.1.0 resolves against requirements-dev.lock without moving any pin (checked with
`uv pip compile`), so once `dag-factory==1.1.0` is in requirements-dev.in the main venv has it
and is used. Until then a side venv, bench/.venv-dagfactory (gitignored), gets the same lock
plus dag-factory: the same versions of Airflow, the provider and everything else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VERSION = "1.1.0"
SIDE_VENV = REPO / "bench" / ".venv-dagfactory"


def _has_dagfactory(python: Path) -> bool:
    if not python.exists():
        return False
    probe = f"import importlib.metadata as m; assert m.version('dag-factory') == {VERSION!r}"
    return subprocess.run([str(python), "-c", probe], capture_output=True, check=False).returncode == 0


def _uv() -> list[str]:
    """`python3 -m uv` as the Makefile runs it, else a `uv` on PATH."""
    for python in (os.environ.get("PY", "python3"), sys.executable):
        found = shutil.which(python) or python
        if subprocess.run([found, "-m", "uv", "--version"], capture_output=True, check=False).returncode == 0:
            return [found, "-m", "uv"]
    if uv := shutil.which("uv"):
        return [uv]
    raise RuntimeError("uv is needed to create bench/.venv-dagfactory: `python3 -m pip install uv`")


def dagfactory_python() -> tuple[Path, str]:
    """(interpreter, where it comes from). Creates the side venv when the main one lacks it."""
    main = Path(sys.executable)
    if _has_dagfactory(main):
        return main, "main venv"
    python = SIDE_VENV / "bin" / "python"
    if not _has_dagfactory(python):
        uv = _uv()
        print(f"creating {SIDE_VENV.relative_to(REPO)} (requirements-dev.lock + dag-factory=={VERSION})")
        # `--python` everywhere: `python3 -m uv pip install` otherwise targets the interpreter
        # that runs uv, whatever VIRTUAL_ENV says.
        subprocess.run(
            [*uv, "venv", "--quiet", "--allow-existing", "--python", str(main), str(SIDE_VENV)], check=True
        )
        subprocess.run(
            [
                *uv,
                "pip",
                "install",
                "--quiet",
                "--python",
                str(python),
                "-r",
                str(REPO / "requirements-dev.lock"),
                f"dag-factory=={VERSION}",
            ],
            check=True,
        )
        if not _has_dagfactory(python):
            raise RuntimeError(f"dag-factory {VERSION} did not install into {SIDE_VENV}")
    return python, str(SIDE_VENV.relative_to(REPO))
