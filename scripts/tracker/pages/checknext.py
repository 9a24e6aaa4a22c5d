"""The contributors' page "What to check next": recommendations with promises overdue
first, then the judgements that have gone longest without a fresh look."""

from __future__ import annotations

from ..commitments import needs_fresh_look, outcome
from ..model import Corpus
from .common import GENERATED_NOTE, badge, front_matter, rec_ref, text, when


def check_next_rows(corpus: Corpus) -> list[dict]:
    """Every tracked recommendation with an overdue promise or due for a fresh look:
    overdue promises first (the longest overdue first), then the oldest judgements."""
    as_of = corpus.as_of()
    rows = []
    for rec_id in corpus.recommendations:
        if corpus.is_ask(rec_id):
            continue
        overdue = [c for c in corpus.commitments_of(rec_id) if outcome(c, as_of)[0] == "overdue"]
        stale = needs_fresh_look(corpus, rec_id)
        if overdue or stale:
            rows.append({"rec_id": rec_id, "overdue": overdue, "stale": stale, "latest": corpus.current(rec_id)})
    # ISO dates sort as text; a recommendation never judged ("") is the oldest of all.
    return sorted(rows, key=lambda r: (not r["overdue"], min((c["due_by"] for c in r["overdue"]), default=""),
                                       r["latest"]["as_of"] if r["latest"] else "", r["rec_id"]))


def check_next_page(corpus: Corpus) -> str:
    as_of = corpus.as_of()
    rows = check_next_rows(corpus)
    overdue = sum(1 for r in rows if r["overdue"])
    stale = sum(1 for r in rows if r["stale"])
    out = [front_matter("Recommendations whose promises are overdue or whose status is due for a fresh look, for contributors."),
           GENERATED_NOTE, "(check-next)=", "# What to check next", "",
           f"As of **{when(as_of)}** ({corpus.as_of_origin()}): {overdue} recommendations have a dated promise past its deadline "
           f"with no source yet showing it delivered, and {stale} have a status that is not final (implemented, superseded, "
           "abandoned or not accepted) whose latest judgement describes a moment more than 12 months earlier.", "",
           "Overdue promises come first, the longest overdue at the top; then the oldest judgements. "
           "A new assessment needs a source that describes the state on its date: finding nothing newer is not an assessment.", ""]
    if not rows:
        return "\n".join(out + ["Nothing is waiting.", ""])
    # A list, not a table: each entry reads in one go on a phone.
    out += ['<div class="tracker-check-next">', ""]
    for r in rows:
        latest = when(r["latest"]["as_of"], r["latest"]["as_of_precision"] or "day") if r["latest"] else "no judgement yet"
        entry = f"1. {rec_ref(corpus, r['rec_id'])} {badge(corpus.status(r['rec_id']))} Latest judgement describes: {latest}."
        if r["overdue"]:
            entry += " **Overdue promises:** " + "; ".join(
                f"{text(c['promise'])} ({text(outcome(c, as_of)[1])})" for c in r["overdue"])
        out.append(entry)
    out += ["", "</div>", ""]
    return "\n".join(out)
