"""The real Terraform CLI: both environments initialise against the AWS provider, validate and
plan (against the sandbox), and every file is in `terraform fmt` style.

`terraform validate` checks what the HCL parse in test_terraform_files.py cannot: every argument
and block against the provider's schema, types, references between modules, and the functions
that read include/config at plan time. It needs the terraform binary and the AWS provider without
a network: a filesystem mirror (`TF_PLUGIN_DIR`, default /opt/tf-plugins, laid out as
`terraform providers mirror` writes it). Where either is missing the tests are skipped, saying
which, since no registry can be reached from here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lakehouse.config import load_config
from lakehouse.plan import plan_environment
from tests.infra.hcl import REPO

TERRAFORM = shutil.which("terraform")
PLUGIN_DIR = Path(os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins"))
AWS_PROVIDER = PLUGIN_DIR / "registry.terraform.io" / "hashicorp" / "aws"

pytestmark = [
    pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH"),
    pytest.mark.skipif(not AWS_PROVIDER.is_dir(), reason=f"no AWS provider mirror at {PLUGIN_DIR}"),
]


def terraform(
    *args: str, cwd: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "TF_CLI_CONFIG_FILE": "/dev/null",
        **(extra_env or {}),
    }
    return subprocess.run(
        [str(TERRAFORM), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """infra/ and what it reads (include/, jobs/, dags/, plugins/) copied, so `init` writes its
    .terraform directories and lock files outside the repository."""
    root = tmp_path_factory.mktemp("terraform")
    for name in ("infra", "include", "jobs", "dags", "plugins"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__", ".terraform*"))
    shutil.copy(REPO / "requirements.txt", root / "requirements.txt")
    return root


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_environment_initialises_and_validates(checkout: Path, env: str) -> None:
    root = checkout / "infra" / "envs" / env
    init = terraform(
        "init", "-backend=false", "-input=false", "-no-color", f"-plugin-dir={PLUGIN_DIR}", cwd=root
    )
    assert init.returncode == 0, init.stdout[-3000:] + init.stderr[-3000:]
    validate = terraform("validate", "-no-color", "-json", cwd=root)
    assert validate.returncode == 0, validate.stdout[-5000:] + validate.stderr[-2000:]
    assert '"valid": true' in validate.stdout
    assert '"warning_count": 0' in validate.stdout, validate.stdout[-5000:]


def test_every_file_is_in_terraform_fmt_style() -> None:
    fmt = terraform("fmt", "-check", "-recursive", "-diff", "-no-color", str(REPO / "infra"), cwd=REPO)
    assert fmt.returncode == 0, fmt.stdout[-5000:]


# --- a plan against the sandbox --------------------------------------------------------------

SANDBOX_OVERRIDE = """
provider "aws" {
  allowed_account_ids         = ["123456789012"] # moto's account
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
}

terraform {
  backend "local" {
    path = "%(state)s"
  }
}
"""

SALESFORCE_CONNECTIONS = """
salesforce_connections = {
%(profiles)s
}
"""


@pytest.fixture(scope="module")
def sandbox_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A sandbox of its own, in its own process (`python -m sandbox up`): moto's state is per
    process, and the pipeline tests' sandboxes must not share this one's."""
    state = tmp_path_factory.mktemp("sandbox")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "sandbox"]
    server = subprocess.Popen(
        [*command, "up", "--port", str(port), "--state-dir", str(state)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (state / "endpoint").exists():
            assert server.poll() is None, (
                f"the sandbox did not start: {server.stderr.read()[-3000:] if server.stderr else ''}"
            )
            assert time.monotonic() < deadline, "the sandbox did not write its endpoint within 60 s"
            time.sleep(0.2)
        yield (state / "endpoint").read_text().strip()
    finally:
        subprocess.run([*command, "down", "--state-dir", str(state)], cwd=REPO, timeout=60, check=False)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def bundled(checkout: Path) -> Path:
    """The MWAA bundle the mwaa module uploads and the feed job's package the feeds module uploads
    (their preconditions refuse to plan without them)."""
    out, glue = checkout / "dist" / "mwaa", checkout / "dist" / "glue"
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "bundle.py"), "--out", str(out), "--glue-out", str(glue)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return checkout


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_environment_plans_against_the_sandbox_and_agrees_with_the_dags(
    bundled: Path, sandbox_endpoint: str, env: str, tmp_path: Path
) -> None:
    """`terraform plan` of the environment as committed, its data sources answered by the sandbox
    (moto) instead of an account: every for_each over the YAML, count, precondition and module
    wiring is evaluated. The AppFlow flows it would create are exactly the ones the DAGs run."""
    root = bundled / "infra" / "envs" / env
    (root / "zz_sandbox_override.tf").write_text(SANDBOX_OVERRIDE % {"state": tmp_path / "state"})
    config = load_config(REPO / "include" / "config")
    plans = plan_environment(config, env)
    profiles = sorted({p.profile for plan in plans for p in plan.profiles})
    org = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sf"
    entries = "\n".join(
        f'  "{name}" = {{ instance_url = "https://{name}.my.salesforce.com", '
        f'client_credentials_arn = "{org}/{name}/app", oauth_secret_arn = "{org}/{name}/oauth" }}'
        for name in profiles
    )
    (root / "sandbox.tfvars").write_text(SALESFORCE_CONNECTIONS % {"profiles": entries})
    env_vars = {
        "AWS_ENDPOINT_URL": sandbox_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "eu-west-1",
    }
    init = terraform(
        "init", "-reconfigure", "-input=false", "-no-color", f"-plugin-dir={PLUGIN_DIR}", cwd=root
    )
    assert init.returncode == 0, init.stdout[-3000:] + init.stderr[-3000:]
    plan = terraform(
        "plan", "-input=false", "-no-color", "-lock=false", "-var-file=sandbox.tfvars", "-out=tf.plan",
        cwd=root, extra_env=env_vars,
    )  # fmt: skip
    assert plan.returncode == 0, plan.stdout[-5000:] + plan.stderr[-3000:]
    assert " to add, 0 to change, 0 to destroy." in plan.stdout

    shown = terraform("show", "-json", "tf.plan", cwd=root)
    assert shown.returncode == 0, shown.stderr[-3000:]
    resources = list(_resources(json.loads(shown.stdout)["planned_values"]["root_module"]))
    planned = {r["values"]["name"]: r["values"] for r in resources if r["type"] == "aws_appflow_flow"}
    run_by_dags = {
        (p.live_ids_flow if plan.direction == "reconcile" else p.appflow_flow): plan
        for plan in plans
        for p in plan.profiles
    }
    assert sorted(planned) == sorted(run_by_dags)
    for name, plan in run_by_dags.items():
        if plan.direction == "upsert":
            continue
        source = planned[name]["source_flow_config"][0]["source_connector_properties"][0]["salesforce"][0]
        if plan.direction == "reconcile":  # Ids of live records only, through Bulk API 2.0
            assert (source["include_deleted_records"], source["data_transfer_api"]) == (False, "BULKV2")
        else:  # the Salesforce source the DAG's run_flow pins
            wanted = (plan.flow.include_deleted_records, plan.flow.data_transfer_api)
            assert (source["include_deleted_records"], source["data_transfer_api"]) == wanted, name
    assert len(resources) > 150, "the whole platform, not a fragment of it"

    # Every log group the platform creates is encrypted with a key of ours and expires: the
    # key's ARN is only known after apply, so the plan holds it as "known after apply".
    groups = {
        change["change"]["after"]["name"]: change["change"]
        for change in json.loads(shown.stdout)["resource_changes"]
        if change["type"] == "aws_cloudwatch_log_group"
    }
    for name, change in groups.items():
        assert change["after"]["retention_in_days"] > 0, name
        assert change["after_unknown"].get("kms_key_id") is True, f"{name}: not encrypted with our key"
    audit = {
        f"/aws/redshift/cluster/gtm-lakehouse-prod/{log}"
        for log in ("connectionlog", "userlog", "useractivitylog")
    }
    assert audit <= set(groups) if env == "prod" else not audit & set(groups), sorted(groups)


def _resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)
