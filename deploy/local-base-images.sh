#!/usr/bin/env bash
# Build stand-ins for the official base images from Debian's packages, for machines that cannot
# pull from Docker Hub. The Dockerfiles and docker-compose.yml name their bases through build
# arguments / variables (PYTHON_BUILD_IMAGE, PYTHON_RUNTIME_IMAGE, POSTGRES_IMAGE) whose defaults
# are the official images; this script builds images under exactly those default names, so the
# same files build unchanged. Users with a private mirror set the variables instead.
#
#   deploy/local-base-images.sh            # build what is missing (a present image is kept)
#   deploy/local-base-images.sh --force    # rebuild all three
#   deploy/local-base-images.sh --rootfs-only  # only fill the cache below; no Docker engine needed
#
# What it builds (Debian bookworm, the release the official images are based on):
#   python:3.11-bookworm, python:3.11-slim-bookworm  python3 (3.11) with pip and venv at
#       /usr/local/bin like the official images, the host's CA bundle; the bookworm one adds gcc
#       and the Python headers for packages that compile
#   postgres:15-bookworm  Debian's postgresql-15 with an entrypoint that honours POSTGRES_USER,
#       POSTGRES_PASSWORD, POSTGRES_DB and /docker-entrypoint-initdb.d like the official image
#
# The root file system from debootstrap is cached in DAG_BASE_IMAGE_CACHE (default
# /var/cache/dag-platform/base-images), so later runs only import it. Needs root, debootstrap and
# a Docker engine (DOCKER_HOST is honoured). The Debian mirror is DEBIAN_MIRROR.
set -euo pipefail

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${DAG_BASE_IMAGE_CACHE:-/var/cache/dag-platform/base-images}
PYTHON_BUILD_IMAGE=${PYTHON_BUILD_IMAGE:-python:3.11-bookworm}
PYTHON_RUNTIME_IMAGE=${PYTHON_RUNTIME_IMAGE:-python:3.11-slim-bookworm}
POSTGRES_IMAGE=${POSTGRES_IMAGE:-postgres:15-bookworm}
FORCE=""
ROOTFS_ONLY=""
case "${1:-}" in
    --force) FORCE=--force ;;
    --rootfs-only) ROOTFS_ONLY=1 ;;
    "") ;;
    *) echo "usage: $0 [--force | --rootfs-only]" >&2; exit 2 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)

log() { printf '[base-images] %s\n' "$*" >&2; }

have_image() { [ -z "$ROOTFS_ONLY" ] && [ "$FORCE" != "--force" ] && docker image inspect "$1" >/dev/null 2>&1; }

# One debootstrap root per flavour, cached as a tarball; `extra` lists the packages on top of minbase.
rootfs() {
    local name=$1 extra=$2 tarball="$CACHE/$1.tar"
    if [ -s "$tarball" ] && { [ "$FORCE" != "--force" ] || [ -n "${BUILT_NOW:-}" ]; }; then
        echo "$tarball"
        return
    fi
    local root
    root=$(mktemp -d "$CACHE/.$name-XXXXXX")
    chmod 755 "$root"  # it becomes the image's /, which every user must be able to traverse
    log "debootstrap bookworm ($name: $extra)"
    debootstrap --variant=minbase --include="$extra" bookworm "$root" "$MIRROR" >"$root.log" 2>&1 \
        || { tail -20 "$root.log" >&2; exit 1; }
    # The host's trust store, so pip and uv reach the registries through a TLS-inspecting network too.
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    chroot "$root" sh -c 'apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*' >&2
    "${@:3}" "$root" >&2
    tar -C "$root" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root" "$root.log"
    echo "$tarball"
}

python_layout() {
    # The official images keep python at /usr/local/bin; pip may install there (no PEP 668 block).
    local root=$1
    ln -sf /usr/bin/python3 "$root/usr/local/bin/python3"
    ln -sf /usr/bin/python3 "$root/usr/local/bin/python"
    ln -sf /usr/bin/pip3 "$root/usr/local/bin/pip"
    rm -f "$root"/usr/lib/python3.*/EXTERNALLY-MANAGED
}

postgres_layout() {
    local root=$1
    install -m 0755 "$HERE/postgres/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
    # The package's own cluster is not used: the entrypoint initialises PGDATA on first start.
    chroot "$root" sh -c 'pg_dropcluster 15 main 2>/dev/null || rm -rf /var/lib/postgresql/15/main /etc/postgresql/15/main'
    mkdir -p "$root/docker-entrypoint-initdb.d" "$root/var/lib/postgresql/data" "$root/var/run/postgresql"
    chroot "$root" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
}

import() {
    local tarball=$1 tag=$2
    shift 2
    log "import $tag"
    docker import "$@" "$tarball" "$tag" >/dev/null
}

mkdir -p "$CACHE"
PY_ENV=(--change 'ENV LANG=C.UTF-8' --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change 'CMD ["python3"]')

# What each stand-in installs on top of debootstrap's minbase.
SLIM_PACKAGES=python3,python3-pip,python3-venv,ca-certificates,tini
BUILD_PACKAGES=python3,python3-pip,python3-venv,python3-dev,gcc,libc6-dev,ca-certificates,git
POSTGRES_PACKAGES=postgresql-15,ca-certificates,locales-all

# The three root file systems are built at once (downloads and unpacking overlap), then imported.
building=()
have_image "$PYTHON_RUNTIME_IMAGE" \
    || { rootfs python-slim "$SLIM_PACKAGES" python_layout >/dev/null & building+=($!); }
have_image "$PYTHON_BUILD_IMAGE" \
    || { rootfs python-build "$BUILD_PACKAGES" python_layout >/dev/null & building+=($!); }
have_image "$POSTGRES_IMAGE" \
    || { rootfs postgres "$POSTGRES_PACKAGES" postgres_layout >/dev/null & building+=($!); }
for pid in "${building[@]}"; do wait "$pid" || exit 1; done
BUILT_NOW=1  # from here on, rootfs returns the tarballs just built, even with --force
if [ -n "$ROOTFS_ONLY" ]; then
    log "root file systems cached in $CACHE"
    exit 0
fi

if ! have_image "$PYTHON_RUNTIME_IMAGE"; then
    tarball=$(rootfs python-slim "$SLIM_PACKAGES" python_layout)
    import "$tarball" "$PYTHON_RUNTIME_IMAGE" "${PY_ENV[@]}"
fi
if ! have_image "$PYTHON_BUILD_IMAGE"; then
    tarball=$(rootfs python-build "$BUILD_PACKAGES" python_layout)
    import "$tarball" "$PYTHON_BUILD_IMAGE" "${PY_ENV[@]}"
fi
if ! have_image "$POSTGRES_IMAGE"; then
    tarball=$(rootfs postgres "$POSTGRES_PACKAGES" postgres_layout)
    import "$tarball" "$POSTGRES_IMAGE" \
        --change 'ENV LANG=C.UTF-8' \
        --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV PGDATA=/var/lib/postgresql/data' \
        --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
        --change 'CMD ["postgres"]' \
        --change 'EXPOSE 5432'
fi
log "ready: $PYTHON_BUILD_IMAGE, $PYTHON_RUNTIME_IMAGE, $POSTGRES_IMAGE"
