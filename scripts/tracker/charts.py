"""Charts for the analysis chapters: a data transform (tested) and a drawing
function (Altair) for each, plus the sentence that says what the chart shows."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from .model import Corpus, load, threads
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


# Vega-embed's own export menu has no accessible name, so it is off; each chart gets
# plain download links instead (SVG, PNG and its data as CSV, see sphinx_ext). The
# SVG renderer draws text a reader can select and a browser test can measure.
EMBED_OPTIONS = {"actions": False, "renderer": "svg"}


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
    frame["url"] = [f"../statuses/{s}.html" for s in statuses]
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
        href="url:N",
    )
    bars = base.mark_bar().encode(color=alt.Color("label:N", sort=order, scale=alt.Scale(domain=order, range=colours), legend=None))
    labels = base.mark_text(align="left", dx=4).encode(text="recommendations:Q")
    return (bars + labels).properties(
        usermeta={"embedOptions": EMBED_OPTIONS}, title="Recommendations by current implementation status", width="container", height=alt.Step(28)
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
                "ask_page": corpus.rec_page(ask["rec_id"]), "page": corpus.rec_page(rec_id) if rec_id else "",
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

    def link(page: str, rec_id: str, label: str) -> str:
        return f'<a href="{reviews_path}/{escape(page)}.html#{escape(rec_id)}">{escape(label)}</a>'

    body = []
    for ask_id, group in frame.groupby("ask_id", sort=False):
        first = True
        for _, row in group.iterrows():
            cells = []
            if first:
                span = f' rowspan="{len(group)}"' if len(group) > 1 else ""
                cells.append(f'<th scope="row"{span}>{link(row.ask_page, ask_id, f"{row.ask_number}. {row.ask}")}</th>')
                first = False
            if row.rec_id:
                cells.append(f"<td>{link(row.page, row.rec_id, row.recommendation)}</td>")
                cells.append(f'<td><span class="tracker-status tracker-status-{escape(row.status)}">{escape(row.status_label)}</span></td>')
            else:
                cells.append('<td>No recommendation answers this ask</td><td>Not answered</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
    return ('<table class="table tracker-asks"><caption>Each ask of the NHS Confederation, the recommendations that answer it, '
            'and their status today</caption><thead><tr><th scope="col">Ask</th><th scope="col">Answered by</th>'
            '<th scope="col">Status today</th></tr></thead><tbody>' + "".join(body) + "</tbody></table>")


# --- Shared pieces ------------------------------------------------------------

DONE = ("implemented", "partially-implemented")
NOT_ACCEPTED = ("not-accepted",)
ACCEPTED = ("accepted", "accepted-in-principle", "accepted-in-part")


def md_text(value: str) -> str:
    """Data text for a sentence shown as Markdown: escaped, so it is read as text, never as markup."""
    from .pages.common import text

    return text(value)


def review_label(review: dict) -> str:
    return f"{review['short_title']} ({review['published'][:4]})"


def rec_url(corpus: Corpus, rec_id: str, base: str = "..") -> str:
    return f"{base}/reviews/{corpus.rec_page(rec_id)}.html#{rec_id}"


def numbers_table(frame: pd.DataFrame, columns: dict[str, str], caption: str) -> str:
    """The numbers behind a chart, as an accessible table a reader can open.
    Values are escaped by pandas; the caption is ours."""
    from html import escape

    shown = frame[list(columns)].rename(columns=columns)
    table = shown.to_html(index=False, escape=True, border=0, classes="table tracker-numbers", na_rep="")
    table = table.replace("<table", f"<table aria-label=\"{escape(caption)}\"", 1)
    return f"<details class=\"tracker-numbers\"><summary>The numbers behind this chart</summary>{table}</details>"


def _listing(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _tracked(corpus: Corpus) -> list[dict]:
    return [r for r in corpus.recommendations.values() if not corpus.is_ask(r["rec_id"])]


# --- Overview: status by review ---------------------------------------------------

#: The themes about leading and managing the NHS itself, the tracker's core subject
#: (the others, such as patient safety or prevention, are what leaders are asked to deliver).
LEADERSHIP_THEMES = ("leadership-development", "management-standards", "general-management", "talent-management",
                     "boards-and-non-executives", "appraisal", "fit-and-proper-persons", "distributed-leadership",
                     "system-leadership", "challenged-organisations", "time-to-lead", "clinical-engagement",
                     "management-costs-and-structure")


def status_by_review(corpus: Corpus, base: str = "..", themes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Recommendations by review and current status (only the cells that are not zero),
    with each review's total as the denominator; with ``themes``, only recommendations
    tagged with at least one of them."""
    rows = []
    for review in corpus.reviews_in_order():
        recs = [r for r in corpus.recs_of(review["review_id"]) if not corpus.is_ask(r["rec_id"])
                and (themes is None or set(corpus.themes_of.get(r["rec_id"], [])) & set(themes))]
        if not recs:
            continue
        counts = pd.Series([corpus.status(r["rec_id"]) for r in recs]).value_counts()
        for status in corpus.statuses():
            if counts.get(status, 0):
                rows.append({"review_id": review["review_id"], "review": review_label(review), "published": review["published"],
                             "status": status, "label": corpus.status_labels()[status], "recommendations": int(counts[status]),
                             "total": len(recs), "url": f"{base}/reviews/{review['review_id']}.html"})
    return pd.DataFrame(rows)


#: A review is ranked by its share only when it has at least this many recommendations tracked.
RANK_MINIMUM = 5


def leadership_sentence(corpus: Corpus) -> str:
    """The same measure, restricted to the leadership and management themes, so that a
    reader can see it without the patient-safety recommendations that dominate Francis."""
    frame = status_by_review(corpus, themes=LEADERSHIP_THEMES)
    if frame.empty:
        return ""
    names = ", ".join(corpus.themes[t]["label"].lower() for t in LEADERSHIP_THEMES if t in corpus.themes)
    return ("Restricted to the leadership and management themes (" + md_text(names) + "): "
            + status_by_review_sentence(frame).replace("The ", "the ", 1)
            .replace("reviews with recommendations tracked", "reviews with such recommendations tracked", 1))


def status_by_review_sentence(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "No recommendations are tracked yet."
    reviews = frame["review_id"].nunique()
    done = frame[frame["status"].isin(DONE)].groupby("review_id")["recommendations"].sum()
    totals = frame.groupby("review_id")["total"].first()
    shares = (done / totals).reindex(totals.index, fill_value=0)
    median = float(shares.median())
    ranked = shares[totals >= RANK_MINIMUM].sort_values(ascending=False, kind="stable")
    biggest = totals.idxmax()
    pooled = f"pooled, {int(done.sum())} of {int(totals.sum())}"
    if totals[biggest] > totals.sum() / 2:
        name = md_text(frame.loc[frame["review_id"] == biggest, "review"].iloc[0])
        pooled += f", a figure that mostly describes the {name}, which holds {int(totals[biggest])} of them"
    text = (f"The {reviews} reviews with recommendations tracked have a median of {median:.0%} of their tracked "
            f"recommendations implemented or partly implemented ({pooled}).")
    if len(ranked):
        top = md_text(frame.loc[frame["review_id"] == ranked.index[0], "review"].iloc[0])
        text += (f" Among the {len(ranked)} reviews with at least {RANK_MINIMUM} tracked, {top} has the highest share, "
                 f"{int(done.get(ranked.index[0], 0))} of {int(totals[ranked.index[0]])}.")
    return text


def count_grid(frame: pd.DataFrame, x: alt.X, y: alt.Y, tooltip: list, title: str, scheme: str,
               text_field: str = "recommendations:Q", step: int = 26) -> alt.LayerChart:
    """A grid whose cells show their number as text (so colour is not needed to
    read it), shaded by ``recommendations`` only to reinforce it; cells link to
    the ``url`` column."""
    dark_above = float(frame["recommendations"].max()) / 2 if len(frame) else 0
    base = alt.Chart(frame).encode(x=x, y=y, tooltip=tooltip, href="url:N")
    cells = base.mark_rect(stroke="#ffffff").encode(
        color=alt.Color("recommendations:Q", scale=alt.Scale(scheme=scheme), legend=None))
    text = base.mark_text(fontWeight="bold", fontSize=10).encode(
        text=text_field,
        color=alt.condition(f"datum.recommendations > {dark_above}", alt.value("#ffffff"), alt.value("#111111")))
    return (cells + text).properties(usermeta={"embedOptions": EMBED_OPTIONS}, title=title, width="container",
                                     height=alt.Step(step))


def status_by_review_chart(frame: pd.DataFrame, statuses: list[str], labels: dict[str, str]) -> alt.LayerChart:
    """Reviews (in date order) against statuses, with the count in each cell."""
    return count_grid(
        frame,
        x=alt.X("label:N", sort=[labels[s] for s in statuses], title="Current status", axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("review:N", sort=list(dict.fromkeys(frame.sort_values("published")["review"])), title="Review (year)"),
        tooltip=[alt.Tooltip("review:N", title="Review"), alt.Tooltip("label:N", title="Status"),
                 alt.Tooltip("recommendations:Q", title="Recommendations"), alt.Tooltip("total:Q", title="Tracked in this review")],
        title="Recommendations by review and current status (count in each cell)", scheme="blues")


# --- Overview: government response against outcome ------------------------------

def response_outcome(corpus: Corpus) -> pd.DataFrame:
    """Recommendations by the government's response and their current status."""
    responses = corpus.package.enum("recommendations", "government_response")
    rows = []
    recs = _tracked(corpus)
    for response in responses:
        group = [r for r in recs if r["government_response"] == response]
        counts = pd.Series([corpus.status(r["rec_id"]) for r in group], dtype="object").value_counts()
        for status in corpus.statuses():
            if counts.get(status, 0):
                rows.append({"response": response, "response_label": response.replace("-", " ").capitalize(),
                             "status": status, "label": corpus.status_labels()[status],
                             "recommendations": int(counts[status]), "total": len(group),
                             "url": f"../statuses/{status}.html"})
    return pd.DataFrame(rows)


def response_outcome_summary(frame: pd.DataFrame) -> dict[str, int]:
    def count(responses, statuses=None) -> int:
        part = frame[frame["response"].isin(responses)]
        if statuses is not None:
            part = part[part["status"].isin(statuses)]
        return int(part["recommendations"].sum())

    return {"accepted": count(ACCEPTED), "accepted_done": count(ACCEPTED, DONE),
            "not_accepted": count(NOT_ACCEPTED), "not_accepted_done": count(NOT_ACCEPTED, DONE)}


def response_outcome_sentence(frame: pd.DataFrame) -> str:
    s = response_outcome_summary(frame)
    return (f"Of {s['accepted']} recommendations the government accepted in full, in principle or in part, "
            f"{s['accepted_done']} are implemented or partly implemented; of {s['not_accepted']} it did not accept, "
            f"{s['not_accepted_done']} happened anyway.")


def response_outcome_chart(frame: pd.DataFrame, statuses: list[str], labels: dict[str, str]) -> alt.LayerChart:
    return count_grid(
        frame,
        x=alt.X("label:N", sort=[labels[s] for s in statuses], title="Current status", axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("response_label:N", sort=list(dict.fromkeys(frame["response_label"])), title="Government response"),
        tooltip=[alt.Tooltip("response_label:N", title="Response"), alt.Tooltip("label:N", title="Status"),
                 alt.Tooltip("recommendations:Q", title="Recommendations"), alt.Tooltip("total:Q", title="With this response")],
        title="Government response against what happened (count in each cell)", scheme="purples", step=30)


# --- Timeline ----------------------------------------------------------------------

def timeline(corpus: Corpus, base: str = "..") -> pd.DataFrame:
    """One row per review: when, how many recommendations are tracked, how many are
    implemented (fully or partly); the share is empty where none is tracked."""
    rows = []
    for review in corpus.reviews_in_order():
        recs = corpus.recs_of(review["review_id"])
        is_asks = review["kind"] == "stakeholder-report"
        done = sum(corpus.status(r["rec_id"]) in DONE for r in recs)
        tracked = len(recs)
        rows.append({"review_id": review["review_id"], "review": review_label(review), "short_title": review["short_title"],
                     "published": review["published"], "kind": review["kind"].replace("-", " "),
                     "tracked": tracked, "done": 0 if is_asks else done,
                     "share": (done / tracked) if tracked and not is_asks else None,
                     "url": f"{base}/reviews/{review['review_id']}.html"})
    frame = pd.DataFrame(rows)
    frame["published"] = pd.to_datetime(frame["published"])
    return frame


def governments_frame(corpus: Corpus, end: str) -> pd.DataFrame:
    rows = [dict(g) for g in corpus.governments.values()]
    frame = pd.DataFrame(rows, columns=["government_id", "prime_minister", "party", "start", "end", "source_id"])
    if not frame.empty:
        frame["end"] = frame["end"].replace("", end)
        frame["start"] = pd.to_datetime(frame["start"])
        frame["end"] = pd.to_datetime(frame["end"])
    return frame


def timeline_sentence(frame: pd.DataFrame) -> str:
    shown = frame[frame["share"].notna()]
    first, last = frame["published"].min().year, frame["published"].max().year
    return (f"{len(frame)} reviews (reviews, inquiries, white papers, plans, consultations and a stakeholder report) "
            f"from {first} to {last}; {len(shown)} of them have recommendations tracked, and of those "
            f"{int(shown['tracked'].sum())} recommendations, {int(shown['done'].sum())} are implemented or partly implemented.")


PARTY_COLOURS = {"Conservative": "#dbe7f5", "Labour": "#f8dede", "Conservative–Liberal Democrat coalition": "#efe6f5"}


def timeline_chart(frame: pd.DataFrame, governments: pd.DataFrame) -> alt.LayerChart:
    shown = frame[frame["share"].notna()].copy()
    layers = []
    if not governments.empty:
        bands = alt.Chart(governments).mark_rect(opacity=0.9).encode(
            x=alt.X("start:T", title="Year published"), x2="end:T",
            color=alt.Color("party:N", title="Government of the day",
                            scale=alt.Scale(domain=list(PARTY_COLOURS), range=list(PARTY_COLOURS.values()))),
            tooltip=[alt.Tooltip("prime_minister:N", title="Prime Minister"), alt.Tooltip("party:N", title="Party"),
                     alt.Tooltip("start:T", title="From", format="%d %b %Y"), alt.Tooltip("end:T", title="To", format="%d %b %Y")])
        # Short-lived governments are shaded but not named, so that names do not overlap.
        long_lived = governments[(governments["end"] - governments["start"]).dt.days > 1800]
        names = alt.Chart(long_lived).mark_text(align="left", baseline="top", dx=2, dy=2, fontSize=9, color="#444444",
                                                 angle=0).encode(
            x=alt.X("start:T", title="Year published"), y=alt.value(0), text="prime_minister:N")
        layers += [bands, names]
    points = alt.Chart(shown).mark_point(filled=True, opacity=0.9, color="#1f4e79").encode(
        x=alt.X("published:T", title="Year published"),
        y=alt.Y("share:Q", title="Share of its tracked recommendations implemented (fully or partly)",
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        size=alt.Size("tracked:Q", title="Recommendations tracked", scale=alt.Scale(range=[40, 600])),
        shape=alt.Shape("kind:N", title="Kind"),
        href="url:N",
        tooltip=[alt.Tooltip("review:N", title="Review"), alt.Tooltip("published:T", title="Published", format="%d %b %Y"),
                 alt.Tooltip("done:Q", title="Implemented (fully or partly)"), alt.Tooltip("tracked:Q", title="Tracked"),
                 alt.Tooltip("share:Q", title="Share", format=".0%")])
    # Only the larger reviews are named on the chart, so that labels do not pile up;
    # every point has a tooltip and every review is in the table below the chart.
    labels = alt.Chart(shown[(shown["tracked"] >= 6) & (shown["share"] > 0)]).mark_text(align="left", dx=9, fontSize=10).encode(
        x=alt.X("published:T", title="Year published"),
        y=alt.Y("share:Q", title="Share of its tracked recommendations implemented (fully or partly)"), text="short_title:N")
    return alt.layer(*layers, points, labels).properties(
        usermeta={"embedOptions": EMBED_OPTIONS}, title="Reviews of NHS leadership over time: how much of each was implemented", width="container", height=380
    ).resolve_scale(color="independent")


# --- Recurring ideas: themes against reviews ------------------------------------------

def theme_recurrence(corpus: Corpus, base: str = "..") -> pd.DataFrame:
    """One row per theme and review that tagged it: recommendations, and how many of
    them were implemented (fully or partly), so each cell reads 'done of total'."""
    order = {r["review_id"]: i for i, r in enumerate(corpus.reviews_in_order())}
    cells: dict[tuple[str, str], list[str]] = {}
    for rec in _tracked(corpus):
        for theme in corpus.themes_of.get(rec["rec_id"], []):
            cells.setdefault((theme, rec["review_id"]), []).append(rec["rec_id"])
    rows = []
    for (theme, review_id), recs in cells.items():
        review = corpus.reviews[review_id]
        done = sum(corpus.status(r) in DONE for r in recs)
        rows.append({"theme_id": theme, "theme": corpus.themes[theme]["label"], "review_id": review_id,
                     "review": review_label(review), "order": order[review_id], "recommendations": len(recs), "done": done,
                     "cell": f"{done}/{len(recs)}", "url": f"{base}/themes/{theme}.html"})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    reviews_per_theme = frame.groupby("theme_id")["review_id"].nunique()
    frame["reviews_asking"] = frame["theme_id"].map(reviews_per_theme)
    return frame.sort_values(["reviews_asking", "theme", "order"], ascending=[False, True, True]).reset_index(drop=True)


def theme_recurrence_sentence(frame: pd.DataFrame) -> str:
    per = frame.groupby("theme")["reviews_asking"].first().sort_values(ascending=False, kind="stable")
    top = per.index[0]
    part = frame[frame["theme"] == top]
    return (f"{len(per)} themes appear in the tracked recommendations; the most persistent, {md_text(top.lower())}, "
            f"comes up in {int(per.iloc[0])} reviews, and {int(part['done'].sum())} of its {int(part['recommendations'].sum())} "
            f"recommendations were implemented or partly implemented.")


def theme_recurrence_chart(frame: pd.DataFrame) -> alt.LayerChart:
    return count_grid(
        frame,
        x=alt.X("review:N", sort=list(frame.sort_values("order")["review"].drop_duplicates()), title="Review (in date order)",
                axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("theme:N", sort=list(frame["theme"].drop_duplicates()), title="Theme (most often recurring first)"),
        tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip("review:N", title="Review"),
                 alt.Tooltip("recommendations:Q", title="Recommendations"), alt.Tooltip("done:Q", title="Implemented (fully or partly)"),
                 alt.Tooltip("reviews_asking:Q", title="Reviews asking for this theme")],
        title="Which ideas come back: implemented / recommended, by theme and review", scheme="greens",
        text_field="cell:N", step=24)


# --- From recommendation to action -------------------------------------------------------

def time_to_action(corpus: Corpus, today: str) -> pd.DataFrame:
    """For each recurring idea (a thread of linked recommendations): the date it was
    first asked for, the first dated evidence of implementation (fully or partly) of
    any recommendation in it, and the years between. Ideas with no such evidence are
    kept, marked still waiting, with the years counted to ``today``."""
    from .pages import thread_label

    rows = []
    for members in threads(corpus):
        first_rec = members[0]
        asked = corpus.reviews[corpus.recommendations[first_rec]["review_id"]]["published"]
        evidence = sorted(a["as_of"] for m in members for a in corpus.history(m) if a["status"] in DONE and a["as_of"] >= asked)
        done = evidence[0] if evidence else ""
        end = done or today
        years = (pd.Timestamp(end) - pd.Timestamp(asked)).days / 365.25
        rows.append({"thread": thread_label(corpus, members), "first_rec": first_rec, "asked": asked,
                     "first_evidence": done, "end": end, "years": round(years, 1), "waiting": not done,
                     "state": "still waiting" if not done else "implemented (fully or partly)",
                     "reviews": len({corpus.recommendations[m]["review_id"] for m in members}),
                     "url": rec_url(corpus, first_rec)})
    frame = pd.DataFrame(rows, columns=["thread", "first_rec", "asked", "first_evidence", "end", "years", "waiting", "state", "reviews", "url"])
    # Threads that share a theme name get a number so every bar has its own label.
    counts: dict[str, int] = {}
    labels = []
    for name in frame["thread"]:
        counts[name] = counts.get(name, 0) + 1
        labels.append(name if counts[name] == 1 else f"{name} ({counts[name]})")
    frame["thread"] = labels
    return frame


def time_to_action_sentence(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "No recurring ideas are recorded yet."
    done = frame[~frame["waiting"]]
    waiting = frame[frame["waiting"]]
    text = f"Of {len(frame)} recurring ideas, {len(done)} have dated evidence of implementation"
    if len(done):
        text += f", a median of {done['years'].median():.1f} years after they were first asked for"
    text += f"; {len(waiting)} are still waiting"
    if len(waiting):
        text += f", the longest for {waiting['years'].max():.1f} years"
    return text + "."


def time_to_action_chart(frame: pd.DataFrame) -> alt.LayerChart:
    data = frame.copy()
    data["asked"] = pd.to_datetime(data["asked"])
    data["end"] = pd.to_datetime(data["end"])
    order = list(data.sort_values("asked")["thread"])
    base = alt.Chart(data).encode(
        y=alt.Y("thread:N", sort=order, title="Recurring idea (first asked for, earliest at the top)"),
        href="url:N",
        tooltip=[alt.Tooltip("thread:N", title="Idea"), alt.Tooltip("asked:T", title="First asked", format="%d %b %Y"),
                 alt.Tooltip("first_evidence:N", title="First evidence of implementation"),
                 alt.Tooltip("years:Q", title="Years"), alt.Tooltip("state:N", title="State"),
                 alt.Tooltip("reviews:Q", title="Reviews asking")],
    )
    bars = base.mark_rule(strokeWidth=6).encode(
        x=alt.X("asked:T", title="Year"), x2="end:T",
        color=alt.Color("state:N", title="State", scale=alt.Scale(domain=["implemented (fully or partly)", "still waiting"],
                                                                   range=["#1b7837", "#b35806"])),
        strokeDash=alt.StrokeDash("state:N", scale=alt.Scale(domain=["implemented (fully or partly)", "still waiting"],
                                                             range=[[1, 0], [4, 3]]), legend=None))
    start = base.mark_point(filled=True, size=50, color="#333333", shape="circle").encode(x=alt.X("asked:T", title="Year"))
    label = base.mark_text(align="left", dx=6, fontSize=10).encode(
        x=alt.X("end:T", title="Year"), text=alt.Text("label:N"))
    return alt.layer(bars, start, label.transform_calculate(
        label="format(datum.years, '.1f') + ' years' + (datum.waiting ? ', still waiting' : '')")).properties(
        usermeta={"embedOptions": EMBED_OPTIONS}, title="From first asked to first evidence of implementation", width="container", height=alt.Step(26))


# --- Messenger and the asks -------------------------------------------------------------

def asks_chart(frame: pd.DataFrame, statuses: list[str], labels: dict[str, str]) -> alt.LayerChart:
    data = frame.copy()
    data["ask_label"] = data["ask_number"].astype(str) + ". " + data["ask"]
    data["mark"] = data["rec_id"].map(lambda r: ("R" + r.rsplit("-r", 1)[1]) if r else "none")
    data["url"] = [f"../reviews/{p}.html#{r}" if r else f"../reviews/{ap}.html#{a}"
                   for p, r, ap, a in zip(data["page"], data["rec_id"], data["ask_page"], data["ask_id"])]
    order_x = [labels[s] for s in statuses] + ["Not answered"]
    order_y = list(data.sort_values("ask_number")["ask_label"].drop_duplicates())
    base = alt.Chart(data).encode(
        x=alt.X("status_label:N", sort=order_x, scale=alt.Scale(domain=order_x), title="Status today of the answering recommendation",
                axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("ask_label:N", sort=order_y, title="The NHS Confederation's ask"),
        href="url:N",
        tooltip=[alt.Tooltip("ask_label:N", title="Ask"), alt.Tooltip("recommendation:N", title="Answered by"),
                 alt.Tooltip("status_label:N", title="Status today")],
    )
    points = base.mark_point(size=420, filled=True, opacity=0.25, color="#1f4e79")
    text = base.mark_text(fontWeight="bold", fontSize=10, xOffset=0).encode(text="mark:N")
    return (points + text).properties(usermeta={"embedOptions": EMBED_OPTIONS}, title="Each ask, the recommendations answering it (R1 to R7) and their status",
                                      width="container", height=alt.Step(30))


# --- Recurring ideas: how much of each review was new -------------------------------------

def novelty_chart(frame: pd.DataFrame) -> alt.Chart:
    """One horizontal bar per review, sorted by the share of its recommendations with no
    similar earlier recommendation (frame: tracker.pages.recurring.novelty). The review
    names are on the y axis, so no label sits inside the plot to collide with another."""
    data = frame.copy()
    order = list(data.sort_values(["share_new", "published"], ascending=[False, True], kind="stable")["review"])
    return alt.Chart(data).mark_bar(color="#4393c3").encode(
        y=alt.Y("review:N", sort=order, title=None, axis=alt.Axis(labelLimit=170)),
        x=alt.X("share_new:Q", title="Share new (no similar earlier recommendation)", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", values=[0, 0.5, 1])),
        href="url:N",
        tooltip=[alt.Tooltip("review:N", title="Review"), alt.Tooltip("share_new:Q", title="Share new", format=".0%"),
                 alt.Tooltip("new:Q", title="New"), alt.Tooltip("repeats:Q", title="Repeats"),
                 alt.Tooltip("echoes_most:N", title="Earlier review echoed most")],
    ).properties(usermeta={"embedOptions": EMBED_OPTIONS}, title="How much of each review was new",
                 width="container", height=alt.Step(22))
