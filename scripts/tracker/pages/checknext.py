"""The contributors' page "What to check next": recommendations with promises overdue
first, then the judgements that have gone longest without a fresh look."""

from __future__ import annotations

from datetime import date

from ..commitments import needs_fresh_look, outcome
from ..model import Corpus
from .common import GENERATED_NOTE, badge, front_matter, rec_ref, text, when


def check_next_rows(corpus: Corpus) -> list[dict]:
    """Every tracked recommendation with an overdue promise or due for a fresh look,
    overdue promises first (most overdue first), then by the age of the latest judgement."""
    as_of = corpus.as_of()
    rows = []
    for rec_id, rec in corpus.recommendations.items():
        if corpus.is_ask(rec_id):
            continue
        overdue = [c for c in corpus.commitments_of(rec_id) if outcome(c, as_of)[0] == "overdue"]
        stale = needs_fresh_look(corpus, rec_id)
        if not overdue and not stale:
            continue
        latest = corpus.current(rec_id)
        latest_as_of = latest["as_of"] if latest else ""
        oldest_due = min((c["due_by"] for c in overdue), default="")
        rows.append({"rec_id": rec_id, "overdue": overdue, "stale": stale, "latest": latest_as_of,
                     "age_days": (date.fromisoformat(as_of) - date.fromisoformat(latest_as_of)).days if latest_as_of else 10**6,
                     "key": (0 if overdue else 1, oldest_due or "9999", -((date.fromisoformat(as_of) - date.fromisoformat(latest_as_of)).days
                                                                      if latest_as_of else 10**6), rec_id)})
    return sorted(rows, key=lambda r: r["key"])


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
    out += ['<div class="tracker-table-wrap">', "", "| Recommendation | Status | Latest judgement describes | Overdue promises |",
            "|---|---|---|---|"]
    for r in rows:
        promises = "; ".join(f"{text(c['promise'])} ({text(outcome(c, as_of)[1])})" for c in r["overdue"]) or "none"
        latest = when(r["latest"]) if r["latest"] else "no judgement yet"
        out.append(f"| {rec_ref(corpus, r['rec_id'])} | {badge(corpus.status(r['rec_id']))} | {latest} | {promises} |")
    out += ["", "</div>", ""]
    return "\n".join(out)
