#!/usr/bin/env bash
# The stand-ins' CPython 3.12: this machine's own build (pyenv's), packed as a tarball that the
# python stand-in unpacks under /usr/local, where the python:3.12-slim image has its Python. Only
# the interpreter, its shared library, the standard library and the headers: no site-packages (pip
# comes from the wheelhouse), no test suite. The build links Debian bookworm's libraries, which the
# base image carries (make_rootfs.sh).
source "$(dirname "$0")/lib.sh"

python=$(python312)
prefix=$("$python" -c 'import sys; print(sys.base_prefix)')
version=$("$python" -c 'import platform; print(platform.python_version())')
tarball=$CACHE/python-$version-$(inputs_key "$prefix" "$version").tar
[[ -f $tarball ]] && { printf '%s\n' "$tarball"; exit 0; }

mkdir -p "$CACHE"
say "packing CPython $version from $prefix"
lib=lib/python$PYTHON_MINOR
tar -C "$prefix" --numeric-owner --owner=0 --group=0 -cf "$tarball.partial" \
    --exclude="$lib/test" --exclude="$lib/idlelib" --exclude="$lib/tkinter" --exclude="$lib/turtledemo" \
    --exclude="$lib/site-packages/*" --exclude='__pycache__' \
    "bin/python$PYTHON_MINOR" "lib/libpython$PYTHON_MINOR.so.1.0" "$lib" "include/python$PYTHON_MINOR"
mv "$tarball.partial" "$tarball"
printf '%s\n' "$tarball"
