"""The recommendations explorer: one filterable, sortable table, over pages, and its records."""

from __future__ import annotations

from ..commitments import needs_fresh_look, outcome
from ..model import JUDGED_ON_PARTS, Corpus
from .common import GENERATED_NOTE, PAGE_ROWS, coverage_sentence, evidence_age, front_matter, label, rec_sort_key, split_pages

EXPLORER_COLUMNS = ["rec_id", "review_id", "page", "title", "review", "year", "themes", "theme_labels", "response", "response_label",
                    "status", "status_label", "evidence", "parts", "check", "search"]


#: The explorer's "Needs checking" filter: what each flag means to a reader.
CHECK_LABELS = {"fresh-look": "Due for a fresh look", "overdue": "Has an overdue promise"}


def parts_summary(corpus: Corpus, rec_id: str) -> str:
    """How many parts of the ask were operating at the latest judgement ("Of 3 parts: 1 operating, 1 operating in part"),
    or nothing where the status is not judged on the parts (declined, replaced, dropped) or there are none."""
    current = corpus.current(rec_id)
    states = [state for _, state in corpus.part_states(rec_id)]
    if not states or not current or current["status"] not in JUDGED_ON_PARTS:
        return ""
    whole, partly = states.count("operating"), states.count("partly")
    found = ([f"{whole} operating"] if whole else []) + ([f"{partly} operating in part"] if partly else [])
    return f"Of {len(states)} part{'s' if len(states) != 1 else ''}: {', '.join(found) or 'none operating'}"


def explorer_records(corpus: Corpus) -> list[dict[str, str]]:
    """One record per recommendation, oldest review first: what an explorer row shows
    and filters on. The pages render them as HTML; the site publishes them as JSON
    (api/explorer.json) so that filters can reach the rows of every page."""
    order = {r["review_id"]: i for i, r in enumerate(corpus.reviews_in_order())}
    recs = sorted(corpus.recommendations.values(), key=lambda r: (order[r["review_id"]], rec_sort_key(corpus, r["rec_id"])))
    as_of = corpus.as_of()
    out = []
    for r in recs:
        review = corpus.reviews[r["review_id"]]
        status = "ask" if corpus.is_ask(r["rec_id"]) else corpus.status(r["rec_id"])
        check = [] if status == "ask" else (
            (["fresh-look"] if needs_fresh_look(corpus, r["rec_id"]) else [])
            + (["overdue"] if any(outcome(c, as_of)[0] == "overdue" for c in corpus.commitments_of(r["rec_id"])) else []))
        themes = corpus.themes_of.get(r["rec_id"], [])
        theme_labels = ", ".join(corpus.themes[t]["label"] for t in themes)
        out.append(dict(
            rec_id=r["rec_id"], review_id=r["review_id"], page=corpus.rec_page(r["rec_id"]), title=r["title"], review=review["short_title"],
            year=review["published"][:4], themes=" ".join(themes), theme_labels=theme_labels,
            response=r["government_response"], response_label=label(r["government_response"]),
            status=status, status_label="Ask (not assessed)" if status == "ask" else label(status),
            evidence="" if status == "ask" else evidence_age(corpus, r["rec_id"]),
            parts="" if status == "ask" else parts_summary(corpus, r["rec_id"]),
            check=" ".join(check),
            search=" ".join([r["rec_id"], r["title"], r["summary"], review["short_title"], review["title"], theme_labels]).lower()))
    return out


def _explorer_row(record: dict[str, str], base: str) -> str:
    from html import escape as e

    rec_id = record["rec_id"]
    link = f"{base}reviews/{record['page']}.html#{rec_id}"
    permalink = f"{base}../r/{rec_id}.html"
    status = record["status"]
    status_cell = e(record["status_label"]) if status == "ask" else (
        f'<span class="tracker-status tracker-status-{e(status)}">{e(record["status_label"])}</span>'
        + (f'<br><small>{e(record["evidence"])}</small>' if record.get("evidence") else "")
        + (f'<br><small class="tracker-parts">{e(record["parts"])}</small>' if record.get("parts") else "")
        + "".join(f'<br><small class="tracker-flag">{e(CHECK_LABELS[c])}</small>' for c in record.get("check", "").split()))
    return (
        f'<tr id="row-{e(rec_id)}" data-review="{e(record["review_id"])}" data-year="{e(record["year"])}" '
        f'data-themes="{e(record["themes"])}" data-response="{e(record["response"])}" data-status="{e(status)}" '
        f'data-check="{e(record.get("check", ""))}" data-search="{e(record["search"])}">'
        f'<td data-label="Recommendation" data-sort="{e(rec_id)}"><a href="{e(link)}">{e(record["title"])}</a><br>'
        f'<small><a href="{e(permalink)}" aria-label="Permalink for {e(rec_id)}">{e(rec_id)}</a></small></td>'
        f'<td data-label="Review">{e(record["review"])}</td><td data-label="Year">{e(record["year"])}</td>'
        f'<td data-label="Themes">{e(record["theme_labels"])}</td>'
        f'<td data-label="Government response">{e(record["response_label"])}</td>'
        f'<td data-label="Status" data-sort="{e(status)}">{status_cell}</td></tr>')


def explorer_pages(corpus: Corpus, page_rows: int | None = None) -> dict[str, str]:
    """Every recommendation in one table, with filters that work in the browser and a
    complete, readable table without JavaScript. Past ``page_rows`` rows the table
    continues on numbered pages (explorer/2.md, ...); the filters then work on every
    row at once, from api/explorer.json. Every value is HTML-escaped."""
    from html import escape as e

    size = page_rows or PAGE_ROWS
    records = explorer_records(corpus)
    parts = split_pages(records, size)
    responses = corpus.package.enum("recommendations", "government_response")
    years = sorted({r["year"] for r in records})

    def options(pairs):
        return "".join(f'<option value="{e(v)}">{e(t)}</option>' for v, t in pairs)

    review_opts = options([("", "All reviews")] + [(r["review_id"], f"{r['short_title']} ({r['published'][:4]})")
                                                    for r in corpus.reviews_in_order()])
    theme_opts = options([("", "All themes")] + sorted(((t, v["label"]) for t, v in corpus.themes.items()), key=lambda x: x[1]))
    response_opts = options([("", "All responses")] + [(v, label(v)) for v in responses])
    status_opts = options([("", "All statuses")] + [(v, label(v)) for v in corpus.statuses()] + [("ask", "Ask (not assessed)")])
    check_opts = options([("", "Any")] + list(CHECK_LABELS.items()))
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
            f'<label>Needs checking <select name="check">{check_opts}</select></label>'
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
            front_matter("Search, filter and sort every recommendation tracked, by review, year, theme, response and status.", orphan=n > 1),
            GENERATED_NOTE, f"# {title}", "",
            coverage_sentence(corpus), "",
            "Every recommendation and ask tracked, in one table. Filter by review, year, theme, government response or status, or type words "
            "or an ID, or show only what is due for a fresh look or has an overdue promise; select a column heading to sort. Each row links to the recommendation on its review page and gives its permanent ID."
            + paging,
            "", html, ""])
    return pages
