#!/usr/bin/env bash
# Everything the smoke run needs on this machine, installed or downloaded only when missing (the
# artefacts are cached under .cache/, keyed by their inputs): idempotent, and quiet when done.
source "$(dirname "$0")/lib.sh"

"$SMOKE/install_packages.sh"
"$SMOKE/fetch_compose.sh"
"$SMOKE/make_rootfs.sh" >/dev/null
"$SMOKE/pack_python.sh" >/dev/null
"$SMOKE/fetch_wheels.sh" >/dev/null
