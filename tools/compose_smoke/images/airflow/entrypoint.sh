#!/usr/bin/env bash
# /entrypoint of the Airflow stand-in: the behaviour that the apache/airflow image documents for its
# entrypoint (https://airflow.apache.org/docs/docker-stack/entrypoint.html), written for the smoke
# run, in the order the image runs it. Not Airflow's script: only what docker-compose.yaml relies
# on, or could trip on, is here (see the override, docker-compose.smoke.yaml, for what differs).
set -euo pipefail

command=${1:-}

# Any uid may run the image, but only with gid 0: the image's writable folders belong to group 0.
if [[ $(id -g) != 0 ]]; then
    if [[ $(id -u) == "$AIRFLOW_UID" ]]; then
        echo "WARNING: run the image with gid 0 (it was started with uid $(id -u), gid $(id -g))" >&2
    else
        echo "ERROR: the image must run with gid 0 (it was started with uid $(id -u), gid $(id -g))" >&2
        exit 1
    fi
fi
# Files and folders this container creates stay writable for group 0, whichever uid comes next.
umask 0002

# An arbitrary uid gets a passwd entry (the file is group-0 writable) and the airflow user's home.
if ! whoami >/dev/null 2>&1; then
    if [[ -w /etc/passwd ]]; then
        printf '%s:x:%s:0:%s user:%s:/sbin/nologin\n' "${USER_NAME:-default}" "$(id -u)" \
            "${USER_NAME:-default}" "$AIRFLOW_USER_HOME_DIR" >>/etc/passwd
    fi
    export HOME=$AIRFLOW_USER_HOME_DIR
fi
if [[ $(id -u) == 0 ]]; then
    echo "The container runs as root; a regular user is safer." >&2
fi

retry() {  # run "$@" until it succeeds, CONNECTION_CHECK_MAX_COUNT times at most
    local left=$CONNECTION_CHECK_MAX_COUNT output
    until output=$("$@" 2>&1); do
        left=$((left - 1))
        if ((left <= 0)); then
            printf 'ERROR: %s still failing after %s tries:\n%s\n' "$*" "$CONNECTION_CHECK_MAX_COUNT" "$output" >&2
            exit 1
        fi
        printf '.' >&2
        sleep "$CONNECTION_CHECK_SLEEP_TIME"
    done
}

CONNECTION_CHECK_MAX_COUNT=${CONNECTION_CHECK_MAX_COUNT:-20}
CONNECTION_CHECK_SLEEP_TIME=${CONNECTION_CHECK_SLEEP_TIME:-3}
if ((CONNECTION_CHECK_MAX_COUNT > 0)); then
    retry airflow db check
fi

if [[ -n ${_AIRFLOW_DB_MIGRATE:-} || -n ${_AIRFLOW_DB_UPGRADE:-} ]]; then
    airflow db migrate || true
fi

if [[ -n ${_AIRFLOW_WWW_USER_CREATE:-} ]]; then
    echo "ERROR: _AIRFLOW_WWW_USER_CREATE needs the FAB provider, which this stand-in does not hold" >&2
    exit 1
fi

if [[ -n ${_PIP_ADDITIONAL_REQUIREMENTS:-} ]]; then
    echo "Installing additional requirements: ${_PIP_ADDITIONAL_REQUIREMENTS} (a development feature)" >&2
    # shellcheck disable=SC2086  # the variable holds pip arguments, one a word
    pip install "apache-airflow==${AIRFLOW_VERSION}" --root-user-action ignore --no-cache-dir \
        ${_PIP_ADDITIONAL_REQUIREMENTS}
    pip check
fi

# `bash` and `python` run as such (after the DB check); `airflow X` and `X` both run `airflow X`.
case $command in
    bash | python) shift; exec "$command" "$@" ;;
    airflow) shift ;;
esac
exec airflow "$@"
