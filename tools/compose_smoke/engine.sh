# A Docker engine of the smoke run's own (sourced by run.sh): dockerd with its data root, exec root,
# socket and config under the run's temporary folder, in a network namespace of its own whose only
# interface is loopback. Containers on "host" networking share that namespace, so every service
# listens on 127.0.0.1 there whatever address it binds, no port can clash with this machine's, and
# nothing in the run reaches any network. Niced: image builds and the stack share 2 cores.
#
# engine_start DIR   starts it, exports DOCKER_HOST and NETNS
# in_netns CMD...    runs CMD in the engine's network namespace
# engine_stop        removes every container, stops dockerd and whatever else runs in the namespace,
#                    deletes the namespace; safe to call twice and after a failed start

engine_start() {
    ENGINE_DIR=$1
    NETNS=lakehouse-smoke-$$
    ip netns add "$NETNS"
    ip -n "$NETNS" link set lo up
    mkdir -p "$ENGINE_DIR/data" "$ENGINE_DIR/exec" "$ENGINE_DIR/client"
    printf '{}\n' >"$ENGINE_DIR/daemon.json"  # not the machine's /etc/docker/daemon.json
    # dockerd 20.10 writes its identity to /etc/docker/key.json, whatever its other paths: that
    # file goes again at the end if this run made it.
    ENGINE_MADE_ETC=$([[ -e /etc/docker ]] || echo yes)
    ENGINE_MADE_KEY=$([[ -e /etc/docker/key.json ]] || echo yes)
    nsenter --net="/run/netns/$NETNS" -- nice -n 10 dockerd \
        --data-root "$ENGINE_DIR/data" --exec-root "$ENGINE_DIR/exec" \
        --pidfile "$ENGINE_DIR/dockerd.pid" --config-file "$ENGINE_DIR/daemon.json" \
        --host "unix://$ENGINE_DIR/docker.sock" \
        --bridge=none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \
        >"$ENGINE_DIR/dockerd.log" 2>&1 &
    ENGINE_PID=$!
    export DOCKER_HOST=unix://$ENGINE_DIR/docker.sock DOCKER_CONFIG=$ENGINE_DIR/client DOCKER_BUILDKIT=0
    export NETNS
    local deadline=$((SECONDS + 60))
    until docker version >/dev/null 2>&1; do
        kill -0 "$ENGINE_PID" 2>/dev/null || { tail -20 "$ENGINE_DIR/dockerd.log" >&2; die "dockerd exited"; }
        ((SECONDS < deadline)) || { tail -20 "$ENGINE_DIR/dockerd.log" >&2; die "dockerd not up in 60 s"; }
        sleep 0.5
    done
    say "dockerd $(docker version --format '{{.Server.Version}}') up (pid $ENGINE_PID, netns $NETNS)"
}

in_netns() { nsenter --net="/run/netns/$NETNS" -- "$@"; }

engine_stop() {
    [[ -n ${NETNS:-} ]] || return 0
    if [[ -n ${ENGINE_PID:-} ]] && kill -0 "$ENGINE_PID" 2>/dev/null; then
        local containers
        containers=$(docker ps -aq 2>/dev/null || true)
        # shellcheck disable=SC2086
        [[ -z $containers ]] || docker rm -f $containers >/dev/null 2>&1 || true
        kill -TERM "$ENGINE_PID"
        local deadline=$((SECONDS + 30))
        while kill -0 "$ENGINE_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
        kill -KILL "$ENGINE_PID" 2>/dev/null || true
        wait "$ENGINE_PID" 2>/dev/null || true
    fi
    # Whatever else still runs in the namespace is the run's own (containerd, shims, wheel server).
    local pids
    pids=$(ip netns pids "$NETNS" 2>/dev/null || true)
    # shellcheck disable=SC2086
    [[ -z $pids ]] || { kill -KILL $pids 2>/dev/null || true; sleep 1; }
    ip netns delete "$NETNS" 2>/dev/null || true
    [[ ${ENGINE_MADE_KEY:-} != yes ]] || rm -f /etc/docker/key.json
    [[ ${ENGINE_MADE_ETC:-} != yes ]] || rmdir /etc/docker 2>/dev/null || true
    # Mounts dockerd left under its folders (after a kill): innermost first.
    findmnt -rn -o TARGET | grep -F "$ENGINE_DIR/" | sort -r | xargs -r umount -l 2>/dev/null || true
    NETNS=
}
