"""Finding a report's numbered recommendations in its lines.

Three layouts are recognised, each guarded so that other numbered things
(findings, terms of reference, numbered paragraphs such as 2.3 or 4.1.2) are
never taken for recommendations:

* **labelled**: a line that starts "Recommendation 7", "Rec 7" or "R7", then
  ":", ".", a dash, the end of the line, or a capitalised title;
* **table**: rows under a header such as "No. Recommendation", the number in
  its own column, the numbers running on one by one (a repeated header row on
  a new page is skipped);
* **list**: a numbered list (or, in HTML, an ordered list whose numbers are
  implicit) under a heading that names the recommendations ("Summary of
  recommendations", "Our recommendations"), numbered from 1 without gaps.

A recommendation's text runs from its label to the next recommendation or to
a line that starts something else (a chapter, an annex, a numbered paragraph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .documents import TABLE_HEADER, Line

NUMBER = r"(\d{1,3}(?:\.\d{1,3}){0,2})"
#: What may follow a label's number: a separator, the end of the line, or a capitalised title.
AFTER = r"(?:\s*[:.\u2013\u2014-](?!\d)\s*|\s*$|\s+(?-i:(?=[A-Z\u201c\"'(])))"
LABELS = [
    re.compile(rf"^(?:recommendation|recommendation\s+no\.?)\s+{NUMBER}{AFTER}(.*)$", re.IGNORECASE),
    re.compile(rf"^(?:Rec|REC)\.?\s*{NUMBER}{AFTER}(.*)$"),
    re.compile(rf"^R{NUMBER}{AFTER}(.*)$"),
]
TOC_ENTRY = re.compile(r"(?:\.{3,}|\u2026|\s\.\s\.\s)\s*\d{1,4}$|\s{2,}\d{1,4}$")
ROW_START = re.compile(r"^(\d{1,3})(?:\s+(.*))?$")
LIST_HEADING = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+|chapter\s+\d+[:.]?\s+)?"
    r"(?:(?:a\s+)?(?:summary|list|table)\s+of\s+(?:the\s+|our\s+|key\s+)?|our\s+|the\s+|key\s+|main\s+)?"
    r"recommendations:?$", re.IGNORECASE)
LIST_ITEM = re.compile(r"^(\d{1,3})[.)](?:\s+(.*))?$")
#: Lines that start something other than a recommendation's text.
STOP = re.compile(
    r"^(?:(?:chapter|section|part|annex|annexe|appendix)\s+[\dA-Z]+\b"
    r"|\d{1,2}(?:\.\d{1,3}){1,3}\.?\s+\S"  # a numbered paragraph: 2.3, 4.1.2
    r"|(?:findings?|terms of reference|conclusions?|introduction|background|executive summary|foreword|contents"
    r"|glossary|references|acknowledge?ments|next steps|annex|appendix|methodology)\b.{0,40}$)",
    re.IGNORECASE)
MAX_LINES = 40  # a recommendation's text is cut here if no boundary comes first


@dataclass
class Found:
    number: str
    heading: str
    text: str
    locator: str
    position: int  # index of the first line, for document order
    layout: str


def label_of(text: str) -> tuple[str, str] | None:
    """(number, rest of the line) when ``text`` starts with a recommendation label."""
    for pattern in LABELS:
        match = pattern.match(text)
        if match:
            return match.group(1), match.group(2).strip()
    return None


def _is_toc(rest: str) -> bool:
    return bool(TOC_ENTRY.search(rest))


def _is_boundary(line: Line) -> bool:
    return line.kind == "heading" or bool(STOP.match(line.text)) or label_of(line.text) is not None \
        or bool(LIST_HEADING.match(line.text)) or bool(TABLE_HEADER.match(line.text))


def _heading_and_text(parts: list[str]) -> tuple[str, str]:
    """The recommendation's heading (its first line when that reads as a title,
    otherwise its first sentence) and its whole text."""
    parts = [p for p in parts if p]
    text = " ".join(parts)
    if not parts:
        return "", ""
    first = parts[0]
    title_like = len(parts) == 1 or (not re.search(r"[.;:,]$", first) and parts[1][:1].isupper()) or len(first) <= 60 \
        and not re.search(r"[a-z,]$", first)
    if title_like:
        return first.rstrip(":"), text
    sentence = re.match(r"(.{10,300}?[.;])(?:\s|$)", text)
    return (sentence.group(1) if sentence else text[:300]).rstrip(), text


def _title_only(parts: list[str]) -> bool:
    """Nothing yet, or a single line that reads as a title: the text goes on into the next paragraph."""
    return not parts or (len(parts) == 1 and not re.search(r"[.;:?!]$", parts[0]))


def labelled(lines: list[Line]) -> list[Found]:
    found: list[Found] = []
    i = 0
    while i < len(lines):
        label = label_of(lines[i].text)
        if not label or _is_toc(label[1]):
            i += 1
            continue
        number, rest = label
        start, parts, j = i, [rest] if rest else [], i + 1
        # A bare label takes the next line as its heading, whatever kind of line it is.
        if not rest and j < len(lines) and label_of(lines[j].text) is None:
            parts.append(lines[j].text)
            j += 1
        # Under an HTML heading the text runs to the next heading; in a PDF it
        # ends with its paragraph (a title's paragraph takes the next one too).
        under_heading = lines[start].kind == "heading"
        while j < len(lines) and len(parts) < MAX_LINES and not _is_boundary(lines[j]):
            if not under_heading and lines[j].new_paragraph and not _title_only(parts):
                break
            parts.append(lines[j].text)
            j += 1
        heading, text = _heading_and_text(parts)
        found.append(Found(number, heading, text, lines[start].locator, start, "labelled"))
        i = j
    return found


def table(lines: list[Line]) -> list[Found]:
    found: list[Found] = []
    i = 0
    while i < len(lines):
        if not TABLE_HEADER.match(lines[i].text):
            i += 1
            continue
        header = lines[i].text
        expected, current, j = None, None, i + 1
        while j < len(lines):
            line = lines[j]
            if line.text == header:  # the header row repeated on a new page
                j += 1
                continue
            row = ROW_START.match(line.text)
            if row and (expected is None and int(row.group(1)) <= 1 or int(row.group(1)) == expected):
                n = int(row.group(1))
                current = [str(n), [row.group(2)] if row.group(2) else [], line.locator, j]
                found.append(current)  # type: ignore[arg-type]
                expected = n + 1
            elif line.kind == "heading" or STOP.match(line.text) or label_of(line.text) or LIST_HEADING.match(line.text) \
                    or (current is None and j - i > 3):
                break
            elif current is not None and len(current[1]) < MAX_LINES:
                current[1].append(line.text)
            j += 1
        i = j
    out = []
    for number, parts, locator, position in found:  # type: ignore[misc]
        heading, text = _heading_and_text(parts)
        out.append(Found(number, heading, text, locator, position, "table"))
    return out


def numbered_list(lines: list[Line]) -> list[Found]:
    found: list[Found] = []
    i = 0
    while i < len(lines):
        heading_line = lines[i]
        if not (LIST_HEADING.match(heading_line.text) or
                (heading_line.kind == "heading" and _names_recommendations(heading_line.text))):
            i += 1
            continue
        expected, current, j = 1, None, i + 1
        depth, closed, since = None, False, 0
        while j < len(lines):
            line = lines[j]
            item = LIST_ITEM.match(line.text) if line.kind != "item" else None
            number = line.item_number if line.kind == "item" else (int(item.group(1)) if item else None)
            if line.kind == "item" and depth is None:
                depth = line.list_depth
            nested = depth is not None and line.list_depth > depth
            if number is not None and not nested and number == expected:
                rest = line.text if line.kind == "item" else (item.group(2) or "")
                current = [str(number), [rest] if rest else [], line.locator, j]
                found.append(current)  # type: ignore[arg-type]
                expected += 1
                closed, since = False, 0
            elif (number is not None and not nested and current is not None) or _is_boundary(line):
                break  # a new list (numbered from 1 again) or a new section
            elif current is not None and not closed and not nested and line.new_paragraph \
                    and not _title_only(current[1]):
                closed = True  # the item's paragraph has ended; the list may go on
            elif current is not None and not closed and len(current[1]) < MAX_LINES:
                current[1].append(line.text)
            if closed or current is None:
                since += 1
                if since > 3:
                    break
            j += 1
        i = max(j, i + 1)
    out = []
    for number, parts, locator, position in found:  # type: ignore[misc]
        heading, text = _heading_and_text(parts)
        out.append(Found(number, heading, text, locator, position, "list"))
    return out


def _names_recommendations(text: str) -> bool:
    low = text.lower()
    return "recommendation" in low and not re.search(r"finding|terms of reference|progress|response to|implementation", low)


def number_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def recognise(lines: list[Line]) -> tuple[list[Found], list[str]]:
    """Every numbered recommendation, once each (its first appearance), in number order; and warnings."""
    everything = sorted(labelled(lines) + table(lines) + numbered_list(lines), key=lambda f: f.position)
    first: dict[str, Found] = {}
    repeats = 0
    for f in everything:
        if f.number in first:
            repeats += 1
        else:
            first[f.number] = f
    warnings = []
    if repeats:
        warnings.append(f"{repeats} recommendation{'s appear' if repeats != 1 else ' appears'} more than once "
                        "(for example in a summary and again in a chapter); the first appearance is used")
    return sorted(first.values(), key=lambda f: number_key(f.number)), warnings
