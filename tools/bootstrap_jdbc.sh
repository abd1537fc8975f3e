#!/usr/bin/env bash
# The JDBC drivers the Spark engine and the sandbox's glueetl runs load (jars under /usr/share/java),
# from Debian's packages: installed with apt-get when missing, never downloaded at run time.
# Idempotent: a machine that has them returns at once. `make venv` (so `make test`) runs it.
set -euo pipefail
JARS=(/usr/share/java/postgresql.jar /usr/share/java/sqlite-jdbc.jar)
PACKAGES=(libpostgresql-jdbc-java libxerial-sqlite-jdbc-java)
missing=0
for jar in "${JARS[@]}"; do [ -r "$jar" ] || missing=1; done
[ "$missing" = 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo -n); else
    echo "JDBC drivers missing: run as root: apt-get install -y ${PACKAGES[*]}" >&2; exit 1
fi
echo "installing ${PACKAGES[*]} (JDBC drivers for the Spark engine)"
export DEBIAN_FRONTEND=noninteractive
# Another apt-get may hold the lock (a shared machine): wait for it rather than fail.
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null \
    || { "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq \
         && "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null; }
for jar in "${JARS[@]}"; do [ -r "$jar" ] || { echo "still missing after install: $jar" >&2; exit 1; }; done
