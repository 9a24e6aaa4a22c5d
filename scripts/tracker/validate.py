"""Validating ``data/``: the Table Schemas of ``datapackage.json`` (checked by
frictionless), then the rules across tables that a schema cannot express.

Every fault becomes a :class:`~tracker.tables.Problem` naming the file, the row
as a spreadsheet numbers it, the column, the value and the rule, with a hint.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from .paths import DATA_DIR
from .tables import DataPackage, PackageError, Problem, Table, read_all, row_number

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
        return f"the value does not match the pattern {pattern}", field.get("description", "")
    if note.startswith('constraint "minimum"'):
        return f"the value is below the minimum of {constraints.get('minimum')}", "use a number of 0 or more"
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


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None  # already reported by the schema check


def _rule_problems(pkg: DataPackage, tables: dict[str, Table], today: date) -> list[Problem]:
    problems: list[Problem] = []
    add = problems.append

    # No date in the future, in any date column of any table.
    for name, table in tables.items():
        date_cols = [f["name"] for f in pkg.fields(name) if f["type"] == "date"]
        for row in table.rows:
            for col in date_cols:
                d = _date(row[col])
                if d and d > today:
                    add(Problem(table.file, row_number(row), col, row[col],
                                f"the date is in the future (today is {today.isoformat()})",
                                "check the year; data may only record what has already happened"))

    # Precision columns: a month-precise date is written on the 1st, and so on.
    for name, column, precision_column in (("reviews", "published", "published_precision"),
                                           ("sources", "published", "published_precision"),
                                           ("assessments", "as_of", "as_of_precision")):
        table = tables.get(name)
        if not table or precision_column not in (table.fields or []):
            continue
        for row in table.rows:
            d, precision = _date(row[column]), row[precision_column]
            if d and not precision:
                add(Problem(table.file, row_number(row), precision_column, "",
                            "a date needs its precision", "write day, month or year"))
            if not d and precision and not row[column]:
                add(Problem(table.file, row_number(row), precision_column, precision,
                            "a precision is given but there is no date", "clear the precision, or give the date"))
            if d and precision in ("month", "year") and d.day != 1:
                add(Problem(table.file, row_number(row), column, row[column],
                            f"a date known only to the {precision} must be written with day 01",
                            "write the 1st of the month (or 1 January), and keep the precision"))
            if d and precision == "year" and d.month != 1:
                add(Problem(table.file, row_number(row), column, row[column],
                            "a date known only to the year must be written as YYYY-01-01",
                            "write 1 January of that year"))

    reviews = {r["review_id"]: r for r in tables["reviews"].rows} if "reviews" in tables else {}
    recs = {r["rec_id"]: r for r in tables["recommendations"].rows} if "recommendations" in tables else {}

    if "sources" in tables:
        for row in tables["sources"].rows:
            pub, acc = _date(row["published"]), _date(row["accessed"])
            if pub and acc and acc < pub:
                add(Problem(tables["sources"].file, row_number(row), "accessed", row["accessed"],
                            f"the source was read before it was published ({row['published']})",
                            "check both dates"))

    if "sources" in tables:
        table = tables["sources"]
        first_with: dict[str, tuple[int, str]] = {}
        for row in table.rows:
            n = row_number(row)
            key = row["url"].strip().rstrip("/").lower()
            if key and key in first_with:
                add(Problem(table.file, n, "url", row["url"],
                            f"this address is already cited as {first_with[key][1]} (row {first_with[key][0]})",
                            "cite that source_id instead, and remove this row"))
            first_with.setdefault(key, (n, row["source_id"]))

    if "report_locations" in tables:
        table = tables["report_locations"]
        for row in table.rows:
            n, location = row_number(row), row["location"]
            if row["kind"] == "govuk-content":
                if re.match(r"^[a-z]+://", location) or not re.fullmatch(r"/?[a-z0-9][a-z0-9/_.-]*", location):
                    add(Problem(table.file, n, "location", location, "a govuk-content location must be a GOV.UK path",
                                "give the path after www.gov.uk/, for example government/publications/berwick-review-into-patient-safety"))
                if row["format"] and row["format"] != "govuk":
                    add(Problem(table.file, n, "format", row["format"], "a govuk-content location has the format 'govuk'",
                                "use govuk; the Content API says which attachments are PDF or HTML"))
            elif row["kind"] == "document":
                if not re.fullmatch(r"https?://[^\s/]+/\S*", location):
                    add(Problem(table.file, n, "location", location, "a document location must be a full web address",
                                "give the address starting https://, with no spaces"))
                if row["format"] == "govuk":
                    add(Problem(table.file, n, "format", row["format"], "a document is either pdf or html",
                                "use pdf or html, as the address serves"))

    if "recommendations" in tables:
        table = tables["recommendations"]
        numbers: dict[tuple[str, str], int] = {}
        for row in table.rows:
            n = row_number(row)
            key = (row["review_id"], row["number"])
            if row["number"] and key in numbers:
                add(Problem(table.file, n, "number", row["number"],
                            f"this number is already used in {row['review_id']} (row {numbers[key]})",
                            "each recommendation of a review has its own number"))
            numbers.setdefault(key, n)
            expected = f"{row['review_id']}-r{row['number']}"
            if row["rec_id"] and row["review_id"] and row["number"] and row["rec_id"] != expected:
                add(Problem(table.file, n, "rec_id", row["rec_id"],
                            f"the rec_id must be the review_id, '-r' and the number: {expected}",
                            "rec_ids are permalinks: fix the number or review_id if those are wrong"))
            if row["government_response"] not in ("no-formal-response", "not-applicable", "") and not row["response_source_id"]:
                add(Problem(table.file, n, "response_source_id", "",
                            f"the response '{row['government_response']}' needs a cited source",
                            "add the source_id of the document that gives the response, or use no-formal-response"))
            if row["government_response"] == "unknown" and not row.get("response_note"):
                add(Problem(table.file, n, "response_note", "",
                            "the response 'unknown' needs a note saying what the response did say",
                            "summarise the response in response_note, in your own words"))
            if row.get("response_note") and not row["response_source_id"]:
                add(Problem(table.file, n, "response_note", row["response_note"],
                            "a note on how the response was established needs the response's source",
                            "add the response_source_id the note is about, or empty the note"))

    if "reviews" in tables and "recommendations" in tables:
        counts = Counter(r["review_id"] for r in tables["recommendations"].rows)
        for row in tables["reviews"].rows:
            n = row_number(row)
            declared = row["recommendations_in_source"]
            # A source with no numbered list can still be complete; only a
            # declared count can be checked.
            if row["coverage"] == "complete":
                if declared.isdigit() and int(declared) != counts[row["review_id"]]:
                    add(Problem(tables["reviews"].file, n, "coverage", row["coverage"],
                                f"marked complete, but the source has {declared} recommendations and "
                                f"{counts[row['review_id']]} are in recommendations.csv",
                                "add the missing recommendations, or mark coverage partial"))
            if declared.isdigit() and counts[row["review_id"]] > int(declared):
                add(Problem(tables["reviews"].file, n, "recommendations_in_source", declared,
                            f"recommendations.csv has {counts[row['review_id']]} recommendations for this review, more than the source's {declared}",
                            "check the count in the source, or look for a duplicate recommendation"))

    if "reviews" in tables and "response_totals" in tables:
        totals: dict[str, int] = defaultdict(int)
        first_row: dict[str, int] = {}
        for row in tables["response_totals"].rows:
            if row["count"].isdigit():
                totals[row["review_id"]] += int(row["count"])
                first_row.setdefault(row["review_id"], row_number(row))
        for review_id, total in totals.items():
            declared = reviews.get(review_id, {}).get("recommendations_in_source", "")
            if declared.isdigit() and total != int(declared):
                add(Problem(tables["response_totals"].file, first_row[review_id], "count", str(total),
                            f"the counts for {review_id} add up to {total}, but its source has {declared} recommendations",
                            "check each count against the government's response; they must cover every recommendation once"))

    if "recommendations" in tables and "recommendation_themes" in tables:
        tagged = {r["rec_id"] for r in tables["recommendation_themes"].rows}
        for row in tables["recommendations"].rows:
            if row["rec_id"] and row["rec_id"] not in tagged:
                add(Problem(tables["recommendations"].file, row_number(row), "rec_id", row["rec_id"],
                            "the recommendation has no theme",
                            "add at least one row for it to data/recommendation_themes.csv"))

    if "assessments" in tables:
        table = tables["assessments"]
        for row in table.rows:
            n = row_number(row)
            if row["status"] in ("implemented", "partially-implemented") and not row["source_id"]:
                add(Problem(table.file, n, "source_id", "",
                            f"a status of '{row['status']}' needs a cited source",
                            "add the source_id of the document that shows it, or use a weaker status"))
            as_of, assessed = _date(row["as_of"]), _date(row["assessed_on"])
            if as_of and assessed and assessed < as_of:
                add(Problem(table.file, n, "assessed_on", row["assessed_on"],
                            f"the judgement is dated before the moment it describes ({row['as_of']})",
                            "assessed_on is when the assessment was made; it cannot precede as_of"))
            rec = recs.get(row["rec_id"])
            review = reviews.get(rec["review_id"]) if rec else None
            published = _date(review["published"]) if review else None
            if as_of and published and as_of < published:
                add(Problem(table.file, n, "as_of", row["as_of"],
                            f"the assessment is dated before its review was published ({review['published']})",
                            "check the date: nothing can be implemented before it was recommended"))

    if "renumbered" in tables and "recommendations" in tables:
        review_of = {r["rec_id"]: r["review_id"] for r in tables["recommendations"].rows}
        for row in tables["renumbered"].rows:
            n = row_number(row)
            old, new = row["old_rec_id"], row["new_rec_id"]
            if old and old == new:
                add(Problem(tables["renumbered"].file, n, "old_rec_id", old, "the old and new IDs are the same",
                            "a renumbering row records an ID that changed"))
            elif old and new in review_of and not old.startswith(f"{review_of[new]}-r"):
                add(Problem(tables["renumbered"].file, n, "old_rec_id", old,
                            f"the old ID is not an ID of the same review ({review_of[new]})",
                            "a renumbering changes a number within one review; check both IDs"))

    if "links" in tables:
        table = tables["links"]
        for row in table.rows:
            n = row_number(row)
            if row["from_rec"] and row["from_rec"] == row["to_rec"]:
                add(Problem(table.file, n, "to_rec", row["to_rec"],
                            "a recommendation cannot be linked to itself",
                            "to_rec must name a different recommendation"))
            if row["relation"] == "answers" and row["to_rec"] in recs:
                review = reviews.get(recs[row["to_rec"]]["review_id"])
                if review and review["kind"] != "stakeholder-report":
                    add(Problem(table.file, n, "to_rec", row["to_rec"],
                                "an 'answers' link must point to an ask (a recommendation of a stakeholder-report)",
                                "use repeats or builds-on between two reviews' recommendations"))
            if row["relation"] in ("repeats", "builds-on", "supersedes") and row["from_rec"] in recs and row["to_rec"] in recs:
                later = reviews.get(recs[row["from_rec"]]["review_id"])
                earlier = reviews.get(recs[row["to_rec"]]["review_id"])
                if recs[row["from_rec"]]["review_id"] == recs[row["to_rec"]]["review_id"]:
                    add(Problem(table.file, n, "to_rec", row["to_rec"],
                                f"'{row['relation']}' links a recommendation to an earlier review's, but both are in {recs[row['to_rec']]['review_id']}",
                                "links trace ideas across reviews; say how recommendations of one review relate in their summaries"))
                elif later and earlier and _date(later["published"]) and _date(earlier["published"]) \
                        and _date(later["published"]) < _date(earlier["published"]):
                    add(Problem(table.file, n, "to_rec", row["to_rec"],
                                f"'{row['relation']}' must point back in time, but {row['to_rec']} is later than {row['from_rec']}",
                                "swap from_rec and to_rec"))
    return problems


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
