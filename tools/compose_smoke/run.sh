#!/usr/bin/env bash
# make compose-smoke: docker-compose.yaml run for real, with the images stood in for locally.
#
#  1. bootstrap.sh: Debian's docker.io and debootstrap, the Compose binary, the base root file
#     system, the CPython 3.12 tarball and the wheelhouse (each only when missing; cached in .cache/)
#  2. a dockerd of the run's own: data root, exec root and socket under a temporary folder, in a
#     network namespace with only loopback (engine.sh); the wheelhouse served there on 127.0.0.1
#  3. the stand-in images (build_images.sh), then the stack's own images on them by Compose
#     (sandbox/Dockerfile, airflow.Dockerfile)
#  4. `docker compose up -d` with docker-compose.smoke.yaml over the project's file, then check.py:
#     every service healthy, provision done, the DAGs imported with no error, one ingest DAG run
#     (2025-01-15) succeeded through the api-server, its data in the lake
#  5. `docker compose down -v`, then nothing left: no container, no volume
# The engine, the namespace and the temporary folder go at the end, whatever happened (trap).
# Compose's logs of the last run stay in .cache/compose-smoke/last-run.log.
source "$(dirname "$0")/lib.sh"
source "$SMOKE/engine.sh"

[[ $(id -u) == 0 ]] || die "run as root: dockerd, network namespaces and apt-get need it"
cd "$REPO"
export PYTHONPATH=$REPO/plugins:$REPO
started=$SECONDS
"$SMOKE/bootstrap.sh"
rootfs=$("$SMOKE/make_rootfs.sh")
python_tar=$("$SMOKE/pack_python.sh")
wheels=$("$SMOKE/fetch_wheels.sh")
# PostgreSQL 16 for the postgres stand-in: the pgserver package of the project's venv (make venv)
site_packages=$("$REPO/.venv/bin/python" -W ignore -c 'import pathlib, pgserver; print(pathlib.Path(pgserver.__file__).parents[1])')
say "bootstrap done in $((SECONDS - started)) s"

work=$(mktemp -d /tmp/compose-smoke.XXXXXX)
compose=("$COMPOSE" --project-name lakehouse-smoke --project-directory "$REPO"
    -f "$REPO/docker-compose.yaml" -f "$SMOKE/docker-compose.smoke.yaml")
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n ${NETNS:-} ]] && docker version >/dev/null 2>&1; then
        "${compose[@]}" logs --no-color --timestamps >"$CACHE/last-run.log" 2>&1 || true
        ((status == 0)) || say "compose logs of this run: $CACHE/last-run.log"
    fi
    local stopping=$SECONDS
    engine_stop
    rm -rf "$work"
    say "engine stopped and its data removed in $((SECONDS - stopping)) s"
    if ((status == 0)); then say "passed in $((SECONDS - started)) s"; else say "failed after $((SECONDS - started)) s"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

engine_start "$work/engine"
in_netns python3 -m http.server --bind 127.0.0.1 --directory "$wheels" "$WHEELS_PORT" >"$work/wheels.log" 2>&1 &
phase=$SECONDS
"$SMOKE/build_images.sh" "$rootfs" "$python_tar" "$site_packages" "$work"
say "building the stack's images on them (Compose): sandbox/Dockerfile, airflow.Dockerfile"
"${compose[@]}" build >"$work/build-compose.log" 2>&1 || { tail -40 "$work/build-compose.log" >&2; die "compose build"; }
say "images built in $((SECONDS - phase)) s"

phase=$SECONDS
say "docker compose up -d"
"${compose[@]}" up --detach >"$work/up.log" 2>&1 || { tail -30 "$work/up.log" >&2; die "compose up"; }
say "up -d returned after $((SECONDS - phase)) s; checking the stack"
in_netns "$REPO/.venv/bin/python" -m tools.compose_smoke.check -- "${compose[@]}" || die "the stack did not pass its checks"
say "stack checked in $((SECONDS - phase)) s"

phase=$SECONDS
"${compose[@]}" logs --no-color --timestamps >"$CACHE/last-run.log" 2>&1 || true
say "docker compose down -v"
"${compose[@]}" down --volumes --timeout 60 >"$work/down.log" 2>&1 || { cat "$work/down.log" >&2; die "compose down"; }
left=$(docker ps -aq; docker volume ls -q; docker network ls -q --filter type=custom)
[[ -z $left ]] || die "left after down -v: $(docker ps -a; docker volume ls)"
say "down -v in $((SECONDS - phase)) s: no container, volume or network left"
