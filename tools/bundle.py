"""Build the MWAA bundle: `python tools/bundle.py [--out dist/mwaa]` (what `make bundle` runs).

Why a separate script, outside `plugins/`: it packages the library, so it must not be part of it
(it would otherwise land in plugins.zip), and it needs nothing but the standard library.

MWAA gives workers only the DAGs folder and plugins.zip, so the bundle is:

- `plugins.zip`: the `lakehouse` package at the zip root plus `.airflowignore` and
  `lakehouse_plugin.py`. MWAA unzips it into `$AIRFLOW_HOME/plugins`, which Airflow puts on
  `sys.path`, so `import lakehouse` works; the `.airflowignore` keeps Airflow's plugin loader from
  importing the library's modules as plugins, and `lakehouse_plugin.py` is the one module it does
  import: the Airflow plugin that registers the priority weight strategy (MWAA installs no entry
  points from plugins.zip).
- `dags/`: the DAG files plus `dags/include/` (config and SQL), where `lakehouse.paths` looks first.
- `requirements.txt`: Airflow's constraints line for the pinned Airflow and Python, then the
  project's `requirements.txt` unchanged.
- `startup.sh`: run by MWAA before each component starts (see STARTUP_SH).

Beside it, in `dist/glue/`, what the feeds' Glue jobs run: `feed_ingest.py` (the entry script) and
`feed_job.zip` (the `feed_job` package at the zip root), which Terraform uploads and passes as
`--extra-py-files`; Glue puts the zip on the driver's and executors' path.

Every output is deterministic (sorted zip entries, fixed timestamps and modes): an unchanged tree
gives byte-identical objects, so S3 object versions do not change and MWAA does not restart.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AIRFLOW_VERSION = "3.3.1"
MWAA_PYTHON = "3.12"
CONSTRAINT_LINE = (
    f'--constraint "https://raw.githubusercontent.com/apache/airflow/'
    f'constraints-{AIRFLOW_VERSION}/constraints-{MWAA_PYTHON}.txt"'
)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The earliest timestamp a zip entry can hold: fixed, so the archive depends on content only."""
SKIPPED_DIRS = {"__pycache__"}
PLUGIN_MODULE = "lakehouse_plugin.py"
SKIPPED_SUFFIXES = {".pyc", ".pyo"}

STARTUP_SH = """\
#!/bin/sh
# MWAA runs this before the scheduler, DAG processor, workers and API server start; what it exports
# reaches them. The environment to generate DAGs for comes from the Airflow configuration option
# `lakehouse.env` (MWAA exposes it as AIRFLOW__LAKEHOUSE__ENV); it is copied to LAKEHOUSE_ENV so
# tasks' subprocesses and `python -m lakehouse` see the same one. Without it the DAGs use `dev`.
if [ -z "${LAKEHOUSE_ENV:-}" ] && [ -n "${AIRFLOW__LAKEHOUSE__ENV:-}" ]; then
    export LAKEHOUSE_ENV="$AIRFLOW__LAKEHOUSE__ENV"
fi
echo "lakehouse startup: LAKEHOUSE_ENV=${LAKEHOUSE_ENV:-<unset, DAGs use dev>}"
"""


def _files(root: Path) -> Iterator[Path]:
    """Files under root, sorted, without byte-code caches."""
    for path in sorted(root.rglob("*")):
        skipped = SKIPPED_DIRS.intersection(path.relative_to(root).parts) or path.suffix in SKIPPED_SUFFIXES
        if path.is_file() and not skipped:
            yield path


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
    info.create_system = 3  # Unix, so the mode above is honoured whatever the build OS
    archive.writestr(info, data, compresslevel=9)


def build_plugins_zip(target: Path, plugins: Path) -> None:
    package = plugins / "lakehouse"
    entries = {f"lakehouse/{p.relative_to(package).as_posix()}": p for p in _files(package)}
    entries[".airflowignore"] = plugins / ".airflowignore"
    entries[PLUGIN_MODULE] = plugins / PLUGIN_MODULE
    with zipfile.ZipFile(target, "w") as archive:
        for name in sorted(entries):
            _add(archive, name, entries[name].read_bytes())


def build_feed_job_zip(target: Path, jobs: Path = REPO / "jobs") -> Path:
    """The feed job's package as Glue's `--extra-py-files` takes it: `feed_job/...` at the zip root."""
    package = jobs / "feed_job"
    entries = {f"feed_job/{p.relative_to(package).as_posix()}": p for p in _files(package)}
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as archive:
        for name in sorted(entries):
            _add(archive, name, entries[name].read_bytes())
    return target


def build_glue(out: Path, repo: Path = REPO) -> Path:
    """`out/feed_ingest.py` and `out/feed_job.zip`: the feed jobs' script and package."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(repo / "jobs" / "feed_ingest.py", out / "feed_ingest.py")
    build_feed_job_zip(out / "feed_job.zip", repo / "jobs")
    return out


def build_requirements(target: Path, requirements: Path) -> None:
    target.write_text(f"{CONSTRAINT_LINE}\n{requirements.read_text()}")


def _copy_tree(source: Path, target: Path) -> None:
    for path in _files(source):
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def build_dags(target: Path, dags: Path, include: Path) -> None:
    target.mkdir(parents=True)
    for path in _files(dags):
        if path.parent == dags and path.suffix == ".py":
            shutil.copyfile(path, target / path.name)
    for part in ("config", "sql"):
        _copy_tree(include / part, target / "include" / part)


def build(out: Path, repo: Path = REPO) -> Path:
    """Write the bundle into `out` (its previous bundle files are replaced) and return `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("plugins.zip", "requirements.txt", "startup.sh"):
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / "dags", ignore_errors=True)
    build_plugins_zip(out / "plugins.zip", repo / "plugins")
    build_requirements(out / "requirements.txt", repo / "requirements.txt")
    (out / "startup.sh").write_text(STARTUP_SH)
    (out / "startup.sh").chmod(0o755)
    build_dags(out / "dags", repo / "dags", repo / "include")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the MWAA bundle (plugins.zip, dags/, ...).")
    parser.add_argument("--out", type=Path, default=REPO / "dist" / "mwaa")
    parser.add_argument("--glue-out", type=Path, default=REPO / "dist" / "glue")
    args = parser.parse_args(argv)
    for out in (build(args.out), build_glue(args.glue_out)):
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            print(out.name + "/" + path.relative_to(out).as_posix())
    return 0


if __name__ == "__main__":
    sys.exit(main())
