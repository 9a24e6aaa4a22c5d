"""`make audit`: machine checks that flag a status that may not follow the
rubric (book/about/method.md, and the ``rubric`` of the status field in
datapackage.json).

Each check is a ``warning`` rule in the registry of :mod:`tracker.rules`. A
warning is either fixed in the data or recorded, with its reason, in
``data/audit_exceptions.csv`` (check + subject); the audit then reports it as
reviewed, and only new warnings stand out. An exception that no longer matches
any warning is reported too, so the file never hides a stale decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from .paths import DATA_DIR
from .rules import Context, parse_date, rule
from .tables import Problem, read_all, row_number

EXCEPTIONS = "audit_exceptions.csv"
FUTURE_WORDING = re.compile(r"\b(will|would|plans? to|planned|is to|are to|was to|were to|proposed|proposes|proposal|"
                            r"consultation on|consulted on|bill|intends?|intended|aims? to|expected to|due to)\b", re.IGNORECASE)
IN_PLACE_WORDING = re.compile(r"\b(in force|launched|came into (effect|force)|introduced|published|established|set up|"
                              r"operating|in place|rolled out)\b", re.IGNORECASE)
DECISION_WORDING = re.compile(r"\b(replaced|superseded|abolished|dropped|scrapped|withdrawn|withdrew|abandoned|"
                              r"decided|decision|not (go|proceed)|no longer|instead|merged|absorbed|took over|"
                              r"transferred|paused|shelved|ruled out)\b", re.IGNORECASE)
EXISTED_WORDING = re.compile(r"\b(already|existing|continued|continuing|predat\w*|remained in place|still in place)\b",
                             re.IGNORECASE)
RANK = {"not-started": 0, "in-progress": 1, "partially-implemented": 2, "implemented": 3}
ACCEPTED = {"accepted", "accepted-in-principle", "accepted-in-part"}
#: Sites that repost documents published elsewhere: cite the original.
COPY_HOSTS = {"docslib.org", "vdocuments.us", "vdocuments.mx", "vdocuments.site", "vdocument.in", "fdocuments.net",
              "fdocuments.us", "studylib.net", "scribd.com", "pl.scribd.com", "pdfslide.us", "pdfslide.net", "slidelegend.com",
              "paperzz.com", "fill.io", "www.fill.io", "yumpu.com", "www.yumpu.com", "dokumen.pub", "pdfcoffee.com",
              "documents.pub", "silo.tips", "kipdf.com", "bbctodays.pages.dev", "settuka.com", "finegut.com",
              "dokumen.tips", "sambuz.com", "readkong.com",
              # reposts of Hansard, written answers and government press releases
              "parallelparliament.co.uk", "theyworkforyou.com", "wired-gov.net", "govwire.co.uk"}


def _assessments(ctx: Context):
    table = ctx.tables["assessments"]
    for row in table.rows:
        yield table, row, f"{row['rec_id']} {row['as_of']}"


def _warn(table, row, column: str, value: str, subject: str, message: str, hint: str) -> Problem:
    # The subject (rec_id and as_of, or a source_id) goes first, so an exception can name it.
    return Problem(table.file, row_number(row), column, value, f"[{subject}] {message}", hint)


def _wording(ctx: Context, statuses: tuple[str, ...], pattern: re.Pattern, hint: str):
    """A warning for each row with one of ``statuses`` whose evidence uses wording that ``pattern`` finds."""
    for table, row, subject in _assessments(ctx):
        if row["status"] in statuses:
            match = pattern.search(row["evidence"])
            if match:
                yield _warn(table, row, "status", row["status"], subject,
                            f"'{row['status']}' rests on evidence that says '{match.group(0)}'", hint)


@rule("audit-future-wording", "An implemented or partially-implemented status whose evidence speaks of the future or of "
                              "a plan (will, plans to, is to, proposed, consultation on, bill).", ("assessments",), "warning")
def future_wording(ctx: Context):
    yield from _wording(ctx, ("implemented", "partially-implemented"), FUTURE_WORDING,
                        "a plan, bill or promise is at most in-progress; describe what was operating on as_of")


@rule("audit-in-place-wording", "A not-started status whose evidence says something was in force, launched, "
                                "introduced or published.", ("assessments",), "warning")
def in_place_wording(ctx: Context):
    yield from _wording(ctx, ("not-started",), IN_PLACE_WORDING,
                        "if something asked for is operating, the status is at least partially-implemented")


@rule("audit-existed-before", "An implemented or partially-implemented status whose evidence says something already "
                             "existed or continued (already, existing, continued, predated).", ("assessments",), "warning")
def existed_before(ctx: Context):
    yield from _wording(ctx, ("implemented", "partially-implemented"), EXISTED_WORDING,
                        "what existed when the review reported counts only for a part that asked for nothing beyond it; "
                        "name that part or what is new, or lower the status")


@rule("audit-decision-named", "An abandoned or superseded status whose evidence names no decision or successor.",
      ("assessments",), "warning")
def decision_named(ctx: Context):
    for table, row, subject in _assessments(ctx):
        if row["status"] in ("abandoned", "superseded") and not DECISION_WORDING.search(row["evidence"]):
            yield _warn(table, row, "evidence", row["evidence"][:80], subject,
                        f"'{row['status']}' without the decision or the successor named",
                        "name the later policy that replaced the ask, or the decision that dropped it")


@rule("audit-dated-before-source", "An assessment dated before the publication of the source it cites.",
      ("assessments", "sources"), "warning")
def dated_before_source(ctx: Context):
    for table, row, subject in _assessments(ctx):
        source = ctx.sources.get(row["source_id"])
        as_of = parse_date(row["as_of"])
        published = parse_date(source["published"]) if source else None
        if as_of and published and as_of < published:
            precision = source.get("published_precision") or "day"
            if precision == "year" and as_of.year == published.year:
                continue
            if precision == "month" and (as_of.year, as_of.month) == (published.year, published.month):
                continue
            yield _warn(table, row, "as_of", row["as_of"], subject,
                        f"dated before its source was published ({source['published']})",
                        "if the evidence describes the source's own event, date it on or after publication")


def _histories(ctx: Context) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in ctx.tables["assessments"].rows:
        out.setdefault(row["rec_id"], []).append(row)
    return {k: sorted(v, key=lambda r: r["as_of"]) for k, v in out.items()}


@rule("audit-moves-backwards", "A status that moves backwards in a recommendation's history without a note saying why.",
      ("assessments",), "warning")
def moves_backwards(ctx: Context):
    table = ctx.tables["assessments"]
    for rows in _histories(ctx).values():
        known = [r for r in rows if r["status"] in RANK]
        for before, after in zip(known, known[1:]):
            if RANK[after["status"]] < RANK[before["status"]] and not after.get("note"):
                yield _warn(table, after, "status", after["status"], f"{after['rec_id']} {after['as_of']}",
                            f"moves back from '{before['status']}' ({before['as_of']}) without a note",
                            "say in the note what was reversed (a scheme closed, a duty repealed), or correct the label")


@rule("audit-unknown-after-known", "An unknown status after a known one, with no source that makes the status unclear.",
      ("assessments",), "warning")
def unknown_after_known(ctx: Context):
    table = ctx.tables["assessments"]
    for rows in _histories(ctx).values():
        for before, after in zip(rows, rows[1:]):
            if after["status"] == "unknown" and before["status"] != "unknown" and not after["source_id"]:
                yield _warn(table, after, "status", "unknown", f"{after['rec_id']} {after['as_of']}",
                            f"'unknown' after '{before['status']}' ({before['as_of']}) with no source",
                            "finding no newer evidence is not an assessment: remove the row")


@rule("audit-not-accepted-but-accepted", "A not-accepted status where the government response was an acceptance, "
                                         "without a note recording the reversal.", ("assessments", "recommendations"), "warning")
def not_accepted_but_accepted(ctx: Context):
    for table, row, subject in _assessments(ctx):
        rec = ctx.recs.get(row["rec_id"])
        if row["status"] == "not-accepted" and rec and rec["government_response"] in ACCEPTED and not row.get("note"):
            yield _warn(table, row, "status", "not-accepted", subject,
                        f"'not-accepted', but the response was '{rec['government_response']}'",
                        "use the status the evidence shows (abandoned, not-started...), or note the later reversal")


@rule("audit-assessment-without-source", "An assessment that cites no source.", ("assessments",), "warning")
def assessment_without_source(ctx: Context):
    for table, row, subject in _assessments(ctx):
        if not row["source_id"]:
            yield _warn(table, row, "source_id", "", subject, "the assessment cites no source",
                        "cite the source read; if nothing was found, there is no assessment to record")


@rule("audit-read-once", "An assessment not yet read by a second reader (its second_reading is empty).", ("assessments",), "warning")
def read_once(ctx: Context):
    for table, row, subject in _assessments(ctx):
        if not row.get("second_reading"):
            yield _warn(table, row, "second_reading", "", subject, "the assessment has been read by one reader only",
                        "a second reader, shown the sources and the parts but not the status, judges it again: "
                        "write agreed if they give the same status; if not, a third reading settles it (settled)")


@rule("audit-source-is-a-copy", "A source whose address is a copy of a document published elsewhere (a document-sharing "
                                "site or a repost), not marked as a copy.", ("sources",), "warning")
def source_is_a_copy(ctx: Context):
    table = ctx.tables["sources"]
    for row in table.rows:
        parsed = urlparse(row["url"])
        host = (parsed.hostname or "").lower()
        is_copy_host = host in COPY_HOSTS or host.removeprefix("www.") in COPY_HOSTS
        is_tag_page = bool(re.search(r"/(tag|tags|category)/", parsed.path))
        if (is_copy_host or is_tag_page) and not row.get("copy_note"):
            yield _warn(table, row, "url", row["url"], row["source_id"],
                        "the address is a copy of a document published elsewhere" if is_copy_host else
                        "the address is a tag or category page that reposts another page",
                        "cite the original; keep a copy only when the original cannot be found, and say so in copy_note")


@dataclass
class Finding:
    check: str
    subject: str
    problem: Problem
    reason: str = ""  # the reviewed exception's reason, when there is one


def subject_of(problem: Problem) -> str:
    match = re.match(r"\[([^\]]+)\]", problem.rule)
    return match.group(1) if match else ""


def audit(data_dir: Path = DATA_DIR, today: date | None = None) -> tuple[list[Finding], list[Finding], list[dict]]:
    """(unreviewed findings, reviewed findings, stale exceptions)."""
    from . import rules

    pkg, tables, problems = read_all(data_dir)
    if problems:
        raise SystemExit("the data has problems; run `make check` first")
    ctx = Context.of(pkg, tables, today or date.today())
    findings = []
    for r in rules.RULES:
        if r.severity == "warning" and all(t in tables for t in r.tables):
            findings += [Finding(r.name, subject_of(p), p) for p in r.check(ctx)]
    exceptions = {(e["check"], e["subject"]): e for e in (tables["audit_exceptions"].rows if "audit_exceptions" in tables else [])}
    unreviewed, reviewed, used = [], [], set()
    for f in findings:
        exception = exceptions.get((f.check, f.subject))
        if exception:
            f.reason = exception["reason"]
            reviewed.append(f)
            used.add((f.check, f.subject))
        else:
            unreviewed.append(f)
    stale = [e for key, e in exceptions.items() if key not in used]
    return unreviewed, reviewed, stale


def report(data_dir: Path = DATA_DIR) -> tuple[str, bool]:
    """The audit as text, and whether it is clean (no unreviewed warning, no stale exception)."""
    unreviewed, reviewed, stale = audit(data_dir)
    lines = []
    for f in unreviewed:
        lines.append(f"warning ({f.check}): {f.problem.format()}")
    for e in stale:
        lines.append(f"stale exception: data/{EXCEPTIONS} names {e['check']} for '{e['subject']}', "
                     "which no longer raises a warning: remove the row")
    counts: dict[str, int] = {}
    for f in unreviewed + reviewed:
        counts[f.check] = counts.get(f.check, 0) + 1
    by_check = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
    lines.append(f"audit: {len(unreviewed)} unreviewed warning{'s' if len(unreviewed) != 1 else ''}, "
                 f"{len(reviewed)} reviewed (in data/{EXCEPTIONS}), {len(stale)} stale exception{'s' if len(stale) != 1 else ''}; "
                 f"by check: {by_check}")
    return "\n".join(lines), not unreviewed and not stale
