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
