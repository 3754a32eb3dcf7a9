# Host image: the webserver, the daemon and the one-shot `dagster instance migrate`, from the
# root environment (uv.lock) plus the `containers` group (dagster-docker for DockerRunLauncher).
# It holds no location code: every location serves its definitions from its own image.
# Build from the repository root:  docker build -t dag-platform/dag-host:dev .
# CMD (not ENTRYPOINT) starts the webserver; compose gives the daemon and the migration their own
# command on the same image.

# The base images, official by default. Without Docker Hub, deploy/local-base-images.sh builds
# stand-ins under these names from Debian's packages; a private mirror is named with --build-arg.
ARG PYTHON_BUILD_IMAGE=python:3.11-bookworm
ARG PYTHON_RUNTIME_IMAGE=python:3.11-slim-bookworm

# --- build stage ------------------------------------------------------------------------------
FROM ${PYTHON_BUILD_IMAGE} AS build
ARG UV_VERSION=0.13.9
# UV_NATIVE_TLS: trust the image's CA store (a TLS-inspecting proxy's CA is added there).
# UV_NO_CACHE: no download cache in the layers (only the environment is copied out anyway).
ENV UV_COMPILE_BYTECODE=1 \
    UV_NATIVE_TLS=1 \
    UV_NO_CACHE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3
WORKDIR /app
COPY shared/pyproject.toml /app/shared/pyproject.toml
COPY pyproject.toml uv.lock ./
# Few steps: with a copy-on-write-less storage driver (vfs) every step copies the whole file system.
RUN pip install --no-cache-dir "uv==${UV_VERSION}" \
    && uv sync --frozen --no-dev --group containers --no-install-project --no-install-package dag-shared
COPY shared/src /app/shared/src
COPY src ./src
RUN uv sync --frozen --no-dev --group containers

# --- runtime stage ----------------------------------------------------------------------------
FROM ${PYTHON_RUNTIME_IMAGE} AS runtime
RUN groupadd --system --gid 10001 dagster \
    && useradd --system --uid 10001 --gid dagster --home-dir /opt/dagster --create-home dagster \
    && mkdir -p /opt/dagster/dagster_home/storage /data \
    && chown -R dagster:dagster /opt/dagster /data
COPY --from=build /app /app
# The container instance (DockerRunLauncher, Postgres from the environment) and the workspace
# of the compose stack; compose also mounts both read-only so an edit needs no rebuild.
COPY deploy/dagster.compose.yaml /opt/dagster/dagster_home/dagster.yaml
COPY workspace.compose.yaml /opt/dagster/workspace.yaml
ENV PATH=/app/.venv/bin:$PATH \
    VIRTUAL_ENV=/app/.venv \
    PYTHONUNBUFFERED=1 \
    DAGSTER_HOME=/opt/dagster/dagster_home \
    DAG_DATA_DIR=/data
WORKDIR /opt/dagster
USER dagster
EXPOSE 3000
CMD ["dagster-webserver", "-h", "0.0.0.0", "-p", "3000", "-w", "/opt/dagster/workspace.yaml"]
