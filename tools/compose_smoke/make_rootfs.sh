#!/usr/bin/env bash
# The stand-ins' base image as a root file system tarball: Debian bookworm (what the apache/airflow
# and postgres images are built on) by `debootstrap --variant=minbase`, from this machine's own apt
# mirror, with every Debian package the three stand-ins need: nothing is installed later, since
# the images are built with no network but loopback. Cached by the package list.
source "$(dirname "$0")/lib.sh"

packages=(
    ca-certificates curl dumb-init gosu netcat-openbsd procps tzdata libstdc++6
    # what CPython 3.12's extension modules link to
    libssl3 libffi8 libsqlite3-0 libuuid1 libbz2-1.0 liblzma5 zlib1g libreadline8 libncursesw6
    libexpat1 libnsl2 libtirpc3 libgssapi-krb5-2
)
key=$(inputs_key "$DEBIAN_SUITE" "${packages[@]}")
tarball=$CACHE/rootfs-$DEBIAN_SUITE-$key.tar
[[ -f $tarball ]] && { printf '%s\n' "$tarball"; exit 0; }

# The first deb822 or one-line source of Debian's main archive that apt uses here.
mirror=$(
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '$1 == "URIs:" && $2 !~ /security/ {print $2; exit}'
)
[[ -n $mirror ]] || mirror=$(awk '$1 == "deb" && $3 == "'"$DEBIAN_SUITE"'" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[[ -n $mirror ]] || die "no Debian mirror in /etc/apt/sources.list{,.d/*.sources} for debootstrap"

mkdir -p "$CACHE"
root=$(mktemp -d "$CACHE/rootfs.XXXX")
trap 'rm -rf "$root" "$tarball.partial"' EXIT
say "debootstrap --variant=minbase $DEBIAN_SUITE from $mirror (about 1 minute)"
include=$(IFS=,; printf '%s' "${packages[*]}")
if ! nice -n 10 debootstrap --variant=minbase --include="$include" "$DEBIAN_SUITE" "$root" "$mirror" \
    >"$CACHE/debootstrap.log" 2>&1; then
    tail -20 "$CACHE/debootstrap.log" >&2
    die "debootstrap failed (log: $CACHE/debootstrap.log)"
fi
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" --numeric-owner -cf "$tarball.partial" .
mv "$tarball.partial" "$tarball"
printf '%s\n' "$tarball"
