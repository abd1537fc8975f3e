"""The one failure the job reports: what failed and where, as one line (never a secret)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


class FeedError(Exception):
    """A failure the job reports as one line: what failed and where (never a secret)."""
