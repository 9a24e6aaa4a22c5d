"""Pieces every generated page uses: escaping data text for MyST, links, dates, labels,
status badges, front matter, pagers and one-line recommendation entries."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from ..model import Corpus, natural_key, part_name

GENERATED_NOTE = "<!-- Generated from data/ by the tracker package: edit the CSV files, not this page. -->"


REVIEWS_DIR = "reviews"


_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def text(value: str) -> str:
    """Data text as inert Markdown: whitespace folded, every ASCII punctuation mark escaped."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(value.split()))


def url(value: str) -> str:
    """A URL safe inside a Markdown link destination written as ``<...>``."""
    for char, code in (("%", "%25"), ("<", "%3C"), (">", "%3E"), ("\\", "%5C"), (" ", "%20"), ('"', "%22"), ("`", "%60")):
        if char == "%":
            value = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", value)
        else:
            value = value.replace(char, code)
    return value


def link(label: str, href: str) -> str:
    return f"[{text(label)}](<{url(href)}>)"


def when(iso: str, precision: str = "day") -> str:
    """A date as a reader writes it, no more precise than what is known."""
    if not iso:
        return "date unknown"
    d = date.fromisoformat(iso)
    if precision == "year":
        return str(d.year)
    if precision == "month":
        return d.strftime("%B %Y")
    return f"{d.day} {d.strftime('%B %Y')}"


def label(value: str) -> str:
    """A vocabulary term as shown to readers: `accepted-in-part` -> `Accepted in part`."""
    return value.replace("-", " ").capitalize()


def badge(status: str) -> str:
    # The status comes from a closed vocabulary checked by the schema, so it is
    # safe in a class name; the visible word carries the meaning, not the colour.
    return f'<span class="tracker-status tracker-status-{status}">{label(status)}</span>'


def front_matter(description: str, orphan: bool = False) -> str:
    safe = " ".join(description.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'---\n{"orphan: true" + chr(10) if orphan else ""}myst:\n  html_meta:\n    description: "{safe}"\n---\n'


# Page sizes: however large the corpus grows, no generated page lists more than
# this many recommendations (the rest go on numbered continuation pages).
PAGE_ROWS = 500


def split_pages(items: list, size: int) -> list[list]:
    """``items`` in consecutive runs of at most ``size`` (one empty run if there are none)."""
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def pager_line(key: str, n: int, total: int, noun: str = "Page") -> str:
    """Links between the parts of a long listing, as plain Markdown links."""
    if total == 1:
        return ""
    links = [f"**{i}**" if i == n else f"[{i}]({part_name(key, i)}.md)" for i in range(1, total + 1)]
    return f"{noun} {n} of {total}: " + " · ".join(links)


def source_link(corpus: Corpus, source_id: str) -> str:
    source = corpus.sources.get(source_id)
    if not source:
        return ""
    return link(source["title"], source["url"]) + f" ({text(source['publisher'])}, {when(source['published'], source['published_precision'] or 'day')})"


def relation_phrase(relation: str, outgoing: bool) -> str:
    phrases = {
        "answers": ("Answers the ask", "Answered by"),
        "repeats": ("Repeats", "Repeated by"),
        "builds-on": ("Builds on", "Built on by"),
        "supersedes": ("Supersedes", "Superseded by"),
    }
    return phrases[relation][0 if outgoing else 1]


def status_counts(corpus: Corpus, review_id: str) -> Counter:
    return Counter(corpus.status(r["rec_id"]) for r in corpus.recs_of(review_id))


def evidence_age(corpus: Corpus, rec_id: str) -> str:
    """When the latest evidence for a recommendation's status is dated, for beside the
    status ("evidence of March 2024"), or '' when there is none."""
    latest = corpus.current(rec_id)
    return f"evidence of {when(latest['as_of'], latest.get('as_of_precision') or 'day')}" if latest else ""


def rec_line(corpus: Corpus, rec_id: str) -> str:
    rec = corpus.recommendations[rec_id]
    review = corpus.reviews[rec["review_id"]]
    age = "" if corpus.is_ask(rec_id) else evidence_age(corpus, rec_id)
    status = "ask" if corpus.is_ask(rec_id) else badge(corpus.status(rec_id)) + (f", {age}" if age else "")
    return f"- {{ref}}`{rec_id}` ({text(review['short_title'])}, {review['published'][:4]}; {status})"


def in_review_order(corpus: Corpus, rec_ids) -> list[str]:
    order = {r["review_id"]: i for i, r in enumerate(corpus.reviews_in_order())}
    return sorted(rec_ids, key=lambda r: (order[corpus.recommendations[r]["review_id"]], rec_sort_key(corpus, r)))


def inline_code_text(value: str) -> str:
    """Descriptions are ours (datapackage.json), and may use `code` spans; the rest is escaped."""
    def prose(part: str) -> str:
        # Folding whitespace must not eat the spaces that set a code span off from its words.
        return (" " if part[:1].isspace() else "") + text(part) + (" " if part[-1:].isspace() and part.strip() else "")

    parts = value.split("`")
    return "".join(f"`{p}`" if i % 2 else prose(p) for i, p in enumerate(parts))


def cite_line(title: str, page: str, site_url: str = "") -> str:
    """How to cite a page (``page``: its path from the site's root). Without a configured
    public address, the line says so rather than invent one."""
    licence = "Data and text under the Creative Commons Attribution 4.0 licence."
    if not site_url:
        return (f"*Cite this page:* NHS leadership reviews tracker, “{text(title)}”, page `{url(page)}` of the site. "
                f"This copy of the site has no public address configured: cite the address you are reading it at. {licence}")
    # The address is shown as code: Sphinx's typography would otherwise print the
    # "--" of a continuation page's name as a dash, and a copied address would fail.
    safe = url(site_url + page)
    return f"*Cite this page:* NHS leadership reviews tracker, “{text(title)}”, [`{safe}`](<{safe}>). {licence}"


def rec_sort_key(corpus: Corpus, rec_id: str):
    """A recommendation's number as a reader sorts it (2 before 10, 12 before 12a)."""
    return natural_key(corpus.recommendations[rec_id]["number"])


def rec_ref(corpus: Corpus, rec_id: str) -> str:
    """A link to a recommendation that names its review and year, so that it reads
    on its own: "Francis inquiry (2013), recommendation 220: Training facility for leaders"."""
    rec = corpus.recommendations[rec_id]
    review = corpus.reviews[rec["review_id"]]
    noun = "ask" if corpus.is_ask(rec_id) else "recommendation"
    words = f"{review['short_title']} ({review['published'][:4]}), {noun} {rec['number']}: {rec['title']}"
    return f"{{ref}}`{role_text(words)} <{rec_id}>`"


def role_text(words: str) -> str:
    """Text for inside a MyST role (``{ref}`text <target>```): it is taken literally,
    so only the characters that would end the role or open its target are replaced."""
    return " ".join(words.replace("`", "'").replace("<", "‹").replace(">", "›").split())


def coverage_sentence(corpus: Corpus) -> str:
    """How much of the record is tracked, in the same words wherever it is said."""
    c = corpus.counts()
    text_ = (f"This tracker holds **{c['recommendations']:,} recommendations** from {c['reviews_with_recommendations']} of "
             f"its {c['reviews']} reviews (here a *review* is any review, inquiry, white paper, plan, consultation or "
             f"stakeholder report it follows)")
    text_ += f", and **{c['asks']} asks** from stakeholder reports, counted apart." if c["asks"] else "."
    if c["reviews_with_known_count"]:
        text_ += (f" The {c['reviews_with_known_count']} reviews whose own number of recommendations is known made "
                  f"{c['known_numbered']:,} between them; {c['tracked_of_known']:,} of those are tracked so far, and each "
                  "review's page lists the numbers not yet tracked.")
    return text_
