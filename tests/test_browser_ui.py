"""The federated UI in a real browser, as an operator uses it: Playwright for Python driving Debian's
Chromium against the local stack's webserver (`make dev`'s topology).

It sees every registered location LOADED on the deployment page, opens an NPS asset's lineage
graph (with the asset's freshness policy on its page), materializes the NPS sample month 2022-04
of group NPS from the UI, and follows the run to its success. Screenshots of every step go to the
test's temporary output folder (printed at the end).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from dag_shared.settings import LOCATIONS, repository_root

from dag_platform_testing.stack_harness import RunningStack, embedded_postgres_env

# Debian's package (scripts/system-packages.sh installs it with `make sync`); the same binary the
# IS crawlers and the logo crawler drive.
CHROMIUM = Path("/usr/bin/chromium")
# Root (containers, CI) cannot use Chromium's sandbox; the page is our own UI on 127.0.0.1.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SAMPLE_MONTH = "2022-04"
UI_TIMEOUT_MS = 120_000  # two cores shared with the stack: the UI's first queries can take a while
RUN_TIMEOUT_MS = 900_000


@pytest.fixture(scope="module")
def stack():
    with tempfile.TemporaryDirectory(prefix="dag-stack-browser-") as scratch:
        Path(scratch).chmod(0o755)  # the embedded PostgreSQL runs as another user when tests run as root
        running = RunningStack(
            root=repository_root(), data_dir=Path(scratch) / "data", extra_env=embedded_postgres_env()
        )
        running.data_dir.mkdir(parents=True)
        running.start()
        try:
            running.wait_until_loaded(240)
            yield running
        finally:
            # After a browser and a run on two shared cores, stopping may take longer than the
            # harness's default minute.
            running.stop(timeout=180)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make sync` installs Debian's chromium (scripts/system-packages.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, stack, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1200}, base_url=stack_url(stack))
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    _skip_the_newsletter_prompt_whenever_it_appears(page)
    yield page
    context.close()
    print(f"\nscreenshots: {tmp_path}")


def stack_url(stack: RunningStack) -> str:
    return f"http://127.0.0.1:{stack.webserver_port}"


def _skip_the_newsletter_prompt_whenever_it_appears(page) -> None:
    """The UI asks a first-time browser to join the community, at a moment of its choosing; the
    prompt would cover the page, so Playwright skips it before any action it blocks."""
    skip = (
        page.get_by_role("dialog")
        .filter(has_text="Join the Dagster community")
        .get_by_role("button", name="Skip")
    )
    page.add_locator_handler(skip, lambda: skip.click())


def test_an_operator_sees_every_location_loaded_opens_nps_lineage_and_materializes_a_sample_month(
    page, stack, tmp_path
):
    from playwright.sync_api import expect

    expect.set_options(timeout=UI_TIMEOUT_MS)
    page.goto("/deployment/locations")
    expect(page.get_by_text(f"{len(LOCATIONS)} code locations").first).to_be_visible()
    expect(page.get_by_text("Loaded", exact=True)).to_have_count(len(LOCATIONS))
    for location in LOCATIONS:
        link = page.locator(f'a[href="/locations/{location}"], a[href^="/locations/{location}/"]')
        expect(link.first).to_be_visible()
    page.screenshot(path=tmp_path / "1-deployment-locations.png", full_page=True)

    page.goto("/assets/nps_his_download?view=lineage")
    graph = page.locator("svg, [data-testid]").first
    expect(graph).to_be_attached()
    for neighbour in ("nps_his_download", "nps_his_digest", "nps_file_integrity_check"):
        expect(page.get_by_text(neighbour, exact=True).first).to_be_visible()
    page.screenshot(path=tmp_path / "2-nps-his-download-lineage.png")

    page.goto("/assets/nps_his_download")
    expect(page.get_by_text("Freshness policy")).to_be_visible()
    expect(page.get_by_text("on day 20 of the month").first).to_be_visible()
    page.screenshot(path=tmp_path / "3-nps-his-download-freshness.png")

    page.goto("/locations/nps/asset-groups/NPS/lineage")
    page.get_by_role("button", name="Materialize all").first.click()
    dialog = page.get_by_role("dialog").filter(has_text="Launch runs to materialize")
    partitions = dialog.get_by_placeholder("ex: 2015-01")
    partitions.fill(SAMPLE_MONTH)
    partitions.press("Tab")
    expect(dialog.get_by_text("1 partition", exact=True)).to_be_visible()
    page.screenshot(path=tmp_path / "4-launch-dialog.png")
    dialog.get_by_role("button", name="Launch 1 run").click()

    launched = time.monotonic()
    run_link = page.locator("a[href*='/runs/']").first
    run_link.wait_for()
    run_path = run_link.get_attribute("href")
    page.goto(run_path)
    expect(page.get_by_text(f"partition: {SAMPLE_MONTH}").first).to_be_visible()
    expect(page.get_by_text("Success", exact=True).first).to_be_visible(timeout=RUN_TIMEOUT_MS)
    page.screenshot(path=tmp_path / "5-run-success.png")

    # The same run, from the API: what the page showed is the run's recorded outcome.
    run = stack.graphql.wait_for_run(run_path.rsplit("/", 1)[-1], timeout=60)
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert run["status"] == "SUCCESS" and tags["dagster/partition"] == SAMPLE_MONTH
    print(f"\nthe UI showed the run's success {time.monotonic() - launched:.0f}s after the launch")
