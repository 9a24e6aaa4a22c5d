"""The whole pipeline: the book is built from the data into a temporary folder
and the HTML a reader gets is checked."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest
from conftest import build, copy_project, edit_cell
from tracker.model import load

pytestmark = pytest.mark.build


class PageIndex(HTMLParser):
    """Element ids, links and script sources of one HTML page."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.scripts: list[str] = []
        self.script_bodies: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "script":
            self._in_script = True
            if a.get("src"):
                self.scripts.append(a["src"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_bodies.append(data)


def parse(path: Path) -> PageIndex:
    index = PageIndex()
    index.feed(path.read_text(encoding="utf-8"))
    return index


def html_dir(project: Path) -> Path:
    return project / "_build" / "html"


def review_html(project: Path, review_id: str) -> Path:
    return html_dir(project) / "book" / "reviews" / f"{review_id}.html"


def chart_specs(path: Path) -> list[dict]:
    """The Vega-Lite specs embedded in a page by Altair."""
    text = path.read_text(encoding="utf-8")
    specs = []
    for match in re.finditer(r'\{"config":', text):
        decoder = json.JSONDecoder()
        spec, _ = decoder.raw_decode(text[match.start():])
        specs.append(spec)
    return specs


def test_every_recommendation_has_its_anchor(built_site):
    corpus = load(built_site / "data")
    pages = {}
    for rec_id in corpus.recommendations:
        page = corpus.rec_page(rec_id)  # the review page, or its continuation page for a long review
        if page not in pages:
            pages[page] = parse(review_html(built_site, page)).ids
        assert rec_id in pages[page], f"{rec_id} has no anchor on its review page {page}"


@pytest.mark.parametrize("site", ["built_site", "paged_site"])
def test_every_internal_link_resolves(site, request):
    root = html_dir(request.getfixturevalue(site))
    pages = list(root.rglob("*.html"))
    assert len(pages) > 5
    indexes = {p: parse(p) for p in pages}
    checked = 0
    for page, index in indexes.items():
        for href in index.links:
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            target, fragment = urldefrag(href)
            target_path = (page.parent / unquote(target)).resolve() if target else page
            if target_path.is_dir():
                target_path = target_path / "index.html"
            assert target_path.exists(), f"{page.relative_to(root)} links to missing {href}"
            if fragment and target_path.suffix == ".html":
                ids = indexes[target_path].ids if target_path in indexes else parse(target_path).ids
                assert fragment in ids, f"{page.relative_to(root)} links to missing anchor {href}"
            checked += 1
    assert checked > 50


def test_cross_references_link_both_ways(built_site):
    corpus = load(built_site / "data")
    for rows in corpus.links_from.values():
        for link in rows:
            later = corpus.rec_page(link["from_rec"])
            earlier = corpus.rec_page(link["to_rec"])
            assert f"{earlier}.html#{link['to_rec']}" in " ".join(parse(review_html(built_site, later)).links)
            assert f"{later}.html#{link['from_rec']}" in " ".join(parse(review_html(built_site, earlier)).links)


def test_chart_libraries_are_served_by_the_site_only_where_there_are_charts(built_site):
    root = html_dir(built_site)
    chart_page = root / "book" / "analysis" / "status.html"
    scripts = parse(chart_page).scripts
    local = [s for s in scripts if "tracker-vega/" in s]
    assert [Path(s).name for s in local] == ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"]
    for src in local:
        assert (chart_page.parent / src).resolve().is_file()
    assert not any(s.startswith(("http:", "https:", "//")) for s in scripts)
    assert not any("tracker-vega/" in s for s in parse(root / "book" / "intro.html").scripts)


def test_vendored_chart_libraries_match_the_pinned_altair(built_site):
    from altair.vegalite.v6 import display

    root = html_dir(built_site)
    package_lock = json.loads((Path(__file__).parents[1] / "package-lock.json").read_text())
    installed = {name: package_lock["packages"][f"node_modules/{name}"]["version"] for name in ("vega", "vega-lite", "vega-embed")}
    assert installed["vega-lite"] == display.VEGALITE_VERSION
    assert installed["vega"].split(".")[0] == display.VEGA_VERSION
    assert installed["vega-embed"].split(".")[0] == display.VEGAEMBED_VERSION
    page = (root / "book" / "analysis" / "status.html").read_text()
    assert f"vegalite_version: '{display.VEGALITE_VERSION}'" in page


def test_no_unused_live_code_assets_are_loaded(built_site):
    for page in html_dir(built_site).rglob("*.html"):
        scripts = parse(page).scripts
        assert not any("thebe" in s for s in scripts), page


def test_a_data_change_reaches_the_page_and_the_chart_and_is_escaped(tmp_path):
    """One cell changes, the next build shows it: on the generated page, in the
    chart (the notebook cache must not serve the old chart), escaped as text."""
    project = copy_project(tmp_path / "project")
    first = build(project)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    corpus = load(project / "data")
    rec_id = next(r for r in corpus.recommendations
                  if not corpus.is_ask(r) and corpus.current(r) and corpus.status(r) != "abandoned")
    before = {s["status"]: s for s in _status_data(project)}
    old_status = corpus.status(rec_id)
    latest = corpus.current(rec_id)

    hostile = 'A <script>window.__pwned = 1</script> "quoted" *not bold* summary'
    edit_cell(project / "data" / "recommendations.csv", {"rec_id": rec_id}, "summary", hostile)
    assert latest is not None
    edit_cell(project / "data" / "assessments.csv", {"rec_id": rec_id, "as_of": latest["as_of"]}, "status", "abandoned")

    second = build(project)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    html = review_html(project, corpus.rec_page(rec_id)).read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "<script>window.__pwned" not in html
    assert "*not bold*" in html
    section = html[html.index(f'id="{rec_id}"'):]
    assert "tracker-status-abandoned" in section[:3000]

    after = {s["status"]: s for s in _status_data(project)}
    assert after["abandoned"]["recommendations"] == before["abandoned"]["recommendations"] + 1
    assert after[old_status]["recommendations"] == before[old_status]["recommendations"] - 1


def _status_data(project: Path) -> list[dict]:
    specs = chart_specs(html_dir(project) / "book" / "analysis" / "status.html")
    assert specs, "the status chart was not embedded"
    datasets = specs[0]["datasets"]
    return next(iter(datasets.values()))


def test_invalid_data_builds_nothing(tmp_path):
    project = copy_project(tmp_path / "project")
    edit_cell(project / "data" / "themes.csv", {"theme_id": "appraisal"}, "theme_id", "Not A Slug")
    result = build(project)
    assert result.returncode != 0
    assert "data/themes.csv" in result.stdout + result.stderr
    assert not (html_dir(project) / "book" / "intro.html").exists()


def test_a_broken_cross_reference_fails_the_build(tmp_path):
    project = copy_project(tmp_path / "project")
    page = project / "book" / "about" / "method.md"
    page.write_text(page.read_text() + "\nSee {ref}`messenger-2022-r999`.\n")
    result = build(project)
    assert result.returncode != 0
    assert "messenger-2022-r999" in result.stdout + result.stderr


def test_review_pages_are_listed_oldest_first_in_the_navigation(built_site):
    corpus = load(built_site / "data")
    html = (html_dir(built_site) / "book" / "reviews" / "index.html").read_text(encoding="utf-8")
    nav = html[html.index('bd-sidebar-primary'):]
    positions = [nav.find(f'{r["review_id"]}.html') for r in corpus.reviews_in_order()]
    assert all(p > 0 for p in positions), "every review page is in the navigation"
    assert positions == sorted(positions)


def test_two_clean_builds_of_one_commit_are_byte_identical(built_site, tmp_path):
    """The same data gives the same site: chart element ids come from the page, not
    from chance, and the feed and API carry the data's dates, not the build clock's."""
    again = copy_project(tmp_path / "again")
    result = build(again)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    first, second = built_site / "_build" / "html", again / "_build" / "html"
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    differing = [n for n in names if (first / n).read_bytes() != (second / n).read_bytes()]
    assert differing == [], f"{len(differing)} files differ between two clean builds: {differing[:10]}"
