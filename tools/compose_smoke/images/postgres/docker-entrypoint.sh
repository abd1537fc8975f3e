#!/usr/bin/env bash
# Entrypoint of the PostgreSQL 16 stand-in: what docker-compose.yaml relies on of the postgres:16
# image's documented behaviour (https://hub.docker.com/_/postgres): on an empty data folder, a
# cluster whose superuser is POSTGRES_USER with POSTGRES_PASSWORD, a POSTGRES_DB database, password
# logins over TCP and trusted ones over the local socket; then the server, on every address of the
# container's network, as the postgres user. Written for the smoke run, not the image's script.
set -euo pipefail

if [[ ${1:-} == postgres && $(id -u) == 0 ]]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec gosu postgres "$0" "$@"
fi

if [[ ${1:-} == postgres && ! -s $PGDATA/PG_VERSION ]]; then
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set for a new cluster}"
    user=${POSTGRES_USER:-postgres}
    # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS holds initdb options, one a word
    initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA" >/dev/null
    printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
    printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    database=${POSTGRES_DB:-$user}
    # A server on the socket only, until the database exists (as the image does before it opens).
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    if [[ $database != postgres ]]; then
        psql -v ON_ERROR_STOP=1 --username="$user" --dbname=postgres -q \
            -c "CREATE DATABASE \"$database\"" >/dev/null
    fi
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "PostgreSQL cluster initialised: superuser $user, database $database" >&2
fi

exec "$@"
