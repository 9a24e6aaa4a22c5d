"""The rules across tables that a Table Schema cannot express, one small
function each, in one registry.

A rule is a function that takes a :class:`Context` and yields
:class:`~tracker.tables.Problem`s; ``@rule(name, description, tables)``
registers it. ``make check`` runs the rules of severity ``error`` (bad data
builds nothing); ``make audit`` runs the ``warning`` rules in
:mod:`tracker.audit` (likely mismatches between a status and its evidence,
each either fixed or recorded as a reviewed exception). The data dictionary
lists every rule from this registry, so a contributor who adds a rule writes
one function and the page follows.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from .commitments import period_end, period_start
from .model import split_parts
from .tables import DataPackage, Problem, Table, row_number


@dataclass
class Context:
    pkg: DataPackage
    tables: dict[str, Table]
    today: date
    reviews: dict[str, dict[str, str]] = field(default_factory=dict)
    recs: dict[str, dict[str, str]] = field(default_factory=dict)
    sources: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, pkg: DataPackage, tables: dict[str, Table], today: date) -> "Context":
        keyed = lambda name, key: {r[key]: r for r in tables[name].rows} if name in tables else {}  # noqa: E731
        return cls(pkg, tables, today, keyed("reviews", "review_id"), keyed("recommendations", "rec_id"),
                   keyed("sources", "source_id"))


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    tables: tuple[str, ...]
    severity: str  # error | warning
    check: Callable[[Context], Iterable[Problem]]


RULES: list[Rule] = []


def rule(name: str, description: str, tables: tuple[str, ...] = (), severity: str = "error"):
    """Register a rule; it runs only when every table it names could be read."""
    def register(fn: Callable[[Context], Iterable[Problem]]):
        RULES.append(Rule(name, description, tables, severity, fn))
        return fn
    return register


def run(ctx: Context, severity: str = "error") -> list[Problem]:
    problems: list[Problem] = []
    for r in RULES:
        if r.severity == severity and all(t in ctx.tables for t in r.tables):
            problems += list(r.check(ctx))
    return problems


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None  # already reported by the schema check


# --- dates ------------------------------------------------------------------------

@rule("no-future-dates", "No date in any table is later than today.")
def no_future_dates(ctx: Context):
    for name, table in ctx.tables.items():
        date_cols = [f["name"] for f in ctx.pkg.fields(name) if f["type"] == "date"]
        for row in table.rows:
            for col in date_cols:
                d = parse_date(row[col])
                if d and d > ctx.today:
                    yield Problem(table.file, row_number(row), col, row[col],
                                  f"the date is in the future (today is {ctx.today.isoformat()})",
                                  "check the year; data may only record what has already happened")


PRECISION_COLUMNS = (("reviews", "published", "published_precision"), ("sources", "published", "published_precision"),
                     ("assessments", "as_of", "as_of_precision"), ("commitments", "made_on", "made_precision"),
                     ("commitments", "due_by", "due_precision"), ("commitments", "delivered_on", "delivered_precision"),
                     ("commitments", "withdrawn_on", "withdrawn_precision"))


@rule("date-precision", "A date has a precision; a date known only to the month is written on the 1st, "
                        "and one known only to the year on 1 January.")
def date_precision(ctx: Context):
    for name, column, precision_column in PRECISION_COLUMNS:
        table = ctx.tables.get(name)
        if not table or precision_column not in (table.fields or []):
            continue
        for row in table.rows:
            d, precision = parse_date(row[column]), row[precision_column]
            if d and not precision:
                yield Problem(table.file, row_number(row), precision_column, "",
                              "a date needs its precision", "write day, month or year")
            if not d and precision and not row[column]:
                yield Problem(table.file, row_number(row), precision_column, precision,
                              "a precision is given but there is no date", "clear the precision, or give the date")
            if d and precision in ("month", "year") and d.day != 1:
                yield Problem(table.file, row_number(row), column, row[column],
                              f"a date known only to the {precision} must be written with day 01",
                              "write the 1st of the month (or 1 January), and keep the precision")
            if d and precision == "year" and d.month != 1:
                yield Problem(table.file, row_number(row), column, row[column],
                              "a date known only to the year must be written as YYYY-01-01", "write 1 January of that year")


# --- sources ----------------------------------------------------------------------

@rule("source-read-after-publication", "A source is read (accessed) on or after the day it was published.", ("sources",))
def source_read_after_publication(ctx: Context):
    for row in ctx.tables["sources"].rows:
        pub, acc = parse_date(row["published"]), parse_date(row["accessed"])
        if pub and acc and acc < pub:
            yield Problem(ctx.tables["sources"].file, row_number(row), "accessed", row["accessed"],
                          f"the source was read before it was published ({row['published']})", "check both dates")


@rule("one-row-per-address", "Each web address is cited by one source row only.", ("sources",))
def one_row_per_address(ctx: Context):
    table = ctx.tables["sources"]
    first_with: dict[str, tuple[int, str]] = {}
    for row in table.rows:
        n = row_number(row)
        key = row["url"].strip().rstrip("/").lower()
        if key and key in first_with:
            yield Problem(table.file, n, "url", row["url"],
                          f"this address is already cited as {first_with[key][1]} (row {first_with[key][0]})",
                          "cite that source_id instead, and remove this row")
        first_with.setdefault(key, (n, row["source_id"]))


# --- report locations ---------------------------------------------------------------

@rule("report-location-shape", "A govuk-content location is a GOV.UK path with the format govuk; a document "
                               "location is a full web address of a PDF or HTML page.", ("report_locations",))
def report_location_shape(ctx: Context):
    table = ctx.tables["report_locations"]
    for row in table.rows:
        n, location = row_number(row), row["location"]
        if row["kind"] == "govuk-content":
            if re.match(r"^[a-z]+://", location) or not re.fullmatch(r"/?[a-z0-9][a-z0-9/_.-]*", location):
                yield Problem(table.file, n, "location", location, "a govuk-content location must be a GOV.UK path",
                              "give the path after www.gov.uk/, for example government/publications/berwick-review-into-patient-safety")
            if row["format"] and row["format"] != "govuk":
                yield Problem(table.file, n, "format", row["format"], "a govuk-content location has the format 'govuk'",
                              "use govuk; the Content API says which attachments are PDF or HTML")
        elif row["kind"] == "document":
            if not re.fullmatch(r"https?://[^\s/]+/\S*", location):
                yield Problem(table.file, n, "location", location, "a document location must be a full web address",
                              "give the address starting https://, with no spaces")
            if row["format"] == "govuk":
                yield Problem(table.file, n, "format", row["format"], "a document is either pdf or html",
                              "use pdf or html, as the address serves")


# --- recommendations ----------------------------------------------------------------

@rule("unique-number", "Each recommendation of a review has its own number.", ("recommendations",))
def unique_number(ctx: Context):
    table = ctx.tables["recommendations"]
    numbers: dict[tuple[str, str], int] = {}
    for row in table.rows:
        n, key = row_number(row), (row["review_id"], row["number"])
        if row["number"] and key in numbers:
            yield Problem(table.file, n, "number", row["number"],
                          f"this number is already used in {row['review_id']} (row {numbers[key]})",
                          "each recommendation of a review has its own number")
        numbers.setdefault(key, n)


@rule("rec-id-from-number", "A rec_id is the review_id, '-r' and the number.", ("recommendations",))
def rec_id_from_number(ctx: Context):
    table = ctx.tables["recommendations"]
    for row in table.rows:
        expected = f"{row['review_id']}-r{row['number']}"
        if row["rec_id"] and row["review_id"] and row["number"] and row["rec_id"] != expected:
            yield Problem(table.file, row_number(row), "rec_id", row["rec_id"],
                          f"the rec_id must be the review_id, '-r' and the number: {expected}",
                          "rec_ids are permalinks: fix the number or review_id if those are wrong")


@rule("response-cited", "A government response other than no-formal-response or not-applicable cites its source; "
                        "an unknown response has a note saying what the response said; a note needs the source.",
      ("recommendations",))
def response_cited(ctx: Context):
    table = ctx.tables["recommendations"]
    for row in table.rows:
        n = row_number(row)
        if row["government_response"] not in ("no-formal-response", "not-applicable", "") and not row["response_source_id"]:
            yield Problem(table.file, n, "response_source_id", "",
                          f"the response '{row['government_response']}' needs a cited source",
                          "add the source_id of the document that gives the response, or use no-formal-response")
        if row["government_response"] == "unknown" and not row.get("response_note"):
            yield Problem(table.file, n, "response_note", "",
                          "the response 'unknown' needs a note saying what the response did say",
                          "summarise the response in response_note, in your own words")
        if row.get("response_note") and not row["response_source_id"]:
            yield Problem(table.file, n, "response_note", row["response_note"],
                          "a note on how the response was established needs the response's source",
                          "add the response_source_id the note is about, or empty the note")


@rule("every-recommendation-has-a-theme", "Every recommendation is tagged with at least one theme.",
      ("recommendations", "recommendation_themes"))
def every_recommendation_has_a_theme(ctx: Context):
    tagged = {r["rec_id"] for r in ctx.tables["recommendation_themes"].rows}
    for row in ctx.tables["recommendations"].rows:
        if row["rec_id"] and row["rec_id"] not in tagged:
            yield Problem(ctx.tables["recommendations"].file, row_number(row), "rec_id", row["rec_id"],
                          "the recommendation has no theme", "add at least one row for it to data/recommendation_themes.csv")


# --- reviews --------------------------------------------------------------------------

@rule("coverage-matches-count", "A review marked complete holds exactly its declared number of recommendations, "
                                "and no review holds more than it declares.", ("reviews", "recommendations"))
def coverage_matches_count(ctx: Context):
    counts = Counter(r["review_id"] for r in ctx.tables["recommendations"].rows)
    file = ctx.tables["reviews"].file
    for row in ctx.tables["reviews"].rows:
        n, declared = row_number(row), row["recommendations_in_source"]
        # A source with no numbered list can still be complete; only a declared count can be checked.
        if row["coverage"] == "complete" and declared.isdigit() and int(declared) != counts[row["review_id"]]:
            yield Problem(file, n, "coverage", row["coverage"],
                          f"marked complete, but the source has {declared} recommendations and "
                          f"{counts[row['review_id']]} are in recommendations.csv",
                          "add the missing recommendations, or mark coverage partial")
        if declared.isdigit() and counts[row["review_id"]] > int(declared):
            yield Problem(file, n, "recommendations_in_source", declared,
                          f"recommendations.csv has {counts[row['review_id']]} recommendations for this review, "
                          f"more than the source's {declared}",
                          "check the count in the source, or look for a duplicate recommendation")


@rule("response-totals-add-up", "A review's response totals add up to its declared number of recommendations.",
      ("reviews", "response_totals"))
def response_totals_add_up(ctx: Context):
    totals: dict[str, int] = defaultdict(int)
    first_row: dict[str, int] = {}
    for row in ctx.tables["response_totals"].rows:
        if row["count"].isdigit():
            totals[row["review_id"]] += int(row["count"])
            first_row.setdefault(row["review_id"], row_number(row))
    for review_id, total in totals.items():
        declared = ctx.reviews.get(review_id, {}).get("recommendations_in_source", "")
        if declared.isdigit() and total != int(declared):
            yield Problem(ctx.tables["response_totals"].file, first_row[review_id], "count", str(total),
                          f"the counts for {review_id} add up to {total}, but its source has {declared} recommendations",
                          "check each count against the government's response; they must cover every recommendation once")


# --- assessments ---------------------------------------------------------------------

@rule("progress-needs-a-source", "An implemented or partially-implemented status cites a source.", ("assessments",))
def progress_needs_a_source(ctx: Context):
    table = ctx.tables["assessments"]
    for row in table.rows:
        if row["status"] in ("implemented", "partially-implemented") and not row["source_id"]:
            yield Problem(table.file, row_number(row), "source_id", "", f"a status of '{row['status']}' needs a cited source",
                          "add the source_id of the document that shows it, or use a weaker status")


@rule("assessment-dates-in-order", "An assessment is made (assessed_on) on or after the moment it describes (as_of), "
                                   "and describes a moment on or after its review was published.", ("assessments",))
def assessment_dates_in_order(ctx: Context):
    table = ctx.tables["assessments"]
    for row in table.rows:
        n = row_number(row)
        as_of, assessed = parse_date(row["as_of"]), parse_date(row["assessed_on"])
        if as_of and assessed and assessed < as_of:
            yield Problem(table.file, n, "assessed_on", row["assessed_on"],
                          f"the judgement is dated before the moment it describes ({row['as_of']})",
                          "assessed_on is when the assessment was made; it cannot precede as_of")
        rec = ctx.recs.get(row["rec_id"])
        review = ctx.reviews.get(rec["review_id"]) if rec else None
        published = parse_date(review["published"]) if review else None
        if as_of and published and as_of < published:
            yield Problem(table.file, n, "as_of", row["as_of"],
                          f"the assessment is dated before its review was published ({review['published']})",
                          "check the date: nothing can be implemented before it was recommended")


# --- the parts of each ask --------------------------------------------------------------

def parts_by_rec(ctx: Context) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for row in ctx.tables["ask_parts"].rows:
        if row["part"].strip().isdigit():
            found[row["rec_id"]].append(int(row["part"]))
    return {k: sorted(v) for k, v in found.items()}


@rule("parts-numbered-in-order", "A recommendation's parts are numbered 1, 2, 3... with no gap.", ("ask_parts",))
def parts_numbered_in_order(ctx: Context):
    table = ctx.tables["ask_parts"]
    numbers = parts_by_rec(ctx)
    for row in table.rows:
        have = numbers.get(row["rec_id"], [])
        if have != list(range(1, len(have) + 1)) and row["part"].strip().isdigit() and int(row["part"]) == max(have):
            yield Problem(table.file, row_number(row), "part", row["part"],
                          f"the parts of {row['rec_id']} are numbered {', '.join(map(str, have))}",
                          "number the parts 1, 2, 3... in the order the ask gives them")


@rule("assessed-recommendation-has-parts", "Every recommendation with an assessment has its ask split into parts.",
      ("assessments", "ask_parts"))
def assessed_recommendation_has_parts(ctx: Context):
    numbers = parts_by_rec(ctx)
    table = ctx.tables["assessments"]
    seen: set[str] = set()
    for row in table.rows:
        if row["rec_id"] not in numbers and row["rec_id"] not in seen:
            seen.add(row["rec_id"])
            yield Problem(table.file, row_number(row), "rec_id", row["rec_id"], "the recommendation's ask has no parts",
                          "add its parts to data/ask_parts.csv (one row per thing asked for) before judging its status")


@rule("parts-named-exist", "The parts an assessment names as operating are parts of its recommendation, each named once.",
      ("assessments", "ask_parts"))
def parts_named_exist(ctx: Context):
    numbers = parts_by_rec(ctx)
    table = ctx.tables["assessments"]
    for row in table.rows:
        have = set(numbers.get(row["rec_id"], []))
        whole = split_parts(row["parts_operating"])
        for column in ("parts_operating", "parts_partly"):
            named = split_parts(row[column])
            unknown = [n for n in named if n not in have]
            if unknown:
                yield Problem(table.file, row_number(row), column, row[column],
                              f"{row['rec_id']} has no part {', '.join(map(str, unknown))}",
                              f"its parts are {', '.join(map(str, sorted(have))) or 'not yet listed'} (data/ask_parts.csv)")
            elif len(named) != len(set(named)) or (column == "parts_partly" and set(named) & set(whole)):
                yield Problem(table.file, row_number(row), column, row[column], "a part is named twice",
                              "name each part once: in parts_operating if wholly operating, in parts_partly if only partly")


#: What the parts must show for each status that the parts decide (the rubric's steps 5 to 9).
PARTS_RULE = {
    "implemented": "every part wholly operating",
    "partially-implemented": "at least one part operating, wholly or partly, and not every part wholly",
    "in-progress": "no part operating", "not-started": "no part operating", "unknown": "no part named",
}


@rule("status-follows-parts", "A status agrees with the parts it names: implemented names every part as operating; "
                              "partially implemented at least one, but not all wholly; in progress, not started and "
                              "unknown none.", ("assessments", "ask_parts"))
def status_follows_parts(ctx: Context):
    numbers = parts_by_rec(ctx)
    table = ctx.tables["assessments"]
    for row in table.rows:
        have, status = numbers.get(row["rec_id"]), row["status"]
        if not have or status not in PARTS_RULE:
            continue
        whole, partly = set(split_parts(row["parts_operating"])), set(split_parts(row["parts_partly"]))
        fits = {"implemented": whole >= set(have) and not partly,
                "partially-implemented": bool(whole | partly) and not (whole >= set(have))}.get(status, not (whole | partly))
        if not fits:
            named = "; ".join(f"{c}: {row[c] or 'none'}" for c in ("parts_operating", "parts_partly"))
            yield Problem(table.file, row_number(row), "status", status,
                          f"'{status}' needs {PARTS_RULE[status]}, but the row names {named} of parts {', '.join(map(str, have))}",
                          "change the status or the parts named so that they agree (see the rubric's steps 5 to 9)")


# --- renumbering and links ---------------------------------------------------------------

@rule("renumbering-within-a-review", "A renumbering changes an ID within one review.", ("renumbered", "recommendations"))
def renumbering_within_a_review(ctx: Context):
    review_of = {r["rec_id"]: r["review_id"] for r in ctx.tables["recommendations"].rows}
    for row in ctx.tables["renumbered"].rows:
        n, old, new = row_number(row), row["old_rec_id"], row["new_rec_id"]
        if old and old == new:
            yield Problem(ctx.tables["renumbered"].file, n, "old_rec_id", old, "the old and new IDs are the same",
                          "a renumbering row records an ID that changed")
        elif old and new in review_of and not old.startswith(f"{review_of[new]}-r"):
            yield Problem(ctx.tables["renumbered"].file, n, "old_rec_id", old,
                          f"the old ID is not an ID of the same review ({review_of[new]})",
                          "a renumbering changes a number within one review; check both IDs")


@rule("links-join-reviews", "A link joins two different recommendations of different reviews, points back in time, "
                            "and an 'answers' link points to an ask.", ("links",))
def links_join_reviews(ctx: Context):
    table, recs, reviews = ctx.tables["links"], ctx.recs, ctx.reviews
    for row in table.rows:
        n = row_number(row)
        if row["from_rec"] and row["from_rec"] == row["to_rec"]:
            yield Problem(table.file, n, "to_rec", row["to_rec"], "a recommendation cannot be linked to itself",
                          "to_rec must name a different recommendation")
        if row["relation"] == "answers" and row["to_rec"] in recs:
            review = reviews.get(recs[row["to_rec"]]["review_id"])
            if review and review["kind"] != "stakeholder-report":
                yield Problem(table.file, n, "to_rec", row["to_rec"],
                              "an 'answers' link must point to an ask (a recommendation of a stakeholder-report)",
                              "use repeats or builds-on between two reviews' recommendations")
        if row["relation"] in ("repeats", "builds-on", "supersedes") and row["from_rec"] in recs and row["to_rec"] in recs:
            later = reviews.get(recs[row["from_rec"]]["review_id"])
            earlier = reviews.get(recs[row["to_rec"]]["review_id"])
            if recs[row["from_rec"]]["review_id"] == recs[row["to_rec"]]["review_id"]:
                yield Problem(table.file, n, "to_rec", row["to_rec"],
                              f"'{row['relation']}' links a recommendation to an earlier review's, but both are in "
                              f"{recs[row['to_rec']]['review_id']}",
                              "links trace ideas across reviews; say how recommendations of one review relate in their summaries")
            elif later and earlier and parse_date(later["published"]) and parse_date(earlier["published"]) \
                    and parse_date(later["published"]) < parse_date(earlier["published"]):
                yield Problem(table.file, n, "to_rec", row["to_rec"],
                              f"'{row['relation']}' must point back in time, but {row['to_rec']} is later than {row['from_rec']}",
                              "swap from_rec and to_rec")


@rule("links-one-direction", "Two recommendations are linked in one direction only (the later one in `from_rec`), and a "
                             "link's note is one line, however the link was found (`provenance`: by hand or from a suggestion).",
      ("links",))
def links_one_direction(ctx: Context):
    table = ctx.tables["links"]
    seen: set[tuple[str, str]] = set()
    for row in table.rows:
        n = row_number(row)
        seen.add((row["from_rec"], row["to_rec"]))
        if row["from_rec"] != row["to_rec"] and (row["to_rec"], row["from_rec"]) in seen:
            yield Problem(table.file, n, "from_rec", row["from_rec"],
                          f"{row['from_rec']} and {row['to_rec']} are linked in both directions",
                          "keep one link, from the later recommendation to the earlier, with the relation that fits")
        if "\n" in row.get("note", "") or "\r" in row.get("note", ""):
            yield Problem(table.file, n, "note", row["note"], "the note runs over more than one line",
                          "say why the link holds in one line: it is shown beside the link")


# --- commitments -----------------------------------------------------------------

@rule("commitment-deadline-after-promise", "A commitment falls due after it was made: the end of the period its "
                                           "deadline names is on or after the day it was made.", ("commitments",))
def commitment_deadline_after_promise(ctx: Context):
    table = ctx.tables["commitments"]
    for row in table.rows:
        made, due = parse_date(row["made_on"]), parse_date(row["due_by"])
        if made and due and period_end(due, row["due_precision"]) < made:
            yield Problem(table.file, row_number(row), "due_by", row["due_by"],
                          f"the deadline ends before the promise was made ({row['made_on']})",
                          "check both dates against the source; a deadline comes after the promise")


@rule("commitment-outcome-cited", "A commitment marked delivered or withdrawn gives the date and the source that "
                                  "show it, never one without the other, and is not both.", ("commitments",))
def commitment_outcome_cited(ctx: Context):
    table = ctx.tables["commitments"]
    for row in table.rows:
        for what in ("delivered", "withdrawn"):
            on, source = row[f"{what}_on"], row[f"{what}_source_id"]
            if on and not source:
                yield Problem(table.file, row_number(row), f"{what}_source_id", "",
                              f"a commitment {what} needs the source that shows it", f"cite the source in {what}_source_id")
            if source and not on:
                yield Problem(table.file, row_number(row), f"{what}_on", "",
                              f"a source is cited for {what} but there is no date", f"give {what}_on and its precision")
        if row["delivered_on"] and row["withdrawn_on"]:
            yield Problem(table.file, row_number(row), "withdrawn_on", row["withdrawn_on"],
                          "a commitment cannot be both delivered and withdrawn",
                          "keep the one the sources show; record a replacement promise as a commitment of its own")
        made, done = parse_date(row["made_on"]), parse_date(row["delivered_on"])
        if made and done and period_end(done, row["delivered_precision"]) < period_start(made, row["made_precision"]):
            yield Problem(table.file, row_number(row), "delivered_on", row["delivered_on"],
                          f"delivered before the promise was made ({row['made_on']})",
                          "something already done before the promise is not its delivery; check the dates")


@rule("commitment-serves-a-recommendation", "Every commitment serves at least one tracked recommendation.",
      ("commitments", "commitment_recs"))
def commitment_serves_a_recommendation(ctx: Context):
    served = {r["commitment_id"] for r in ctx.tables["commitment_recs"].rows}
    table = ctx.tables["commitments"]
    for row in table.rows:
        if row["commitment_id"] not in served:
            yield Problem(table.file, row_number(row), "commitment_id", row["commitment_id"],
                          "the commitment serves no recommendation", "add a row to commitment_recs.csv for each recommendation it answers")


# --- agreement checks ----------------------------------------------------------

@rule("agreement-check-one-draw", "Every row of one blind agreement check says the same about where its sample was drawn "
                                  "from.", ("agreement_checks",))
def agreement_check_one_draw(ctx: Context):
    table = ctx.tables["agreement_checks"]
    first: dict[str, dict[str, str]] = {}
    for row in table.rows:
        seen = first.setdefault(row["check"], row)
        if row["drawn_from"] != seen["drawn_from"]:
            yield Problem(table.file, row_number(row), "drawn_from", row["drawn_from"],
                          f"check {row['check']} has rows drawn from {seen['drawn_from']} (row {row_number(seen)}) and from "
                          f"{row['drawn_from']}", "one check draws one sample: give every row of the check the same drawn_from")


@rule("agreement-unsampled-is-fresh", "A check drawn from unsampled rows repeats no assessment sampled in an earlier check.",
      ("agreement_checks",))
def agreement_unsampled_is_fresh(ctx: Context):
    table = ctx.tables["agreement_checks"]
    earliest: dict[tuple[str, str], int] = {}
    for row in table.rows:
        key = (row["rec_id"], row["as_of"])
        earliest[key] = min(earliest.get(key, int(row["check"])), int(row["check"]))
    for row in table.rows:
        first = earliest[(row["rec_id"], row["as_of"])]
        if row["drawn_from"] == "unsampled" and first < int(row["check"]):
            yield Problem(table.file, row_number(row), "drawn_from", row["drawn_from"],
                          f"{row['rec_id']} {row['as_of']} was already sampled in check {first}",
                          "a sample from unsampled rows never repeats one; mark the check whole-record if it drew from every assessment")
