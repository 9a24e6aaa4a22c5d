"""Every page of the built site in a real browser: it loads, fetches nothing from
other hosts, logs no errors, passes axe-core's serious and critical checks,
can be used from the keyboard; and hostile text in the data stays inert."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ARTIFACTS, ROOT, build, copy_project, serve_site
from tracker.tables import DataPackage

pytestmark = pytest.mark.browser
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(("r/", "_")))


def open_page(browser, url: str, **context_options):
    """A fresh page with every outside request recorded and blocked, and every error collected."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    record = {"outside": [], "errors": [], "failed": []}

    def route(r):
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith(("data:", "blob:")) or host in LOCAL:
            r.continue_()
        else:
            record["outside"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: record["errors"].append(f"page error: {e}"))
    page.on("console", lambda m: record["errors"].append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: record["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    return context, page, record


@pytest.fixture(scope="module")
def site(built_site) -> Path:
    return built_site / "_build" / "html"


def test_every_page_loads_with_no_errors_and_nothing_from_elsewhere(browser, site_url, site):
    pages = site_pages(site)
    assert len(pages) > 30
    problems = []
    for path in pages:
        context, page, record = open_page(browser, f"{site_url}/{path}")
        if "altair-viz-" in (site / path).read_text(encoding="utf-8"):
            page.wait_for_function("() => [...document.querySelectorAll('div[id^=altair-viz-]')]"
                                   ".every(d => d.querySelector('svg.marks, canvas.marks'))", timeout=15000)
        page.wait_for_timeout(100)
        for kind in ("outside", "errors", "failed"):
            problems += [f"{path}: {kind}: {item}" for item in record[kind]]
        context.close()
    assert problems == []


def test_no_serious_or_critical_accessibility_violations(browser, site_url, site):
    axe = AXE.read_text(encoding="utf-8")
    report = []
    for path in site_pages(site):
        if path == "index.html":  # a redirect to the home page, which is checked itself
            continue
        context, page, _ = open_page(browser, f"{site_url}/{path}")
        page.add_script_tag(content=axe)
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""")
        report += [f"{path}: {v['impact']} {v['id']} at {v['nodes']}" for v in result]
        context.close()
    assert report == [], "\n".join(report)


def test_language_is_set_and_headings_are_in_order(browser, site_url, site):
    problems = []
    for path in site_pages(site):
        if path in ("index.html", "404.html"):
            continue
        context, page, _ = open_page(browser, f"{site_url}/{path}")
        if page.evaluate("document.documentElement.lang") != "en":
            problems.append(f"{path}: no lang")
        # Headings a reader (or a screen reader) meets: print-only copies are display:none.
        levels = page.evaluate("[...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]"
                               ".filter(h => h.getClientRects().length > 0).map(h => Number(h.tagName[1]))")
        if levels.count(1) != 1:
            problems.append(f"{path}: {levels.count(1)} h1 headings")
        for before, after in zip(levels, levels[1:]):
            if after > before + 1:
                problems.append(f"{path}: heading level jumps from h{before} to h{after}")
                break
        context.close()
    assert problems == []


def test_navigation_works_from_the_keyboard_with_visible_focus(browser, site_url):
    context, page, _ = open_page(browser, f"{site_url}/book/intro.html")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.getAttribute('href') || ''").endswith("explorer.html"):
            break
    else:
        pytest.fail("the explorer link in the navigation could not be reached with Tab")
    outline = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                            " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()")
    assert outline[0] != "none" or outline[2] != "none", f"no visible focus indicator: {outline}"
    page.keyboard.press("Enter")
    page.wait_for_url("**/explorer.html")
    assert page.locator("main h1").first.inner_text().startswith("Recommendations explorer")
    context.close()


def test_screenshots_for_a_person_to_look_at(browser, site_url):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in [("home", "book/intro.html"), ("review", "book/reviews/messenger-2022.html"),
                       ("explorer", "book/explorer.html"), ("chart", "book/analysis/overview.html")]:
        context, page, _ = open_page(browser, f"{site_url}/{path}", viewport={"width": 1280, "height": 900})
        if name == "chart":
            page.wait_for_selector("div[id^=altair-viz-] svg.marks", timeout=15000)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)
        context.close()
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


# --- Hostile data ----------------------------------------------------------------

HOSTILE = [
    '<script>window.__pwned = "script"</script>',
    '"><img src=x onerror="window.__pwned = \'img\'">',
    "<svg onload=\"window.__pwned = 'svg'\"><circle r=1></circle></svg>",
    "[click me](javascript:window.__pwned='md')",
    "{{ config }} `code` *stars*",
]
ID_COLUMNS = {"review_id", "rec_id", "theme_id", "source_id", "from_rec", "to_rec", "government_id"}


def poison(data: Path) -> list[str]:
    """Append a hostile string to every free-text cell of every table; returns what was planted."""
    pkg = DataPackage(data)
    planted = []
    for name, resource in pkg.resources.items():
        text_columns = [f["name"] for f in resource["schema"]["fields"]
                        if f["type"] == "string" and f["name"] not in ID_COLUMNS and "enum" not in f.get("constraints", {})
                        and "pattern" not in f.get("constraints", {}) and not f["name"].endswith("_id") and f["name"] not in ("query", "location")]
        path = data / resource["path"]
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if not rows:
            continue
        fields = list(rows[0])
        for i, row in enumerate(rows):
            for column in text_columns:
                if column == "response_note" and not row.get("response_source_id"):
                    continue  # a note needs a response source (a data rule), so only annotated responses get one
                hostile = HOSTILE[i % len(HOSTILE)]
                row[column] = f"{row[column]} {hostile}".strip()
                planted.append(hostile)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return planted


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("hostile"))
    poison(project / "data")
    result = build(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    root = project / "_build" / "html"
    for url in serve_site(root):
        yield root, url


def test_hostile_text_is_shown_as_text_and_never_runs(browser, hostile_site):
    root, url = hostile_site
    checked = 0
    for path in ["book/reviews/messenger-2022.html", "book/explorer.html", "book/themes/index.html", "book/themes/appraisal.html", "book/recurring/index.html", "book/recurring/2010s.html",
                 "book/statuses/unknown.html", "book/reviews/index.html", "book/analysis/asks.html", "book/analysis/overview.html",
                 "book/analysis/timeline.html", "book/about/data-dictionary.html"]:
        context, page, record = open_page(browser, f"{url}/{path}")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned === undefined"), f"hostile code ran on {path}"
        assert page.locator("main img[src=x], main svg[onload]").count() == 0
        body = page.locator("main").inner_text()
        if path != "book/about/data-dictionary.html":
            assert "<script>" in body or "onerror=" in body or "<svg onload" in body, f"hostile text not shown as text on {path}"
        assert record["outside"] == []
        checked += 1
        context.close()
    assert checked == 12


def test_hostile_text_in_chart_tooltips_is_inert(browser, hostile_site):
    root, url = hostile_site
    context, page, _ = open_page(browser, f"{url}/book/analysis/overview.html")
    page.wait_for_selector("div[id^=altair-viz-] svg.marks", timeout=15000)
    tooltip = page.locator("#vg-tooltip-element")
    marks = page.locator("div[id^=altair-viz-] svg.marks path[aria-roledescription]")
    # Hover marks in turn until one shows its tooltip (a mark drawn under a label shows none).
    for i in range(min(marks.count(), 12)):
        marks.nth(i).scroll_into_view_if_needed()
        box = marks.nth(i).bounding_box()
        if not box or box["width"] < 2 or box["height"] < 2:
            continue
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            tooltip.wait_for(state="visible", timeout=1500)
            break
        except Exception:
            continue
    tooltip.wait_for(state="visible", timeout=5000)
    assert tooltip.locator("img, svg, script").count() == 0
    assert "<" in tooltip.inner_text()
    assert page.evaluate("window.__pwned === undefined")
    context.close()


def test_hostile_text_round_trips_through_the_json_api_and_search(browser, hostile_site):
    root, url = hostile_site
    record = json.loads((root / "api" / "recommendations" / "messenger-2022-r1.json").read_text())
    assert any(h in record["summary"] or h in record["title"] for h in HOSTILE)
    context, page, _ = open_page(browser, f"{url}/search.html?q=pwned")
    page.wait_for_selector("#search-results", timeout=15000)
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("#search-results img[src=x], #search-results svg[onload], #search-results script").count() == 0
    context.close()
