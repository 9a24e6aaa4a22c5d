"""Rewriting the tables into one canonical form, so that diffs stay reviewable:
columns in schema order, rows sorted by primary key (numbers in natural order),
LF line endings, no byte-order mark, minimal quoting. Values are never changed."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from pathlib import Path

from .tables import PackageError, Problem, read_all


def _natural(value: str) -> list:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", value) if part]


def canonical_text(fields: list[str], rows: list[dict[str, str]], key: list[str]) -> str:
    ordered = sorted(rows, key=lambda r: [_natural(r[k]) for k in key] + [[(2, 0, r[f])] for f in fields])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows([[r[f] for f in fields] for r in ordered])
    return buffer.getvalue()


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def format_tables(data_dir: Path, write: bool = True) -> tuple[list[Path], list[Problem]]:
    """Files that are (or, with ``write=False``, would be) rewritten, and the
    structural problems that stop a table from being formatted at all."""
    try:
        pkg, tables, problems = read_all(data_dir)
    except PackageError as exc:
        return [], [exc.problem]
    blocking = {p.file for p in problems}
    changed = []
    for name, table in tables.items():
        if table.file in blocking:
            continue  # never rewrite a file we could not read completely
        text = canonical_text(table.fields, table.rows, pkg.primary_key(name) or table.fields[:1])
        if table.path.read_bytes() != text.encode("utf-8"):
            changed.append(table.path)
            if write:
                _atomic_write(table.path, text)
    return changed, problems
