#!/usr/bin/env bash
# The local stand-ins for the public images docker-compose.yaml names, built in the engine that
# DOCKER_HOST points at (run.sh's own), with no network but the engine's loopback:
#   lakehouse-smoke/debian:bookworm     docker import of the debootstrap tarball
#   lakehouse-smoke/python:3.12         for python:3.12-slim          (images/python)
#   lakehouse-smoke/airflow:3.3.1-...   for apache/airflow:3.3.1-...  (images/airflow)
#   lakehouse-smoke/postgres:16         for postgres:16               (images/postgres)
# Usage: build_images.sh ROOTFS_TAR PYTHON_TAR PGSERVER_SITE_PACKAGES WORK_DIR
source "$(dirname "$0")/lib.sh"

rootfs=$1 python_tar=$2 site_packages=$3 work=$4

# A build context: the image's folder plus the artefacts named (hard links where possible).
context() {
    local name=$1 dir=$work/context-$1
    shift
    mkdir -p "$dir"
    cp -r "$SMOKE/images/$name/." "$dir/"
    local artefact
    for artefact in "$@"; do
        ln "${artefact%%=*}" "$dir/${artefact#*=}" 2>/dev/null || cp "${artefact%%=*}" "$dir/${artefact#*=}"
    done
    printf '%s\n' "$dir"
}

build() {
    local image=$1 dir=$2 started=$SECONDS
    shift 2
    say "building $image"
    if ! docker build --network host --tag "$image" "$@" "$dir" >"$work/build-${image//[\/:]/_}.log" 2>&1; then
        tail -40 "$work/build-${image//[\/:]/_}.log" >&2
        die "building $image failed"
    fi
    say "built $image in $((SECONDS - started)) s"
}

say "importing $BASE_IMAGE from $(basename "$rootfs")"
docker import --change 'CMD ["bash"]' "$rootfs" "$BASE_IMAGE" >/dev/null

build "$PYTHON_IMAGE" "$(context python "$python_tar=python.tar")" --build-arg "BASE_IMAGE=$BASE_IMAGE"

# pgserver's build as /usr/lib/postgresql/16 (Debian's place), its bundled libpq beside it in
# /usr/lib/pgserver.libs, where the binaries' RPATH ($ORIGIN/../../../pgserver.libs) finds it.
tar -C "$site_packages" --numeric-owner --owner=0 --group=0 --transform 's,^pgserver/pginstall,postgresql/16,' \
    -cf "$work/pginstall.tar" pgserver/pginstall/bin pgserver/pginstall/lib pgserver/pginstall/share pgserver.libs
build "$POSTGRES_IMAGE" "$(context postgres "$work/pginstall.tar=pginstall.tar")" --build-arg "BASE_IMAGE=$BASE_IMAGE"

build "$AIRFLOW_IMAGE" "$(context airflow "$REPO/requirements-dev.lock=constraints.txt")" \
    --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE" \
    --build-arg "AIRFLOW_VERSION=$AIRFLOW_VERSION" --build-arg "AIRFLOW_EXTRAS=$AIRFLOW_EXTRAS"
