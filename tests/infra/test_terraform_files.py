"""Every .tf parses, every module has its four files, and module calls match module variables."""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
import pytest

from tests.infra.hcl import ENVS, INFRA, MODULES, REPO, parse, tf_files

MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf")
ENV_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf")
MODULE_META_ARGS = {"source", "version", "depends_on", "for_each", "count", "providers"}


def test_there_is_terraform_to_check() -> None:
    assert len(tf_files()) >= 20


@pytest.mark.parametrize("path", tf_files(), ids=lambda p: str(p.relative_to(INFRA)))
def test_every_tf_file_parses(path: Path) -> None:
    with path.open() as handle:
        hcl2.load(handle)


ALL_MODULES = [
    "lake",
    "appflow",
    "catalog",
    "alerting",
    "config",
    "warehouse",
    "kms",
    "network",
    "mwaa",
    "lakeformation",
    "feeds",
    "platform",
]


@pytest.mark.parametrize("module", ALL_MODULES)
def test_module_has_its_files(module: str) -> None:
    for name in MODULE_FILES:
        assert (MODULES / module / name).is_file(), f"infra/modules/{module}/{name} is missing"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_env_has_its_files_and_an_s3_backend(env: str) -> None:
    for name in ENV_FILES:
        assert (ENVS / env / name).is_file()
    terraform = parse(ENVS / env / "versions.tf")["terraform"][0]
    backend = terraform["backend"][0]["s3"]
    assert backend["encrypt"] is True
    assert f"/{env}/" in backend["key"]


def _variables(module_dir: Path) -> dict[str, bool]:
    """Variable name -> whether it is required (has no default)."""
    found: dict[str, bool] = {}
    for entry in parse(module_dir / "variables.tf").get("variable", []):
        for name, body in entry.items():
            found[name] = "default" not in body
    return found


def _module_calls(main_tf: Path) -> set[str]:
    """Check each module call of `main_tf` against the called module's variables; return the names."""
    called = set()
    for entry in parse(main_tf)["module"]:
        for name, body in entry.items():
            source = (main_tf.parent / body["source"]).resolve()
            assert source.is_dir(), f"module {name}: {body['source']} does not exist"
            variables = _variables(source)
            given = set(body) - MODULE_META_ARGS
            assert given <= set(variables), f"module {name}: unknown inputs {given - set(variables)}"
            missing = {v for v, required in variables.items() if required} - given
            assert not missing, f"module {name}: required inputs not given: {missing}"
            called.add(name)
    return called


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_env_module_calls_match_module_variables(env: str) -> None:
    assert _module_calls(ENVS / env / "main.tf") == {"platform"}


def test_platform_wires_every_module() -> None:
    platform = INFRA / "modules" / "platform" / "main.tf"
    assert set(ALL_MODULES) - {"kms", "platform"} == _module_calls(platform)


@pytest.mark.parametrize("module", ["lake", "appflow", "alerting", "warehouse", "network", "mwaa"])
def test_module_calls_inside_modules_match_their_variables(module: str) -> None:
    assert "key" in _module_calls(MODULES / module / "main.tf")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_env_reads_the_repository_config_for_its_own_name(env: str) -> None:
    main = parse(ENVS / env / "main.tf")
    local_values = {k: v for entry in main["locals"] for k, v in entry.items()}
    assert local_values["env"] == env
    config_dir = local_values["config_dir"].replace("${path.module}", str(ENVS / env))
    assert Path(config_dir).resolve() == (REPO / "include" / "config").resolve()
    text = (ENVS / env / "main.tf").read_text()
    assert re.search(r"yamldecode\(file\(", text)


def test_outputs_and_variables_are_described() -> None:
    for path in tf_files():
        doc = parse(path)
        for kind in ("variable", "output"):
            for entry in doc.get(kind, []):
                for name, body in entry.items():
                    assert body.get("description"), (
                        f"{path.relative_to(INFRA)}: {kind} {name} has no description"
                    )
