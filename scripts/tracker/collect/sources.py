"""The collectors, one per public API. Each turns a target (a row of
``data/collection_targets.csv``) into a request, checks the response's shape,
and derives candidates from it."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlparse

from ..model import Corpus
from .inbox import Candidate

GOVUK_DEFAULT = "https://www.gov.uk"
PARLIAMENT_DEFAULT = "https://questions-statements-api.parliament.uk"
PARLIAMENT_SITE = "https://questions-statements.parliament.uk"
STOPWORDS = set("""a an and are as at be by for from has have in into is it its of on or that the their this to was were will
with which who what when where how our we you your not all new nhs health care review recommendation recommendations
department secretary state government minister ministers england social leadership leaders""".split())


class ShapeError(Exception):
    """The response parsed, but not into the documented structure."""


def govuk_root() -> str:
    return os.environ.get("GOVUK_API_ROOT", GOVUK_DEFAULT).rstrip("/")


def parliament_root() -> str:
    return os.environ.get("PARLIAMENT_QUESTIONS_API_ROOT", PARLIAMENT_DEFAULT).rstrip("/")


def allowed_hosts() -> set[str]:
    hosts = {urlparse(govuk_root()).hostname, urlparse(parliament_root()).hostname}
    return {h for h in hosts if h}


@dataclass
class Request:
    url: str
    params: dict
    label: str
    licence: str


def load_json(body: bytes) -> object:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ShapeError(f"the body is not valid JSON ({exc.__class__.__name__}: {str(exc)[:80]})") from None


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in STOPWORDS}


def suggest_rec(corpus: Corpus, review_id: str, text: str) -> str:
    """The review's recommendation whose title and summary share most distinctive
    words with ``text`` (at least two), or '' when none does."""
    found = words(text)
    best, best_score = "", 1
    for rec in corpus.recs_of(review_id):
        score = len(found & words(rec["title"] + " " + rec["summary"]))
        if score > best_score:
            best, best_score = rec["rec_id"], score
    return best


def strip_html(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html or "").split())


def numbered_recommendations(html: str) -> list[tuple[int, str]]:
    """The numbered recommendations of an HTML report body, as (number, heading),
    read by the same extractor as `python -m tracker extract`."""
    from ..extract import extract_html

    return [(int(r.number), r.heading) for r in extract_html(html or "", "body").recommendations
            if r.number.isdigit()]


# --- GOV.UK Content API -------------------------------------------------------

def govuk_content_request(target: dict) -> Request:
    path = "/" + target["query"].strip().lstrip("/")
    return Request(f"{govuk_root()}/api/content{quote(path)}", {}, f"content {path}", "OGL-UK-3.0")


def govuk_content_candidates(doc: object, target: dict, corpus: Corpus, snapshot: str, today: str) -> list[Candidate]:
    if not isinstance(doc, dict) or "title" not in doc or "base_path" not in doc:
        raise ShapeError("unexpected structure: a content item needs 'title' and 'base_path'")
    review_id = target["review_id"]
    review = corpus.reviews[review_id]
    url = GOVUK_DEFAULT + doc["base_path"]
    out: list[Candidate] = []
    published = (doc.get("first_published_at") or "")[:10]
    if published and review["published_precision"] == "day" and published != review["published"]:
        detail = f"GOV.UK gives first publication {published}; reviews.csv has {review['published']}"
        out.append(_drift(review_id, doc, url, detail, snapshot, today, key=f"published:{published}"))
    expected = target.get("expected_recommendations") or ""
    body = (doc.get("details") or {}).get("body")
    if expected or body:
        found = numbered_recommendations(body or "")
        if expected and not found:
            raise ShapeError(f"no numbered recommendations found in the body, where {expected} were expected "
                             "(has the page structure changed?)")
        ours = corpus.recs_of(review_id)
        if found and len(found) != len(ours):
            detail = (f"the source lists {len(found)} numbered recommendations and data/ has {len(ours)} "
                      f"(source numbers: {', '.join(str(n) for n, _ in found)})")
            out.append(_drift(review_id, doc, url, detail, snapshot, today, key=f"count:{len(found)}:{len(ours)}"))
        numbers = {r["number"] for r in ours}
        for n, heading in found:
            if str(n) not in numbers:
                out.append(_drift(review_id, doc, url, f"recommendation {n} ('{heading[:80]}') is not in data/",
                                  snapshot, today, key=f"missing:{n}"))
    return out


def _drift(review_id: str, doc: dict, url: str, detail: str, snapshot: str, today: str, key: str) -> Candidate:
    return Candidate(Candidate.make_id("drift", review_id, url, key), "drift", review_id, "", doc.get("title", ""), url,
                     (doc.get("first_published_at") or "")[:10], _orgs(doc), detail, "govuk-content", snapshot,
                     "OGL-UK-3.0", today)


def _orgs(doc: dict) -> str:
    orgs = [o.get("title", "") for o in ((doc.get("links") or {}).get("organisations") or []) if isinstance(o, dict)]
    return "; ".join(o for o in orgs if o) or "GOV.UK"


# --- GOV.UK Search API --------------------------------------------------------

SEARCH_FIELDS = ["title", "link", "description", "public_timestamp", "format", "organisations"]


def govuk_search_request(target: dict, since: str | None) -> Request:
    params = {"q": target["query"], "count": 50, "order": "-public_timestamp", "fields": SEARCH_FIELDS}
    if since:
        params["filter_public_timestamp"] = f"from:{since}"
    return Request(f"{govuk_root()}/api/search.json", params, f"search {target['query']} since {since or 'any'}", "OGL-UK-3.0")


def govuk_search_candidates(doc: object, target: dict, corpus: Corpus, snapshot: str, today: str) -> list[Candidate]:
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise ShapeError("unexpected structure: no 'results' list")
    known = known_urls(corpus)
    out = []
    for item in doc["results"]:
        if not isinstance(item, dict) or not item.get("link"):
            continue
        link = item["link"]
        url = link if link.startswith("http") else GOVUK_DEFAULT + link
        if url.rstrip("/") in known:
            continue
        orgs = "; ".join(o.get("title", "") for o in item.get("organisations") or [] if isinstance(o, dict)) or "GOV.UK"
        out.append(evidence(corpus, target["review_id"], url, item.get("title", ""),
                            f"{item.get('title', '')} {item.get('description', '')}", (item.get("public_timestamp") or "")[:10],
                            orgs, f"GOV.UK {item.get('format', 'publication')} matching '{target['query']}'",
                            "govuk-search", snapshot, "OGL-UK-3.0", today))
    return out


# --- UK Parliament written questions and statements ---------------------------

def parliament_questions_request(target: dict, since: str | None) -> Request:
    params = {"searchTerm": target["query"], "answered": "Answered", "take": 50}
    if since:
        params["answeredWhenFrom"] = since
    return Request(f"{parliament_root()}/api/writtenquestions/questions", params,
                   f"written questions {target['query']} since {since or 'any'}", "OPL")


def parliament_statements_request(target: dict, since: str | None) -> Request:
    params = {"searchTerm": target["query"], "take": 50}
    if since:
        params["madeWhenFrom"] = since
    return Request(f"{parliament_root()}/api/writtenstatements/statements", params,
                   f"written statements {target['query']} since {since or 'any'}", "OPL")


def _parliament_results(doc: object) -> list[dict]:
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise ShapeError("unexpected structure: no 'results' list")
    return [r.get("value") for r in doc["results"] if isinstance(r, dict) and isinstance(r.get("value"), dict)]


def known_urls(corpus: Corpus) -> set[str]:
    """Addresses already cited in sources.csv: never proposed again as evidence."""
    return {s["url"].rstrip("/") for s in corpus.sources.values()}


def evidence(corpus: Corpus, review_id: str, url: str, title: str, text: str, published: str, publisher: str,
             detail: str, collector: str, snapshot: str, licence: str, today: str) -> Candidate:
    """A proposed piece of evidence, with the recommendation it most likely bears on."""
    return Candidate(Candidate.make_id("evidence", review_id, url), "evidence", review_id,
                     suggest_rec(corpus, review_id, text), title, url, published, publisher, detail,
                     collector, snapshot, licence, today)


def parliament_questions_candidates(doc: object, target: dict, corpus: Corpus, snapshot: str, today: str) -> list[Candidate]:
    known = known_urls(corpus)
    out = []
    for q in _parliament_results(doc):
        tabled, uin = (q.get("dateTabled") or "")[:10], q.get("uin")
        url = f"{PARLIAMENT_SITE}/written-questions/detail/{tabled}/{uin}"
        if not (tabled and uin) or url in known:
            continue
        answer = strip_html(q.get("answerText") or "")
        answered = (q.get("dateAnswered") or "")[:10]
        out.append(evidence(corpus, target["review_id"], url, f"Written question {uin}: {q.get('heading') or 'untitled'}",
                            f"{q.get('heading', '')} {answer}", answered,
                            f"UK Parliament ({q.get('answeringBodyName') or 'answering body unknown'})",
                            f"answered {answered}; {len(answer.split())} words of answer",
                            "parliament-written-questions", snapshot, "OPL", today))
    return out


def parliament_statements_candidates(doc: object, target: dict, corpus: Corpus, snapshot: str, today: str) -> list[Candidate]:
    known = known_urls(corpus)
    out = []
    for s in _parliament_results(doc):
        made, uin = (s.get("dateMade") or "")[:10], s.get("uin")
        url = f"{PARLIAMENT_SITE}/written-statements/detail/{made}/{uin}"
        if not (made and uin) or url in known:
            continue
        text = strip_html(s.get("text") or "")
        out.append(evidence(corpus, target["review_id"], url, f"Written statement {uin}: {s.get('title') or 'untitled'}",
                            f"{s.get('title', '')} {text}", made,
                            f"UK Parliament ({s.get('answeringBodyName') or 'department unknown'})",
                            f"made {made}; {len(text.split())} words", "parliament-written-statements", snapshot, "OPL", today))
    return out


COLLECTORS = {
    "govuk-content": (lambda t, since: govuk_content_request(t), govuk_content_candidates),
    "govuk-search": (govuk_search_request, govuk_search_candidates),
    "parliament-written-questions": (parliament_questions_request, parliament_questions_candidates),
    "parliament-written-statements": (parliament_statements_request, parliament_statements_candidates),
}


def today_iso() -> str:
    return date.today().isoformat()
