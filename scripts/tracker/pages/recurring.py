"""Recurring ideas: threads of recommendations that repeat or build on each other, by decade."""

from __future__ import annotations

from collections import Counter, defaultdict

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


def novelty(corpus: Corpus) -> list[dict]:
    """How much of each review was new, oldest review first: the share of its recommendations
    with no recommendation of an EARLIER review (by publication date) scoring at least
    NOVELTY_THRESHOLD against it, and the earlier review its repeats echo most (the most of
    them; ties by the higher total score, then the earlier review). Suggested by text
    similarity, not checked by a person."""
    from ..similar import NOVELTY_THRESHOLD

    earlier = corpus.similarity().earlier
    rows = []
    for review in corpus.reviews_in_order():
        recs = corpus.recs_of(review["review_id"])
        if not recs:
            continue
        echoes: dict[str, list[float]] = defaultdict(list)
        for rec in recs:
            best = earlier.get(rec["rec_id"])
            if best and best[1] >= NOVELTY_THRESHOLD:
                echoes[corpus.recommendations[best[0]]["review_id"]].append(best[1])
        repeats = sum(len(v) for v in echoes.values())
        most = min(echoes, key=lambda r: (-len(echoes[r]), -sum(echoes[r]), corpus.reviews[r]["published"], r)) if echoes else ""
        label = f"{review['short_title']} ({review['published'][:4]})"
        rows.append({
            "review_id": review["review_id"], "review": label, "published": review["published"],
            "recommendations": len(recs), "new": len(recs) - repeats, "repeats": repeats,
            "share_new": round((len(recs) - repeats) / len(recs), 3),
            "echoes_most": (f"{corpus.reviews[most]['short_title']} ({corpus.reviews[most]['published'][:4]})" if most else ""),
            "echoes_most_id": most, "echoes_count": len(echoes[most]) if most else 0,
            "url": f"../reviews/{review['review_id']}.html",
        })
    return rows


def novelty_section(corpus: Corpus) -> list[str]:
    """The novelty table for the recurring-ideas index (the chart is in the themes chapter)."""
    from ..similar import NOVELTY_THRESHOLD

    rows = novelty(corpus)
    out = ["## How much of each review was new", "",
           f"Suggested by a computer, not checked by a person: a recommendation counts as *new* when no recommendation of an "
           f"earlier review scores {NOVELTY_THRESHOLD} or more against it for text similarity (shared words and themes), and "
           "otherwise as a *repeat* of its most similar earlier one. The first review has nothing earlier, so all of it is new. "
           "The [recurring themes chapter](../analysis/recurring-themes.md) draws the same numbers as a chart.", "",
           "| Review | Recommendations | New | Share new | Repeats | Earlier review echoed most |", "|---|---|---|---|---|---|"]
    for r in rows:
        echo = (f"[{text(r['echoes_most'])}](../reviews/{r['echoes_most_id']}.md) ({r['echoes_count']})"
                if r["echoes_most_id"] else "none")
        out.append(f"| [{text(r['review'])}](../reviews/{r['review_id']}.md) | {r['recommendations']} | {r['new']} | "
                   f"{r['share_new']:.0%} | {r['repeats']} | {echo} |")
    return out + [""]


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
    pages = {"index.md": "\n".join(index + [""] + novelty_section(corpus))}
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


