"""Reading the curated tables in ``data/`` as a spreadsheet saves them.

The reader accepts what spreadsheets write (a UTF-8 byte-order mark, CRLF line
endings, quoted fields with commas or newlines, trailing blank lines) and turns
everything that is really wrong (not UTF-8, a missing or unknown column, a
ragged row, an empty file, a missing table) into a :class:`Problem` instead of
an exception, so that one run reports every fault at once.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .paths import DATA_DIR

PACKAGE_FILE = "datapackage.json"


@dataclass(frozen=True, order=True)
class Problem:
    """One fault in the data, located as a contributor would look for it."""

    file: str
    row: int | None  # as a spreadsheet numbers it: the header is row 1
    column: str | None
    value: str | None
    rule: str
    hint: str = ""

    def format(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: {self.rule}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            text += f" (value: {shown!r})"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


@dataclass
class Table:
    """One CSV file as read: its header and its rows as dicts of strings."""

    name: str
    path: Path
    fields: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)

    @property
    def file(self) -> str:
        return f"data/{self.path.name}"


class PackageError(Exception):
    """``datapackage.json`` is missing or unreadable: nothing can be checked without it."""

    def __init__(self, problem: Problem):
        super().__init__(problem.format())
        self.problem = problem


class DataPackage:
    """The description of the tables in ``datapackage.json``."""

    def __init__(self, data_dir: Path = DATA_DIR):
        self.data_dir = Path(data_dir)
        file = f"data/{PACKAGE_FILE}"
        try:
            with open(self.data_dir / PACKAGE_FILE, encoding="utf-8") as fh:
                self.descriptor = json.load(fh)
            self.resources = {r["name"]: r for r in self.descriptor["resources"]}
            for resource in self.resources.values():
                resource["schema"]["fields"]
        except FileNotFoundError:
            raise PackageError(Problem(file, None, None, None, "the file is missing",
                                       "restore data/datapackage.json from git: it describes every table")) from None
        except json.JSONDecodeError as exc:
            raise PackageError(Problem(file, exc.lineno, None, None, f"the file is not valid JSON ({exc.msg}, column {exc.colno})",
                                       "check for a missing comma or quote near that line")) from None
        except (KeyError, TypeError) as exc:
            raise PackageError(Problem(file, None, None, None, f"the file lacks a required part ({exc})",
                                       "each resource needs a name, a path and a schema with fields")) from None

    def fields(self, name: str) -> list[dict]:
        return self.resources[name]["schema"]["fields"]

    def field_names(self, name: str) -> list[str]:
        return [f["name"] for f in self.fields(name)]

    def primary_key(self, name: str) -> list[str]:
        return list(self.resources[name]["schema"].get("primaryKey", []))

    def enum(self, table: str, column: str) -> list[str]:
        for f in self.fields(table):
            if f["name"] == column:
                return list(f.get("constraints", {}).get("enum", []))
        raise KeyError(f"{table}.{column}")

    def enum_descriptions(self, table: str, column: str) -> dict[str, str]:
        for f in self.fields(table):
            if f["name"] == column:
                return dict(f.get("enumDescriptions", {}))
        raise KeyError(f"{table}.{column}")


def _decode(path: Path, raw: bytes, file: str) -> tuple[str | None, Problem | None]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(
            file, line, None, raw[exc.start : exc.start + 4].hex(" "),
            f"the file is not UTF-8 text (bad byte at line {line})",
            "save it again as 'CSV UTF-8 (comma delimited)'",
        )
    return text, None


def read_table(pkg: DataPackage, name: str) -> tuple[Table | None, list[Problem]]:
    """Read one table named in the package, returning it and its structural faults.

    A table is returned whenever its rows can be read at all, so that later
    checks can still report problems in the rows that are well formed.
    """
    resource = pkg.resources[name]
    path = pkg.data_dir / resource["path"]
    file = f"data/{resource['path']}"
    expected = pkg.field_names(name)
    if not path.exists():
        return None, [Problem(file, None, None, None, f"the table '{name}' is missing",
                              f"create {file} with the header row: {','.join(expected)}")]
    text, problem = _decode(path, path.read_bytes(), file)
    if problem:
        return None, [problem]
    assert text is not None
    if not text.strip():
        return None, [Problem(file, None, None, None, "the file is empty",
                              f"it needs at least the header row: {','.join(expected)}")]
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return None, [Problem(file, None, None, None, f"the file is not valid CSV: {exc}",
                              "check for an unclosed double quote")]
    header = [h.strip() for h in records[0]]
    problems: list[Problem] = []
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    for col in missing:
        hint = f"add the column '{col}'"
        if unknown:
            hint += f" (is '{unknown[0]}' a renamed '{col}'?)"
        problems.append(Problem(file, 1, col, None, "a required column is missing", hint))
    for col in unknown:
        problems.append(Problem(file, 1, col, col, "this column is not in the schema",
                                f"the columns are: {', '.join(expected)}"))
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(Problem(file, 1, col, col, "this column appears twice",
                                    "delete one of the two columns"))
        seen.add(col)
    if problems:
        return None, problems
    # Spreadsheets often leave blank rows at the end; anything after the last
    # non-blank row is dropped, while a blank row in the middle is reported.
    while len(records) > 1 and not any(c.strip() for c in records[-1]):
        records.pop()
    table = Table(name, path, expected)
    for index, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            problems.append(Problem(file, index, None, None, "the row is blank",
                                    "delete the empty row"))
            continue
        if len(record) != len(header):
            problems.append(Problem(
                file, index, None, None,
                f"the row has {len(record)} cells but the header has {len(header)}",
                "a cell containing a comma must be in double quotes; check for a stray comma",
            ))
            continue
        table.rows.append({col: record[i] for i, col in enumerate(header)} | {"__row__": str(index)})
    return table, problems


def read_all(data_dir: Path = DATA_DIR) -> tuple[DataPackage, dict[str, Table], list[Problem]]:
    """Read every table of the package; structural problems are collected, not raised."""
    pkg = DataPackage(data_dir)
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for name in pkg.resources:
        table, found = read_table(pkg, name)
        problems.extend(found)
        if table is not None:
            tables[name] = table
    return pkg, tables, problems


def row_number(row: dict[str, str]) -> int:
    return int(row["__row__"])


def clean(row: dict[str, str]) -> dict[str, str]:
    """A row without the bookkeeping key."""
    return {k: v for k, v in row.items() if k != "__row__"}
