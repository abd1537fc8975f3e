#!/usr/bin/env bash
# The wheelhouse the stand-ins' pip installs from (served on loopback inside the engine's network
# namespace, which has no other network): every wheel, for CPython 3.12 on this platform, that
#   - the Airflow stand-in installs: apache-airflow[extras]==3.3.1 within requirements-dev.lock,
#   - airflow.Dockerfile installs on it: `apache-airflow==3.3.1` and requirements.txt, also within
#     the lock (the stand-in holds those versions; whatever else pip picks comes from here too),
#   - sandbox/Dockerfile installs: its own pins, resolved as a build with PyPI would resolve them,
#   - and pip itself.
# Downloaded by this machine's pip from the package registry, once per change of those inputs.
source "$(dirname "$0")/lib.sh"

python=$(python312)
key=$(inputs_key "$("$python" -V)" "$AIRFLOW_VERSION" "$AIRFLOW_EXTRAS" \
    "$REPO/requirements-dev.lock" "$REPO/requirements.txt" "$REPO/sandbox/Dockerfile")
wheels=$CACHE/wheels-$key
[[ -f $wheels/.complete ]] && { printf '%s\n' "$wheels"; exit 0; }

# The requirement arguments of sandbox/Dockerfile's `pip install` (its options dropped).
sandbox_requirements=$("$python" - "$REPO/sandbox/Dockerfile" <<'PY'
import shlex, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
for line in text.splitlines():
    words = shlex.split(line)
    if words[:1] == ["RUN"] and "install" in words and any(w.endswith("pip") for w in words):
        print("\n".join(w for w in words[words.index("install") + 1 :] if not w.startswith("-")))
PY
)
[[ -n $sandbox_requirements ]] || die "found no pip install in sandbox/Dockerfile"

mkdir -p "$wheels"
say "downloading the stand-ins' wheels for $("$python" -V) into $wheels"
download() { nice -n 10 "$python" -m pip download --quiet --disable-pip-version-check --only-binary=:all: -d "$wheels" "$@"; }
download pip
download "apache-airflow[$AIRFLOW_EXTRAS]==$AIRFLOW_VERSION" "apache-airflow==$AIRFLOW_VERSION" \
    -r "$REPO/requirements.txt" -c "$REPO/requirements-dev.lock"
# shellcheck disable=SC2086  # one requirement a word
download $sandbox_requirements
touch "$wheels/.complete"
printf '%s\n' "$wheels"
