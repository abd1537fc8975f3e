"""The MWAA bundle (tools/bundle.py, `make bundle`): contents, determinism, and that it works unpacked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import warnings
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from tools.bundle import AIRFLOW_VERSION, CONSTRAINT_LINE, MWAA_PYTHON, ZIP_DATE, build

DEV_DAGS = [
    "ml_scoring__account",
    "onprem_feed__crm_territories",
    "onprem_feed__hcp_registry",
    "onprem_feed__sales_targets",
    "sfdc_ingest__account",
    "sfdc_ingest__contact",
    "sfdc_ingest__opportunity_dev",
    "sfdc_reconcile__account",
    "sfdc_reconcile__contact",
    "sfdc_upsert__custom_salesforce_object",
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("bundle") / "mwaa")


def test_plugins_zip_holds_the_library_at_its_root_and_nothing_else(bundle: Path) -> None:
    names = zipfile.ZipFile(bundle / "plugins.zip").namelist()
    assert "lakehouse/__init__.py" in names
    assert "lakehouse/airflow/dagfile.py" in names
    assert "lakehouse/paths.py" in names
    assert ".airflowignore" in names
    assert "lakehouse_plugin.py" in names  # the Airflow plugin: the priority weight strategy
    assert all(
        n.startswith("lakehouse/") for n in names if n not in {".airflowignore", "lakehouse_plugin.py"}
    )
    for part in ("tests/", "sandbox/", "bench/", "__pycache__", ".egg-info", ".pyc"):
        assert not [n for n in names if part in n], part
    ignore = zipfile.ZipFile(bundle / "plugins.zip").read(".airflowignore")
    assert ignore == (REPO / "plugins" / ".airflowignore").read_bytes()


def test_plugins_zip_is_deterministic(bundle: Path, tmp_path: Path) -> None:
    again = build(tmp_path / "again")
    assert (again / "plugins.zip").read_bytes() == (bundle / "plugins.zip").read_bytes()
    infos = zipfile.ZipFile(bundle / "plugins.zip").infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {ZIP_DATE}


def test_requirements_start_with_the_constraints_of_the_pinned_airflow(bundle: Path) -> None:
    first, rest = (bundle / "requirements.txt").read_text().split("\n", 1)
    assert first == (
        '--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-3.3.1/constraints-3.12.txt"'
    )
    assert rest == (REPO / "requirements.txt").read_text()


def test_dags_folder_holds_the_dag_files_and_include(bundle: Path) -> None:
    dags = bundle / "dags"
    assert sorted(p.name for p in dags.glob("*.py")) == sorted(p.name for p in (REPO / "dags").glob("*.py"))
    assert (dags / "include" / "config" / "flows.yaml").read_bytes() == (
        REPO / "include" / "config" / "flows.yaml"
    ).read_bytes()
    assert (dags / "include" / "sql" / "current_state_view.sql").is_file()
    assert not list(dags.rglob("__pycache__"))


def test_startup_script_is_posix_sh_and_maps_the_airflow_option(bundle: Path) -> None:
    script = bundle / "startup.sh"
    subprocess.run(["sh", "-n", str(script)], check=True)
    out = subprocess.run(
        ["sh", "-c", f'. "{script}" >/dev/null; printf %s "$LAKEHOUSE_ENV"'],
        env={"PATH": "/usr/bin:/bin", "AIRFLOW__LAKEHOUSE__ENV": "prod"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout == "prod"


# MWAA's layout: plugins.zip unzipped into $AIRFLOW_HOME/plugins, the DAGs folder in $AIRFLOW_HOME/dags.
# The repository's own folders (plugins/ via the editable install's .pth, the root) are taken off
# sys.path; the virtualenv's site-packages (Airflow) stays, as MWAA's does.
PROBE = textwrap.dedent(
    """
    import json, os, sys
    repo, plugins, dags = sys.argv[1:4]
    ours = (repo, os.path.join(repo, "plugins"), os.path.join(repo, "dags"))
    sys.path[:] = [plugins] + [p for p in sys.path if p and os.path.abspath(p) not in ours]
    for finder in list(sys.meta_path):
        if "editable" in type(finder).__module__.lower():
            sys.meta_path.remove(finder)
    from airflow import plugins_manager
    plugin_errors = plugins_manager.get_import_errors()
    loaded_by_plugins = sorted(
        name for name, mod in list(sys.modules.items())
        if (getattr(mod, "__file__", None) or "").startswith(plugins)
    )
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dags)
    import lakehouse, lakehouse.paths
    print(json.dumps({
        "lakehouse": lakehouse.__file__,
        "paths": lakehouse.paths.__file__,
        "repo_on_path": [p for p in sys.path if p and os.path.abspath(p) in ours],
        "plugin_errors": plugin_errors,
        "loaded_by_plugins": loaded_by_plugins,
        "import_errors": {k: v[-2000:] for k, v in bag.import_errors.items()},
        "dags": sorted(bag.dags),
        "python": "%d.%d" % sys.version_info[:2],
    }))
    """
)


def _requirements_without_constraint(bundle: Path) -> list[str]:
    """The bundle's requirements with Airflow pinned in place of the --constraint line, whose URL
    (raw.githubusercontent.com) is not reachable here: pinning apache-airflow==3.3.1 still checks
    that nothing we add fights Airflow's own requirements."""
    lines = (bundle / "requirements.txt").read_text().splitlines()
    assert lines[0] == CONSTRAINT_LINE
    return [f"apache-airflow=={AIRFLOW_VERSION}", *lines[1:]]


def _interpreter_of(version: str) -> str | None:
    """Python `version` ("3.12") on this machine: on PATH, or one of pyenv's (its shims only run
    the selected version, and uv, which would otherwise download one, has no network here)."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    name = f"python{version}"
    candidates = [shutil.which(name), *sorted(map(str, pyenv.glob(f"versions/*/bin/{name}")))]
    check = f"import sys; sys.exit('%d.%d' % sys.version_info[:2] != {version!r})"
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", check], capture_output=True, timeout=30).returncode == 0:
            return candidate
    return None


@pytest.fixture(scope="module")
def mwaa_python(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A clean virtualenv holding only what MWAA would install from the bundle's requirements.txt,
    on MWAA's Python (3.12) where this machine has it.

    Not the development venv: a package the DAGs need at run time but the bundle forgets (or one
    that only the dev lock pulls in) makes the import below fail, as it would on MWAA.
    """
    python, version = _interpreter_of(MWAA_PYTHON), MWAA_PYTHON
    if python is None:
        python, version = sys.executable, f"{sys.version_info[0]}.{sys.version_info[1]}"
        warnings.warn(
            f"no Python {MWAA_PYTHON} (MWAA's) on this machine: the bundle's DAGs are imported under {version}",
            stacklevel=1,
        )
    root = tmp_path_factory.mktemp("mwaa-venv")
    request = root / "requirements.in"
    request.write_text("\n".join(_requirements_without_constraint(bundle)) + "\n")
    venv = root / "venv"
    uv = ["python3", "-m", "uv"]  # where the Makefile installs uv
    for command in (
        [*uv, "venv", "--quiet", "--python", python, str(venv)],
        [*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "-r", str(request)],
    ):
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-4000:]
    return venv / "bin" / "python", version


@pytest.mark.airflow
def test_dags_import_from_the_unpacked_bundle_in_a_clean_venv(
    bundle: Path, mwaa_python: tuple[Path, str], tmp_path: Path
) -> None:
    home = tmp_path / "airflow"
    plugins, dags = home / "plugins", home / "dags"
    zipfile.ZipFile(bundle / "plugins.zip").extractall(plugins)
    shutil.copytree(bundle / "dags", dags)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "AIRFLOW__LAKEHOUSE__ENV": "dev",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    result = subprocess.run(
        [str(mwaa_python[0]), "-c", PROBE, str(REPO), str(plugins), str(dags)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["lakehouse"].startswith(str(plugins) + "/")
    assert report["paths"].startswith(str(plugins) + "/")
    assert report["repo_on_path"] == []
    assert report["plugin_errors"] == {}
    # .airflowignore: the plugin loader imported only lakehouse_plugin.py, the Airflow plugin, and
    # what it imports (the priority weight strategy), not the library's other modules
    assert report["loaded_by_plugins"] == [
        "lakehouse",
        "lakehouse.airflow",
        "lakehouse.airflow.plugin",
        "lakehouse.airflow.priority",
        "lakehouse_plugin",
    ]
    assert report["import_errors"] == {}
    assert report["dags"] == DEV_DAGS
    assert report["python"] == mwaa_python[1]


def test_bundle_requirements_resolve_with_the_pinned_airflow(bundle: Path, tmp_path: Path) -> None:
    """Resolve for MWAA's Python 3.12 whatever Python this machine has (the install above is on
    3.12 only where the machine has it)."""
    uv = shutil.which("python3")
    assert uv is not None
    request = tmp_path / "mwaa-requirements.in"
    request.write_text("\n".join(_requirements_without_constraint(bundle)) + "\n")
    result = subprocess.run(
        [uv, "-m", "uv", "pip", "compile", "--python-version", "3.12", "--no-header", str(request)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "apache-airflow==3.3.1" in result.stdout
    assert "awswrangler==3.17.1" in result.stdout
