#!/usr/bin/env bash
# `make test-compose`: the container stack, run for real on this machine (docs/deploy.md).
#
# 1. installs what is missing (docker.io, docker-compose, debootstrap) with apt when it can
#    (`--prepare` stops after that and the base images' root file systems, needing no engine);
# 2. uses the Docker engine DOCKER_HOST (or the default socket) names when it answers, else starts a
#    private dockerd (overlay2 storage, vfs where overlay2 cannot start, or the drivers listed in
#    DAG_DOCKER_STORAGE_DRIVER; no iptables, no default bridge) with its data root and socket in
#    DAG_DOCKER_DATA_ROOT (default /var/cache/dag-platform/docker-engine), pruned and stopped at
#    the end by its PID (the debootstrap root file systems of the base stand-ins stay cached);
# 3. builds the base-image stand-ins (deploy/local-base-images.sh) when the official images are
#    neither present nor pullable;
# 4. runs ds_docker_job's test in the ds environment: the logo crawler image (Dockerfile.logo_crawler)
#    is built and run through PipesDockerClient;
# 5. runs tests_compose/ in the host environment: it builds every image, brings the stack up and
#    exercises it (runs in containers, a redeploy, down/up, a broken image), printing each phase's time.
# Exit status 3 means no Docker engine could be used: the tests did not run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ENGINE_DIR=${DAG_DOCKER_DATA_ROOT:-/var/cache/dag-platform/docker-engine}
UV=./scripts/uv.sh

log() { printf '[test-compose] %s\n' "$*" >&2; }

install_missing() {
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing ${missing[*]} with apt"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >/dev/null
    else
        log "missing ${missing[*]} and cannot install them (needs root and apt-get)"
    fi
}

engine_answers() { timeout 20 docker info >/dev/null 2>&1; }

# overlay2 first: layers and containers share files. vfs, which copies the whole file system for
# every layer and container (disk and time many times over), only where overlay2 cannot start.
start_private_engine() {
    command -v dockerd >/dev/null 2>&1 || return 1
    [ "$(id -u)" = 0 ] || { log "a private dockerd needs root"; return 1; }
    mkdir -p "$ENGINE_DIR"
    export DOCKER_HOST="unix://$ENGINE_DIR/docker.sock"
    local driver
    for driver in ${DAG_DOCKER_STORAGE_DRIVER:-overlay2 vfs}; do
        start_engine_with "$driver" && return 0
    done
    return 1
}

start_engine_with() {
    local driver=$1
    # The exec root holds sockets: keep its path short.
    EXEC_ROOT=$(mktemp -d /tmp/dag-dockerd-XXXXXX)
    log "starting a private dockerd ($ENGINE_DIR, storage driver $driver)"
    dockerd --data-root "$ENGINE_DIR/root" --exec-root "$EXEC_ROOT" --host "$DOCKER_HOST" \
        --pidfile "$ENGINE_DIR/dockerd.pid" --storage-driver="$driver" --iptables=false --bridge=none \
        >"$ENGINE_DIR/dockerd.log" 2>&1 &
    ENGINE_PID=$!
    for _ in $(seq 1 60); do
        engine_answers && return 0
        kill -0 "$ENGINE_PID" 2>/dev/null || break
        sleep 1
    done
    log "dockerd with $driver did not answer:"
    tail -20 "$ENGINE_DIR/dockerd.log" >&2
    kill "$ENGINE_PID" 2>/dev/null || true
    wait "$ENGINE_PID" 2>/dev/null || true
    ENGINE_PID=""
    rm -rf "$EXEC_ROOT"
    return 1
}

stop_private_engine() {
    [ -n "${ENGINE_PID:-}" ] || return 0
    # Leave only what is cheap to keep (vfs holds a full copy of the file system per layer and per
    # container; the base stand-ins are re-imported from their cached root file systems).
    log "pruning the private engine's images, containers and volumes"
    timeout 300 docker system prune -af --volumes >/dev/null 2>&1 || true
    log "stopping the private dockerd (pid $ENGINE_PID)"
    kill "$ENGINE_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$ENGINE_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$ENGINE_PID" 2>/dev/null || true
    # dockerd can leave its network namespace mounted in the exec root.
    umount "${EXEC_ROOT:-/nonexistent}/netns/default" 2>/dev/null || true
    rm -rf "${EXEC_ROOT:-/nonexistent}" 2>/dev/null || true
}

cleanup() {
    stop_private_engine
    rm -rf "${SHIM:-/nonexistent}"
}

base_images() {
    local image missing=0
    for image in "${PYTHON_BUILD_IMAGE:-python:3.11-bookworm}" "${PYTHON_RUNTIME_IMAGE:-python:3.11-slim-bookworm}" \
        "${POSTGRES_IMAGE:-postgres:15-bookworm}"; do
        docker image inspect "$image" >/dev/null 2>&1 && continue
        timeout 60 docker pull -q "$image" >/dev/null 2>&1 && continue
        missing=1
    done
    if [ "$missing" = 1 ]; then
        log "official base images unavailable: building stand-ins from Debian's packages"
        deploy/local-base-images.sh
    fi
}

# Builds use BuildKit (one snapshot per step instead of a full container copy per instruction,
# which matters with the vfs driver). A Docker CLI of 23 or later builds with BuildKit only
# through the buildx plugin; without it, use Debian's 20.10 CLI, which has BuildKit built in.
buildkit_client() {
    export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
    docker buildx version >/dev/null 2>&1 && return 0
    local major
    # The client's version prints even when no engine answers yet (the command then exits 1).
    major=$({ docker version --format '{{.Client.Version}}' 2>/dev/null || true; } | head -1 | cut -d. -f1)
    if [ "${major:-0}" -ge 23 ] && [ -x /usr/bin/docker ] && [ "$(command -v docker)" != /usr/bin/docker ]; then
        SHIM=$(mktemp -d /tmp/dag-docker-cli-XXXXXX)
        ln -s /usr/bin/docker "$SHIM/docker"
        export PATH="$SHIM:$PATH"
        log "docker $major has no buildx plugin: building with $(/usr/bin/docker --version)"
    fi
}

install_missing
# `--prepare`: only what needs no engine and mostly waits on the network (the packages above and
# the base images' root file systems, cached for the real run); .ci/run starts it beside make test.
if [ "${1:-}" = --prepare ]; then
    if [ "$(id -u)" = 0 ] && command -v debootstrap >/dev/null 2>&1; then
        deploy/local-base-images.sh --rootfs-only
    fi
    exit 0
fi
buildkit_client
ENGINE_PID=""
trap cleanup EXIT
if ! engine_answers && ! start_private_engine; then
    log "no Docker engine could be used: the container stack was not tested"
    exit 3
fi
started=$(date +%s)
base_images
log "base images ready in $(($(date +%s) - started))s (storage driver: $(docker info --format '{{.Driver}}' 2>/dev/null))"
# The stack's own name for the engine's socket, mounted into the daemon and the webserver.
engine=${DOCKER_HOST:-unix:///var/run/docker.sock}
case "$engine" in
    unix://*) export DAG_DOCKER_SOCKET=${engine#unix://} ;;
    *) log "DOCKER_HOST=$engine is not a unix socket: the stack's daemon cannot mount it"; exit 3 ;;
esac
$UV sync --frozen --quiet --compile-bytecode
$UV sync --frozen --quiet --compile-bytecode --project locations/ds
# The logo crawler's container path (ds_docker_job through dagster-docker's PipesDockerClient) on the
# same engine, required here; then its image goes, as vfs keeps a full copy of every layer.
log "ds_docker_job: the logo crawler in its container"
crawler_started=$(date +%s)
status=0
(cd locations/ds && DAG_TEST_REQUIRE_DOCKER=1 ../../$UV run --frozen pytest -q -p no:cacheprovider \
    tests/test_ds_docker_job.py) || status=1
log "ds_docker_job phase: $(($(date +%s) - crawler_started))s (image build and run)"
docker image rm -f dag-logo-crawler:test >/dev/null 2>&1 || true
timeout 300 docker builder prune -af >/dev/null 2>&1 || true
$UV run --frozen pytest -q -s -p no:cacheprovider tests_compose "$@" || status=1
exit $status
