"""What every kind of run shares: its result, its expected failure, and the injected partial failure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TransferResult:
    records_processed: int
    bytes_processed: int
    bytes_written: int
    failures: int = 0
    message: str = ""


class TransferError(RuntimeError):
    """A run that AppFlow would end in Error: unknown object or field, missing bucket, bad file...

    `result` holds what was done before the error (records written before the first failure).
    """

    def __init__(self, message: str, result: TransferResult | None = None) -> None:
        super().__init__(message)
        self.result = result


def injected_failure(index: int, total: int) -> bool:
    """Under `partial` injection: every third record fails, and at least one when there is any."""
    return index % 3 == 2 or (total < 3 and index == total - 1)
