"""Files for re-users in the built site: downloads, the JSON API, the Atom feed,
permanent addresses, sitemap and 404 page."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from conftest import PUBLISHED_AT
from tracker.model import load
from tracker.tables import DataPackage

pytestmark = pytest.mark.build
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(built_site):
    return built_site / "_build" / "html"


@pytest.fixture(scope="module")
def corpus(built_site):
    return load(built_site / "data")


def test_every_table_and_one_archive_can_be_downloaded(site, built_site):
    pkg = DataPackage(built_site / "data")
    names = ["datapackage.json"] + [r["path"] for r in pkg.resources.values()]
    for name in names:
        assert (site / "data" / name).read_bytes() == (built_site / "data" / name).read_bytes()
    with zipfile.ZipFile(site / "data" / "nhs-leadership-reviews-data.zip") as archive:
        assert sorted(n.split("/", 1)[1] for n in archive.namelist()) == sorted(names)


def test_the_api_has_every_review_and_recommendation(site, corpus):
    index = json.loads((site / "api" / "index.json").read_text())
    assert {r["review_id"] for r in index["reviews"]} == set(corpus.reviews)
    assert {r["rec_id"] for r in index["recommendations"]} == set(corpus.recommendations)
    for rec_id in corpus.recommendations:
        record = json.loads((site / "api" / "recommendations" / f"{rec_id}.json").read_text())
        assert record["rec_id"] == rec_id
        assert [h["as_of"] for h in record["history"]] == [a["as_of"] for a in corpus.history(rec_id)]
        if not record["is_ask"]:
            assert record["status"] == corpus.status(rec_id)
        # The parts of the ask, each with its state at the latest assessment, as the page shows them.
        assert [(p["part"], p["text"], p["state"]) for p in record["parts"]] == \
            [(int(p["part"]), p["text"], state) for p, state in corpus.part_states(rec_id)]
    for review_id in corpus.reviews:
        record = json.loads((site / "api" / "reviews" / f"{review_id}.json").read_text())
        assert record["recommendations"] == [r["rec_id"] for r in corpus.recs_of(review_id)]


def test_the_feed_is_atom_with_one_entry_per_assessment_newest_first(site, corpus):
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for required in ("title", "id", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == sum(len(h) for h in corpus.assessments_of.values())
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    for e in entries:
        # With no public address configured, links are relative to the feed, at the site's root.
        href = e.find(f"{ATOM}link").get("href")
        assert e.find(f"{ATOM}title").text and (site / href.split("#")[0]).is_file(), href


def test_the_published_feed_links_to_the_public_address(published_site):
    root = ET.parse(published_site / "_build" / "html" / "feed.xml").getroot()
    hrefs = [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]
    assert hrefs and all(h.startswith(PUBLISHED_AT + "book/reviews/") for h in hrefs)


def test_every_page_links_the_feed(site):
    for page in list((site / "book").rglob("*.html"))[:50]:
        assert 'type="application/atom+xml"' in page.read_text(encoding="utf-8"), page


def test_permanent_addresses_lead_to_each_recommendation(site, corpus):
    for rec_id in corpus.recommendations:
        html = (site / "r" / f"{rec_id}.html").read_text()
        target = html.split('url=', 1)[1].split('"', 1)[0]
        page, anchor = target.split("#")
        resolved = (site / "r" / page).resolve()
        assert resolved.exists() and anchor == rec_id
        assert f'id="{rec_id}"' in resolved.read_text(encoding="utf-8")


def test_a_renumbered_recommendation_keeps_its_old_address_and_says_so(site, corpus):
    assert corpus.renumbered, "the committed data has no renumbering to check"
    for c in corpus.renumbered:
        review = corpus.recommendations[c["new_rec_id"]]["review_id"]
        page = (site / "book" / "reviews" / f"{review}.html").read_text(encoding="utf-8")
        section = page[page.index('id="corrections-to-numbering"'):]
        assert c["old_rec_id"] in section and f'#{c["new_rec_id"]}"' in section
        redirect = (site / "r" / f"{c['old_rec_id']}.html").read_text(encoding="utf-8")
        if c["old_rec_id"] in corpus.recommendations:  # the ID was reused: it leads to its new holder
            assert f"#{c['old_rec_id']}\"" in redirect
        else:
            assert f"#{c['new_rec_id']}\"" in redirect
            assert f'id="{c["old_rec_id"]}"' in page


def test_sitemap_and_404_and_robots(published_site, corpus):
    site = published_site / "_build" / "html"
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    for review_id in corpus.reviews:
        assert f"{PUBLISHED_AT}book/reviews/{review_id}.html" in locs
    not_found = (site / "404.html").read_text()
    assert "Page not found" in not_found and "explorer" in not_found
    assert f"Sitemap: {PUBLISHED_AT}sitemap.xml" in (site / "robots.txt").read_text()


def test_without_a_public_address_nothing_invents_one(site, corpus):
    """A fresh clone's build: no placeholder host anywhere, no sitemap (it needs absolute
    addresses), API addresses relative to the site's root, and pages that say so."""
    placeholders = []
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".txt", ".js", ".inc", ".cff"):
            content = path.read_text(encoding="utf-8", errors="replace")
            if "example.org" in content or "example.com" in content:
                placeholders.append(str(path.relative_to(site)))
    assert placeholders == []
    assert not (site / "sitemap.xml").exists() and "Sitemap:" not in (site / "robots.txt").read_text()
    record = json.loads((site / "api" / "recommendations" / "messenger-2022-r3.json").read_text())
    assert record["permalink"] == "r/messenger-2022-r3.html" and record["page"].startswith("book/reviews/")
    review = (site / "book" / "reviews" / "messenger-2022.html").read_text(encoding="utf-8")
    assert "no public address configured" in review and 'property="og:url"' not in review
    assert '<link rel="canonical"' not in review
    examples = (site / "book" / "about" / "use-the-data.html").read_text(encoding="utf-8")
    assert "http://127.0.0.1:8000/data/" in examples


def test_the_citation_file_is_served_and_linked_from_every_page(site):
    assert (site / "CITATION.cff").read_text(encoding="utf-8").startswith("cff-version:")
    for page, href in (("index.html", "CITATION.cff"), ("book/reviews/messenger-2022.html", "../../CITATION.cff")):
        path = site / page
        html = path.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in html.lower():
            continue  # the root index only redirects
        assert f'href="{href}"' in html, page
    assert 'href="../../CITATION.cff"' in (site / "book" / "about" / "use-the-data.html").read_text(encoding="utf-8")


def test_review_pages_say_how_to_cite_them_and_describe_themselves(published_site, corpus):
    site = published_site / "_build" / "html"
    pages = [f"{r}.html" for r in list(corpus.reviews)[:5]]
    pages += sorted(p.name for p in (site / "book" / "reviews").glob("*--*.html"))  # continuation pages
    assert any("--" in p for p in pages), "the committed data has a review long enough to continue over pages"
    for name in pages:
        html = (site / "book" / "reviews" / name).read_text(encoding="utf-8")
        assert "Cite this page:" in html
        assert 'name="description"' in html and 'property="og:title"' in html
        # The address a reader copies is the page's own address, character for character.
        cite = html[html.index("Cite this page:"):]
        shown = re.search(r'<a [^>]*href="([^"]+)"[^>]*><code[^>]*><span class="pre">([^<]+)</span>', cite)
        assert shown and shown.group(1) == shown.group(2) and shown.group(1) == f"{PUBLISHED_AT}book/reviews/{name}"


def test_the_dataset_carries_a_version_that_the_citation_file_repeats(published_site):
    site = published_site / "_build" / "html"
    described = json.loads((site / "data" / "datapackage.json").read_text())
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", described["version"]) and described["created"]
    assert described["contributors"] and described["licenses"] and described["homepage"] == PUBLISHED_AT
    citation = (site / "CITATION.cff").read_text(encoding="utf-8")
    assert f'version: "{described["version"]}"' in citation


def test_every_recommendation_has_a_citation_in_words_with_its_permanent_address(published_site, corpus):
    site = published_site / "_build" / "html"
    html = (site / "book" / "reviews" / "messenger-2022.html").read_text(encoding="utf-8")
    for rec in corpus.recs_of("messenger-2022"):
        permanent = f"{PUBLISHED_AT}r/{rec['rec_id']}.html"
        assert html.count('data-copy="NHS leadership reviews tracker (data version ') >= 1
        assert permanent in html, rec["rec_id"]


def test_the_counts_agree_on_every_page_that_states_them(site, corpus):
    """The start page, the explorer, the overview and the timeline count reviews,
    recommendations and asks the same way, from one definition."""
    c = corpus.counts()

    def words(path: str) -> str:
        html = (site / path).read_text(encoding="utf-8")
        return " ".join(re.sub(r"<[^>]+>", " ", html).split())

    for path in ("book/intro.html", "book/explorer.html"):
        text = words(path)
        assert f"holds {c['recommendations']:,} recommendations from {c['reviews_with_recommendations']} of its {c['reviews']} reviews" in text, path
        assert f"{c['asks']} asks from stakeholder reports, counted apart" in text, path
        assert f"made {c['known_numbered']:,} between them; {c['tracked_of_known']:,} of those are tracked" in text, path
        assert "every recommendation," not in text
    assert f"The {c['reviews_with_recommendations']} reviews with recommendations tracked" in words("book/analysis/overview.html")
    timeline = words("book/analysis/timeline.html")
    assert f"{c['reviews']} reviews (reviews, inquiries" in timeline
    assert f"{c['reviews_with_recommendations']} of them have recommendations tracked" in timeline
