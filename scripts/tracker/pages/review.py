"""Review pages (one per review, continuing over pages for long reviews), each
recommendation's entry on them, and the index of reviews."""

from __future__ import annotations

import re
from collections import Counter
from html import escape as html_escape

from ..commitments import OUTCOMES, needs_fresh_look, outcome, tally_sentence
from ..model import JUDGED_ON_PARTS, REVIEW_PAGE_RECS, Corpus, part_name, split_parts
from .common import (
    GENERATED_NOTE,
    badge,
    evidence_age,
    front_matter,
    label,
    link,
    pager_line,
    rec_ref,
    relation_phrase,
    source_link,
    status_counts,
    text,
    when,
)


#: How the two values of addressed_to that name no one read on a recommendation's page.
ADDRESSEE_WORDS = {"not named": "not named: the recommendation's wording names no one to act",
                   "unknown": "unknown: not yet established from the recommendation's own wording"}


def citation(corpus: Corpus, rec_id: str, site_url: str = "") -> str:
    """A suggested citation for one recommendation, in words, with its permanent address."""
    rec = corpus.recommendations[rec_id]
    review = corpus.reviews[rec["review_id"]]
    version = corpus.package.descriptor.get("version", "")
    noun = "ask" if corpus.is_ask(rec_id) else "recommendation"
    address = f"{site_url}r/{rec_id}.html" if site_url else f"r/{rec_id}.html (on the site where you read this)"
    return (f"NHS leadership reviews tracker{f' (data version {version})' if version else ''}. "
            f"{review['short_title']} ({review['published'][:4]}), {noun} {rec['number']}: {rec['title']}. {address}")


def _copy_button(words: str) -> str:
    # Raw HTML in the page: the text is escaped for an attribute, and the button only copies it.
    return f'<button type="button" class="tracker-copy" data-copy="{html_escape(words, quote=True)}">Copy citation</button>'


def _recommendation(corpus: Corpus, rec: dict[str, str], site_url: str = "") -> list[str]:
    rec_id = rec["rec_id"]
    ask = corpus.is_ask(rec_id)
    noun = "Ask" if ask else "Recommendation"
    out = [f"({rec_id})=", f"### {noun} {text(rec['number'])}: {text(rec['title'])}", ""]
    status = corpus.status(rec_id)
    facts = []
    if not ask:
        age = evidence_age(corpus, rec_id)
        facts.append(f"Status: {badge(status)}" + (f" ({age})" if age else ""))
        if needs_fresh_look(corpus, rec_id):
            facts.append(FRESH_LOOK_BADGE)
    response = f"Government response: **{label(rec['government_response'])}**"
    if rec["response_source_id"]:
        response += " (" + source_link(corpus, rec["response_source_id"]) + ")"
    if rec.get("response_note"):
        response += f" *How this was established:* {text(rec['response_note'])}"
    if rec["government_response"] != "not-applicable":
        facts.append(response)
    facts.append(f"Permalink: [`#{rec_id}`](#{rec_id})")
    out += [" · ".join(facts), "", text(rec["summary"]), ""]
    out += parts_lines(corpus, rec_id, noun.lower())
    where = link("the source", rec["source_url"])
    if rec["source_locator"]:
        where += f", {text(rec['source_locator'])}"
    if rec.get("number_basis") in NUMBER_BASIS_NOTE:
        where += f". {NUMBER_BASIS_NOTE[rec['number_basis']]}"
    themes = ", ".join("{ref}" + f"`theme-{t}`" for t in corpus.themes_of.get(rec_id, []))
    cite = citation(corpus, rec_id, site_url)
    out += [f"- **Addressed to:** {text(ADDRESSEE_WORDS.get(rec['addressed_to'], rec['addressed_to']))}", f"- **Where:** {where}", f"- **Themes:** {themes}",
            f"- **Cite:** {text(cite)} {_copy_button(cite)}"]
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
            verb = relation_phrase(relation, outgoing)
            other_status = "" if corpus.is_ask(other) else " " + badge(corpus.status(other))
            out.append(f"  - {verb} {rec_ref(corpus, other)}{other_status}: {text(note)}")
    elif ask:
        out.append("- **Cross-references:** no recommendation answers this ask.")
    out.append("")
    out += similar_section(corpus, rec_id)

    if ask:
        answers = [l["from_rec"] for l in corpus.links_to.get(rec_id, []) if l["relation"] == "answers"]
        if answers:
            states = ", ".join(label(corpus.status(a)).lower() for a in answers)
            out += [f"What became of it: answered by {len(answers)} recommendation{'s' if len(answers) != 1 else ''}, now {states}.", ""]
        return out

    promised = corpus.commitments_of(rec_id)
    if promised:
        out += [f"#### Promises made in answer to {noun.lower()} {text(rec['number'])}", ""] + promise_lines(corpus, promised) + [""]

    history = corpus.history(rec_id)
    out += [f"#### Status history of {noun.lower()} {text(rec['number'])}", ""]
    if not history:
        out += ["No assessment yet: the status is *unknown*.", ""]
        return out
    out.append("Newest first. Each entry is a dated judgement with the source it rests on.")
    out.append("")
    for a in reversed(history):
        source = source_link(corpus, a["source_id"]) if a["source_id"] else "no source cited"
        out.append(f"- **{when(a['as_of'], a.get('as_of_precision') or 'day')}** {badge(a['status'])} {text(a['evidence'])} "
                   f"{parts_named(a)}*Source:* {source}. *Confidence:* {a['confidence']}; assessed on {when(a['assessed_on'])}.")
    out.append("")
    return out


#: How each state of a part reads on a page.
PART_STATE_WORDS = {"operating": "operating", "partly": "operating in part", "not shown": "not shown operating"}


def parts_lines(corpus: Corpus, rec_id: str, noun: str) -> list[str]:
    """The parts of the ask, each with its state in the latest assessment: the checklist
    that the status is judged against."""
    parts = corpus.parts_of.get(rec_id)
    if not parts:
        return []
    current = corpus.current(rec_id)
    judged = current is not None and current["status"] in JUDGED_ON_PARTS
    head = (f"What the {noun} asked for, part by part, and how each part stood at the latest assessment "
            f"({{ref}}`how parts decide the status <rubric>`):" if judged else
            f"What the {noun} asked for, part by part ({{ref}}`how parts decide the status <rubric>`):")
    out = [head, ""]
    for part, state in corpus.part_states(rec_id):
        out.append(f"{part['part']}. {text(part['text'])}" + (f" · *{PART_STATE_WORDS[state]}*" if judged else ""))
    return out + [""]


def review_parts_lines(corpus: Corpus, recs: list[dict[str, str]], noun: str) -> list[str]:
    """A review's record counted part by part: how many of the things its recommendations asked
    for were operating at their latest judgements."""
    t = corpus.part_tally([r["rec_id"] for r in recs])
    judged = t["operating"] + t["partly"] + t["not shown"]
    if not judged:
        return []
    line = (f"Counted part by part, its {noun} asked for {sum(t.values())} things; of the {judged} judged on their parts, "
            f"{t['operating']} {'were' if t['operating'] != 1 else 'was'} operating at the latest judgement, "
            f"{t['partly']} operating in part and {t['not shown']} not shown operating")
    line += f" (the other {t['set aside']} belong to {noun} declined, replaced or dropped, or not yet judged)." if t["set aside"] else "."
    return [line, ""]


def parts_named(a: dict[str, str]) -> str:
    """"Parts operating: 1 and 3; operating in part: 2. " for a history entry, or nothing."""
    whole, partly = split_parts(a.get("parts_operating")), split_parts(a.get("parts_partly"))
    bits = []
    if whole:
        bits.append(f"Part{'s' if len(whole) > 1 else ''} operating: {number_ranges(whole)}")
    if partly:
        bits.append(f"{'operating' if whole else 'Operating'} in part: {number_ranges(partly)}")
    return "; ".join(bits) + ". " if bits else ""


SIMILAR_HEADING = "Similar recommendations in other reviews"


def rec_html_link(corpus: Corpus, rec_id: str) -> str:
    """The same words as :func:`rec_ref`, as a plain HTML link between review pages (which
    all sit in one folder). Suggestions are many (five on every recommendation): a plain
    link costs Sphinx nothing to resolve, where a cross-reference role per suggestion
    added seconds to every clean build."""
    rec = corpus.recommendations[rec_id]
    review = corpus.reviews[rec["review_id"]]
    noun = "ask" if corpus.is_ask(rec_id) else "recommendation"
    words = f"{review['short_title']} ({review['published'][:4]}), {noun} {rec['number']}: {rec['title']}"
    href = f"{corpus.rec_page(rec_id)}.html#{rec_id}"
    return f'<a href="{html_escape(href)}">{html_escape(words)}</a>'


def similar_section(corpus: Corpus, rec_id: str) -> list[str]:
    """The machine's suggestions for one recommendation, labelled as unchecked and
    kept apart from the curated cross-references above them. Written as one block of
    HTML (every value escaped), which the build passes through without parsing: with
    five suggestions on every recommendation, Markdown here cost seconds per build."""
    found = corpus.similar(rec_id)
    if not found:
        return []
    items = []
    for other, score in found:
        status = "ask" if corpus.is_ask(other) else badge(corpus.status(other))
        items.append(f"<li>{rec_html_link(corpus, other)}, {status}, similarity {score:.2f}</li>")
    return [f'<div class="tracker-similar"><p><strong>{SIMILAR_HEADING}</strong> '
            "(suggested by a computer from the similarity of their words, and not checked by a person: "
            "unlike cross-references, they may be unrelated):</p><ul>" + "".join(items) + "</ul></div>", ""]


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


def review_pages(corpus: Corpus, review_id: str, site_url: str = "") -> dict[str, str]:
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
    out = [front_matter(description), GENERATED_NOTE, f"(review-{review_id})=", f"# {heading}", ""]
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
                + "; ".join(source_link(corpus, s) for s in sorted(sources)) + ").", ""]
        tracked_counts = Counter(r["government_response"] for r in recs)
        shown = [f"{tracked_counts[v]} {label(v).lower()}" for v in order if tracked_counts[v]]
        out += [f"The responses to the {len(recs)} tracked here: " + ", ".join(shown) + ".", ""]
    promised = sorted({c["commitment_id"]: c for r in recs for c in corpus.commitments_of(r["rec_id"])}.values(),
                      key=lambda c: c["made_on"])
    if promised:
        out += [promises_summary(corpus, promised), ""]
    if not is_asks and recs:
        counts = status_counts(corpus, review_id)
        status_parts = [f"{counts[s]} {label(s).lower()}" for s in corpus.statuses() if counts[s]]
        out += [f"Current status of its {len(recs)} {noun}: " + ", ".join(status_parts) + ".", ""]
        out += review_parts_lines(corpus, recs, noun)
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
            front_matter(f"{review['title']}: {noun} {part[0]['number']} to {part[-1]['number']}."), GENERATED_NOTE,
            f"# {heading}: {noun} {text(part[0]['number'])}–{text(part[-1]['number'])}", "",
            f"Part {n} of the {link(review['short_title'], review_id + '.md')} page: {text(review['title'])}.", ""]
        pager = pager_line(review_id, n, len(parts), noun="Part")
        body += [pager, ""] if pager else []
        for rec in part:
            body += _recommendation(corpus, rec, site_url)
        body += [pager, ""] if pager else []
        pages[part_name(review_id, n)] = body
    corrections = [c for c in corpus.renumbered if corpus.recommendations[c["new_rec_id"]]["review_id"] == review_id]
    if corrections:
        out += ["## Corrections to numbering", "",
                "Numbers, and so IDs, corrected after they were first published here. "
                "Where an old ID now belongs to another recommendation, links made before the correction lead to that one.", ""]
        for c in corrections:
            source = f" Source: {source_link(corpus, c['source_id'])}." if c["source_id"] else ""
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
    out = [front_matter("Every review tracked, with its number of recommendations and how many have been implemented."),
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


def promise_lines(corpus: Corpus, promised: list[dict]) -> list[str]:
    """One line per dated promise: who promised what, when, by when, and what became of it."""
    as_of = corpus.as_of()
    lines = []
    for c in promised:
        key, phrase = outcome(c, as_of)
        line = (f"- **{text(c['body'])}**, {when(c['made_on'], c['made_precision'])}: {text(c['promise'])} "
                f"Due {text(c['due_wording'])} (by the end of {when(c['due_by'], c['due_precision'])}). "
                f"*Source:* {source_link(corpus, c['made_source_id'])}. "
                f'<span class="tracker-promise tracker-promise-{key}">{OUTCOMES[key]}</span> ')
        if key in ("on-time", "late", "delivered-unclear"):
            line += f"{phrase[0].upper() + phrase[1:]}: done {when(c['delivered_on'], c['delivered_precision'])} ({source_link(corpus, c['delivered_source_id'])})."
        elif key == "withdrawn":
            line += f"Withdrawn or replaced {when(c['withdrawn_on'], c['withdrawn_precision'])} ({source_link(corpus, c['withdrawn_source_id'])})."
        else:
            line += f"{phrase[0].upper() + phrase[1:]}: no source read shows it done, as of {when(as_of)}."
        if c.get("note"):
            line += f" {text(c['note'])}"
        lines.append(line)
    return lines


def promises_summary(corpus: Corpus, promised: list[dict]) -> str:
    return "Promises: " + tally_sentence(promised, corpus.as_of(), when(corpus.as_of()), "its recommendations")


FRESH_LOOK_BADGE = ('<span class="tracker-fresh-look">Due for a fresh look</span> '
                    "(the latest judgement is more than 12 months old and not final; see "
                    "{ref}`what to check next <check-next>`)")
