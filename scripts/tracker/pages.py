"""MyST pages generated from the tables at build time (never edited, never committed).

Every value that comes from ``data/`` passes through :func:`text` (or
:func:`url`) before it reaches Markdown, so that a ``<script>`` or a stray
``*`` in a summary is shown as typed instead of being interpreted.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

from .model import REVIEW_PAGE_RECS, Corpus, natural_key, part_name

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


def _front_matter(description: str, orphan: bool = False) -> str:
    safe = " ".join(description.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'---\n{"orphan: true" + chr(10) if orphan else ""}myst:\n  html_meta:\n    description: "{safe}"\n---\n'


# Page sizes: however large the corpus grows, no generated page lists more than
# this many recommendations (the rest go on numbered continuation pages).
PAGE_ROWS = 500


def _parts(items: list, size: int) -> list[list]:
    """``items`` in consecutive runs of at most ``size`` (one empty run if there are none)."""
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _pager(key: str, n: int, total: int, noun: str = "Page") -> str:
    """Links between the parts of a long listing, as plain Markdown links."""
    if total == 1:
        return ""
    links = [f"**{i}**" if i == n else f"[{i}]({part_name(key, i)}.md)" for i in range(1, total + 1)]
    return f"{noun} {n} of {total}: " + " · ".join(links)


def _source_link(corpus: Corpus, source_id: str) -> str:
    source = corpus.sources.get(source_id)
    if not source:
        return ""
    return link(source["title"], source["url"]) + f" ({text(source['publisher'])}, {when(source['published'], source['published_precision'] or 'day')})"


def _recommendation(corpus: Corpus, rec: dict[str, str]) -> list[str]:
    rec_id = rec["rec_id"]
    ask = corpus.is_ask(rec_id)
    noun = "Ask" if ask else "Recommendation"
    out = [f"({rec_id})=", f"### {noun} {text(rec['number'])}: {text(rec['title'])}", ""]
    status = corpus.status(rec_id)
    facts = []
    if not ask:
        facts.append(f"Status: {badge(status)}")
    response = f"Government response: **{label(rec['government_response'])}**"
    if rec["response_source_id"]:
        response += " (" + _source_link(corpus, rec["response_source_id"]) + ")"
    if rec.get("response_note"):
        response += f" *How this was established:* {text(rec['response_note'])}"
    if rec["government_response"] != "not-applicable":
        facts.append(response)
    facts.append(f"Permalink: [`#{rec_id}`](#{rec_id})")
    out += [" · ".join(facts), "", text(rec["summary"]), ""]
    where = link("the source", rec["source_url"])
    if rec["source_locator"]:
        where += f", {text(rec['source_locator'])}"
    if rec.get("number_basis") in NUMBER_BASIS_NOTE:
        where += f". {NUMBER_BASIS_NOTE[rec['number_basis']]}"
    themes = ", ".join("{ref}" + f"`theme-{t}`" for t in corpus.themes_of.get(rec_id, []))
    out += [f"- **Addressed to:** {text(rec['addressed_to'])}", f"- **Where:** {where}", f"- **Themes:** {themes}"]
    for c in corpus.renumbered:
        if c["old_rec_id"] == rec_id:
            out.append(f"- **Renumbered:** until {when(c['changed_on'])} this ID named what is now {{ref}}`{c['new_rec_id']}`.")
        if c["new_rec_id"] == rec_id:
            out.append(f"- **Renumbered:** this recommendation was `{c['old_rec_id']}` until {when(c['changed_on'])}.")

    relations = []
    for link_row in corpus.links_from.get(rec_id, []):
        relations.append((link_row["relation"], link_row["to_rec"], link_row["note"], True))
    for link_row in corpus.links_to.get(rec_id, []):
        relations.append((link_row["relation"], link_row["from_rec"], link_row["note"], False))
    if relations:
        out.append("- **Cross-references:**")
        for relation, other, note, outgoing in relations:
            verb = _relation_phrase(relation, outgoing)
            other_status = "" if corpus.is_ask(other) else " " + badge(corpus.status(other))
            out.append(f"  - {verb} {{ref}}`{other}`{other_status}: {text(note)}")
    elif ask:
        out.append("- **Cross-references:** no recommendation answers this ask.")
    out.append("")

    if ask:
        answers = [l["from_rec"] for l in corpus.links_to.get(rec_id, []) if l["relation"] == "answers"]
        if answers:
            states = ", ".join(label(corpus.status(a)).lower() for a in answers)
            out += [f"What became of it: answered by {len(answers)} recommendation{'s' if len(answers) != 1 else ''}, now {states}.", ""]
        return out

    history = corpus.history(rec_id)
    out += [f"#### Status history of {noun.lower()} {text(rec['number'])}", ""]
    if not history:
        out += ["No assessment yet: the status is *unknown*.", ""]
        return out
    out.append("Newest first. Each entry is a dated judgement with the source it rests on.")
    out.append("")
    for a in reversed(history):
        source = _source_link(corpus, a["source_id"]) if a["source_id"] else "no source cited"
        out.append(f"- **{when(a['as_of'], a.get('as_of_precision') or 'day')}** {badge(a['status'])} {text(a['evidence'])} "
                   f"*Source:* {source}. *Confidence:* {a['confidence']}; assessed on {when(a['assessed_on'])}.")
    out.append("")
    return out


def _relation_phrase(relation: str, outgoing: bool) -> str:
    phrases = {
        "answers": ("Answers the ask", "Answered by"),
        "repeats": ("Repeats", "Repeated by"),
        "builds-on": ("Builds on", "Built on by"),
        "supersedes": ("Supersedes", "Superseded by"),
    }
    return phrases[relation][0 if outgoing else 1]


def status_counts(corpus: Corpus, review_id: str) -> Counter:
    return Counter(corpus.status(r["rec_id"]) for r in corpus.recs_of(review_id))


def untracked_numbers(declared: str, recs: list[dict[str, str]]) -> list[int]:
    """The numbers from 1 to a source's declared count that no tracked recommendation has."""
    if not declared.isdigit():
        return []
    have = {int(m.group()) for r in recs if (m := re.match(r"\d+", r["number"]))}
    return [n for n in range(1, int(declared) + 1) if n not in have]


def number_ranges(numbers: list[int]) -> str:
    """Sorted whole numbers as a reader writes them: [2, 3, 4, 9] -> '2–4 and 9'."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}, {r[1]}" if len(r) == 2 else f"{r[0]}–{r[-1]}" for r in runs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def review_pages(corpus: Corpus, review_id: str) -> dict[str, str]:
    """A review's page (name: review_id), and for a review with more than
    REVIEW_PAGE_RECS recommendations, continuation pages review_id--2, --3...
    The first page carries the review's facts and a contents list of every
    recommendation, whichever page it is on."""
    review = corpus.reviews[review_id]
    recs = corpus.recs_of(review_id)
    parts = corpus.review_parts(review_id)
    is_asks = review["kind"] == "stakeholder-report"
    noun = "asks" if is_asks else "recommendations"
    description = f"{review['title']} ({when(review['published'], review['published_precision'])}): its {noun}, the response to each and what happened."
    year = review["published"][:4]
    heading = f"{text(review['short_title'])} ({year})"
    out = [_front_matter(description), GENERATED_NOTE, f"(review-{review_id})=", f"# {heading}", ""]
    out += [
        f"**{text(review['title'])}** · {label(review['kind'])} · published {when(review['published'], review['published_precision'])} · "
        f"led by {text(review['lead'])} · published by {text(review['publisher'])} · {link('read the source', review['url'])}",
        "",
        text(review["summary"]),
        "",
    ]
    declared = review["recommendations_in_source"]
    if declared:
        tracked = f"This tracker holds **{len(recs)} of the {declared}** numbered {noun} in the source"
    else:
        tracked = (f"The source's own number of {noun} is not recorded (it has no numbered list, or its list could not be read); "
                   f"this tracker holds **{len(recs)}** drawn from it")
    tracked += " (complete)." if review["coverage"] == "complete" else " (partial coverage)."
    out += [tracked, ""]
    missing = untracked_numbers(declared, recs)
    if missing:
        out += [f"Not yet tracked: {noun} {number_ranges(missing)}. "
                "They are entered only when their wording and number are read in a source.", ""]
    out += _report_lines(corpus, review_id, recs, noun)
    totals = corpus.response_totals.get(review_id)
    if totals:
        order = corpus.package.enum("recommendations", "government_response")
        totals = sorted(totals, key=lambda t: order.index(t["government_response"]))
        total = sum(int(t["count"]) for t in totals)
        parts_ = [f"{t['count']} {label(t['government_response']).lower()}" for t in totals]
        sources = {t["source_id"] for t in totals}
        out += [f"The government's response across all {total} {noun}: " + ", ".join(parts_) + " ("
                + "; ".join(_source_link(corpus, s) for s in sorted(sources)) + ").", ""]
        tracked_counts = Counter(r["government_response"] for r in recs)
        shown = [f"{tracked_counts[v]} {label(v).lower()}" for v in order if tracked_counts[v]]
        out += [f"The responses to the {len(recs)} tracked here: " + ", ".join(shown) + ".", ""]
    if not is_asks and recs:
        counts = status_counts(corpus, review_id)
        status_parts = [f"{counts[s]} {label(s).lower()}" for s in corpus.statuses() if counts[s]]
        out += [f"Current status of its {len(recs)} {noun}: " + ", ".join(status_parts) + ".", ""]
    out += [f"## {'Asks' if is_asks else 'Recommendations'}", ""]
    if not recs:
        out += [f"No {noun} of this source are tracked individually yet." if declared else
                "This source is recorded for its findings; it makes no recommendations, or none is tracked yet.", ""]
    pages: dict[str, str] = {}
    if len(parts) > 1:
        out += [f"The {len(recs)} {noun} tracked continue over {len(parts)} pages of at most {REVIEW_PAGE_RECS}. "
                "Every one is listed here, with its current status, and links to the page that holds it.", "",
                "| " + ("Ask" if is_asks else "Recommendation") + " | Status |", "|---|---|"]
        for rec in recs:
            status = "Ask" if is_asks else badge(corpus.status(rec["rec_id"]))
            out.append(f"| {{ref}}`{rec['rec_id']}` | {status} |")
        out.append("")
    for n, part in enumerate(parts, start=1):
        body = out if n == 1 else [
            _front_matter(f"{review['title']}: {noun} {part[0]['number']} to {part[-1]['number']}."), GENERATED_NOTE,
            f"# {heading}: {noun} {text(part[0]['number'])}–{text(part[-1]['number'])}", "",
            f"Part {n} of the {link(review['short_title'], review_id + '.md')} page: {text(review['title'])}.", ""]
        pager = _pager(review_id, n, len(parts), noun="Part")
        body += [pager, ""] if pager else []
        for rec in part:
            body += _recommendation(corpus, rec)
        body += [pager, ""] if pager else []
        pages[part_name(review_id, n)] = body
    corrections = [c for c in corpus.renumbered if corpus.recommendations[c["new_rec_id"]]["review_id"] == review_id]
    if corrections:
        out += ["## Corrections to numbering", "",
                "Numbers, and so IDs, corrected after they were first published here. "
                "Where an old ID now belongs to another recommendation, links made before the correction lead to that one.", ""]
        for c in corrections:
            source = f" Source: {_source_link(corpus, c['source_id'])}." if c["source_id"] else ""
            if c["old_rec_id"] not in corpus.recommendations:
                out.append(f"({c['old_rec_id']})=")
            out += [f"On {when(c['changed_on'])}, `{c['old_rec_id']}` became {{ref}}`{c['new_rec_id']}`. {text(c['reason'])}{source}", ""]
    return {name: "\n".join(lines) + "\n" for name, lines in pages.items()}


NUMBER_BASIS_NOTE = {
    "secondary": "The number is as cited by another source; the review's own document has not yet been checked.",
    "uncertain": "The number is uncertain: the sources read so far do not settle it.",
    "assigned": "The source does not number these; the number is this tracker's.",
}


def _report_lines(corpus: Corpus, review_id: str, recs: list[dict[str, str]], noun: str) -> list[str]:
    """Where the review's own document can be read, and how many numbers still
    rest on other sources' citations rather than on the document itself."""
    out = []
    places = corpus.report_locations.get(review_id, [])
    if places:
        shown = []
        for place in places:
            if place["kind"] == "document":
                url, what = place["location"], "the report (PDF)" if place["format"] == "pdf" else "the report's web page"
            else:
                path = place["location"].strip("/")
                url = "https://www.gov.uk/" + path
                # /government/publications/<slug> is the publication page; a further segment is an HTML document in it.
                what = "the document on GOV.UK (HTML)" if path.count("/") >= 3 else "the publication page on GOV.UK"
            shown.append(link(what, url) + (" (address inferred from the document's own)" if place["basis"] == "inferred" else ""))
        out += ["Where the review's own document can be read: " + "; ".join(shown) + ".", ""]
    else:
        out += ["Where the review's own document can be fetched is not yet recorded.", ""]
    unconfirmed = [r for r in recs if r.get("number_basis") in ("secondary", "uncertain")]
    if unconfirmed:
        out += [f"{len(unconfirmed)} of the {len(recs)} {noun} tracked here carry a number as cited by another source, "
                "not yet checked against the review's own document.", ""]
    return out


def reviews_index(corpus: Corpus) -> str:
    out = [_front_matter("Every review tracked, with its number of recommendations and how many have been implemented."),
           GENERATED_NOTE, "# Reviews", "",
           "Every review, inquiry, plan and report tracked here, oldest first. "
           "Each page lists the recommendations, the government's response to each, and the dated evidence of what happened.", "",
           "| Published | Review | Kind | Tracked | Implemented (fully or partly) | Status unknown |", "|---|---|---|---|---|---|"]
    for review in corpus.reviews_in_order():
        rid = review["review_id"]
        recs = corpus.recs_of(rid)
        counts = status_counts(corpus, rid)
        is_asks = review["kind"] == "stakeholder-report"
        done = "not applicable (asks)" if is_asks else f"{counts['implemented'] + counts['partially-implemented']} of {len(recs)}"
        unknown = "" if is_asks else str(counts["unknown"])
        declared = review["recommendations_in_source"]
        tracked = f"{len(recs)} of {declared}" if declared else f"{len(recs)} (source count not recorded)"
        out.append(f"| {when(review['published'], review['published_precision'])} | [{text(review['short_title'])}]({rid}.md) | "
                   f"{label(review['kind'])} | {tracked} | {done} | {unknown} |")
    out.append("")
    return "\n".join(out)


def _rec_line(corpus: Corpus, rec_id: str) -> str:
    rec = corpus.recommendations[rec_id]
    review = corpus.reviews[rec["review_id"]]
    status = "ask" if corpus.is_ask(rec_id) else badge(corpus.status(rec_id))
    return f"- {{ref}}`{rec_id}` ({text(review['short_title'])}, {review['published'][:4]}; {status})"


def _in_review_order(corpus: Corpus, rec_ids) -> list[str]:
    order = {r["review_id"]: i for i, r in enumerate(corpus.reviews_in_order())}
    return sorted(rec_ids, key=lambda r: (order[corpus.recommendations[r]["review_id"]], _num(corpus, r)))


def _listing_pages(corpus: Corpus, prefix: str, title: str, intro: str, groups: list[tuple[str, str, str, list[str]]],
                   page_rows: int | None = None) -> dict[str, str]:
    """An index page and, per group (key, heading, description, rec_ids), one page
    of at most PAGE_ROWS recommendations, with continuation pages beyond that, so
    every page stays small however large the corpus grows."""
    index = [_front_matter(intro), GENERATED_NOTE, f"# {title}", "", intro, "",
             "| | Recommendations |", "|---|---|"]
    pages = {}
    for key, heading, description, recs in groups:
        parts = _parts(recs, page_rows or PAGE_ROWS)
        index.append(f"| [{text(heading)}]({key}.md) | {len(recs)}{f' ({len(parts)} pages)' if len(parts) > 1 else ''} |")
        for n, part in enumerate(parts, start=1):
            suffix = f" (page {n} of {len(parts)})" if len(parts) > 1 else ""
            body = [_front_matter(f"{heading}{suffix}: {description}"), GENERATED_NOTE]
            if n == 1:
                body.append(f"({prefix}-{key})=")
            explained = f" {{ref}}`How this status is decided <status-{key}>`." if prefix == "status" else ""
            body += [f"# {text(heading)}{suffix}", "", text(description) + explained, "",
                     f"{len(recs)} recommendation{'s' if len(recs) != 1 else ''}, oldest review first.", ""]
            pager = _pager(key, n, len(parts))
            body += [pager, ""] if pager else []
            body += [_rec_line(corpus, r) for r in part] or ["No recommendation at present."]
            body += ["", pager] if pager else []
            pages[f"{part_name(key, n)}.md"] = "\n".join(body) + "\n"
    pages["index.md"] = "\n".join(index + [""])
    return pages


def theme_pages(corpus: Corpus, page_rows: int | None = None) -> dict[str, str]:
    by_theme: dict[str, list[str]] = {t: [] for t in corpus.themes}
    for rec_id, themes in corpus.themes_of.items():
        for t in themes:
            by_theme[t].append(rec_id)
    groups = [(theme_id, theme["label"], theme["description"], _in_review_order(corpus, by_theme[theme_id]))
              for theme_id, theme in sorted(corpus.themes.items(), key=lambda kv: kv[1]["label"].lower())]
    return _listing_pages(corpus, "theme", "Themes",
                          "The themes recommendations are tagged with; each theme's page lists its recommendations with their status.",
                          groups, page_rows)


def status_pages(corpus: Corpus, page_rows: int | None = None) -> dict[str, str]:
    descriptions = corpus.package.enum_descriptions("assessments", "status")
    tracked = [r for r in corpus.recommendations if not corpus.is_ask(r)]
    groups = [(status, label(status), descriptions.get(status, ""),
               _in_review_order(corpus, [r for r in tracked if corpus.status(r) == status])) for status in corpus.statuses()]
    return _listing_pages(corpus, "status", "Recommendations by status",
                          "Every tracked recommendation under its current status, its latest dated assessment.", groups, page_rows)


def thread_label(corpus: Corpus, members: list[str]) -> str:
    """A thread is named after the theme its recommendations share most often."""
    counts = Counter(t for m in members for t in corpus.themes_of.get(m, []))
    if not counts:
        return "Untitled thread"
    best = max(counts.items(), key=lambda kv: (kv[1], [-ord(c) for c in corpus.themes[kv[0]]["label"]]))
    return corpus.themes[best[0]]["label"]


def recurring_pages(corpus: Corpus, page_rows: int | None = None) -> dict[str, str]:
    """Threads of recommendations that repeat or build on each other: an index, and
    pages by the decade in which each thread was first asked for. A decade with more
    than ``page_rows`` recommendations in its threads continues on further pages (a
    long thread continues under a "continued" heading), so pages stay small."""
    from .model import threads

    groups = threads(corpus)
    limit = page_rows or PAGE_ROWS
    intro = ("Each thread joins recommendations from different reviews that ask for substantially the same thing, "
             "or build on or replace an earlier one. The links are made conservatively, each with a one-line reason. "
             "Within a thread, recommendations are in date order, with their status today and the latest evidence.")
    index = [_front_matter("Ideas that reviews of NHS leadership have asked for more than once, and what happened each time."),
             GENERATED_NOTE, "# Recurring ideas", "", intro, "",
             f"There are {len(groups)} threads, covering {sum(len(g) for g in groups)} recommendations. "
             "They are grouped by the decade in which each idea was first asked for.", "",
             "| Thread | First asked | Reviews asking | Recommendations |", "|---|---|---|---|"]
    decades: dict[str, list[list[str]]] = {}  # decade -> pages -> lines
    used: dict[str, int] = {}                  # lines on the decade's current page
    seen: Counter = Counter()
    for i, members in enumerate(groups, start=1):
        reviews = {corpus.recommendations[m]["review_id"] for m in members}
        years = sorted(corpus.reviews[r]["published"][:4] for r in reviews)
        decade = f"{years[0][:3]}0s"
        name = thread_label(corpus, members)
        seen[name] += 1
        if seen[name] > 1:
            name += f" ({seen[name]})"
        index.append(f"| {{ref}}`thread-{i}` | {years[0]} | {len(reviews)} | {len(members)} |")
        pages_of = decades.setdefault(decade, [[]])
        heading = f"## {text(name)}: {years[0]} to {years[-1]}"
        if used.get(decade, 0) and used[decade] + min(len(members), limit) > limit:
            pages_of.append([])
            used[decade] = 0
        pages_of[-1] += [f"(thread-{i})=", heading, "", f"Asked for in {len(reviews)} reviews.", ""]
        for m in members:
            if used.get(decade, 0) >= limit:
                pages_of[-1].append("")
                pages_of.append([f"{heading} (continued)", ""])
                used[decade] = 0
            rec = corpus.recommendations[m]
            review = corpus.reviews[rec["review_id"]]
            status = "ask" if corpus.is_ask(m) else badge(corpus.status(m))
            line = f"- **{review['published'][:4]}, {text(review['short_title'])}**: {{ref}}`{m}` {status}"
            for link_row in corpus.links_from.get(m, []):
                if link_row["to_rec"] in members and link_row["relation"] != "answers":
                    line += f" *{_relation_phrase(link_row['relation'], True)} {link_row['to_rec']}:* {text(link_row['note'])}"
            latest = corpus.current(m)
            if latest:
                line += f" Latest evidence ({when(latest['as_of'], latest.get('as_of_precision') or 'day')}): {text(latest['evidence'])}"
            pages_of[-1].append(line)
            used[decade] = used.get(decade, 0) + 1
        pages_of[-1].append("")
    pages = {"index.md": "\n".join(index + [""])}
    for decade in sorted(decades):
        parts = decades[decade]
        for n, body in enumerate(parts, start=1):
            suffix = f" (page {n} of {len(parts)})" if len(parts) > 1 else ""
            pager = _pager(decade, n, len(parts))
            pages[f"{part_name(decade, n)}.md"] = "\n".join(
                [_front_matter(f"Recurring ideas first asked for in the {decade}{suffix}."), GENERATED_NOTE,
                 f"# Recurring ideas first asked for in the {decade}{suffix}", "", intro, ""]
                + ([pager, ""] if pager else []) + body + ([pager, ""] if pager else []))
    return pages


def _num(corpus: Corpus, rec_id: str):
    return natural_key(corpus.recommendations[rec_id]["number"])


def vocabulary_page(corpus: Corpus) -> str:
    pkg = corpus.package
    out = [_front_matter("What each status and government response means, and how the tables are described."),
           GENERATED_NOTE, "# Data dictionary", "",
           "Generated from `data/datapackage.json`, the one description of the tables, so it cannot drift from what the checks enforce.", ""]
    for name, resource in pkg.resources.items():
        out += [f"(table-{name})=", f"## `{resource['path']}`: {text(resource['title'])}", "", text(resource["description"]), ""]
        key = pkg.primary_key(name)
        if key:
            out += ["Each row is identified by " + " + ".join(f"`{k}`" for k in key) + ".", ""]
        out += ["| Column | Type | Required | Meaning |", "|---|---|---|---|"]
        for f in pkg.fields(name):
            required = "yes" if f.get("constraints", {}).get("required") else "no"
            out.append(f"| `{f['name']}` | {f['type']} | {required} | {_inline_code_text(f.get('description', ''))} |")
        out.append("")
        for f in pkg.fields(name):
            if f.get("enumDescriptions"):
                out += [f"(vocabulary-{name}-{f['name']})=", f"### Values of `{f['name']}`", "",
                        "| Value | Meaning |", "|---|---|"]
                out += [f"| `{v}` | {text(d)} |" for v, d in f["enumDescriptions"].items()]
                out.append("")
        fks = resource["schema"].get("foreignKeys", [])
        if fks:
            out.append("Links to other tables: " + "; ".join(
                f"`{', '.join(fk['fields'])}` must name a row of `{pkg.resources[fk['reference']['resource']]['path']}`" for fk in fks) + ".")
            out.append("")
    out += _rules_section()
    return "\n".join(out)


def _rules_section() -> list[str]:
    """Every rule of the registry in tracker/rules.py and tracker/audit.py, as the checks run them."""
    from . import audit  # noqa: F401  (registers the audit checks)
    from .rules import RULES

    out = ["(data-rules)=", "## The rules across tables", "",
           "Beyond the types, vocabularies and links above, `make check` refuses data that breaks any of these rules, "
           "and `make audit` flags any row that trips one of the audit checks until it is fixed or recorded, "
           "with its reason, in `audit_exceptions.csv`.", "",
           "| Rule | Run by | What it requires |", "|---|---|---|"]
    for r in sorted(RULES, key=lambda r: (r.severity != "error", r.name)):
        run_by = "`make check` (an error)" if r.severity == "error" else "`make audit` (a warning)"
        out.append(f"| `{r.name}` | {run_by} | {text(r.description)} |")
    out.append("")
    return out


def rubric_section(corpus: Corpus) -> str:
    """The status rubric from datapackage.json, included in place in book/about/method.md."""
    field_ = next(f for f in corpus.package.fields("assessments") if f["name"] == "status")
    rubric, definitions = field_["rubric"], field_["enumDescriptions"]
    out = ["<!-- Generated from data/datapackage.json by scripts/tracker/pages.py: never edit. -->", "",
           "(rubric)=", "## The rubric: how a status is chosen", "", text(rubric["description"]), ""]
    for n, step in enumerate(rubric["steps"], start=1):
        name = step["status"]
        if name in definitions:
            out += [f"(status-{name})=", f"{n}. {badge(name)} **{label(name)}.** {text(definitions[name])} "
                    f"*The test:* {text(step['test'])}"]
            examples = rubric.get("examples", {}).get(name, [])
            if examples:
                out += ["   *For example:* " + " ".join(text(e) for e in examples)]
        else:
            out += [f"{n}. **First, the date.** {text(step['test'])}"]
    out += ["", "When the steps leave a choice:", ""] + [f"- {text(t)}" for t in rubric["tieBreakers"]] + [""]
    out += ["The same rubric is in `data/datapackage.json`, the checks of `make audit` flag rows that may not follow it, "
            "and the {ref}`corrections log <corrections>` lists every label changed to follow it.", ""]
    return "\n".join(out)


def corrections_page(corpus: Corpus) -> str:
    rows = sorted(corpus.corrections, key=lambda c: (c["corrected_on"], c["rec_id"], c["as_of"]), reverse=True)
    out = [_front_matter("Every correction made to a published status, date or piece of evidence: what changed, why and when."),
           GENERATED_NOTE, "(corrections)=", "# Corrections", "",
           "A correction fixes a judgement that did not follow the {ref}`rubric <rubric>` or misread its source. "
           "It is not a new event: the recommendation's history shows the corrected judgement, and this log keeps what it said before. "
           "The log is also in the downloads, as `corrections.csv`.", ""]
    if not rows:
        return "\n".join(out + ["No correction has been made yet.", ""])
    out += [f"{len(rows)} correction{'s' if len(rows) != 1 else ''}, newest first.", "",
            "| Corrected | Recommendation | Assessment of | What | Before | After | Why |", "|---|---|---|---|---|---|---|"]
    for c in rows:
        shown = {"status": lambda v: label(v) if v else "", "row": lambda v: v}.get(c["field"], lambda v: v)
        target = f"{{ref}}`{c['rec_id']}`" if c["rec_id"] in corpus.recommendations else f"`{c['rec_id']}`"
        out.append(f"| {when(c['corrected_on'])} | {target} | {when(c['as_of'])} | {text(c['field'])} | "
                   f"{text(shown(c['old_value']))} | {text(shown(c['new_value'])) or 'removed'} | {text(c['reason'])} |")
    out.append("")
    return "\n".join(out)


def _inline_code_text(value: str) -> str:
    """Descriptions are ours (datapackage.json), and may use `code` spans; the rest is escaped."""
    parts = value.split("`")
    return "".join(f"`{p}`" if i % 2 else text(p) for i, p in enumerate(parts))


GENERATED = ["reviews", "themes", "statuses", "recurring", "explorer.md", "explorer", "about/data-dictionary.md",
             "about/rubric.inc", "about/corrections.md"]
EXPLORER_COLUMNS = ["rec_id", "review_id", "page", "title", "review", "year", "themes", "theme_labels", "response", "response_label",
                    "status", "status_label", "search"]


def explorer_records(corpus: Corpus) -> list[dict[str, str]]:
    """One record per recommendation, oldest review first: what an explorer row shows
    and filters on. The pages render them as HTML; the site publishes them as JSON
    (api/explorer.json) so that filters can reach the rows of every page."""
    order = {r["review_id"]: i for i, r in enumerate(corpus.reviews_in_order())}
    recs = sorted(corpus.recommendations.values(), key=lambda r: (order[r["review_id"]], _num(corpus, r["rec_id"])))
    out = []
    for r in recs:
        review = corpus.reviews[r["review_id"]]
        status = "ask" if corpus.is_ask(r["rec_id"]) else corpus.status(r["rec_id"])
        themes = corpus.themes_of.get(r["rec_id"], [])
        theme_labels = ", ".join(corpus.themes[t]["label"] for t in themes)
        out.append(dict(
            rec_id=r["rec_id"], review_id=r["review_id"], page=corpus.rec_page(r["rec_id"]), title=r["title"], review=review["short_title"],
            year=review["published"][:4], themes=" ".join(themes), theme_labels=theme_labels,
            response=r["government_response"], response_label=label(r["government_response"]),
            status=status, status_label="Ask (not assessed)" if status == "ask" else label(status),
            search=" ".join([r["rec_id"], r["title"], r["summary"], review["short_title"], review["title"], theme_labels]).lower()))
    return out


def _explorer_row(record: dict[str, str], base: str) -> str:
    from html import escape as e

    rec_id = record["rec_id"]
    link = f"{base}reviews/{record['page']}.html#{rec_id}"
    permalink = f"{base}../r/{rec_id}.html"
    status = record["status"]
    status_cell = e(record["status_label"]) if status == "ask" else (
        f'<span class="tracker-status tracker-status-{e(status)}">{e(record["status_label"])}</span>')
    return (
        f'<tr id="row-{e(rec_id)}" data-review="{e(record["review_id"])}" data-year="{e(record["year"])}" '
        f'data-themes="{e(record["themes"])}" data-response="{e(record["response"])}" data-status="{e(status)}" '
        f'data-search="{e(record["search"])}">'
        f'<td data-sort="{e(rec_id)}"><a href="{e(link)}">{e(record["title"])}</a><br>'
        f'<small><a href="{e(permalink)}" aria-label="Permalink for {e(rec_id)}">{e(rec_id)}</a></small></td>'
        f'<td>{e(record["review"])}</td><td>{e(record["year"])}</td><td>{e(record["theme_labels"])}</td>'
        f'<td>{e(record["response_label"])}</td><td data-sort="{e(status)}">{status_cell}</td></tr>')


def explorer_pages(corpus: Corpus, page_rows: int | None = None) -> dict[str, str]:
    """Every recommendation in one table, with filters that work in the browser and a
    complete, readable table without JavaScript. Past ``page_rows`` rows the table
    continues on numbered pages (explorer/2.md, ...); the filters then work on every
    row at once, from api/explorer.json. Every value is HTML-escaped."""
    from html import escape as e

    size = page_rows or PAGE_ROWS
    records = explorer_records(corpus)
    parts = _parts(records, size)
    responses = corpus.package.enum("recommendations", "government_response")
    years = sorted({r["year"] for r in records})

    def options(pairs):
        return "".join(f'<option value="{e(v)}">{e(t)}</option>' for v, t in pairs)

    review_opts = options([("", "All reviews")] + [(r["review_id"], f"{r['short_title']} ({r['published'][:4]})")
                                                    for r in corpus.reviews_in_order()])
    theme_opts = options([("", "All themes")] + sorted(((t, v["label"]) for t, v in corpus.themes.items()), key=lambda x: x[1]))
    response_opts = options([("", "All responses")] + [(v, label(v)) for v in responses])
    status_opts = options([("", "All statuses")] + [(v, label(v)) for v in corpus.statuses()] + [("ask", "Ask (not assessed)")])
    year_opts = options([("", "Any")] + [(y, y) for y in years])
    headers = [("Recommendation", False), ("Review", False), ("Year", True), ("Themes", False), ("Government response", False), ("Status", False)]
    head = "".join(
        f'<th scope="col"{" data-numeric" if numeric else ""}><span>{name}</span>'
        f'<button type="button" data-sort hidden>{name}</button></th>' for name, numeric in headers)
    pages = {}
    for n, part in enumerate(parts, start=1):
        base = "./" if n == 1 else "../"  # from book/explorer.html or book/explorer/N.html to book/
        here = "explorer" if n == 1 else f"explorer/{n}"
        if len(parts) > 1:
            current = ' aria-current="page"'
            links = [f'<a href="{base}{"explorer.html" if i == 1 else f"explorer/{i}.html"}"'
                     f'{current if i == n else ""}>{i}</a>' for i in range(1, len(parts) + 1)]
            first, last = (n - 1) * size + 1, (n - 1) * size + len(part)
            pager = (f'<nav class="tracker-pager" aria-label="Pages of the explorer" data-explorer-pager><p>'
                     f'Page {n} of {len(parts)}: ' + " ".join(links) + '</p></nav>')
            count = f"Rows {first:,} to {last:,} of {len(records):,} recommendations."
        else:
            pager, count = "", f"{len(records)} recommendations."
        html = (
            f'<div id="tracker-explorer" class="tracker-explorer" data-pages="{len(parts)}" data-total="{len(records)}" '
            f'data-rows="{base}../api/explorer.json" data-base="{base}">'
            '<form class="tracker-explorer-filters" hidden aria-label="Filter the recommendations" role="search">'
            f'<label>Review <select name="review">{review_opts}</select></label>'
            f'<label>From <select name="from">{year_opts}</select></label>'
            f'<label>To <select name="to">{year_opts}</select></label>'
            f'<label>Theme <select name="theme">{theme_opts}</select></label>'
            f'<label>Government response <select name="response">{response_opts}</select></label>'
            f'<label>Status <select name="status">{status_opts}</select></label>'
            '<label>Words or ID <input type="search" name="words" placeholder="for example appraisal or messenger-2022-r4"></label>'
            '<button type="reset">Clear filters</button></form>'
            f'<p data-explorer-count role="status" aria-live="polite">{count}</p>{pager}'
            '<div class="tracker-table-wrap" tabindex="0" role="region" aria-label="All recommendations">'
            '<table class="table tracker-explorer-table"><caption>Every recommendation tracked, oldest review first</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>' + "".join(_explorer_row(r, base) for r in part) + f"</tbody></table></div>{pager}</div>")
        # The first page keeps the plain title: it is the one the navigation names.
        title = "Recommendations explorer" + (f" (page {n} of {len(parts)})" if n > 1 else "")
        paging = (f" The table runs over {len(parts)} pages of up to {size:,} rows; the filters and sorting work on all of them."
                  if len(parts) > 1 else "")
        pages[f"{here}.md"] = "\n".join([
            _front_matter("Search, filter and sort every recommendation tracked, by review, year, theme, response and status.", orphan=n > 1),
            GENERATED_NOTE, f"# {title}", "",
            "Every recommendation and ask in one table. Filter by review, year, theme, government response or status, or type words "
            "or an ID; select a column heading to sort. Each row links to the recommendation on its review page and gives its permanent ID."
            + paging,
            "", html, ""])
    return pages


def generated_paths(book_dir: Path) -> list[Path]:
    """Every file or folder under ``book_dir`` that :func:`generate` owns."""
    return [book_dir / p for p in GENERATED]


def cite_line(title: str, url_: str) -> str:
    # The address is shown as code: Sphinx's typography would otherwise print the
    # "--" of a continuation page's name as a dash, and a copied address would fail.
    safe = url(url_)
    return (f"*Cite this page:* NHS leadership reviews tracker, “{text(title)}”, [`{safe}`](<{safe}>). "
            "Data and text under the Creative Commons Attribution 4.0 licence.")


def build_pages(corpus: Corpus, book_dir: Path, site_url: str = "https://example.org/nhs-leadership-reviews-tracker/",
                page_rows: int | None = None) -> dict[Path, str]:
    """Every generated page, path to content, each folder's pages in reading order."""
    pages: dict[Path, str] = {book_dir / REVIEWS_DIR / "index.md": reviews_index(corpus),
                              book_dir / "about" / "data-dictionary.md": vocabulary_page(corpus),
                              book_dir / "about" / "rubric.inc": rubric_section(corpus),
                              book_dir / "about" / "corrections.md": corrections_page(corpus)}
    pages.update({book_dir / name: text_ for name, text_ in explorer_pages(corpus, page_rows).items()})
    for review in corpus.reviews_in_order():
        review_id = review["review_id"]
        for name, content in review_pages(corpus, review_id).items():
            pages[book_dir / REVIEWS_DIR / f"{name}.md"] = (
                content + "\n" + cite_line(f"{review['short_title']} ({review['published'][:4]})", f"{site_url}book/reviews/{name}.html") + "\n")
    for folder, content in (("themes", theme_pages(corpus, page_rows)), ("statuses", status_pages(corpus, page_rows)),
                            ("recurring", recurring_pages(corpus, page_rows))):
        pages.update({book_dir / folder / name: text_ for name, text_ in content.items()})
    return pages


def nav_order(pages: dict[Path, str], book_dir: Path) -> dict[str, list[str]]:
    """For each generated folder listed in _toc.yml by a glob, its pages (not the
    index) in reading order, as Sphinx document names."""
    order: dict[str, list[str]] = {}
    for path in pages:
        folder = path.parent.name
        if path.parent.parent == book_dir and folder in (REVIEWS_DIR, "themes", "statuses", "recurring") and path.stem != "index":
            order.setdefault(f"book/{folder}/*", []).append(f"book/{folder}/{path.stem}")
    return order


def write_pages(pages: dict[Path, str], book_dir: Path) -> list[Path]:
    """Write ``pages``, removing generated pages that are no longer wanted; a page is
    rewritten only when its content changes, so Sphinx re-reads only what changed."""
    written = []
    wanted = set(pages)
    for folder in (REVIEWS_DIR, "themes", "statuses", "recurring", "explorer"):
        for stale in (book_dir / folder).glob("*.md") if (book_dir / folder).is_dir() else []:
            if stale not in wanted:
                stale.unlink()
                written.append(stale)
    for old_file in ("themes.md", "statuses.md", "recurring.md"):  # single pages of earlier versions
        if (book_dir / old_file).exists():
            (book_dir / old_file).unlink()
    for path, content in pages.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            written.append(path)
    return written


def generate(corpus: Corpus, book_dir: Path, site_url: str = "https://example.org/nhs-leadership-reviews-tracker/",
             page_rows: int | None = None) -> list[Path]:
    """Write every generated page under ``book_dir``; returns the paths written or removed."""
    return write_pages(build_pages(corpus, book_dir, site_url, page_rows), book_dir)
