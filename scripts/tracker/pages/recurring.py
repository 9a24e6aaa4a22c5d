"""Recurring ideas: threads of recommendations that repeat or build on each other, by decade."""

from __future__ import annotations

from collections import Counter

from ..model import Corpus, part_name
from .common import GENERATED_NOTE, PAGE_ROWS, badge, front_matter, pager_line, relation_phrase, role_text, text, when


def thread_label(corpus: Corpus, members: list[str]) -> str:
    """A thread is named by the idea it traces: the title of the recommendation
    that first asked for it (members are in date order)."""
    return corpus.recommendations[members[0]]["title"] if members else "Untitled thread"


def thread_reviews(corpus: Corpus, members: list[str]) -> str:
    """The reviews in a thread, in date order: "Francis inquiry (2013), Rose review (2015)"."""
    seen: list[str] = []
    for m in members:
        review_id = corpus.recommendations[m]["review_id"]
        if review_id not in seen:
            seen.append(review_id)
    return ", ".join(f"{corpus.reviews[r]['short_title']} ({corpus.reviews[r]['published'][:4]})" for r in seen)


def recurring_pages(corpus: Corpus, page_rows: int | None = None) -> dict[str, str]:
    """Threads of recommendations that repeat or build on each other: an index, and
    pages by the decade in which each thread was first asked for. A decade with more
    than ``page_rows`` recommendations in its threads continues on further pages (a
    long thread continues under a "continued" heading), so pages stay small."""
    from ..model import threads

    groups = threads(corpus)
    limit = page_rows or PAGE_ROWS
    intro = ("Each thread joins recommendations from different reviews that ask for substantially the same thing, "
             "or build on or replace an earlier one. The links are made conservatively, each with a one-line reason. "
             "Within a thread, recommendations are in date order, with their status today and the latest evidence.")
    index = [front_matter("Ideas that reviews of NHS leadership have asked for more than once, and what happened each time."),
             GENERATED_NOTE, "# Recurring ideas", "", intro, "",
             f"There are {len(groups)} threads, covering {sum(len(g) for g in groups)} recommendations. "
             "They are grouped by the decade in which each idea was first asked for.", "",
             "| The idea, as first asked for | First asked | Reviews asking | Recommendations |", "|---|---|---|---|"]
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
        index.append(f"| {{ref}}`{role_text(name)} <thread-{i}>` | {years[0]} | {text(thread_reviews(corpus, members))} | {len(members)} |")
        pages_of = decades.setdefault(decade, [[]])
        heading = f"## {text(name)}: {years[0]} to {years[-1]}"
        if used.get(decade, 0) and used[decade] + min(len(members), limit) > limit:
            pages_of.append([])
            used[decade] = 0
        pages_of[-1] += [f"(thread-{i})=", heading, "", f"Asked for in {len(reviews)} reviews: {text(thread_reviews(corpus, members))}.", ""]
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
                    line += f" *{relation_phrase(link_row['relation'], True)} {link_row['to_rec']}:* {text(link_row['note'])}"
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
            pager = pager_line(decade, n, len(parts))
            pages[f"{part_name(decade, n)}.md"] = "\n".join(
                [front_matter(f"Recurring ideas first asked for in the {decade}{suffix}."), GENERATED_NOTE,
                 f"# Recurring ideas first asked for in the {decade}{suffix}", "", intro, ""]
                + ([pager, ""] if pager else []) + body + ([pager, ""] if pager else []))
    return pages


