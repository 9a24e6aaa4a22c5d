"""Validating ``data/``: the Table Schemas of ``datapackage.json`` (checked by
frictionless), then the rules across tables that a schema cannot express.

Every fault becomes a :class:`~tracker.tables.Problem` naming the file, the row
as a spreadsheet numbers it, the column, the value and the rule, with a hint.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from pathlib import Path

from .paths import DATA_DIR
from .tables import DataPackage, PackageError, Problem, Table, read_all, row_number  # noqa: F401

SLUG_HINT = "use lower-case letters, digits and single hyphens only, with no spaces (for example messenger-2022-r3)"
HINTS_BY_TYPE = {
    "date": "write dates as YYYY-MM-DD, for example 2022-06-08; if only the month or year is known, use 01 and say so in the precision column",
    "integer": "write a whole number with digits only, or leave the cell empty",
}


def _constraint_message(note: str, field: dict) -> tuple[str, str]:
    """Plain words and a hint for a frictionless constraint note."""
    constraints = field.get("constraints", {})
    if note.startswith('constraint "required"'):
        return "a value is required here", f"fill in the {field['name']}: {field.get('description', '')}".strip()
    if note.startswith('constraint "enum"'):
        allowed = constraints.get("enum", [])
        return "the value is not in the vocabulary", "use one of: " + ", ".join(allowed)
    if note.startswith('constraint "pattern"'):
        pattern = constraints.get("pattern", "")
        if pattern.startswith("^https?"):
            return "not a web address", "give the full address starting http:// or https://, with no spaces"
        if "a-z0-9" in pattern:
            return "not a valid ID", SLUG_HINT
        if field["name"].startswith("parts_"):
            return "not a list of part numbers", "write the numbers of the parts (from ask_parts.csv) separated by ';', for example 1;3"
        return f"the value does not match the pattern {pattern}", field.get("description", "")
    if note.startswith('constraint "minimum"'):
        return f"the value is below the minimum of {constraints.get('minimum')}", f"use a number of {constraints.get('minimum')} or more"
    return note, field.get("description", "")


def _frictionless_problems(pkg: DataPackage, tables: dict[str, Table]) -> list[Problem]:
    # Imported here so that `import tracker` stays cheap for the page generator.
    from frictionless import Package

    resources = []
    for name, table in tables.items():
        resource = dict(pkg.resources[name])
        resource.pop("path", None)
        for key in ("format", "encoding", "mediatype"):
            resource.pop(key, None)
        resource["data"] = [table.fields] + [[row[c] for c in table.fields] for row in table.rows]
        schema = dict(resource["schema"])
        # Foreign keys into a table that could not be read would only add noise.
        schema["foreignKeys"] = [
            fk for fk in schema.get("foreignKeys", []) if fk["reference"]["resource"] in tables
        ]
        resource["schema"] = schema
        resources.append(resource)
    report = Package({"name": pkg.descriptor["name"], "resources": resources}).validate()

    problems = []
    for task in report.tasks:
        table = tables[task.name]
        fields = {f["name"]: f for f in pkg.fields(task.name)}
        # frictionless counts rows of the inline data (header = 1); map back to
        # the row numbers of the file, which differ only where blank or ragged
        # rows were set aside.
        file_rows = [1] + [row_number(r) for r in table.rows]

        def where(n: int | None) -> int | None:
            return file_rows[n - 1] if n and 0 < n <= len(file_rows) else n

        for err in task.errors:
            row = where(getattr(err, "row_number", None))
            if err.type == "type-error":
                field = fields[err.field_name]
                problems.append(Problem(table.file, row, err.field_name, err.cell,
                                        f"not a valid {field['type']}",
                                        HINTS_BY_TYPE.get(field["type"], field.get("description", ""))))
            elif err.type == "constraint-error":
                rule, hint = _constraint_message(err.note, fields[err.field_name])
                problems.append(Problem(table.file, row, err.field_name, err.cell, rule, hint))
            elif err.type == "primary-key":
                key = pkg.primary_key(task.name)
                values = ", ".join(table.rows[err.row_number - 2][k] for k in key)
                match = re.search(r"position (\d+)", err.note)
                first = where(int(match.group(1))) if match else None
                problems.append(Problem(table.file, row, ", ".join(key), values,
                                        "this key is used by more than one row" + (f" (also row {first})" if first else ""),
                                        "each row needs its own " + " + ".join(key) + "; change one or merge the rows"))
            elif err.type == "foreign-key":
                col = ", ".join(err.field_names)
                ref = pkg.resources[err.reference_name]
                value = ", ".join(err.field_cells)
                problems.append(Problem(table.file, row, col, value,
                                        f"no row of data/{ref['path']} has this {', '.join(err.reference_field_names)}",
                                        f"check the spelling, or add the row to data/{ref['path']} first"))
            else:
                problems.append(Problem(table.file, row, getattr(err, "field_name", None), None,
                                        err.message, ""))
    return problems


def _rule_problems(pkg: DataPackage, tables: dict[str, Table], today: date) -> list[Problem]:
    """The rules across tables, from the registry in :mod:`tracker.rules`."""
    from . import rules

    return rules.run(rules.Context.of(pkg, tables, today), "error")


def validate(data_dir: Path = DATA_DIR, today: date | None = None) -> list[Problem]:
    """Every problem in the data, sorted by file and row; empty when the data is valid."""
    try:
        pkg, tables, problems = read_all(data_dir)
    except PackageError as exc:
        return [exc.problem]
    if tables:
        problems += _frictionless_problems(pkg, tables)
        problems += _rule_problems(pkg, tables, today or date.today())
    unique = sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.column or "", p.rule))
    return unique


def summarise(problems: list[Problem]) -> str:
    by_file: dict[str, int] = defaultdict(int)
    for p in problems:
        by_file[p.file] += 1
    parts = ", ".join(f"{n} in {f}" for f, n in sorted(by_file.items()))
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''} ({parts})"
