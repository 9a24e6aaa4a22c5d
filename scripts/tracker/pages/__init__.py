"""The generated pages of the book: :func:`build_pages` makes every one from the
corpus, :func:`write_pages` writes only what changed. Each kind of page has its
own module (review, listings, recurring, vocabulary, explorer); the pieces they
all use are in :mod:`.common`."""

from __future__ import annotations

from pathlib import Path

from ..agreement import disagreement_tables, summary
from ..model import Corpus
from .checknext import check_next_page
from .common import PAGE_ROWS, REVIEWS_DIR, cite_line, coverage_sentence
from .explorer import EXPLORER_COLUMNS, explorer_pages, explorer_records
from .listings import status_pages, theme_pages
from .recurring import recurring_pages, thread_label
from .review import review_pages, reviews_index
from .vocabulary import corrections_page, rubric_section, use_data_examples, vocabulary_page

#: What other modules (the Sphinx extension, publishing, charts, the benchmark, tests) use.
__all__ = ["EXPLORER_COLUMNS", "GENERATED", "PAGE_ROWS", "build_pages", "explorer_records", "generate", "generated_paths",
           "nav_order", "thread_label", "write_pages"]

GENERATED = ["reviews", "themes", "statuses", "recurring", "explorer.md", "explorer", "about/data-dictionary.md",
             "about/rubric.inc", "about/corrections.md", "about/examples.inc", "about/counts.inc", "about/check-next.md",
             "about/agreement.inc", "about/agreement-summary.inc"]


def generated_paths(book_dir: Path) -> list[Path]:
    """Every file or folder under ``book_dir`` that :func:`generate` owns."""
    return [book_dir / p for p in GENERATED]


def build_pages(corpus: Corpus, book_dir: Path, site_url: str = "",
                page_rows: int | None = None) -> dict[Path, str]:
    """Every generated page, path to content, each folder's pages in reading order."""
    pages: dict[Path, str] = {book_dir / REVIEWS_DIR / "index.md": reviews_index(corpus),
                              book_dir / "about" / "data-dictionary.md": vocabulary_page(corpus),
                              book_dir / "about" / "rubric.inc": rubric_section(corpus),
                              book_dir / "about" / "corrections.md": corrections_page(corpus),
                              book_dir / "about" / "examples.inc": use_data_examples(site_url),
                              book_dir / "about" / "counts.inc": coverage_sentence(corpus) + "\n",
                              book_dir / "about" / "check-next.md": check_next_page(corpus),
                              book_dir / "about" / "agreement.inc": disagreement_tables(corpus),
                              book_dir / "about" / "agreement-summary.inc": summary(corpus)}
    pages.update({book_dir / name: text_ for name, text_ in explorer_pages(corpus, page_rows).items()})
    for review in corpus.reviews_in_order():
        review_id = review["review_id"]
        for name, content in review_pages(corpus, review_id, site_url).items():
            pages[book_dir / REVIEWS_DIR / f"{name}.md"] = (
                content + "\n" + cite_line(f"{review['short_title']} ({review['published'][:4]})", f"book/reviews/{name}.html", site_url) + "\n")
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


def generate(corpus: Corpus, book_dir: Path, site_url: str = "",
             page_rows: int | None = None) -> list[Path]:
    """Write every generated page under ``book_dir``; returns the paths written or removed."""
    return write_pages(build_pages(corpus, book_dir, site_url, page_rows), book_dir)
