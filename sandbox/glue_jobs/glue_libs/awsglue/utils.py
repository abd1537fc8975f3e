"""getResolvedOptions, as Glue's: the job's named arguments from its command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


class GlueArgumentError(Exception):
    """An argument the script asked for is not on the command line (Glue raises the same)."""


def getResolvedOptions(args: Sequence[str], options: Sequence[str]) -> dict[str, str]:  # noqa: N802 - Glue's name
    """`{"JOB_NAME": ..., option: value}` for each option, read as `--option value`; others ignored."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for option in dict.fromkeys(options):
        parser.add_argument(f"--{option}", dest=option)
    known, _ = parser.parse_known_args(list(args)[1:])
    values = vars(known)
    missing = [name for name in options if values.get(name) is None]
    if missing:
        raise GlueArgumentError(
            f"the following arguments are required: {', '.join('--' + m for m in missing)}"
        )
    return {name: values[name] for name in options}
