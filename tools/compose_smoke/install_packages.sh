#!/usr/bin/env bash
# Debian's packages the smoke run needs: a Docker engine (dockerd, containerd, runc), debootstrap for
# the stand-ins' base image, iproute2 for the engine's own network namespace. Installs only what is
# missing, so a second run asks the package registry nothing.
source "$(dirname "$0")/lib.sh"

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v ip >/dev/null || missing+=(iproute2)
command -v nsenter >/dev/null || missing+=(util-linux)
if ((${#missing[@]})); then
    [[ $(id -u) == 0 ]] || die "run as root: installing ${missing[*]} and starting dockerd need it"
    say "installing ${missing[*]}"
    apt-get update -qq
    # The smoke run never uses the package's own service (the default socket): it starts a
    # dockerd of its own, with its own data root, socket and network namespace.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v docker >/dev/null || die "no docker client on PATH after installing docker.io"
