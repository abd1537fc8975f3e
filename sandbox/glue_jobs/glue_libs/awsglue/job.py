"""Job.init / Job.commit with job bookmarks disabled (the only mode the sandbox can honour)."""

from __future__ import annotations

from typing import Any


class Job:
    def __init__(self, glue_context: Any) -> None:
        self._context = glue_context
        self.name: str | None = None

    def init(self, job_name: str, args: dict[str, str] | None = None) -> None:
        option = (args or {}).get("job-bookmark-option") or (args or {}).get("--job-bookmark-option")
        if option not in (None, "job-bookmark-disable"):
            raise NotImplementedError(
                f"job bookmarks ({option}) are not available in the sandbox: they are Glue service state"
            )
        self.name = job_name

    def commit(self) -> None:
        """Nothing to record without bookmarks (Glue's commit stores the bookmark state)."""
        if self.name is None:
            raise RuntimeError("Job.commit() before Job.init()")
