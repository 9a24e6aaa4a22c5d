"""Listings by theme and by status: an index and a page per group, continuing over pages."""

from __future__ import annotations

from ..model import Corpus, part_name
from .common import GENERATED_NOTE, PAGE_ROWS, front_matter, in_review_order, label, pager_line, rec_line, split_pages, text


def _listing_pages(corpus: Corpus, prefix: str, title: str, intro: str, groups: list[tuple[str, str, str, list[str]]],
                   page_rows: int | None = None) -> dict[str, str]:
    """An index page and, per group (key, heading, description, rec_ids), one page
    of at most PAGE_ROWS recommendations, with continuation pages beyond that, so
    every page stays small however large the corpus grows."""
    index = [front_matter(intro), GENERATED_NOTE, f"# {title}", "", intro, "",
             "| | Recommendations |", "|---|---|"]
    pages = {}
    for key, heading, description, recs in groups:
        parts = split_pages(recs, page_rows or PAGE_ROWS)
        index.append(f"| [{text(heading)}]({key}.md) | {len(recs)}{f' ({len(parts)} pages)' if len(parts) > 1 else ''} |")
        for n, part in enumerate(parts, start=1):
            suffix = f" (page {n} of {len(parts)})" if len(parts) > 1 else ""
            body = [front_matter(f"{heading}{suffix}: {description}"), GENERATED_NOTE]
            if n == 1:
                body.append(f"({prefix}-{key})=")
            explained = f" {{ref}}`How this status is decided <rubric-status-{key}>`." if prefix == "status" else ""
            body += [f"# {text(heading)}{suffix}", "", text(description) + explained, "",
                     f"{len(recs)} recommendation{'s' if len(recs) != 1 else ''}, oldest review first.", ""]
            pager = pager_line(key, n, len(parts))
            body += [pager, ""] if pager else []
            body += [rec_line(corpus, r) for r in part] or ["No recommendation at present."]
            body += ["", pager] if pager else []
            pages[f"{part_name(key, n)}.md"] = "\n".join(body) + "\n"
    pages["index.md"] = "\n".join(index + [""])
    return pages


def theme_pages(corpus: Corpus, page_rows: int | None = None) -> dict[str, str]:
    by_theme: dict[str, list[str]] = {t: [] for t in corpus.themes}
    for rec_id, themes in corpus.themes_of.items():
        for t in themes:
            by_theme[t].append(rec_id)
    groups = [(theme_id, theme["label"], theme["description"], in_review_order(corpus, by_theme[theme_id]))
              for theme_id, theme in sorted(corpus.themes.items(), key=lambda kv: kv[1]["label"].lower())]
    return _listing_pages(corpus, "theme", "Themes",
                          "The themes recommendations are tagged with; each theme's page lists its recommendations with their status.",
                          groups, page_rows)


def status_pages(corpus: Corpus, page_rows: int | None = None) -> dict[str, str]:
    descriptions = corpus.package.enum_descriptions("assessments", "status")
    tracked = [r for r in corpus.recommendations if not corpus.is_ask(r)]
    groups = [(status, label(status), descriptions.get(status, ""),
               in_review_order(corpus, [r for r in tracked if corpus.status(r) == status])) for status in corpus.statuses()]
    return _listing_pages(corpus, "status", "Recommendations by status",
                          "Every tracked recommendation under its current status, its latest dated assessment.", groups, page_rows)
