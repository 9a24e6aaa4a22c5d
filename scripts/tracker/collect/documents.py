"""Fetching each review's own report and comparing its numbered recommendations
with the curated tables.

Where a report lives is data (``data/report_locations.csv``): a GOV.UK path,
fetched through the Content API (a publication's PDF and HTML attachments are
followed; an HTML publication's body is read), or a direct document address.
Documents are streamed into ``data/raw/documents/<review_id>/`` under a size
cap, checked (a PDF must start with ``%PDF``), stored with a provenance sidecar,
and read by :mod:`tracker.extract`. The document with the most numbered
recommendations stands for the review, and three kinds of candidate come out:

* ``new-recommendation``: a number the report has and ``data/`` lacks, with its
  heading, extracted text, locator and the document's hash;
* ``check``: a recorded recommendation whose number is not yet confirmed
  against the report (``number_basis`` secondary or uncertain), or whose words
  share too little with the report's text at that number;
* ``drift``: the report's count differs from the declared count.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

from ..extract import DocumentError, Extraction, extract
from ..model import Corpus
from .http import Client, FetchError
from .inbox import Candidate
from .snapshots import Snapshot, atomic_write, snapshot_name
from .sources import GOVUK_DEFAULT, ShapeError, govuk_root, load_json, words

COLLECTOR = "report-documents"
ASSETS_DEFAULT = "https://assets.publishing.service.gov.uk"
GOVUK_HOSTS = {"www.gov.uk", "assets.publishing.service.gov.uk"}
PARLIAMENT_HOSTS = {"questions-statements-api.parliament.uk", "questions-statements.parliament.uk",
                    "publications.parliament.uk", "committees.parliament.uk", "hansard.parliament.uk",
                    "api.parliament.uk", "www.parliament.uk", "researchbriefings.files.parliament.uk",
                    "qna.files.parliament.uk"}
#: Report PDFs run to tens of megabytes; this cap leaves room for the largest.
MAX_DOCUMENT_BYTES = 150 * 1024 * 1024
MAX_ATTACHMENTS = 12
#: A recorded recommendation whose title and summary share fewer than this
#: share of their distinctive words with the report's text at the same number
#: is proposed for a check (see :func:`overlap`).
CHECK_BELOW = 0.25
UNCONFIRMED_BASES = {"secondary", "uncertain"}


def assets_root() -> str:
    return os.environ.get("GOVUK_ASSETS_ROOT", ASSETS_DEFAULT).rstrip("/")


def document_hosts(locations: list[dict]) -> set[str]:
    """The hosts documents may come from: GOV.UK's, Parliament's, the configured
    roots', and every host named in report_locations.csv."""
    hosts = set(GOVUK_HOSTS) | PARLIAMENT_HOSTS
    hosts |= {urlparse(govuk_root()).hostname, urlparse(assets_root()).hostname}
    hosts |= {urlparse(loc["location"]).hostname for loc in locations if loc["kind"] == "document"}
    return {h for h in hosts if h}


def licence_for(url: str) -> str:
    host = urlparse(url).hostname or ""
    if host.endswith("gov.uk"):
        return "OGL-UK-3.0"
    if host.endswith("parliament.uk"):
        return "OPL"
    return "not-stated"


def _fetch_url(url: str) -> str:
    """Where to fetch a public address from: GOV.UK's asset host may be pointed at a mirror."""
    parsed = urlparse(url)
    if parsed.hostname == "assets.publishing.service.gov.uk":
        return assets_root() + parsed.path
    return url


@dataclass
class Fetched:
    public_url: str
    path: Path
    result: str  # new | changed | unchanged


@dataclass
class ReviewDocuments:
    review_id: str
    fetched: list[Fetched] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _check_content(path: str, kind: str, url: str) -> None:
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if kind == "pdf" and not head.startswith(b"%PDF"):
        os.unlink(path)
        raise FetchError(url, f"expected a PDF, but the body starts with {head[:16]!r}")
    if kind == "html" and b"<" not in head:
        os.unlink(path)
        raise FetchError(url, "expected an HTML page, but the body has no markup")


def download(client: Client, public_url: str, kind: str, folder: Path) -> Fetched:
    """Stream one document into ``folder`` (conditional on the last copy), check it, store it with provenance."""
    suffix = ".pdf" if kind == "pdf" else ".html"
    name = Path(urlparse(public_url).path).name or "document"
    snapshot = Snapshot(folder / snapshot_name(f"{name} {public_url}", suffix))
    accept = "application/pdf" if kind == "pdf" else "text/html"
    fetch_url = _fetch_url(public_url)
    response = client.get(fetch_url, validators=snapshot.validators(), download_to=str(folder),
                          max_bytes=MAX_DOCUMENT_BYTES, accept=accept)
    if response.not_modified:
        return Fetched(public_url, snapshot.path, "unchanged")
    _check_content(response.path, kind, public_url)
    result = snapshot.store_download(response, fetch_url, licence_for(public_url), COLLECTOR, public_url=public_url)
    return Fetched(public_url, snapshot.path, result)


def _content_item(client: Client, path: str, folder: Path) -> tuple[dict, Fetched]:
    path = "/" + path.strip().lstrip("/")
    public = GOVUK_DEFAULT + path
    snapshot = Snapshot(folder / snapshot_name(f"content {path}"))
    api_url = f"{govuk_root()}/api/content{quote(path)}"
    response = client.get(api_url, validators=snapshot.validators())
    body = snapshot.body() if response.not_modified else response.body
    doc = load_json(body)
    if not isinstance(doc, dict) or "base_path" not in doc or not isinstance(doc.get("details"), dict):
        raise ShapeError("unexpected structure: a content item needs 'base_path' and 'details'")
    result = "unchanged" if response.not_modified else snapshot.store(response, api_url, "OGL-UK-3.0", COLLECTOR,
                                                                        public_url=public)
    return doc, Fetched(public, snapshot.path, result)


def fetch_location(client: Client, location: dict, folder: Path) -> ReviewDocuments:
    """Every document at one location; one failing document never stops the others."""
    out = ReviewDocuments(location["review_id"])

    def attempt(fn, what: str):
        try:
            return fn()
        except FetchError as exc:
            if exc.skipped:
                out.skipped.append(f"{what}: {exc.message}")
            else:
                out.errors.append(str(exc))
        except ShapeError as exc:
            out.errors.append(f"{what}: {exc}")
        return None

    if location["kind"] == "document":
        got = attempt(lambda: download(client, location["location"], location["format"], folder), location["location"])
        if got:
            out.fetched.append(got)
        return out
    item = attempt(lambda: _content_item(client, location["location"], folder), location["location"])
    if not item:
        return out
    doc, fetched = item
    if (doc["details"].get("body") or "").strip() and doc.get("schema_name", "html_publication") == "html_publication":
        out.fetched.append(fetched)
    for attachment in (doc["details"].get("attachments") or [])[:MAX_ATTACHMENTS]:
        if not isinstance(attachment, dict) or not attachment.get("url"):
            continue
        url, kind = attachment["url"], attachment.get("attachment_type")
        is_pdf = (attachment.get("content_type") or "").endswith("pdf") or url.lower().endswith(".pdf")
        if kind == "file" and is_pdf:
            absolute = url if url.startswith("http") else ASSETS_DEFAULT + url
            got = attempt(lambda: download(client, absolute, "pdf", folder), absolute)
            if got:
                out.fetched.append(got)
        elif kind == "html":
            path = urlparse(url).path
            sub = attempt(lambda: _content_item(client, path, folder), GOVUK_DEFAULT + path)
            if sub and (sub[0]["details"].get("body") or "").strip():
                out.fetched.append(sub[1])
    return out


# --- comparing a report with the curated data -----------------------------------

def _stems(text: str) -> set[str]:
    return {w[:6] for w in words(text)}


def overlap(ours: str, theirs: str) -> float:
    """The share of our distinctive words (four letters or more, common words
    left out, compared on their first six letters) that the report's text also
    has: 1.0 when every one is there, 0.0 when none is. Our summaries are in our
    own words, so a low share means the number may point at another recommendation."""
    mine = _stems(ours)
    return len(mine & _stems(theirs)) / len(mine) if mine else 0.0


def best_extraction(extractions: list[tuple[Fetched, Extraction]]) -> tuple[Fetched, Extraction] | None:
    """The document that stands for the review: the one with most numbered recommendations (HTML first on a tie)."""
    if not extractions:
        return None
    return max(extractions, key=lambda fe: (len(fe[1].recommendations), fe[1].kind != "pdf"))


def candidates(review_id: str, fetched: Fetched, extraction: Extraction, corpus: Corpus, snapshot: str,
               today: str) -> list[Candidate]:
    review = corpus.reviews[review_id]
    ours = {r["number"]: r for r in corpus.recs_of(review_id)}
    publisher = review.get("publisher", "")
    title = review.get("short_title") or review["title"]
    url = fetched.public_url
    common = dict(review_id=review_id, url=url, published=review["published"], publisher=publisher, collector=COLLECTOR,
                  snapshot=snapshot, licence=licence_for(url), found_on=today, document_sha256=extraction.sha256)
    out: list[Candidate] = []
    for rec in extraction.recommendations:
        text = rec.text[:2000]
        if rec.number not in ours:
            out.append(Candidate(Candidate.make_id("new-recommendation", review_id, rec.number, extraction.sha256),
                                 "new-recommendation", suggested_rec_id=f"{review_id}-r{rec.number}",
                                 title=rec.heading[:200] or f"{title}, recommendation {rec.number}",
                                 detail=f"{title}: recommendation {rec.number} ({rec.locator}) is in the report but not in data/",
                                 number=rec.number, locator=rec.locator, extracted_text=text, **common))
            continue
        row = ours[rec.number]
        score = overlap(f"{row['title']} {row['summary']}", rec.text)
        basis = row.get("number_basis", "")
        if basis in UNCONFIRMED_BASES or score < CHECK_BELOW:
            why = (f"its number is {basis} in data/; confirm it against the report" if basis in UNCONFIRMED_BASES
                   else f"its words share {score:.0%} with the report's text at this number (below {CHECK_BELOW:.0%})")
            out.append(Candidate(Candidate.make_id("check", row["rec_id"], extraction.sha256), "check",
                                 suggested_rec_id=row["rec_id"], title=rec.heading[:200],
                                 detail=f"{row['rec_id']}: {why}; word overlap {score:.2f}", number=rec.number,
                                 locator=rec.locator, extracted_text=text, **common))
    declared = review.get("recommendations_in_source") or ""
    found = len(extraction.recommendations)
    if declared and found and str(found) != str(declared):
        out.append(Candidate(Candidate.make_id("drift", review_id, url, f"document-count:{found}:{declared}"), "drift",
                             suggested_rec_id="", title=title,
                             detail=f"the report lists {found} numbered recommendations; reviews.csv declares {declared}",
                             **common))
    return out


def save_extraction(fetched: Fetched, extraction: Extraction, data_dir: Path) -> Path:
    """Keep what was read beside the document (``<name>.extracted.json``): the
    numbers, headings, texts and locators, for curators and for later checks."""
    record = extraction.as_json()
    record["document"] = str(fetched.path.relative_to(data_dir))
    record["url"] = fetched.public_url
    target = fetched.path.with_name(fetched.path.with_suffix("").name + ".extracted.json")
    text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        atomic_write(target, text.encode("utf-8"))
    return target


def read_documents(fetched_documents: list[Fetched], expected: int | None) -> tuple[list[tuple[Fetched, Extraction]], list[str]]:
    """Extract every fetched document; a document that cannot be read is named with its reason."""
    read, errors = [], []
    for fetched in fetched_documents:
        try:
            read.append((fetched, extract(fetched.path, expected=expected)))
        except DocumentError as exc:
            errors.append(f"{fetched.public_url}: {exc}")
    return read, errors
