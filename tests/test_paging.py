"""Long listings continue over several pages, so that no page grows without limit
as the corpus grows. The committed data is built with pages of PAGED_ROWS rows
(a stand-in for a corpus many times larger): every recommendation must still be
on exactly one page of each listing, reachable from the first page, and the
explorer's filters must reach the rows of every page."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import ARTIFACTS, PAGED_ROWS
from test_build import html_dir, parse
from tracker.model import load, threads


def _parts(folder: Path, key: str) -> list[Path]:
    """A listing's first page and its continuation pages, in order."""
    more = sorted(folder.glob(f"{key}--*.html"), key=lambda p: int(p.stem.rsplit("--", 1)[1]))
    return [folder / f"{key}.html"] + more


def _explorer_pages(site: Path) -> list[Path]:
    book = html_dir(site) / "book"
    more = sorted((book / "explorer").glob("*.html"), key=lambda p: int(p.stem)) if (book / "explorer").is_dir() else []
    return [book / "explorer.html"] + more


def _row_ids(page: Path) -> list[str]:
    return re.findall(r'<tr id="row-([^"]+)"', page.read_text(encoding="utf-8"))


@pytest.mark.build
def test_the_explorer_holds_every_recommendation_once_over_linked_pages(paged_site):
    corpus = load(paged_site / "data")
    pages = _explorer_pages(paged_site)
    expected_pages = -(-len(corpus.recommendations) // PAGED_ROWS)
    assert len(pages) == expected_pages > 1
    seen = Counter()
    for page in pages:
        rows = _row_ids(page)
        assert 0 < len(rows) <= PAGED_ROWS, f"{page.name} has {len(rows)} rows"
        seen.update(rows)
        links = parse(page).links
        for other in pages:  # every page links to every other page of the explorer
            if other != page:
                assert any(l.endswith(other.name) and ("explorer/" in l) == (other.parent.name == "explorer") for l in links), \
                    f"{page.name} does not link to {other.name}"
    assert set(seen) == set(corpus.recommendations)
    assert max(seen.values()) == 1


@pytest.mark.build
def test_the_navigation_names_the_explorer_plainly_when_it_runs_over_pages(paged_site):
    elsewhere = (html_dir(paged_site) / "book" / "reviews" / "index.html").read_text(encoding="utf-8")
    nav = elsewhere[elsewhere.index("bd-sidebar-primary"):elsewhere.index('id="main-content"')]
    assert re.search(r'href="[^"]*explorer\.html"[^>]*>\s*Recommendations explorer\s*</a>', nav)
    first = _explorer_pages(paged_site)[0].read_text(encoding="utf-8")
    assert "<h1>Recommendations explorer<" in first
    assert not re.search(r"<h1>[^<]*\(page 1 of", first)


@pytest.mark.build
def test_status_and_theme_listings_continue_over_pages_without_losing_a_row(paged_site):
    corpus = load(paged_site / "data")
    book = html_dir(paged_site) / "book"
    tracked = [r for r in corpus.recommendations if not corpus.is_ask(r)]
    groups = {("statuses", s): {r for r in tracked if corpus.status(r) == s} for s in corpus.statuses()}
    for rec_id, themes in corpus.themes_of.items():
        for t in themes:
            groups.setdefault(("themes", t), set()).add(rec_id)
    continued = 0
    for (folder, key), expected in groups.items():
        listed = Counter()
        parts = _parts(book / folder, key)
        for page in parts:
            html = page.read_text(encoding="utf-8")
            found = re.findall(r'reviews/[^"#]+\.html#([^"]+)"', html[html.index("<main"):])
            assert len(found) <= PAGED_ROWS
            listed.update(found)
        continued += len(parts) > 1
        assert set(listed) == expected, f"{folder}/{key}: listed {len(listed)} of {len(expected)}"
    assert continued > 0, "no listing was long enough to continue: the test proves nothing"


@pytest.mark.build
def test_continuation_pages_follow_their_first_page_in_the_navigation(paged_site):
    book = html_dir(paged_site) / "book"
    corpus = load(paged_site / "data")
    longest = max(corpus.statuses(), key=lambda s: len(_parts(book / "statuses", s)))
    parts = _parts(book / "statuses", longest)
    assert len(parts) > 1
    html = (book / "statuses" / "index.html").read_text(encoding="utf-8")
    nav = html[html.index("bd-sidebar-primary"):]
    positions = [nav.find(f'"{p.name}"') if nav.find(f'"{p.name}"') >= 0 else nav.find(f'/{p.name}"') for p in parts]
    assert all(p > 0 for p in positions) and positions == sorted(positions)


@pytest.mark.build
def test_recurring_ideas_keep_every_thread_member_when_pages_split(paged_site):
    corpus = load(paged_site / "data")
    folder = html_dir(paged_site) / "book" / "recurring"
    members = {m for group in threads(corpus) for m in group}
    listed = Counter()
    for page in folder.glob("*.html"):
        if page.stem == "index":
            continue
        html = page.read_text(encoding="utf-8")
        main = html[html.index("<main"):]
        listed.update(re.findall(r'reviews/[^"#]+\.html#([^"]+)"', main))
    assert members <= set(listed)


@pytest.mark.browser
def test_explorer_filters_reach_rows_on_other_pages(page, paged_url, paged_site):
    from test_browser import visible_rows, visit

    corpus = load(paged_site / "data")
    total = len(corpus.recommendations)
    last = _row_ids(_explorer_pages(paged_site)[-1])[-1]
    outside, errors = visit(page, f"{paged_url}/book/explorer.html")
    assert visible_rows(page) <= PAGED_ROWS
    assert page.locator("[data-explorer-pager]").first.is_visible()
    page.fill("#tracker-explorer input[name=words]", last)
    page.wait_for_selector(f"#row-{last}", state="visible", timeout=10000)
    count = page.locator("[data-explorer-count]")
    assert count.inner_text() == f"Showing {visible_rows(page):,} of {total:,} recommendations."
    assert not page.locator("[data-explorer-pager]").first.is_visible()
    link = page.locator(f"#row-{last} td a").first
    assert link.get_attribute("href").endswith(f"#{last}")
    # A row drawn from the JSON says, like a row of the page itself, how many parts of its ask operate.
    from tracker.pages.explorer import parts_summary
    expected = parts_summary(corpus, last)
    status_cell = page.locator(f"#row-{last} td[data-label=Status]").inner_text()
    assert (expected in status_cell) if expected else page.locator(f"#row-{last} .tracker-parts").count() == 0
    page.click("#tracker-explorer button[type=reset]")
    page.wait_for_function(f"document.querySelectorAll('#tracker-explorer tbody tr:not([hidden])').length === {total}")
    page.locator("th button", has_text="Year").click()
    page.locator("th button", has_text="Year").click()
    years = page.locator("#tracker-explorer tbody tr td:nth-child(3)").all_inner_texts()
    assert len(years) == total and years == sorted(years, reverse=True)
    assert outside == [] and errors == []
    link.click()
    page.wait_for_url(f"**/reviews/*.html#{last}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "explorer-paged-target.png"))


@pytest.mark.browser
def test_a_later_explorer_page_filters_too(page, paged_url, paged_site):
    from test_browser import visible_rows, visit

    corpus = load(paged_site / "data")
    first = sorted(corpus.recommendations)[0]
    outside, errors = visit(page, f"{paged_url}/book/explorer/2.html")
    assert page.locator("main h1").first.inner_text().startswith("Recommendations explorer (page 2 of")
    page.fill("#tracker-explorer input[name=words]", first)
    page.wait_for_selector(f"#row-{first}", state="visible", timeout=10000)
    assert visible_rows(page) >= 1
    href = page.locator(f"#row-{first} small a").get_attribute("href")
    assert href == f"../../r/{first}.html"
    assert outside == [] and errors == []
