"""DynamicFrame: not available in the sandbox (see the package docstring)."""

from __future__ import annotations

from typing import Any


class DynamicFrame:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "DynamicFrame is not available in the sandbox: it needs Glue's service; use DataFrames"
        )
