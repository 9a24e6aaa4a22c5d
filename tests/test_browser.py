"""The built site in a real browser (Debian's Chromium driven by Playwright),
served from 127.0.0.1: the chart draws, and nothing is fetched from elsewhere."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from conftest import ARTIFACTS

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
CHART = "div[id^=altair-viz-].vega-embed :is(svg.marks, canvas.marks)"


def visit(page, url: str):
    """Open url, recording every request to another host (and blocking it) and every script error."""
    outside, errors = [], []

    def route(r):
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.goto(url, wait_until="load")
    return outside, errors


def test_chart_draws_offline_with_no_outside_requests(page, site_url):
    outside, errors = visit(page, f"{site_url}/book/analysis/status.html")
    page.wait_for_selector(CHART, timeout=15000)
    marks = page.locator(f"{CHART} path, {CHART} rect").count()
    assert marks > 0, "the chart element is there but nothing was drawn in it"
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chart-page.png"), full_page=True)
    assert outside == [], f"requests to other hosts: {outside}"
    script_errors = [e for e in errors if "page error" in e]
    assert script_errors == [], script_errors


def test_chart_tooltip_shows_the_numbers(page, site_url):
    visit(page, f"{site_url}/book/analysis/status.html")
    page.wait_for_selector(CHART, timeout=15000)
    bar = page.locator("div[id^=altair-viz-] svg.marks path[aria-roledescription='bar']").last
    if bar.count() == 0:
        bar = page.locator("div[id^=altair-viz-] svg.marks .mark-rect path").last
    bar.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5000)
    assert "Recommendations" in tooltip.inner_text()


def test_review_page_shows_every_recommendation_with_status(page, site_url, built_site):
    from tracker.model import load

    corpus = load(built_site / "data")
    review_id = next(r for r in corpus.reviews if corpus.reviews[r]["kind"] != "stakeholder-report")
    outside, errors = visit(page, f"{site_url}/book/reviews/{review_id}.html")
    assert outside == []
    for rec in corpus.recs_of(review_id):
        # The anchor is the first element of the recommendation's section.
        section = page.locator(f"section:has(> [id='{rec['rec_id']}'])")
        assert section.count() == 1, rec["rec_id"]
        assert section.locator(".tracker-status").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-page.png"))


def test_every_chart_on_every_page_draws(browser, site_url, built_site):
    root = built_site / "_build" / "html"
    chart_pages = sorted(p for p in root.rglob("*.html") if "altair-viz-" in p.read_text(encoding="utf-8"))
    assert len(chart_pages) >= 5, "the analysis chapters should have charts"
    drawn = 0
    for path in chart_pages:
        page = browser.new_page()
        try:
            outside, errors = visit(page, f"{site_url}/{path.relative_to(root).as_posix()}")
            charts = page.locator("div[id^=altair-viz-].vega-embed")
            charts.first.wait_for(timeout=15000)
            page.wait_for_function(
                "() => [...document.querySelectorAll('div[id^=altair-viz-]')].every(d => d.querySelector('svg.marks, canvas.marks'))",
                timeout=15000)
            drawn += charts.count()
            assert outside == [], f"{path.name}: requests to other hosts {outside}"
            assert [e for e in errors if "page error" in e] == [], f"{path.name}: {errors}"
        finally:
            page.close()
    assert drawn >= len(chart_pages)
