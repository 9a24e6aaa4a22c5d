"""The built site in a real browser (Debian's Chromium driven by Playwright),
served from 127.0.0.1: the chart draws, and nothing is fetched from elsewhere."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ARTIFACTS
from tracker.pages import PAGE_ROWS

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


# Every <text> drawn in each chart's SVG, with its box and whether a reader can see it.
CHART_TEXT = """() => Array.from(document.querySelectorAll('div[id^=altair-viz-]')).map(div => ({
  id: div.id,
  width: div.getBoundingClientRect().width,
  svg: (div.querySelector('svg.marks') || {getBoundingClientRect: () => ({width: 0})}).getBoundingClientRect().width,
  svgLeft: (div.querySelector('svg.marks') || {getBoundingClientRect: () => ({left: 0})}).getBoundingClientRect().left,
  texts: Array.from(div.querySelectorAll('svg.marks text')).map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  }).filter(t => t.right - t.left > 0 && t.bottom - t.top > 0),
}))"""


def overlapping(texts: list[dict]) -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1:
                pairs.append((a["text"], b["text"]))
    return pairs


@pytest.mark.parametrize("width", [1400, 390])
def test_no_two_chart_labels_overlap_and_charts_fit_their_column(browser, site_url, built_site, width):
    """Read the box of every text label in every drawn chart, at a desktop and a phone
    width: no two overlap, none runs past the chart's edge, and no chart is wider than
    the column it sits in. A
    screenshot of each chart at each width is kept for a person to look at."""
    root = built_site / "_build" / "html"
    chart_pages = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                         if "altair-viz-" in p.read_text(encoding="utf-8"))
    assert len(chart_pages) >= 5
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems, measured = [], 0
    try:
        for path in chart_pages:
            page.goto(f"{site_url}/{path}", wait_until="load")
            page.wait_for_function("[...document.querySelectorAll('div[id^=altair-viz-]')]"
                                   ".every(d => d.querySelector('svg.marks'))", timeout=20000)
            for n, chart in enumerate(page.evaluate(CHART_TEXT), start=1):
                measured += 1
                assert len(chart["texts"]) >= 5, f"{path} chart {n}: too little text drawn to measure"
                pairs = overlapping(chart["texts"])
                if pairs:
                    problems.append(f"{path} chart {n}: {len(pairs)} overlapping labels, e.g. {pairs[:3]}")
                cut = [t["text"] for t in chart["texts"] if t["right"] > chart["svgLeft"] + chart["svg"] + 1 or t["left"] < chart["svgLeft"] - 1]
                if cut:
                    problems.append(f"{path} chart {n}: labels cut off at the chart's edge: {cut[:5]}")
                if chart["svg"] > chart["width"] + 1:
                    problems.append(f"{path} chart {n}: {chart['svg']:.0f} px wide in a {chart['width']:.0f} px column")
                shot = ARTIFACTS / "charts" / f"{Path(path).stem}-{n}-{width}px.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.locator(f"#{chart['id']}").screenshot(path=str(shot))
    finally:
        page.close()
    assert measured >= 7
    assert problems == [], "\n".join(problems)


def visible_rows(page) -> int:
    return page.locator("#tracker-explorer tbody tr:not([hidden])").count()


def test_explorer_filters_and_sorts(page, site_url, built_site):
    from tracker.model import load

    corpus = load(built_site / "data")
    outside, errors = visit(page, f"{site_url}/book/explorer.html")
    total = len(corpus.recommendations)
    count = page.locator("[data-explorer-count]")
    if total <= PAGE_ROWS:
        assert visible_rows(page) == total
        assert count.inner_text() == f"Showing {total:,} of {total:,} recommendations."
    else:  # the table continues on further pages (test_paging covers that case)
        assert visible_rows(page) == PAGE_ROWS

    status = next(s for s in corpus.statuses() if any(corpus.status(r) == s for r in corpus.recommendations if not corpus.is_ask(r)))
    expected = sum(1 for r in corpus.recommendations if not corpus.is_ask(r) and corpus.status(r) == status)
    page.select_option("#tracker-explorer select[name=status]", status)
    assert visible_rows(page) == expected
    assert count.inner_text() == f"Showing {expected:,} of {total:,} recommendations."

    page.click("#tracker-explorer button[type=reset]")
    page.wait_for_function(f"document.querySelectorAll('#tracker-explorer tbody tr:not([hidden])').length === {total}")
    rec_id = sorted(corpus.recommendations)[0]
    page.fill("#tracker-explorer input[name=words]", rec_id)
    assert visible_rows(page) >= 1
    assert page.locator(f"#row-{rec_id}").is_visible()

    page.click("#tracker-explorer button[type=reset]")
    page.locator("th button", has_text="Year").click()
    page.locator("th button", has_text="Year").click()
    years = page.locator("#tracker-explorer tbody tr td:nth-child(3)").all_inner_texts()
    assert years == sorted(years, reverse=True)
    assert page.locator("th[aria-sort=descending]").count() == 1
    assert outside == [] and [e for e in errors if "page error" in e] == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "explorer.png"))


def test_explorer_filters_from_the_keyboard(page, site_url):
    visit(page, f"{site_url}/book/explorer.html")
    page.focus("#tracker-explorer select[name=review]")
    for _ in range(7):  # from, to, theme, response, status, needs checking, words
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.name")
    assert focused == "words"
    page.keyboard.type("appraisal")
    assert 0 < visible_rows(page) < page.locator("#tracker-explorer tbody tr").count()


def test_explorer_is_a_complete_table_without_javascript(browser, site_url, built_site):
    from tracker.model import load

    corpus = load(built_site / "data")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/book/explorer.html")
    assert page.locator("#tracker-explorer tbody tr").count() == min(len(corpus.recommendations), PAGE_ROWS)
    assert visible_rows(page) == min(len(corpus.recommendations), PAGE_ROWS)
    assert not page.locator("#tracker-explorer form").is_visible()
    assert page.locator("#tracker-explorer thead th").first.inner_text().strip() == "Recommendation"
    context.close()


def test_site_search_finds_a_recommendation_by_id_and_by_word(page, site_url, built_site):
    from tracker.model import load

    corpus = load(built_site / "data")
    rec = corpus.recommendations["messenger-2022-r4"] if "messenger-2022-r4" in corpus.recommendations else next(iter(corpus.recommendations.values()))
    for query in (rec["rec_id"], "appraisal"):
        visit(page, f"{site_url}/search.html?q={query}")
        page.wait_for_selector("#search-results li", timeout=15000)
        links = page.locator("#search-results li a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert any(f"reviews/{rec['review_id']}" in (h or "") for h in links), (query, links)


@pytest.mark.parametrize("button, dialog", [("primary-toggle", "#pst-primary-sidebar-modal"),
                                            ("secondary-toggle", "#pst-secondary-sidebar-modal")])
def test_phone_menus_open_by_touch_and_keyboard_and_their_links_navigate(browser, site_url, button, dialog):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        visit(page, f"{site_url}/book/reviews/messenger-2022.html")
        visible = page.locator(f"button.{button}:visible")
        assert visible.count() >= 1, f"no visible {button} at 390 px"
        visible.first.tap()
        page.wait_for_selector(f"{dialog}[open]", timeout=5000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"phone-{button}.png"))
        links = page.locator(f"{dialog} a[href]:visible")
        assert links.count() > 0, "the drawer opened empty"
        page.keyboard.press("Escape")
        page.wait_for_selector(f"{dialog}:not([open])", state="attached", timeout=5000)
        # The theme moves the drawer's links back to the page in the dialog's "close" event,
        # which fires after the open attribute goes; reopening before then finds nothing to show.
        page.wait_for_selector(f"{dialog.removesuffix('-modal')} a[href]", state="attached", timeout=5000)
        visible.first.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(f"{dialog}[open]", timeout=5000)
        target = links.first.get_attribute("href")
        before = page.url
        links.first.click()
        page.wait_for_load_state("load")
        assert page.url != before or target.startswith("#"), "following a link in the drawer went nowhere"
    finally:
        context.close()


def test_the_desktop_menu_button_hides_and_shows_the_sidebar(page, site_url):
    page.set_viewport_size({"width": 1400, "height": 900})
    visit(page, f"{site_url}/book/reviews/messenger-2022.html")
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    page.locator("button.primary-toggle:visible").first.click()
    page.wait_for_function("document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')")
    page.locator("button.primary-toggle:visible").first.click()
    page.wait_for_function("!document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')")


STATUS_CELLS = "table.tracker-explorer-table tbody tr:not([hidden]) td[data-label='Status']"


def test_explorer_status_is_never_clipped_on_a_desktop(page, site_url):
    page.set_viewport_size({"width": 1400, "height": 900})
    visit(page, f"{site_url}/book/explorer.html")
    clipped = page.evaluate(f"""() => Array.from(document.querySelectorAll("{STATUS_CELLS} .tracker-status"))
        .filter(b => b.scrollWidth > b.clientWidth + 1 || b.getBoundingClientRect().right > b.closest('.tracker-table-wrap').getBoundingClientRect().right + 1)
        .map(b => b.textContent)""")
    assert clipped == [], f"status badges cut off: {clipped[:5]}"


def test_explorer_is_one_card_per_recommendation_on_a_phone_with_status_in_view(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        visit(page, f"{site_url}/book/explorer.html")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the explorer page scrolls sideways ({width} px)"
        outside = page.evaluate(f"""() => Array.from(document.querySelectorAll("{STATUS_CELLS}"))
            .filter(td => {{ const r = td.getBoundingClientRect(); return r.width === 0 || r.right > window.innerWidth; }}).length""")
        assert outside == 0, f"{outside} status fields are hidden or off-screen"
        label = page.evaluate(f"""() => getComputedStyle(document.querySelector("{STATUS_CELLS}"), '::before').content""")
        assert "Status" in label
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "explorer-phone.png"))
    finally:
        context.close()


def test_explorer_filters_live_in_the_address_and_survive_a_reload(page, site_url):
    visit(page, f"{site_url}/book/explorer.html")
    page.select_option("select[name=status]", "implemented")
    page.fill("input[name=words]", "board")
    page.wait_for_function("location.search.includes('status=implemented') && location.search.includes('words=board')")
    shared = page.url
    count = page.locator("[data-explorer-count]").inner_text()
    other = page.context.new_page()
    visit(other, shared)
    assert other.locator("select[name=status]").input_value() == "implemented"
    assert other.locator("input[name=words]").input_value() == "board"
    assert other.locator("[data-explorer-count]").inner_text() == count
    shown = other.locator("table.tracker-explorer-table tbody tr:not([hidden])")
    assert shown.count() > 0
    assert all(s == "implemented" for s in other.eval_on_selector_all(
        "table.tracker-explorer-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.status)"))
    other.close()


def test_explorer_prints_as_a_list_with_every_column_and_no_form(page, site_url):
    visit(page, f"{site_url}/book/explorer.html")
    page.emulate_media(media="print")
    assert not page.locator("form.tracker-explorer-filters").is_visible()
    headers = page.eval_on_selector_all("table.tracker-explorer-table thead th", "ths => ths.map(t => t.textContent.trim())")
    assert headers[-1].startswith("Status") and len(headers) == 6
    first_row = page.locator("table.tracker-explorer-table tbody tr").first
    table_right = page.evaluate("document.querySelector('table.tracker-explorer-table').getBoundingClientRect().right")
    status_right = first_row.locator("td[data-label='Status']").evaluate("td => td.getBoundingClientRect().right")
    page_width = page.evaluate("document.documentElement.clientWidth")
    assert status_right <= page_width and table_right <= page_width + 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "explorer-print.pdf"), format="A4")


def test_no_page_scrolls_sideways_on_a_phone(browser, site_url, built_site):
    root = built_site / "_build" / "html"
    pages = sorted(p.relative_to(root).as_posix() for p in root.glob("book/**/*.html"))
    assert len(pages) > 50
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        wide = []
        for path in pages:
            page.goto(f"{site_url}/{path}", wait_until="load")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide.append((path, width))
    finally:
        page.close()
    assert wide == [], f"{len(wide)} pages scroll sideways at 390 px: {wide[:10]}"


def test_copy_citation_puts_the_citation_on_the_clipboard(browser, site_url):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    page = context.new_page()
    try:
        visit(page, f"{site_url}/book/reviews/messenger-2022.html")
        button = page.locator("section:has(> #messenger-2022-r3) button.tracker-copy").first
        expected = button.get_attribute("data-copy")
        assert "Messenger review (2022), recommendation 3:" in expected and "r/messenger-2022-r3.html" in expected
        button.click()
        button.filter(has_text="Copied").wait_for(timeout=5000)
        assert page.evaluate("navigator.clipboard.readText()") == expected
    finally:
        context.close()


def test_a_review_page_prints_for_a_board_paper(page, site_url):
    visit(page, f"{site_url}/book/reviews/messenger-2022.html")
    page.emulate_media(media="print")
    for selector in ("#pst-primary-sidebar", ".bd-header", ".bd-sidebar-secondary", "button.tracker-copy",
                     "button.primary-toggle"):
        assert all(not el.is_visible() for el in page.locator(selector).all()), f"{selector} is printed"
    shown = page.evaluate("""() => {
        const a = [...document.querySelectorAll('.bd-article a[href^="http"]')].find(a => !a.querySelector('code'));
        return a ? [a.href, getComputedStyle(a, '::after').content] : null; }""")
    assert shown and shown[0] in shown[1], f"a printed link does not show its address: {shown}"
    assert page.locator("h1").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "review-print.pdf"), format="A4")
    assert (ARTIFACTS / "review-print.pdf").stat().st_size > 10_000


def test_every_page_names_an_icon_that_exists_and_the_root_has_one(site_url, built_site):
    root = built_site / "_build" / "html"
    assert (root / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    import re as _re
    for path in ("book/intro.html", "book/reviews/messenger-2022.html", "book/analysis/overview.html"):
        html = (root / path).read_text(encoding="utf-8")
        icon = _re.search(r'<link rel="icon" href="([^"]+)"', html)
        assert icon, f"{path} names no icon"
        assert ((root / path).parent / icon.group(1).split("?")[0]).resolve().is_file()


def test_analysis_chapters_show_no_code_to_readers(site_url, built_site):
    root = built_site / "_build" / "html" / "book" / "analysis"
    for path in root.glob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "Show code cell source" not in html and 'class="cell_input' not in html, path.name
        source = f"../../_sources/book/analysis/{path.stem}.md"
        assert f'href="{source}"' in html and (path.parent / source).resolve().is_file(), path.name


def test_each_chart_downloads_as_svg_png_and_its_data(browser, site_url, built_site):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    try:
        visit(page, f"{site_url}/book/analysis/status.html")
        page.wait_for_selector(CHART, timeout=15000)
        links = page.locator(".tracker-chart-downloads").first
        for kind in ("svg", "png"):
            with page.expect_download() as download:
                links.locator(f"a[data-chart-download={kind}]").click()
            path = download.value.path()
            assert download.value.suggested_filename.endswith(f".{kind}")
            head = open(path, "rb").read(64)
            assert head.startswith(b"<svg") if kind == "svg" else head.startswith(b"\x89PNG")
        href = links.locator("a[download]").get_attribute("href")
        data = (built_site / "_build" / "html" / "book" / "analysis" / href).resolve().read_text(encoding="utf-8")
        assert data.splitlines()[0].startswith("status,label,recommendations")
    finally:
        context.close()


def test_explorer_shows_only_what_needs_checking_and_says_why(page, site_url):
    visit(page, f"{site_url}/book/explorer.html")
    total = page.locator("table.tracker-explorer-table tbody tr").count()
    page.select_option("select[name=check]", "overdue")
    page.wait_for_function("location.search.includes('check=overdue')")
    shown = page.eval_on_selector_all("table.tracker-explorer-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.check)")
    assert 0 < len(shown) < total
    assert all("overdue" in flags.split() for flags in shown)
    first = page.locator("table.tracker-explorer-table tbody tr:not([hidden])").first
    assert "Has an overdue promise" in first.inner_text()
    page.select_option("select[name=check]", "fresh-look")
    fresh = page.eval_on_selector_all("table.tracker-explorer-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.check)")
    assert fresh and all("fresh-look" in flags.split() for flags in fresh)
    assert "Showing " + f"{len(fresh):,}" in page.locator("[data-explorer-count]").inner_text()


def test_what_to_check_next_lists_overdue_promises_first_and_links_to_each(page, site_url):
    visit(page, f"{site_url}/book/about/check-next.html")
    rows = page.locator(".tracker-check-next li")
    assert rows.count() > 5
    with_promise = ["Overdue promises:" in rows.nth(i).inner_text() for i in range(rows.count())]
    # Every row with an overdue promise comes before every row without one.
    assert with_promise == sorted(with_promise, reverse=True) and with_promise[0]
    link = rows.first.locator("a").first
    target = link.get_attribute("href").split("#")[1]
    link.click()
    page.wait_for_load_state("load")
    assert page.locator(f"[id='{target}']").count() == 1
    assert page.get_by_text("Promises made in answer to").count() >= 1
