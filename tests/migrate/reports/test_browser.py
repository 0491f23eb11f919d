"""The HTML report in a real browser: Debian's Chromium, headless, driven over the DevTools protocol
by Playwright (its Python package; the browser is the system's, never one Playwright downloads).

The page loads from file:// with no console error and no request for anything else; the
summary figures in the DOM are the plan JSON's; the search box filters; the print layout starts
each wave on a new page and prints on A4 and Letter. A screenshot is saved as a test artifact in
$CARELIFT_TEST_ARTIFACTS (default: pytest's temporary directory). Without Chromium or
Playwright the tests skip and say which is missing; `.ci/run` installs both.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from migrate.reports.html import html_report

pytestmark = pytest.mark.slow  # Chromium renders the sample plan's report

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    explicit = os.environ.get("CARELIFT_CHROMIUM")
    if explicit:
        return explicit
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None or not Path(executable).exists():
        pytest.skip(f"Chromium is not installed ({executable or 'no chromium on PATH'}; apt-get install chromium, "
                    ".ci/run does it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh temporary --user-data-dir.
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, chromium_sandbox=False)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def report_file(sample_plan, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "report.html"
    path.write_text(html_report(sample_plan), encoding="utf-8")
    return path


@pytest.fixture
def page(browser, report_file):
    """The report opened from file://, with every console message, page error and request recorded;
    any request that is not for the file itself is aborted (and recorded)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console, page.errors, page.requests = [], [], []
    page.on("console", lambda message: page.console.append((message.type, message.text)))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))

    def route(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page.goto(report_file.as_uri(), wait_until="load")
    yield page
    context.close()


def artifacts_dir(tmp_path_factory) -> Path:
    directory = Path(os.environ.get("CARELIFT_TEST_ARTIFACTS") or tmp_path_factory.getbasetemp() / "artifacts")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def test_the_page_loads_with_no_console_error_and_no_request_leaving_file(page, report_file):
    assert page.errors == []
    assert [m for m in page.console if m[0] in ("error", "warning")] == []
    assert page.requests and all(url.startswith("file://") for url in page.requests), page.requests
    assert page.title().startswith("Migration plan")


def test_the_summary_figures_in_the_dom_are_the_plans(page, sample_plan):
    metrics = sample_plan["metrics"]

    def figure(name: str) -> str:
        return page.locator(f'[data-figure="{name}"]').inner_text().strip()

    for name in ("servers", "servers_in_waves", "servers_excluded", "waves", "move_groups", "crossing_links"):
        assert int(figure(name).replace(",", "")) == metrics[name], name
    assert float(page.get_attribute('[data-figure="monthly_cost"]', "data-value")) == metrics["monthly_cost"]
    assert figure("monthly_cost") == f"${metrics['monthly_cost']:,.0f}"
    assert page.get_attribute('[data-figure="first_cutover"]', "data-value") == metrics["first_cutover"]
    rows = page.locator("#wave-table tr[data-wave]")
    assert rows.count() == len(sample_plan["waves"])
    applications = sum(1 for a in sample_plan["applications"].values() if a["waves"])
    assert int(figure("applications")) == applications


def test_the_search_box_filters_server_rows_and_opens_their_wave(page, sample_plan):
    server = next(name for name, s in sorted(sample_plan["servers"].items()) if s["wave"] not in (None, 0))
    wave = sample_plan["servers"][server]["wave"]
    total = page.locator("tr[data-search]").count()
    page.fill("#search", server)
    visible = page.locator("tr[data-search]:not([hidden])")
    assert 1 <= visible.count() < total
    assert all(server in visible.nth(i).get_attribute("data-search") for i in range(visible.count()))
    assert page.locator(f"#wave-{wave} details.wave-servers").get_attribute("open") is not None
    assert page.locator(f"#wave-{wave} tr[data-search]:not([hidden])").first.is_visible()
    assert "matching row" in page.inner_text("#search-count")
    page.fill("#search", "")
    assert page.locator("tr[data-search]:not([hidden])").count() == total


def test_print_layout_breaks_between_waves_and_fits_a4_and_letter(page, sample_plan, tmp_path):
    page.emulate_media(media="print")
    assert page.eval_on_selector("#wave-1", "e => getComputedStyle(e).breakBefore") == "page"
    assert page.eval_on_selector("#search-box", "e => getComputedStyle(e).display") == "none"
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=True)
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + \
            pdf.count(b"/Type/Page") >= len(sample_plan["waves"])


def test_a_screenshot_is_saved_as_an_artifact(page, tmp_path_factory):
    path = artifacts_dir(tmp_path_factory) / "report.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000 and path.read_bytes().startswith(b"\x89PNG")
