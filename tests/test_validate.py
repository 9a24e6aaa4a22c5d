"""Validation of data/: every kind of bad input is caught and located (file, row
as a spreadsheet numbers it, column), and what spreadsheets save is accepted."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from tracker.model import load
from tracker.paths import DATA_DIR
from tracker.validate import validate

TODAY = date.today()


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("raw"))
    return target


def read(data: Path, table: str) -> list[list[str]]:
    with open(data / f"{table}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write(data: Path, table: str, rows: list[list[str]]) -> None:
    with open(data / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def find_row(data: Path, table: str, column: str, predicate) -> int:
    """The spreadsheet row number (header = 1) of the first row whose column satisfies predicate."""
    rows = read(data, table)
    col = rows[0].index(column)
    for i, row in enumerate(rows[1:], start=2):
        if predicate(row[col]):
            return i
    raise AssertionError(f"no row of {table} matches")


def find_row_where(data: Path, table: str, predicate) -> int:
    """The spreadsheet row number of the first row (as a dict) that satisfies predicate."""
    rows = read(data, table)
    for i, row in enumerate(rows[1:], start=2):
        if predicate(dict(zip(rows[0], row))):
            return i
    raise AssertionError(f"no row of {table} matches")


def cell(data: Path, table: str, row: int, column: str) -> str:
    rows = read(data, table)
    return rows[row - 1][rows[0].index(column)]


def set_cell(data: Path, table: str, row: int, column: str, value: str) -> None:
    rows = read(data, table)
    rows[row - 1][rows[0].index(column)] = value
    write(data, table, rows)


def a_recommendation_row(data: Path) -> int:
    return find_row(data, "recommendations", "government_response", lambda v: v == "accepted")


def an_assessment_row(data: Path) -> int:
    return find_row(data, "assessments", "status", lambda v: v in ("in-progress", "partially-implemented"))


# Each case mutates a fresh copy of the committed data and returns the
# (file, row, column, words in the rule) that the error must name.
def missing_table(d):
    (d / "links.csv").unlink()
    return "links.csv", None, None, "missing"


def empty_file(d):
    (d / "themes.csv").write_text("")
    return "themes.csv", None, None, "empty"


def not_utf8(d):
    path = d / "themes.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2] + "é".encode("latin-1")
    path.write_bytes(b"\n".join(lines))
    return "themes.csv", 3, None, "not UTF-8"


def missing_column(d):
    rows = read(d, "reviews")
    i = rows[0].index("summary")
    write(d, "reviews", [r[:i] + r[i + 1:] for r in rows])
    return "reviews.csv", 1, "summary", "missing"


def renamed_column(d):
    rows = read(d, "sources")
    rows[0][rows[0].index("accessed")] = "date accessed"
    write(d, "sources", rows)
    return "sources.csv", 1, "accessed", "missing"


def ragged_row(d):
    rows = read(d, "themes")
    rows[3].append("an extra cell")
    write(d, "themes", rows)
    return "themes.csv", 4, None, "cells"


def blank_row_in_the_middle(d):
    rows = read(d, "themes")
    rows.insert(2, ["", "", ""])
    write(d, "themes", rows)
    return "themes.csv", 3, None, "blank"


def bad_date(d):
    set_cell(d, "reviews", 2, "published", "08/06/2022")
    return "reviews.csv", 2, "published", "not a valid date"


def bad_integer(d):
    row = find_row(d, "reviews", "recommendations_in_source", lambda v: v != "")
    set_cell(d, "reviews", row, "recommendations_in_source", "seven")
    return "reviews.csv", row, "recommendations_in_source", "not a valid integer"


def negative_count(d):
    row = find_row(d, "reviews", "recommendations_in_source", lambda v: v != "")
    set_cell(d, "reviews", row, "recommendations_in_source", "-1")
    return "reviews.csv", row, "recommendations_in_source", "minimum"


def unknown_status(d):
    row = an_assessment_row(d)
    set_cell(d, "assessments", row, "status", "done")
    return "assessments.csv", row, "status", "vocabulary"


def unknown_response(d):
    row = a_recommendation_row(d)
    set_cell(d, "recommendations", row, "government_response", "Accepted")
    return "recommendations.csv", row, "government_response", "vocabulary"


def capital_in_id(d):
    set_cell(d, "themes", 2, "theme_id", "System-Leadership")
    return "themes.csv", 2, "theme_id", "not a valid ID"


def stray_whitespace_in_id(d):
    set_cell(d, "themes", 2, "theme_id", cell(d, "themes", 2, "theme_id") + " ")
    return "themes.csv", 2, "theme_id", "not a valid ID"


def url_not_http(d):
    set_cell(d, "sources", 2, "url", "javascript:alert(1)")
    return "sources.csv", 2, "url", "not a web address"


def required_value_missing(d):
    row = a_recommendation_row(d)
    set_cell(d, "recommendations", row, "summary", "")
    return "recommendations.csv", row, "summary", "required"


def duplicate_key(d):
    rows = read(d, "themes")
    rows.append(list(rows[1]))
    write(d, "themes", rows)
    return "themes.csv", len(rows), "theme_id", "more than one row"


def unknown_review(d):
    row = a_recommendation_row(d)
    set_cell(d, "recommendations", row, "review_id", "nosuch-2000")
    return "recommendations.csv", row, "review_id", "no row of data/reviews.csv"


def unknown_theme(d):
    set_cell(d, "recommendation_themes", 2, "theme_id", "no-such-theme")
    return "recommendation_themes.csv", 2, "theme_id", "no row of data/themes.csv"


def unknown_source(d):
    row = an_assessment_row(d)
    set_cell(d, "assessments", row, "source_id", "no-such-source")
    return "assessments.csv", row, "source_id", "no row of data/sources.csv"


def link_to_unknown_recommendation(d):
    set_cell(d, "links", 2, "to_rec", "nosuch-2000-r1")
    return "links.csv", 2, "to_rec", "no row of data/recommendations.csv"


def date_in_the_future(d):
    row = an_assessment_row(d)
    set_cell(d, "assessments", row, "assessed_on", (TODAY + timedelta(days=2)).isoformat())
    return "assessments.csv", row, "assessed_on", "future"


def assessment_before_review(d):
    row = an_assessment_row(d)
    set_cell(d, "assessments", row, "as_of", "1999-01-01")
    return "assessments.csv", row, "as_of", "before its review was published"


def assessed_before_as_of(d):
    row = an_assessment_row(d)
    as_of = date.fromisoformat(cell(d, "assessments", row, "as_of"))
    set_cell(d, "assessments", row, "assessed_on", (as_of - timedelta(days=1)).isoformat())
    return "assessments.csv", row, "assessed_on", "before the moment it describes"


def implemented_without_source(d):
    row = an_assessment_row(d)
    set_cell(d, "assessments", row, "status", "implemented")
    set_cell(d, "assessments", row, "source_id", "")
    return "assessments.csv", row, "source_id", "needs a cited source"


def response_without_source(d):
    row = a_recommendation_row(d)
    set_cell(d, "recommendations", row, "response_source_id", "")
    return "recommendations.csv", row, "response_source_id", "needs a cited source"


def assessment_month_precision_with_a_day(d):
    row = find_row_where(d, "assessments", lambda r: r["as_of_precision"] == "day" and not r["as_of"].endswith("-01"))
    set_cell(d, "assessments", row, "as_of_precision", "month")
    return "assessments.csv", row, "as_of", "must be written with day 01"


def response_note_without_source(d):
    row = find_row_where(d, "recommendations", lambda r: r["government_response"] == "no-formal-response")
    set_cell(d, "recommendations", row, "response_note", "Inferred from a press report.")
    return "recommendations.csv", row, "response_note", "needs the response's source"


def a_source_cited_twice(d):
    rows = read(d, "sources")
    header = rows[0]
    copy = list(rows[1])
    copy[header.index("source_id")] = "the-same-page-again"
    rows.append(copy)
    write(d, "sources", rows)
    return "sources.csv", len(rows), "url", "already cited as"


def unknown_response_without_note(d):
    row = find_row_where(d, "recommendations", lambda r: r["government_response"] == "accepted" and not r["response_note"])
    set_cell(d, "recommendations", row, "government_response", "unknown")
    return "recommendations.csv", row, "response_note", "needs a note saying what the response did say"


def complete_with_wrong_count(d):
    row = find_row_where(d, "reviews", lambda r: r["coverage"] == "complete" and r["recommendations_in_source"] not in ("", "0"))
    set_cell(d, "reviews", row, "recommendations_in_source", str(int(cell(d, "reviews", row, "recommendations_in_source")) - 1))
    return "reviews.csv", row, "recommendations_in_source", "more than the source"


def number_used_twice(d):
    rows = read(d, "recommendations")
    header = rows[0]
    first = rows[1]
    second_index = next(i for i, r in enumerate(rows[2:], start=2) if r[header.index("review_id")] == first[header.index("review_id")])
    rows[second_index][header.index("number")] = first[header.index("number")]
    write(d, "recommendations", rows)
    return "recommendations.csv", second_index + 1, "number", "already used"


def link_within_one_review(d):
    rows = read(d, "links")
    rows.append(["messenger-2022-r2", "messenger-2022-r1", "builds-on", "Both in one review.", "hand"])
    write(d, "links", rows)
    return "links.csv", len(rows), "to_rec", "both are in messenger-2022"


def renumbered_across_reviews(d):
    rows = read(d, "renumbered")
    header = rows[0]
    new = next(r for r in read(d, "recommendations")[1:] if r[0].startswith("messenger-2022-"))[0]
    rows.append(["griffiths-1983-r99", new, "2026-01-01", "A typo in the old ID.", ""])
    write(d, "renumbered", rows)
    return "renumbered.csv", len(rows), "old_rec_id", "not an ID of the same review"


def renumbered_to_a_missing_id(d):
    rows = read(d, "renumbered")
    rows.append(["messenger-2022-r98", "messenger-2022-r99", "2026-01-01", "Corrected.", ""])
    write(d, "renumbered", rows)
    return "renumbered.csv", len(rows), "new_rec_id", "no row of data/recommendations.csv has this rec_id"


def rec_id_not_matching_number(d):
    row = a_recommendation_row(d)
    set_cell(d, "recommendations", row, "number", "99")
    return "recommendations.csv", row, "rec_id", "must be the review_id"


def bad_number(d):
    row = a_recommendation_row(d)
    set_cell(d, "recommendations", row, "number", "one")
    return "recommendations.csv", row, "number", "pattern"


def self_link(d):
    set_cell(d, "links", 2, "to_rec", cell(d, "links", 2, "from_rec"))
    return "links.csv", 2, "to_rec", "itself"


def answers_a_non_ask(d):
    rows = read(d, "links")
    h = rows[0]
    one, other = rows[1][h.index("from_rec")], rows[2][h.index("from_rec")]
    assert one != other
    rows.append([one, other, "answers", "two recommendations, neither an ask", "hand"])
    write(d, "links", rows)
    return "links.csv", len(rows), "to_rec", "must point to an ask"


def repeats_pointing_forward(d):
    rows = read(d, "links")
    h = rows[0]
    ask = rows[1][h.index("to_rec")]
    later = rows[1][h.index("from_rec")]
    rows.append([ask, later, "repeats", "backwards", "hand"])
    write(d, "links", rows)
    return "links.csv", len(rows), "to_rec", "point back in time"


def unknown_link_provenance(d):
    set_cell(d, "links", 2, "provenance", "machine")
    return "links.csv", 2, "provenance", "hand"


def link_in_both_directions(d):
    rows = read(d, "links")
    h = rows[0]
    later, earlier = rows[1][h.index("from_rec")], rows[1][h.index("to_rec")]
    rows.append([earlier, later, "repeats", "The same pair the other way round.", "suggestion"])
    write(d, "links", rows)
    return "links.csv", len(rows), "from_rec", "one link, from the later"


def link_note_over_two_lines(d):
    set_cell(d, "links", 3, "note", "First line.\nSecond line.")
    return "links.csv", 3, "note", "one line"


def recommendation_without_theme(d):
    rows = read(d, "recommendation_themes")
    rec = rows[1][0]
    write(d, "recommendation_themes", [rows[0]] + [r for r in rows[1:] if r[0] != rec])
    row = find_row(d, "recommendations", "rec_id", lambda v: v == rec)
    return "recommendations.csv", row, "rec_id", "no theme"


def dated_source(d) -> int:
    return find_row_where(d, "sources", lambda r: r["published"] != "")


def month_precision_not_on_the_first(d):
    row = dated_source(d)
    set_cell(d, "sources", row, "published_precision", "month")
    set_cell(d, "sources", row, "published", cell(d, "sources", row, "published")[:8] + "15")
    return "sources.csv", row, "published", "day 01"


def read_before_published(d):
    row = dated_source(d)
    set_cell(d, "sources", row, "accessed", "1900-01-01")
    return "sources.csv", row, "accessed", "before it was published"


def broken_package_description(d):
    path = d / "datapackage.json"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].rstrip(",")  # a missing comma, as a hand edit leaves it
    path.write_text("\n".join(lines))
    return "datapackage.json", 5, None, "not valid JSON"


def response_totals_not_adding_up(d):
    rows = read(d, "response_totals")
    rows[1][rows[0].index("count")] = str(int(rows[1][rows[0].index("count")]) + 1)
    write(d, "response_totals", rows)
    return "response_totals.csv", 2, "count", "add up to"


def deadline_before_promise(d):
    row = find_row_where(d, "commitments", lambda r: r["due_precision"] == "month")
    set_cell(d, "commitments", row, "due_by", "1990-01-01")
    return "commitments.csv", row, "due_by", "deadline ends before the promise"


def delivered_without_source(d):
    row = find_row_where(d, "commitments", lambda r: r["delivered_on"])
    set_cell(d, "commitments", row, "delivered_source_id", "")
    return "commitments.csv", row, "delivered_source_id", "needs the source"


def delivered_and_withdrawn(d):
    row = find_row_where(d, "commitments", lambda r: r["delivered_on"])
    source = cell(d, "commitments", row, "delivered_source_id")
    set_cell(d, "commitments", row, "withdrawn_on", cell(d, "commitments", row, "delivered_on"))
    set_cell(d, "commitments", row, "withdrawn_precision", cell(d, "commitments", row, "delivered_precision"))
    set_cell(d, "commitments", row, "withdrawn_source_id", source)
    return "commitments.csv", row, "withdrawn_on", "both delivered and withdrawn"


def commitment_serving_nothing(d):
    rows = read(d, "commitment_recs")
    first = rows[1][0]
    write(d, "commitment_recs", [r for r in rows if r[0] != first])
    row = find_row(d, "commitments", "commitment_id", lambda v: v == first)
    return "commitments.csv", row, "commitment_id", "serves no recommendation"


def commitment_cites_an_unknown_source(d):
    row = find_row_where(d, "commitments", lambda r: True)
    set_cell(d, "commitments", row, "made_source_id", "no-such-source")
    return "commitments.csv", row, "made_source_id", "sources"


def an_implemented_row(d) -> int:
    return find_row_where(d, "assessments", lambda r: r["status"] == "implemented")


def implemented_with_a_part_missing(d):
    row = an_implemented_row(d)
    rec = cell(d, "assessments", row, "rec_id")
    rows = read(d, "ask_parts")
    rows.append([rec, str(sum(1 for r in rows[1:] if r[0] == rec) + 1), "A further part not yet operating"])
    write(d, "ask_parts", rows)
    return "assessments.csv", row, "status", "needs every part wholly operating"


def partly_implemented_naming_no_part(d):
    row = find_row_where(d, "assessments", lambda r: r["status"] == "partially-implemented")
    set_cell(d, "assessments", row, "parts_operating", "")
    set_cell(d, "assessments", row, "parts_partly", "")
    return "assessments.csv", row, "status", "at least one part operating"


def in_progress_naming_a_part(d):
    row = find_row_where(d, "assessments", lambda r: r["status"] == "in-progress")
    set_cell(d, "assessments", row, "parts_operating", "1")
    return "assessments.csv", row, "status", "no part operating"


def naming_a_part_the_ask_lacks(d):
    row = an_implemented_row(d)
    set_cell(d, "assessments", row, "parts_partly", "9")
    return "assessments.csv", row, "parts_partly", "has no part 9"


def part_named_whole_and_partly(d):
    row = an_implemented_row(d)
    set_cell(d, "assessments", row, "parts_partly", cell(d, "assessments", row, "parts_operating").split(";")[0])
    return "assessments.csv", row, "parts_partly", "named twice"


def parts_list_not_a_list(d):
    row = an_implemented_row(d)
    set_cell(d, "assessments", row, "parts_operating", "1 and 2")
    return "assessments.csv", row, "parts_operating", "not a list of part numbers"


def parts_with_a_gap(d):
    rows = read(d, "ask_parts")
    rec = rows[1][0]
    rows.append([rec, "7", "A part numbered after a gap"])
    write(d, "ask_parts", rows)
    return "ask_parts.csv", len(rows), "part", "numbered"


def assessed_without_parts(d):
    rows = read(d, "ask_parts")
    rec = rows[1][0]
    write(d, "ask_parts", [rows[0]] + [r for r in rows[1:] if r[0] != rec])
    row = find_row(d, "assessments", "rec_id", lambda v: v == rec)
    return "assessments.csv", row, "rec_id", "no parts"


def check_with_two_draws(d):
    rows = read(d, "agreement_checks")
    col = rows[0].index("drawn_from")
    last = max(i for i, r in enumerate(rows[1:], start=2) if r[0] == rows[1][0])
    rows[last - 1][col] = "whole-record"
    write(d, "agreement_checks", rows)
    return "agreement_checks.csv", last, "drawn_from", "one check draws one sample"


def unsampled_check_repeating_a_row(d):
    rows = read(d, "agreement_checks")
    head = rows[0]
    later = max(int(r[0]) for r in rows[1:]) + 1
    repeat = list(rows[1])
    repeat[head.index("check")], repeat[head.index("item")] = str(later), "1"
    rows.append(repeat)
    write(d, "agreement_checks", rows)
    return "agreement_checks.csv", len(rows), "drawn_from", "already sampled in check"


CASES = [implemented_with_a_part_missing, partly_implemented_naming_no_part, in_progress_naming_a_part,
    naming_a_part_the_ask_lacks, part_named_whole_and_partly, parts_list_not_a_list, parts_with_a_gap, assessed_without_parts,
    deadline_before_promise, delivered_without_source, delivered_and_withdrawn, commitment_serving_nothing,
    commitment_cites_an_unknown_source, broken_package_description, link_within_one_review, renumbered_across_reviews, renumbered_to_a_missing_id, response_note_without_source, unknown_response_without_note, a_source_cited_twice, assessment_month_precision_with_a_day, response_totals_not_adding_up, 
    missing_table, empty_file, not_utf8, missing_column, renamed_column, ragged_row, blank_row_in_the_middle,
    bad_date, bad_integer, negative_count, unknown_status, unknown_response, capital_in_id, stray_whitespace_in_id,
    url_not_http, required_value_missing, duplicate_key, unknown_review, unknown_theme, unknown_source,
    link_to_unknown_recommendation, date_in_the_future, assessment_before_review, assessed_before_as_of,
    implemented_without_source, response_without_source, complete_with_wrong_count, number_used_twice,
    rec_id_not_matching_number, bad_number, self_link, answers_a_non_ask, repeats_pointing_forward,
    recommendation_without_theme, month_precision_not_on_the_first, unknown_link_provenance, link_in_both_directions,
    link_note_over_two_lines, read_before_published, check_with_two_draws, unsampled_check_repeating_a_row,
]


def test_the_committed_data_is_valid():
    assert [p.format() for p in validate(DATA_DIR)] == []


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_is_located(data, case):
    file, row, column, words = case(data)
    problems = validate(data)
    matching = [p for p in problems if p.file == f"data/{file}" and p.row == row and p.column == column]
    assert matching, f"expected a problem at {file} row {row} column {column}; got:\n" + "\n".join(p.format() for p in problems)
    assert any(words.lower() in (p.rule + " " + p.hint).lower() for p in matching), \
        f"expected the rule to mention {words!r}; got:\n" + "\n".join(p.format() for p in matching)
    assert all(p.hint for p in matching), "every problem carries a hint on how to fix it"


def test_every_problem_is_reported_at_once(data):
    expected = [bad_date(data), unknown_theme(data), self_link(data), url_not_http(data)]
    problems = validate(data)
    for file, row, column, _ in expected:
        assert any(p.file == f"data/{file}" and p.row == row and p.column == column for p in problems)


def test_the_offending_value_is_shown(data):
    url_not_http(data)
    formatted = [p.format() for p in validate(data) if p.column == "url"]
    assert any("javascript:alert(1)" in f and "row 2" in f and "data/sources.csv" in f for f in formatted)


def test_make_check_exits_non_zero_without_a_traceback(data):
    unknown_status(data)
    result = subprocess.run([sys.executable, "-m", "tracker", "--data", str(data), "check"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "data/assessments.csv, row" in result.stderr and "'done'" in result.stderr


def test_make_check_passes_on_good_data():
    result = subprocess.run([sys.executable, "-m", "tracker", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "data OK" in result.stdout


# What spreadsheets save must be accepted, and read back to the same values.
def resave(data: Path, table: str, *, bom=False, crlf=False, trailing_blank_lines=0) -> None:
    rows = read(data, table)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_ALL).writerows(rows)
    text = buffer.getvalue() + ("\r\n" if crlf else "\n") * trailing_blank_lines
    (data / f"{table}.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


@pytest.mark.parametrize("options", [
    {"bom": True}, {"crlf": True}, {"trailing_blank_lines": 3}, {"bom": True, "crlf": True, "trailing_blank_lines": 1},
], ids=["bom", "crlf", "trailing-blank-lines", "all-together"])
def test_spreadsheet_output_is_accepted(data, options):
    before = load(data)
    for table in ("reviews", "recommendations", "assessments", "links"):
        resave(data, table, **options)
    assert [p.format() for p in validate(data)] == []
    after = load(data)
    assert after.recommendations == before.recommendations
    assert after.reviews == before.reviews


def test_quoted_commas_and_newlines_are_kept(data):
    row = a_recommendation_row(data)
    summary = 'First line, with a comma.\nSecond line with "quotes".'
    set_cell(data, "recommendations", row, "summary", summary)
    assert validate(data) == []
    rec_id = cell(data, "recommendations", row, "rec_id")
    assert load(data).recommendations[rec_id]["summary"] == summary
