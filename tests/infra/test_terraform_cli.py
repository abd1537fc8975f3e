"""The real Terraform CLI: both environments initialise against the AWS provider and validate, and
every file is in `terraform fmt` style.

`terraform validate` checks what the HCL parse in test_terraform_files.py cannot: every argument
and block against the provider's schema, types, references between modules, and the functions
that read include/config at plan time. It needs the terraform binary and the AWS provider without
a network: a filesystem mirror (`TF_PLUGIN_DIR`, default /opt/tf-plugins, laid out as
`terraform providers mirror` writes it). Where either is missing the tests are skipped, saying
which, since no registry can be reached from here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.infra.hcl import REPO

TERRAFORM = shutil.which("terraform")
PLUGIN_DIR = Path(os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins"))
AWS_PROVIDER = PLUGIN_DIR / "registry.terraform.io" / "hashicorp" / "aws"

pytestmark = [
    pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH"),
    pytest.mark.skipif(not AWS_PROVIDER.is_dir(), reason=f"no AWS provider mirror at {PLUGIN_DIR}"),
]


def terraform(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "TF_CLI_CONFIG_FILE": "/dev/null",
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
