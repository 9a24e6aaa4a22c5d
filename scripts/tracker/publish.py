"""Files for re-users, written into the built site after Sphinx has finished:
downloads (every CSV, datapackage.json and one zip), a static JSON API, an Atom
feed of assessments, permanent redirect pages for every recommendation,
sitemap.xml, robots.txt and a 404 page.

Everything from data is serialised by ``json`` or escaped for XML/HTML."""

from __future__ import annotations

import json
import shutil
import zipfile
from html import escape
from pathlib import Path
from urllib.parse import urljoin
from xml.sax.saxutils import escape as xml_escape

from .model import Corpus, split_parts
from .tables import DataPackage

ZIP_NAME = "nhs-leadership-reviews-data.zip"
FEED = "feed.xml"
SITE_TITLE = "NHS leadership reviews tracker"


def review_path(page: str) -> str:
    """The address of a review page: a review_id, or the name of a continuation page (Corpus.rec_page)."""
    return f"book/reviews/{page}.html"


def rec_path(corpus: Corpus, rec_id: str) -> str:
    return f"{review_path(corpus.rec_page(rec_id))}#{rec_id}"


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_downloads(data_dir: Path, out: Path) -> list[str]:
    target = out / "data"
    target.mkdir(parents=True, exist_ok=True)
    pkg = DataPackage(data_dir)
    names = ["datapackage.json"] + [r["path"] for r in pkg.resources.values()]
    for name in names:
        shutil.copyfile(data_dir / name, target / name)
    # A fixed timestamp keeps the archive byte-identical when the data is unchanged.
    with zipfile.ZipFile(target / ZIP_NAME, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            info = zipfile.ZipInfo(f"nhs-leadership-reviews-data/{name}", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (data_dir / name).read_bytes())
    return names


def recommendation_record(corpus: Corpus, rec_id: str, base: str) -> dict:
    rec = corpus.recommendations[rec_id]

    def cite(source_id: str) -> dict | None:
        s = corpus.sources.get(source_id)
        return {"source_id": source_id, "title": s["title"], "publisher": s["publisher"], "published": s["published"] or None,
                "url": s["url"]} if s else None

    from .commitments import outcome

    as_of = corpus.as_of()
    promised = [{"commitment_id": c["commitment_id"], "body": c["body"], "promise": c["promise"], "made_on": c["made_on"],
                 "due_by": c["due_by"], "due_precision": c["due_precision"], "due_wording": c["due_wording"],
                 "delivered_on": c["delivered_on"] or None, "withdrawn_on": c["withdrawn_on"] or None,
                 "outcome": outcome(c, as_of)[0], "outcome_as_of": as_of, "source": cite(c["made_source_id"]),
                 "delivery_source": cite(c["delivered_source_id"]) if c["delivered_source_id"] else None}
                for c in corpus.commitments_of(rec_id)]
    return {
        "rec_id": rec_id,
        "commitments": promised,
        "review_id": rec["review_id"],
        "number": rec["number"],
        "title": rec["title"],
        "summary": rec["summary"],
        "addressed_to": rec["addressed_to"],
        "is_ask": corpus.is_ask(rec_id),
        "government_response": rec["government_response"],
        "response_source": cite(rec["response_source_id"]),
        "response_note": rec.get("response_note") or None,
        "source_url": rec["source_url"],
        "source_locator": rec["source_locator"] or None,
        "number_basis": rec.get("number_basis") or None,
        "themes": corpus.themes_of.get(rec_id, []),
        "status": None if corpus.is_ask(rec_id) else corpus.status(rec_id),
        "parts": [{"part": int(p["part"]), "text": p["text"], "state": state} for p, state in corpus.part_states(rec_id)],
        "history": [{"as_of": a["as_of"], "as_of_precision": a.get("as_of_precision") or "day", "status": a["status"],
                     "parts_operating": split_parts(a.get("parts_operating")), "parts_partly": split_parts(a.get("parts_partly")),
                     "evidence": a["evidence"], "confidence": a["confidence"], "second_reading": a.get("second_reading") or None,
                     "assessed_on": a["assessed_on"], "source": cite(a["source_id"]) if a["source_id"] else None}
                    for a in corpus.history(rec_id)],
        "links": [{"relation": l["relation"], "to_rec": l["to_rec"], "note": l["note"]} for l in corpus.links_from.get(rec_id, [])],
        "linked_from": [{"relation": l["relation"], "from_rec": l["from_rec"], "note": l["note"]} for l in corpus.links_to.get(rec_id, [])],
        # Suggested by text similarity, not checked (tracker.similar); best first, ties by rec_id.
        "similar": [{"rec_id": other, "score": score} for other, score in corpus.similar(rec_id)],
        "page": urljoin(base, rec_path(corpus, rec_id)),
        "permalink": urljoin(base, f"r/{rec_id}.html"),
    }


def review_record(corpus: Corpus, review_id: str, base: str) -> dict:
    review = corpus.reviews[review_id]
    return {
        **{k: (review[k] or None) for k in ("review_id", "title", "short_title", "lead", "publisher", "kind", "published",
                                             "published_precision", "url", "coverage", "summary")},
        "recommendations_in_source": int(review["recommendations_in_source"]) if review["recommendations_in_source"] else None,
        "recommendations": [r["rec_id"] for r in corpus.recs_of(review_id)],
        "response_totals": [{"government_response": t["government_response"], "count": int(t["count"]), "source_id": t["source_id"]}
                            for t in corpus.response_totals.get(review_id, [])],
        "report_locations": [{"kind": p["kind"], "location": p["location"], "format": p["format"], "basis": p["basis"],
                              "basis_url": p["basis_url"]} for p in corpus.report_locations.get(review_id, [])],
        "page": urljoin(base, review_path(review_id)),
    }


def write_api(corpus: Corpus, out: Path, base: str, updated: str) -> int:
    api = out / "api"
    for review_id in corpus.reviews:
        _write_json(api / "reviews" / f"{review_id}.json", review_record(corpus, review_id, base))
    for rec_id in corpus.recommendations:
        _write_json(api / "recommendations" / f"{rec_id}.json", recommendation_record(corpus, rec_id, base))
    _write_json(api / "index.json", {
        "title": SITE_TITLE,
        "updated": updated,
        "licence": "CC-BY-4.0",
        "reviews": [{"review_id": r["review_id"], "title": r["title"], "published": r["published"],
                     "url": urljoin(base, f"api/reviews/{r['review_id']}.json")} for r in corpus.reviews_in_order()],
        "recommendations": [{"rec_id": rec_id, "url": urljoin(base, f"api/recommendations/{rec_id}.json")}
                            for rec_id in sorted(corpus.recommendations)],
        "renumbered": [{"old_rec_id": c["old_rec_id"], "new_rec_id": c["new_rec_id"], "changed_on": c["changed_on"],
                        "reason": c["reason"]} for c in corpus.renumbered],
        "explorer": urljoin(base, "api/explorer.json"),
        "downloads": urljoin(base, f"data/{ZIP_NAME}"),
        "feed": urljoin(base, FEED),
    })
    write_explorer_rows(corpus, api / "explorer.json")
    return len(corpus.reviews) + len(corpus.recommendations) + 2


def write_explorer_rows(corpus: Corpus, path: Path) -> None:
    """Every explorer row as compact JSON (column names once, then one list per row),
    which the explorer's filters load when its table runs over several pages."""
    from .pages import EXPLORER_COLUMNS, explorer_records

    rows = [[r[c] for c in EXPLORER_COLUMNS] for r in explorer_records(corpus)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"columns": EXPLORER_COLUMNS, "rows": rows}, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")


def write_permalinks(corpus: Corpus, out: Path) -> None:
    """r/<rec_id>.html always exists and forwards to wherever the recommendation lives now."""
    folder = out / "r"
    folder.mkdir(parents=True, exist_ok=True)
    # An ID retired by a correction leads to the recommendation under its new ID,
    # unless the ID now belongs to another recommendation.
    aliases = {c["old_rec_id"]: c["new_rec_id"] for c in corpus.renumbered if c["old_rec_id"] not in corpus.recommendations}
    for rec_id in list(corpus.recommendations) + sorted(aliases):
        current = aliases.get(rec_id, rec_id)
        target = "../" + rec_path(corpus, current)
        title = escape(corpus.recommendations[current]["title"])
        (folder / f"{rec_id}.html").write_text(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(rec_id)}: {title}</title>"
            f"<meta http-equiv=\"refresh\" content=\"0; url={escape(target)}\">"
            f"<link rel=\"canonical\" href=\"{escape(target)}\"><meta name=\"robots\" content=\"noindex\"></head>"
            f"<body><p>This recommendation is at <a href=\"{escape(target)}\">{title}</a>.</p></body></html>\n",
            encoding="utf-8")


def atom_feed(corpus: Corpus, base: str, updated: str) -> str:
    """One entry per assessment, newest first (by when it was assessed, then the date it describes)."""
    entries = []
    for rec_id, history in corpus.assessments_of.items():
        for a in history:
            entries.append((a["assessed_on"], a["as_of"], rec_id, a))
    entries.sort(key=lambda e: (e[0], e[1], e[2]), reverse=True)
    host_tag = "tag:nhs-leadership-reviews-tracker,2026"
    # Without a configured address the links are relative to the feed itself, at the site's root.
    parts = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"<title>{xml_escape(SITE_TITLE)}: status changes</title>",
             f'<link rel="self" type="application/atom+xml" href="{xml_escape(urljoin(base, FEED))}"/>',
             f'<link rel="alternate" type="text/html" href="{xml_escape(base or "index.html")}"/>',
             f"<id>{host_tag}:feed</id>", f"<updated>{updated}</updated>",
             f"<author><name>{xml_escape(SITE_TITLE)} contributors</name></author>"]
    for assessed_on, as_of, rec_id, a in entries:
        rec = corpus.recommendations[rec_id]
        review = corpus.reviews[rec["review_id"]]
        status = a["status"].replace("-", " ")
        title = f"{review['short_title']} {rec['number']}: {rec['title']} is {status} (as of {as_of})"
        source = corpus.sources.get(a["source_id"]) if a["source_id"] else None
        content = a["evidence"] + (f" Source: {source['title']} ({source['url']})" if source else "")
        parts += ["<entry>", f"<title>{xml_escape(title)}</title>",
                  f'<link rel="alternate" type="text/html" href="{xml_escape(urljoin(base, rec_path(corpus, rec_id)))}"/>',
                  f"<id>{host_tag}:assessment/{xml_escape(rec_id)}/{as_of}</id>",
                  f"<updated>{assessed_on}T00:00:00Z</updated>", f"<published>{assessed_on}T00:00:00Z</published>",
                  f'<category term="{xml_escape(a["status"])}"/>',
                  f'<summary type="text">{xml_escape(content)}</summary>', "</entry>"]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


def sitemap(out: Path, base: str) -> str:
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                   if not p.relative_to(out).as_posix().startswith(("r/", "_", "genindex", "search", "404")))
    urls = "".join(f"<url><loc>{xml_escape(urljoin(base, p))}</loc></url>" for p in pages)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>\n")


def not_found_page(base: str) -> str:
    # With no configured address the links are relative to the site's root, where the 404 page is.
    home = escape(base)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>Page not found: {escape(SITE_TITLE)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1f2937}}
a{{color:#1d4ed8}} a:focus{{outline:3px solid #f59e0b;outline-offset:2px}}</style></head>
<body><main><h1>Page not found</h1>
<p>There is no page at this address. It may have moved: every recommendation has a permanent address of the form
<code>r/messenger-2022-r3.html</code>, which always leads to it.</p>
<ul><li><a href="{home or 'index.html'}">Home page</a></li>
<li><a href="{home}book/explorer.html">Find a recommendation in the explorer</a></li>
<li><a href="{home}book/reviews/index.html">All reviews</a></li>
<li><a href="{home}search.html">Search the site</a></li></ul></main></body></html>
"""


def data_updated(corpus: Corpus) -> str:
    """When the data last changed, from the data itself (the newest assessment or correction),
    so that two builds of the same data stamp the same time, whatever the build machine's clock."""
    dates = [a["assessed_on"] for history in corpus.assessments_of.values() for a in history]
    dates += [c["corrected_on"] for c in corpus.corrections]
    return (max(dates) if dates else "2000-01-01") + "T00:00:00Z"


def publish(corpus: Corpus, data_dir: Path, out: Path, base: str) -> dict[str, int]:
    """Write the re-users' files. ``base`` is the site's public address, or empty when none
    is configured: then the API and the feed use addresses relative to the site's root, and
    no sitemap is written (a sitemap needs absolute addresses)."""
    if base and not base.endswith("/"):
        base += "/"
    updated = data_updated(corpus)
    files = write_downloads(data_dir, out)
    if base:
        # The published description says where the data lives; the repository's copy cannot know.
        described = json.loads((out / "data" / "datapackage.json").read_text(encoding="utf-8"))
        described["homepage"] = base
        (out / "data" / "datapackage.json").write_text(json.dumps(described, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    api = write_api(corpus, out, base, updated)
    write_permalinks(corpus, out)
    (out / FEED).write_text(atom_feed(corpus, base, updated), encoding="utf-8")
    icon = data_dir.parent / "_static" / "favicon.ico"
    if icon.exists():  # for the browsers and tools that ask the site's root whatever the page says
        shutil.copyfile(icon, out / "favicon.ico")
    citation = data_dir.parent / "CITATION.cff"
    if citation.exists():
        shutil.copyfile(citation, out / "CITATION.cff")
    robots = "User-agent: *\nAllow: /\n"
    if base:
        (out / "sitemap.xml").write_text(sitemap(out, base), encoding="utf-8")
        robots += f"Sitemap: {urljoin(base, 'sitemap.xml')}\n"
    (out / "robots.txt").write_text(robots, encoding="utf-8")
    (out / "404.html").write_text(not_found_page(base), encoding="utf-8")
    return {"downloads": len(files), "api_files": api, "permalinks": len(corpus.recommendations)}
