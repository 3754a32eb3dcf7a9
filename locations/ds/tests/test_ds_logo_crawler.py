"""The crawler program under Dagster Pipes: a non-zero exit fails the asset, and no configured
secret ever appears in what it prints or what Dagster records."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import dagster as dg
from ds_support import companies, run_job
from hypothesis import given
from hypothesis import strategies as st

DB_PASSWORD = "pg-Pa55-" + uuid.uuid4().hex[:10]
S3_KEY_ID = "AKID" + uuid.uuid4().hex[:12].upper()
S3_SECRET = "s3-secret-" + uuid.uuid4().hex
EXTRA_NAMES = (
    "search_url",
    "bucket",
    "endpoint_url",
    "local_root",
    "concurrency",
    "batch_size",
    "page_attempts",
    "timeout_seconds",
)
VALID_TABLE = {"id_column": "id", "target_column": "thumbnail"}
TABLES = st.one_of(
    st.just(VALID_TABLE),
    st.none(),
    st.text(max_size=8),
    st.dictionaries(
        st.sampled_from(["id_column", "target_column", "table", "deleted_column", "other"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=8)),
    ),
)


def _with_password(url: str, password: str, port: int | None = None) -> str:
    parts = urlsplit(url)
    host = f"{parts.hostname}:{port or parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}:{password}@{host}"))


def _recorded_text(instance: dg.DagsterInstance, run_id: str) -> str:
    return "\n".join(repr(entry) for entry in instance.all_logs(run_id))


def _crawler_on_a_dead_database(postgres_url: str, s3_endpoint: str, bucket: str) -> dg.AssetsDefinition:
    """An asset that runs the crawler process alone, its database URL (with the password) dead."""
    from dag_ds.defs.ds_logos import SPEC
    from dag_shared.images.logo_crawler import settings
    from dag_shared.images.resources import LogoCrawlerResource

    @dg.asset
    def ds_crawl_alone(context) -> dg.MaterializeResult:
        extras = settings.CrawlSettings(
            table=SPEC.table,
            search_url="http://127.0.0.1:9/search.naver",
            bucket=bucket,
            endpoint_url=s3_endpoint,
            region="us-east-1",
            local_root=None,
            chromium_path="/usr/bin/chromium",
            concurrency=1,
            batch_size=None,
            timeout_seconds=60,
            page_attempts=1,
        ).extras()
        secrets = {
            settings.DATABASE_URL_ENV: _with_password(postgres_url, DB_PASSWORD, port=1),
            settings.ACCESS_KEY_ENV: S3_KEY_ID,
            settings.SECRET_KEY_ENV: S3_SECRET,
        }
        return LogoCrawlerResource().run_process(context, extras, secrets).get_materialize_result()

    return ds_crawl_alone


def test_a_crawler_that_exits_non_zero_fails_the_asset_and_nothing_after_it_runs(
    postgres_url, data_dir, monkeypatch
):
    monkeypatch.setenv("DS_POSTGRES_URL", postgres_url)
    monkeypatch.setenv("LOGO_CHROMIUM_PATH", str(data_dir / "no-such-chromium"))
    result = run_job("ds_node_job", raise_on_error=False)
    assert not result.success
    assert [e.step_key for e in result.get_step_failure_events()] == ["ds_img_r2_node"]
    error, messages = result.get_step_failure_events()[0].step_failure_data.error, []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    assert any("failed with code 1" in message for message in messages)
    assert result.asset_materializations_for_node("ds_r2_download") == []
    assert all(thumbnail is None for _, thumbnail, _ in companies(postgres_url).values())


def test_the_crawler_never_prints_or_reports_a_configured_secret(
    postgres_url, data_dir, s3_endpoint, s3_client, monkeypatch, capfd
):
    bucket = f"ds-secret-{uuid.uuid4().hex[:8]}"
    s3_client.create_bucket(Bucket=bucket)
    monkeypatch.setenv("DS_R2_ENDPOINT", s3_endpoint)
    monkeypatch.setenv("DS_R2_ACCESS_KEY_ID", S3_KEY_ID)
    monkeypatch.setenv("DS_R2_SECRET_ACCESS_KEY", S3_SECRET)
    monkeypatch.setenv("DS_R2_SOURCE_BUCKET", bucket)
    monkeypatch.setenv("DS_PUBLIC_URL", "https://logos.example.test/ds")
    instance = dg.DagsterInstance.ephemeral()

    # A working crawl (the test server trusts the connection; the password is still configured) ...
    monkeypatch.setenv("DS_POSTGRES_URL", _with_password(postgres_url, DB_PASSWORD))
    ok = run_job("ds_node_job", instance=instance, only=["ds_img_r2_node"])
    assert ok.success
    assert ok.asset_materializations_for_node("ds_img_r2_node")[0].metadata["uploaded"].value > 0
    # ... and one that fails on the database connection, where a careless error would show the URL.
    with dg.instance_for_test() as other:
        broken = dg.materialize(
            [_crawler_on_a_dead_database(postgres_url, s3_endpoint, bucket)],
            instance=other,
            raise_on_error=False,
        )
        assert not broken.success
        recorded = _recorded_text(instance, ok.run_id) + _recorded_text(other, broken.run_id)
    printed = capfd.readouterr()
    output = printed.out + printed.err + recorded
    assert "crawling 21 companies" in output and "port 1 failed" in output
    for secret in (DB_PASSWORD, S3_SECRET, S3_KEY_ID):
        assert secret not in output


def test_a_crawl_running_past_its_timeout_ends_with_a_failure(postgres_url, data_dir, monkeypatch):
    monkeypatch.setenv("DS_POSTGRES_URL", postgres_url)
    monkeypatch.setenv("LOGO_CRAWL_TIMEOUT_SECONDS", "0.5")
    result = run_job("ds_node_job", raise_on_error=False, only=["ds_img_r2_node"])
    assert not result.success
    assert all(thumbnail is None for _, thumbnail, _ in companies(postgres_url).values())


@given(
    st.dictionaries(st.sampled_from(EXTRA_NAMES), st.one_of(st.none(), st.integers(), st.text(max_size=8))),
    TABLES,
)
def test_reading_any_extras_gives_settings_or_the_documented_error(extras, table):
    from dag_shared.images.logo_crawler.settings import CrawlSettingsError, from_extras

    try:
        settings = from_extras({**extras, "table": table})
    except CrawlSettingsError:
        return
    assert settings.concurrency >= 1 and settings.search_url and settings.bucket


def test_batches_go_round_the_companies_so_ones_without_a_logo_never_hold_back_the_rest(
    postgres_url, data_dir, monkeypatch
):
    from dag_ds.lib.schema import sample_rows

    monkeypatch.setenv("DS_POSTGRES_URL", postgres_url)
    monkeypatch.setenv("LOGO_CRAWL_BATCH_SIZE", "8")
    instance = dg.DagsterInstance.ephemeral()
    crawlable = [r for r in sample_rows() if r["is_deleted"] == "false"]
    runs = []
    for _ in range(4):  # 21 companies to crawl, 8 at a time
        result = run_job("ds_node_job", instance=instance)
        runs.append(result.asset_materializations_for_node("ds_img_r2_node")[0].metadata)
    # The third batch ends the list; the fourth wraps around to the two names without a company
    # card, which were passed over, not crawled again and again ahead of the rest.
    assert [m["companies"].value for m in runs] == [8, 8, 5, 2]
    assert [m["found"].value for m in runs] == [8, 8, 3, 0]
    ends = [m["last_company_id"].value for m in runs]
    assert ends[0] < ends[1] < ends[2]
    rows = companies(postgres_url)
    with_logo = {int(r["id"]) for r in crawlable if r["search_card"] == "true"}
    assert {cid for cid, (_, url, _) in rows.items() if url} == with_logo
    assert len(crawlable) == 21
