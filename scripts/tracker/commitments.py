"""Dated promises and what became of them, worked out as of a stated date.

A commitment's outcome is never stored: it follows from its deadline, its delivery or
withdrawal evidence and the as-of date (:meth:`tracker.model.Corpus.as_of`), so that
the same data and the same date always give the same answer, whatever the clock says.
"""

from __future__ import annotations

import calendar
from datetime import date

OUTCOMES = {
    "on-time": "Delivered on time",
    "late": "Delivered late",
    "delivered-unclear": "Delivered, timing unclear",
    "overdue": "Overdue",
    "open": "Open",
    "withdrawn": "Withdrawn",
}
#: Statuses after which nothing more is expected of a recommendation.
FINAL_STATUSES = ("implemented", "superseded", "abandoned", "not-accepted")


def period_start(d: date, precision: str) -> date:
    return d.replace(month=1, day=1) if precision == "year" else d.replace(day=1) if precision == "month" else d


def period_end(d: date, precision: str) -> date:
    """The last day of the period a date names (a month's last day, a year's 31 December)."""
    if precision == "year":
        return date(d.year, 12, 31)
    if precision == "month":
        return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
    return d


def span(months: int) -> str:
    """A wait in words: months up to two years, then years."""
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{months // 12} years" + (f" {months % 12} month{'s' if months % 12 != 1 else ''}" if months % 12 else "")


def months_between(a: date, b: date) -> int:
    """Whole months from a to b (0 when b is within a month of a)."""
    months = (b.year - a.year) * 12 + b.month - a.month - (b.day < a.day)
    return max(months, 0)


def outcome(c: dict, as_of: str) -> tuple[str, str]:
    """(outcome key, a short phrase for readers) for commitment ``c`` as of ``as_of``."""
    due = period_end(date.fromisoformat(c["due_by"]), c["due_precision"])
    if c.get("withdrawn_on"):
        return "withdrawn", "withdrawn"
    if c.get("delivered_on"):
        done = date.fromisoformat(c["delivered_on"])
        first, last = period_start(done, c["delivered_precision"]), period_end(done, c["delivered_precision"])
        if last <= due:
            return "on-time", "delivered on time"
        if first > due:
            late = months_between(due, first)
            return "late", "delivered late, within a month" if late < 1 else f"delivered late, by {span(late)}"
        return "delivered-unclear", "delivered, but whether by the deadline is not known to the day"
    today = date.fromisoformat(as_of)
    if today > due:
        late = months_between(due, today)
        return "overdue", "overdue by less than a month" if late < 1 else f"overdue by {span(late)}"
    return "open", "open, not yet due"


def fresh_look_due(latest_as_of: str, status: str, as_of: str) -> bool:
    """A judgement is due for a fresh look when it is not final and its latest assessment
    describes a moment more than 12 months before the as-of date (or there is none)."""
    if status in FINAL_STATUSES:
        return False
    if not latest_as_of:
        return True
    then = date.fromisoformat(latest_as_of)
    try:
        year_on = then.replace(year=then.year + 1)
    except ValueError:  # 29 February
        year_on = then.replace(year=then.year + 1, day=28)
    return date.fromisoformat(as_of) > year_on


def tally(commitments: list[dict], as_of: str) -> dict[str, int]:
    """How many commitments have each outcome, in the order of :data:`OUTCOMES`."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for c in commitments:
        counts[outcome(c, as_of)[0]] += 1
    return counts


def tally_sentence(commitments: list[dict], as_of: str, as_of_words: str, answering: str) -> str:
    """"N dated promises made in answer to <answering>: ..., (as of <as_of_words>)."."""
    counts = tally(commitments, as_of)
    parts = [f"{n} {OUTCOMES[k].lower()}" for k, n in counts.items() if n]
    return (f"{len(commitments)} dated promise{'s' if len(commitments) != 1 else ''} made in answer to {answering}: "
            + ", ".join(parts) + f" (as of {as_of_words}).")


def needs_fresh_look(corpus, rec_id: str) -> bool:
    """Whether the recommendation's current judgement is due for a fresh look, as of the corpus's date."""
    latest = corpus.current(rec_id)
    return fresh_look_due(latest["as_of"] if latest else "", corpus.status(rec_id), corpus.as_of())
