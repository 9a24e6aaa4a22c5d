"""Reading the numbered recommendations out of a review's own document.

``extract(path)`` takes a PDF, an HTML page or a GOV.UK Content API answer and
returns what :func:`Extraction.as_json` prints for ``python -m tracker extract
FILE --json``: the document, its SHA-256, its kind, its page count, and each
recommendation's number, heading, text and locator, with any warnings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .documents import MAX_BYTES, MAX_PAGES, Document, DocumentError, Line, html_lines, read
from .recognise import number_key, recognise

__all__ = ["Extraction", "DocumentError", "Line", "extract", "extract_html", "missing_numbers", "MAX_BYTES", "MAX_PAGES"]


@dataclass
class Recommendation:
    number: str
    heading: str
    text: str
    locator: str


@dataclass
class Extraction:
    document: str
    sha256: str
    kind: str
    pages: int | None
    recommendations: list[Recommendation]
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "document": self.document, "sha256": self.sha256, "kind": self.kind, "pages": self.pages,
            "recommendations": [{"number": r.number, "heading": r.heading, "text": r.text, "locator": r.locator}
                                for r in self.recommendations],
            "warnings": list(self.warnings),
        }

    def numbers(self) -> list[str]:
        return [r.number for r in self.recommendations]

    def get(self, number: str) -> Recommendation | None:
        return next((r for r in self.recommendations if r.number == number), None)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _from_document(doc: Document, name: str, sha: str, expected: int | None) -> Extraction:
    found, warnings = recognise(doc.lines)
    recs = [Recommendation(f.number, f.heading, f.text, f.locator) for f in found]
    warnings = doc.warnings + warnings
    if not recs:
        warnings.append("no numbered recommendations were found in this document")
    if expected:
        extra = [r.number for r in recs if number_key(r.number)[0] > expected]
        if extra:
            warnings.append(f"numbers beyond the {expected} expected: {', '.join(extra)}")
    return Extraction(name, sha, doc.kind, doc.pages, recs, warnings)


def extract(path: Path | str, expected: int | None = None, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> Extraction:
    """Read ``path`` and find its numbered recommendations; raises :class:`DocumentError`."""
    path = Path(path)
    doc = read(path, max_bytes=max_bytes, max_pages=max_pages)
    return _from_document(doc, str(path), _sha256(path), expected)


def extract_html(html: str, name: str, expected: int | None = None) -> Extraction:
    """The same for an HTML body already in memory (a Content API item's ``details.body``)."""
    doc = Document(Path(name), "html", None, html_lines(html), [])
    return _from_document(doc, name, hashlib.sha256(html.encode("utf-8")).hexdigest(), expected)


def missing_numbers(extraction: Extraction, expected: int) -> list[int]:
    """Whole numbers 1..expected that the document does not have."""
    have = {number_key(n)[0] for n in extraction.numbers()}
    return [n for n in range(1, expected + 1) if n not in have]
