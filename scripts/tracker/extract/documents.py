"""Reading a review's document into a stream of lines, whatever its format.

A PDF becomes its text layer, page by page, with running headers, footers and
page numbers taken out and words hyphenated across lines joined again; an HTML
page (a saved GOV.UK HTML publication or any report page) and a GOV.UK Content
API answer (its ``details.body``) become their headings, paragraphs, list items
and table rows. Every line keeps where it came from: ``p. N`` (the Nth page of
the PDF file) or ``#anchor`` (the nearest id above it in the HTML).

Anything that cannot be read raises :class:`DocumentError` with one plain reason.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

#: Documents over these limits are refused before any text is read. Review
#: reports run to tens of megabytes (the Francis inquiry's three volumes are
#: about 1,800 pages in all), so the caps sit well above them.
MAX_BYTES = 150 * 1024 * 1024
MAX_PAGES = 3000


class DocumentError(Exception):
    """A document that cannot be read; the message is the reason, for a person."""


@dataclass
class Line:
    text: str
    locator: str
    kind: str = "text"  # text | heading | item | row
    item_number: int | None = None  # the implicit number of an <ol> item
    list_depth: int = 0
    new_paragraph: bool = True  # a gap (PDF) or a new block (HTML) comes before this line
    size: float = 0.0  # type size in a PDF


@dataclass
class Document:
    path: Path
    kind: str  # pdf | html | govuk-content
    pages: int | None
    lines: list[Line]
    warnings: list[str]


def sniff(data: bytes, name: str) -> str:
    """The kind of a document, from its bytes first and its name second."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if name.lower().endswith(".pdf"):
        raise DocumentError("named .pdf but it is not a PDF (it does not start with %PDF)")
    if head[:1] in (b"{", b"["):
        return "govuk-content"
    if head[:1] == b"<" or name.lower().endswith((".html", ".htm")):
        return "html"
    raise DocumentError("not a PDF, an HTML page or a GOV.UK Content API answer")


def read(path: Path, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> Document:
    """Read any supported document; raises :class:`DocumentError`."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DocumentError("no such file") from None
    if size == 0:
        raise DocumentError("the file is empty (0 bytes)")
    if size > max_bytes:
        raise DocumentError(f"the file is {size:,} bytes, over the {max_bytes:,}-byte limit")
    with open(path, "rb") as fh:
        head = fh.read(1024)
    kind = sniff(head, path.name)
    if kind == "pdf":
        return read_pdf(path, max_pages)
    data = path.read_bytes()
    text = _decode(data)
    if kind == "govuk-content":
        return read_content_api(path, text)
    return Document(path, "html", None, html_lines(text), [])


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# --- PDF ----------------------------------------------------------------------

#: The header row of a table of recommendations ("No. Recommendation ..."): it
#: repeats on every page of the table, but it is not a running header.
TABLE_HEADER = re.compile(r"^(?:no\.?|number|ref\.?|#)\s+recommendations?\b", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"^(?:page\s+)?(\d{1,4})(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
ROMAN = re.compile(r"^[ivxlc]{1,6}$", re.IGNORECASE)
EDGE = 3  # how many lines at the top and bottom of a page can be running headers or footers
#: Prefixes whose hyphen is part of the word, kept when a word is split across lines.
KEEP_HYPHEN = {"self", "non", "well", "long", "short", "cross", "co", "multi", "inter", "cost", "high", "low",
               "full", "part", "front", "board", "evidence", "patient", "user", "value", "time", "fit", "end"}


def read_pdf(path: Path, max_pages: int = MAX_PAGES) -> Document:
    import pypdfium2 as pdfium

    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise DocumentError("the PDF is truncated (no end-of-file marker): download it again")
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise DocumentError("the PDF is encrypted and needs a password to open") from None
        raise DocumentError(f"the PDF could not be opened ({message.split('(')[-1].rstrip(')') or message})") from None
    try:
        count = len(pdf)
        if count > max_pages:
            raise DocumentError(f"the PDF has {count:,} pages, over the {max_pages:,}-page limit")
        pages = []
        for i in range(count):
            page = pdf[i]
            textpage = page.get_textpage()
            pages.append(_page_lines(textpage))
            textpage.close()
            page.close()
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"the PDF is damaged: {exc}") from None
    finally:
        pdf.close()
    warnings = []
    if not any(pages):
        raise DocumentError(f"the PDF has no text layer on any of its {count} pages (scanned images?); "
                            "OCR is not attempted")
    blank = sum(1 for p in pages if not p)
    if blank > count // 2:
        warnings.append(f"{blank} of {count} pages have no text layer (scanned images?); OCR is not attempted")
    return Document(path, "pdf", count, pdf_lines(pages), warnings)


def _page_lines(textpage) -> list[tuple[str, bool, float]]:
    """A page's lines in the order the PDF draws them, each with whether a gap
    (a new paragraph) comes before it and the size of its type (weight 600 or
    more counts as two points larger). PDFium reports text as rectangles, one
    per run of text; runs on one baseline, left to right, make one line."""
    import pypdfium2.raw as pdfium_c

    runs: list[list] = []  # [text, top, bottom, right, size]
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top)
        if not text.strip():
            continue
        last = runs[-1] if runs else None
        if last and abs(top - last[1]) < 2 and left >= last[3] - 1:
            last[0] = last[0].rstrip() + " " + text.strip()
            last[3] = right
            continue
        index = pdfium_c.FPDFText_GetCharIndexAtPos(textpage.raw, left + 0.5, (top + bottom) / 2, 2, 2)
        size = round(pdfium_c.FPDFText_GetFontSize(textpage.raw, index), 1) if index >= 0 else 0.0
        if index >= 0 and pdfium_c.FPDFText_GetFontWeight(textpage.raw, index) >= 600:
            size += 2
        runs.append([text, top, bottom, right, size])
    # A paragraph break is a gap clearly wider than the page's usual gap between
    # lines (so 1.5 line spacing is not taken for a break), or a move back up.
    gaps = sorted(prev[2] - cur[1] for prev, cur in zip(runs, runs[1:]) if prev[2] >= cur[1])
    usual = gaps[len(gaps) // 2] if gaps else 0.0
    lines = []
    for k, (text, top, bottom, _, size) in enumerate(runs):
        if k == 0:
            new_paragraph = True
        else:
            prev = runs[k - 1]
            height = max(top - bottom, 1.0)
            new_paragraph = top > prev[1] + 1 or (prev[2] - top) > usual + 0.5 * height
        text = " ".join(text.split())
        if text.endswith(("\ufffe", "\u00ad")):
            text = text[:-1] + "\x02"
        lines.append((text, new_paragraph, size))
    return lines


def pdf_lines(pages: list[list[tuple[str, bool, float]]]) -> list[Line]:
    """Each page's lines without running headers, footers or page numbers, with
    words hyphenated across lines joined. Lines in type larger than the body's
    are headings; a heading that wraps over lines becomes one line."""
    texts = [[t.rstrip("\x02") for t, _, _ in page] for page in pages]
    running = _running_lines(texts)
    numbers = _page_number_lines(texts)
    sizes: Counter[float] = Counter()
    for page in pages:
        for text, _, size in page:
            sizes[size] += len(text)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    lines: list[Line] = []
    for index, page in enumerate(pages):
        n = len(page)
        for j, (text, new_paragraph, size) in enumerate(page):
            at_edge = j < EDGE or j >= n - EDGE
            if at_edge and (_shape(text.rstrip("\x02")) in running or (index, j) in numbers):
                continue
            heading = body > 0 and size >= body + 1
            prev = lines[-1] if lines else None
            if heading and prev is not None and prev.kind == "heading" and prev.size == size \
                    and not _starts_something(text):
                prev.text = prev.text.rstrip("\x02") + ("" if prev.text.endswith("\x02") else " ") + text
                continue
            line = Line(text, f"p. {index + 1}", "heading" if heading else "text", new_paragraph=new_paragraph and bool(lines))
            line.size = size
            lines.append(line)
    return _join_hyphenated(lines)


def _is_label(text: str) -> bool:
    from .recognise import label_of

    return label_of(text) is not None


def _starts_something(text: str) -> bool:
    """Whether a line opens a new heading of its own (a recommendation's label, a chapter)."""
    from .recognise import STOP, label_of

    return label_of(text) is not None or bool(STOP.match(text))


def _join_hyphenated(lines: list[Line]) -> list[Line]:
    """Join a word split over two lines: PDFium marks the hyphen it recognised
    at a line end (kept as \\x02 here); a plain hyphen before a lower-case
    letter counts too. Hyphens of compound words (self-, non-) are kept."""
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        match = re.search(r"([A-Za-z]+)(-|\x02)$", prev.text) if prev else None
        if prev and match and line.text[:1].islower():
            head, rest = line.text.split(" ", 1) if " " in line.text else (line.text, "")
            hyphen = "-" if match.group(1).lower() in KEEP_HYPHEN else ""
            prev.text = prev.text[:-1] + hyphen + head
            if rest:
                out.append(Line(rest, line.locator, new_paragraph=False))
            continue
        if prev and prev.text.endswith("\x02"):
            prev.text = prev.text[:-1] + "-"
        out.append(line)
    if out and out[-1].text.endswith("\x02"):
        out[-1].text = out[-1].text[:-1] + "-"
    return out


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines (digits ignored) that open or close at least 40% of the pages (and 3 or more)."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_shape(l) for l in page[:EDGE] + page[-EDGE:]})
    floor = max(3, int(0.4 * len(pages)))
    return {shape for shape, n in seen.items()
            if n >= floor and not PAGE_NUMBER.match(shape.replace("#", "1")) and not TABLE_HEADER.match(shape)
            and not _is_label(shape.replace("#", "1"))}


def _page_number_lines(pages: list[list[str]]) -> set[tuple[int, int]]:
    """(page, line) positions of printed page numbers: bare numbers at a page's
    top or bottom whose difference from the page's position in the file is the
    same on many pages. A bare number elsewhere (a table's row number) stays."""
    found: list[tuple[int, int, int | None]] = []
    for index, page in enumerate(pages):
        n = len(page)
        for j in sorted(set(range(min(2, n))) | set(range(max(0, n - 2), n))):
            match = PAGE_NUMBER.match(page[j])
            if match:
                found.append((index, j, int(match.group(1)) - index))
            elif ROMAN.match(page[j]):
                found.append((index, j, None))
    offsets = Counter(o for _, _, o in found if o is not None)
    if not offsets:
        return set()
    offset, hits = offsets.most_common(1)[0]
    if hits < max(2, int(0.3 * len(pages))):
        return set()
    return {(i, j) for i, j, o in found if o == offset or (o is None and i < len(pages) // 5 + 1)}


# --- HTML and the GOV.UK Content API -------------------------------------------

class _HTMLLines(HTMLParser):
    """Headings, paragraphs, list items and table rows, in order, each with the
    nearest id above it; ordered-list items keep their implicit numbers."""

    BLOCKS = {"p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "blockquote", "dt", "dd", "caption"}
    SKIP = {"script", "style", "nav", "header", "footer", "noscript", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.anchor = ""
        self.buffer: list[str] = []
        self.kind = "text"
        self.lists: list[list] = []  # [tag, next number]
        self.pending_item: int | None = None
        self.skipping = 0

    def _flush(self):
        text = " ".join("".join(self.buffer).split())
        self.buffer = []
        if not text:
            return
        if self.pending_item is not None:
            self.lines.append(Line(text, self.anchor, "item", self.pending_item, len(self.lists)))
            self.pending_item = None
        elif self.kind == "item":
            self.lines.append(Line(text, self.anchor, "text", None, len(self.lists)))
        else:
            self.lines.append(Line(text, self.anchor, self.kind, None, len(self.lists)))

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
            return
        attrs = dict(attrs)
        if tag in self.BLOCKS or tag in ("ol", "ul", "br"):
            self._flush()
        if tag == "br":
            return
        if attrs.get("id") or (tag == "a" and attrs.get("name")):
            self.anchor = "#" + (attrs.get("id") or attrs.get("name"))
        if tag in ("ol", "ul"):
            start = attrs.get("start") or "1"
            self.lists.append([tag, int(start) if start.isdigit() else 1])
        elif tag == "li":
            if self.lists and self.lists[-1][0] == "ol":
                self.pending_item = self.lists[-1][1]
                self.lists[-1][1] += 1
            self.kind = "item"
        elif tag in ("td", "th"):
            self.buffer.append(" ")
            self.kind = "row"
        elif tag in self.BLOCKS:
            self.kind = "heading" if re.fullmatch(r"h[1-6]", tag) else "text"

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if tag in self.BLOCKS or tag in ("ol", "ul"):
            self._flush()
            self.pending_item = None if tag == "li" else self.pending_item
            self.kind = "text"
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.buffer.append(data)

    def close(self):
        super().close()
        self._flush()


def html_lines(html: str) -> list[Line]:
    parser = _HTMLLines()
    parser.feed(html or "")
    parser.close()
    return parser.lines


def read_content_api(path: Path, text: str) -> Document:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"not valid JSON (truncated?): {exc.msg} at line {exc.lineno}") from None
    if not isinstance(doc, dict) or "base_path" not in doc or not isinstance(doc.get("details"), dict):
        raise DocumentError("JSON, but not a GOV.UK Content API item (no 'base_path' and 'details')")
    body = doc["details"].get("body") or ""
    warnings = []
    if not body.strip():
        attachments = [a.get("url", "") for a in doc["details"].get("attachments") or [] if isinstance(a, dict)]
        warnings.append("the content item has no body" + (f"; its documents are attachments: {', '.join(attachments)}"
                                                          if attachments else ""))
    return Document(path, "govuk-content", None, html_lines(body), warnings)
