"""A worker's parse freezes the interpreter's heap (lakehouse.airflow.task_startup). A task process
ends after its task; this test process lives on, so each test thaws what it froze."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def thawed_heap() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def repository_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests parse the repository's own DAGs and config: a DAG-running suite's session
    fixture may have pointed LAKEHOUSE_INCLUDE_DIR at its copy in the same worker process."""
    from tests.conftest import REPO

    monkeypatch.setenv("LAKEHOUSE_INCLUDE_DIR", str(REPO / "include"))
    monkeypatch.setenv("LAKEHOUSE_ENV", "dev")
