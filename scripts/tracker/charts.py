"""Charts for the analysis chapters: a data transform (tested) and a drawing
function (Altair) for each, plus the sentence that says what the chart shows."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from .model import Corpus, load
from .paths import find_root

# One colour per status, ordered from done to not done; the status is also
# written on the axis, so colour is never the only signal.
STATUS_COLOURS = {
    "implemented": "#1b7837",
    "partially-implemented": "#7fbc41",
    "in-progress": "#4393c3",
    "not-started": "#fdb863",
    "superseded": "#8073ac",
    "abandoned": "#b2182b",
    "not-accepted": "#762a83",
    "unknown": "#878787",
}


def load_corpus(start: Path | None = None) -> Corpus:
    """The corpus of the repository that contains ``start`` (default: the working folder)."""
    return load(find_root(start) / "data")


def status_counts(corpus: Corpus) -> pd.DataFrame:
    """Recommendations by current status, one row per status in vocabulary order
    (zeros included), for every review except stakeholders' asks."""
    statuses = corpus.statuses()
    recs = [r for r in corpus.recommendations.values() if not corpus.is_ask(r["rec_id"])]
    current = pd.Series([corpus.status(r["rec_id"]) for r in recs], dtype="object")
    counts = current.value_counts().reindex(statuses, fill_value=0)
    total = int(counts.sum())
    frame = pd.DataFrame({
        "status": statuses,
        "label": [corpus.status_labels()[s] for s in statuses],
        "recommendations": counts.to_numpy(dtype=int),
    })
    frame["share"] = frame["recommendations"] / total if total else 0.0
    frame["total"] = total
    return frame


def status_sentence(frame: pd.DataFrame) -> str:
    """One sentence stating what the status chart shows, computed from its data."""
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    if not total:
        return "No recommendations are tracked yet."
    shown = frame[frame["recommendations"] > 0].sort_values("recommendations", ascending=False, kind="stable")
    parts = [f"{n} {label.lower()}" for n, label in zip(shown["recommendations"], shown["label"])]
    listing = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Of the {total} recommendations tracked, by their latest assessment: {listing}."


def status_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Horizontal bars of recommendations by current status, with counts written on the bars."""
    order = list(frame["label"])
    colours = [STATUS_COLOURS.get(s, "#000000") for s in frame["status"]]
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", sort=order, title="Current status"),
        x=alt.X("recommendations:Q", title=f"Number of recommendations (of {total})", axis=alt.Axis(tickMinStep=1)),
        tooltip=[
            alt.Tooltip("label:N", title="Status"),
            alt.Tooltip("recommendations:Q", title="Recommendations"),
            alt.Tooltip("share:Q", title="Share of all tracked", format=".0%"),
        ],
    )
    bars = base.mark_bar().encode(color=alt.Color("label:N", sort=order, scale=alt.Scale(domain=order, range=colours), legend=None))
    labels = base.mark_text(align="left", dx=4).encode(text="recommendations:Q")
    return (bars + labels).properties(
        title="Recommendations by current implementation status", width="container", height=alt.Step(28)
    )


def asks_table(corpus: Corpus, stakeholder_review: str = "nhsconfed-2022") -> pd.DataFrame:
    """One row per (ask, answering recommendation); an ask no recommendation answers
    gets one row with no recommendation, so that it is shown, not dropped."""
    rows = []
    for ask in corpus.recs_of(stakeholder_review):
        answers = sorted((l["from_rec"] for l in corpus.links_to.get(ask["rec_id"], []) if l["relation"] == "answers"),
                         key=lambda r: (corpus.recommendations[r]["review_id"], int(corpus.recommendations[r]["number"].rstrip("abcdefghijklmnopqrstuvwxyz"))))
        for rec_id in answers or [None]:
            rec = corpus.recommendations.get(rec_id) if rec_id else None
            rows.append({
                "ask_id": ask["rec_id"], "ask_number": int(ask["number"].rstrip("abcdefghijklmnopqrstuvwxyz")), "ask": ask["title"],
                "rec_id": rec_id or "", "recommendation": rec["title"] if rec else "",
                "review_id": rec["review_id"] if rec else "",
                "status": corpus.status(rec_id) if rec_id else "",
                "status_label": corpus.status_labels()[corpus.status(rec_id)] if rec_id else "Not answered",
            })
    return pd.DataFrame(rows)


def asks_sentence(frame: pd.DataFrame) -> str:
    asks = frame["ask_id"].nunique()
    unanswered = frame.loc[frame["rec_id"] == "", "ask_id"].nunique()
    done = frame.loc[frame["status"].isin(["implemented", "partially-implemented"]), "ask_id"].nunique()
    return (f"Of the {asks} asks, {asks - unanswered} are answered by at least one recommendation and {unanswered} by none; "
            f"{done} have at least one answering recommendation that is implemented or partly implemented.")


def asks_html(frame: pd.DataFrame, reviews_path: str = "../reviews") -> str:
    """The asks table as accessible HTML, every data value escaped, linking each
    ask and recommendation to its permalink."""
    from html import escape

    def link(review_id: str, rec_id: str, label: str) -> str:
        return f'<a href="{reviews_path}/{escape(review_id)}.html#{escape(rec_id)}">{escape(label)}</a>'

    body = []
    for ask_id, group in frame.groupby("ask_id", sort=False):
        first = True
        for _, row in group.iterrows():
            cells = []
            if first:
                span = f' rowspan="{len(group)}"' if len(group) > 1 else ""
                ask_review = ask_id.rsplit("-r", 1)[0]
                cells.append(f'<th scope="row"{span}>{link(ask_review, ask_id, f"{row.ask_number}. {row.ask}")}</th>')
                first = False
            if row.rec_id:
                cells.append(f"<td>{link(row.review_id, row.rec_id, row.recommendation)}</td>")
                cells.append(f'<td><span class="tracker-status tracker-status-{escape(row.status)}">{escape(row.status_label)}</span></td>')
            else:
                cells.append('<td>No recommendation answers this ask</td><td>Not answered</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
    return ('<table class="table tracker-asks"><caption>Each ask of the NHS Confederation, the recommendations that answer it, '
            'and their status today</caption><thead><tr><th scope="col">Ask</th><th scope="col">Answered by</th>'
            '<th scope="col">Status today</th></tr></thead><tbody>' + "".join(body) + "</tbody></table>")
