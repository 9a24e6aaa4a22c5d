"""Charts for the analysis chapters: a data transform (tested) and a drawing
function (Altair) for each, plus the sentence that says what the chart shows."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pandas as pd

from .chartstyle import (
    COLOUR_NAMES,
    EMBED_OPTIONS,
    INK,
    MUTED,
    PARTY_COLOURS,
    STATUS_COLOURS,
    finish,
    lines_label,
    short_review,
    status_scale,
)
from .model import Corpus, load, threads
from .paths import find_root

__all__ = ["EMBED_OPTIONS", "STATUS_COLOURS"]


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


def status_chart(frame: pd.DataFrame, note: str = "") -> alt.LayerChart:
    """Horizontal bars of recommendations by current status, with counts written on the bars."""
    order = list(frame["label"])
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    # Room beyond the longest bar for its count, whatever the counts are: a quarter of the
    # longest bar is enough for three digits on a phone-width chart.
    longest = int(frame["recommendations"].max()) if len(frame) else 0
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("recommendations:Q", title=f"Recommendations (of {total})", axis=alt.Axis(tickMinStep=1),
                scale=alt.Scale(domain=[0, max(1, round(longest * 1.25))], nice=False)),
        tooltip=[
            alt.Tooltip("label:N", title="Status"),
            alt.Tooltip("recommendations:Q", title="Recommendations"),
            alt.Tooltip("share:Q", title="Share of all tracked", format=".0%"),
        ],
        href="url:N",
    )
    bars = base.mark_bar().encode(color=alt.Color("label:N", sort=order, scale=status_scale(list(frame["status"]), dict(zip(frame["status"], frame["label"]))), legend=None))
    labels = base.mark_text(align="left", dx=4).encode(text="recommendations:Q")
    top = frame.sort_values("recommendations", ascending=False, kind="stable").iloc[0] if total else None
    title = (f"{top['label']} is the most common status: {int(top['recommendations'])} of {total}"
             if top is not None else "No recommendations are tracked yet")
    return finish(bars + labels, title, note, height=alt.Step(28))


def done_shares(frame: pd.DataFrame, key: str, label: str) -> pd.DataFrame:
    """From counts by (``key``, status): per ``key``, how many are implemented and
    partly implemented, of how many, in the order of ``frame``."""
    rows = []
    for value, group in frame.groupby(key, sort=False):
        total = int(group["total"].iloc[0])
        full = int(group.loc[group["status"] == "implemented", "recommendations"].sum())
        part = int(group.loc[group["status"] == "partially-implemented", "recommendations"].sum())
        extra = {c: group[c].iloc[0] for c in ("url", "published") if c in group}
        rows.append({key: value, "name": group[label].iloc[0], "implemented": full, "partly": part, "total": total,
                     "share": (full + part) / total if total else 0.0,
                     "text": f"{(full + part) / total:.0%} of {total}" if total else "none tracked", **extra})
    return pd.DataFrame(rows)


def done_bars(shares: pd.DataFrame, title: str, what: str, note: str = "") -> alt.LayerChart:
    """One bar per row of :func:`done_shares`: implemented, then partly implemented, as a
    share of the row's total, with "N% of total" written at the end of the bar. The two
    colours are the badges'; the subtitle names them, so no legend is needed."""
    order = list(shares["name"])
    long = shares.melt(id_vars=[c for c in shares.columns if c not in ("implemented", "partly")],
                       value_vars=["implemented", "partly"], var_name="part", value_name="count")
    long["part_share"] = long["count"] / long["total"].where(long["total"] > 0, 1)
    long["part_label"] = long["part"].map({"implemented": "Implemented", "partly": "Partially implemented"})
    long["order"] = long["part"].map({"implemented": 0, "partly": 1})
    tooltip = [alt.Tooltip("name:N", title=what), alt.Tooltip("part_label:N", title="Status"),
               alt.Tooltip("count:Q", title="Recommendations"), alt.Tooltip("total:Q", title="Tracked")]
    y = alt.Y("name:N", sort=order, title=None)
    encode = {"href": "url:N"} if "url" in shares else {}
    bars = alt.Chart(long).mark_bar().encode(
        # The share is named in the title and subtitle; room to the right of a full bar for its "100% of N".
        y=y, x=alt.X("part_share:Q", stack="zero", title=None,
                     scale=alt.Scale(domain=[0, 1.5]), axis=alt.Axis(format="%", values=[0, 0.5, 1])),
        color=alt.Color("part_label:N", scale=status_scale(["implemented", "partially-implemented"],
                                                            {"implemented": "Implemented", "partially-implemented": "Partially implemented"}),
                        legend=None),
        order=alt.Order("order:Q"), tooltip=tooltip, **encode)
    text = alt.Chart(shares).mark_text(align="left", dx=4, color="#222222").encode(
        y=y, x=alt.X("share:Q"), text="text:N",
        tooltip=[alt.Tooltip("name:N", title=what), alt.Tooltip("implemented:Q", title="Implemented"),
                 alt.Tooltip("partly:Q", title="Partially implemented"), alt.Tooltip("total:Q", title="Tracked")], **encode)
    subtitle = ["Share of each one's tracked recommendations: dark green implemented, teal partly."] + ([note] if note else [])
    return finish(bars + text, title, subtitle, height=alt.Step(24))


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


def numbered_apart(labels: list[str]) -> list[str]:
    """Labels made unique for a chart axis: the second of two alike gets " (2)", and so on."""
    counts: dict[str, int] = {}
    out = []
    for name in labels:
        counts[name] = counts.get(name, 0) + 1
        out.append(name if counts[name] == 1 else f"{name} ({counts[name]})")
    return out


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
                rows.append({"review_id": review["review_id"], "review": review_label(review), "chart_name": short_review(review),
                             "published": review["published"],
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


def status_by_review_chart(frame: pd.DataFrame, statuses: list[str] | None = None, labels: dict[str, str] | None = None,
                           scope: str = "") -> alt.LayerChart:
    """Each review (in date order): the share of its tracked recommendations implemented
    or partly implemented, the denominator written beside it."""
    ordered = frame.sort_values(["published", "review_id"], kind="stable")
    shares = done_shares(ordered, "review_id", "chart_name")
    median = float(shares["share"].median()) if len(shares) else 0.0
    title = (f"The median review has {median:.0%} of its tracked recommendations implemented or partly"
             + (f" ({scope})" if scope else ""))
    return done_bars(shares, title, "Review", "Reviews in date order; select a bar to open the review.")


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


def response_outcome_chart(frame: pd.DataFrame, statuses: list[str] | None = None, labels: dict[str, str] | None = None) -> alt.LayerChart:
    """Each government response: the share of the recommendations given it that are
    implemented or partly implemented, with the denominator."""
    shares = done_shares(frame[frame["total"] > 0].drop(columns=["url"], errors="ignore"), "response", "response_label")
    s = response_outcome_summary(frame)
    accepted = s["accepted_done"] / s["accepted"] if s["accepted"] else 0.0
    rejected = s["not_accepted_done"] / s["not_accepted"] if s["not_accepted"] else 0.0
    title = f"Accepted: {accepted:.0%} implemented or partly. Not accepted: {rejected:.0%}"
    return done_bars(shares, title, "Government response")


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


def timeline_chart(frame: pd.DataFrame, governments: pd.DataFrame) -> alt.LayerChart:
    """One row per review in date order, a dot at the date it was published, over the
    governments of the day; beside each dot, how much of it was implemented. Every label
    has its own row, so none can sit on another."""
    data = frame.copy()
    data["chart_name"] = [f"{re.sub(chr(92) + 's*[(][^)]*[)]', '', t).strip()} ({d.year})" for t, d in zip(data["short_title"], data["published"])]
    data["text"] = [("asks, not tracked" if k == "stakeholder report" else "none tracked") if pd.isna(sh)
                    else f"{sh:.0%} of {t}" for sh, t, k in zip(data["share"], data["tracked"], data["kind"])]
    order = list(data["chart_name"])
    y = alt.Y("chart_name:N", sort=order, title=None)
    x = alt.X("published:T", title=None, axis=alt.Axis(format="%Y", tickCount=5))
    tooltip = [alt.Tooltip("review:N", title="Review"), alt.Tooltip("published:T", title="Published", format="%d %b %Y"),
               alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("done:Q", title="Implemented (fully or partly)"),
               alt.Tooltip("tracked:Q", title="Tracked"), alt.Tooltip("share:Q", title="Share", format=".0%")]
    layers = []
    if not governments.empty:
        layers.append(alt.Chart(governments).mark_rect().encode(
            x=alt.X("start:T", title=None), x2="end:T",
            color=alt.Color("party:N", legend=None,
                            scale=alt.Scale(domain=list(PARTY_COLOURS), range=list(PARTY_COLOURS.values()))),
            tooltip=[alt.Tooltip("prime_minister:N", title="Prime Minister"), alt.Tooltip("party:N", title="Party"),
                     alt.Tooltip("start:T", title="From", format="%d %b %Y"), alt.Tooltip("end:T", title="To", format="%d %b %Y")]))
    middle = data["published"].min() + (data["published"].max() - data["published"].min()) / 2
    base = alt.Chart(data).encode(y=y, x=x, tooltip=tooltip, href="url:N")
    dots = base.mark_circle(size=70, color=INK, opacity=1)
    early = base.transform_filter(alt.datum.published < middle.value // 10**6).mark_text(align="left", dx=7, fontSize=10)
    late = base.transform_filter(alt.datum.published >= middle.value // 10**6).mark_text(align="right", dx=-7, fontSize=10)
    gap = (data["published"].max() - data["published"].min()).days / 365.25 / max(len(data) - 1, 1)
    title = f"A new review of NHS leadership every {gap:.1f} years on average since {data['published'].min().year}"
    return finish(alt.layer(*layers, dots, early.encode(text="text:N"), late.encode(text="text:N")), title,
                  ["Beside each review: how much of it is implemented or", "partly, of how many tracked. Shading: the government",
                   "of the day (blue Conservative, pink Labour, lilac coalition)."],
                  height=alt.Step(22))


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


def theme_recurrence_chart(frame: pd.DataFrame, corpus: Corpus | None = None) -> alt.LayerChart:
    """One row per theme, most often recurring first; a dot for each review that asked
    for it, at the year it was published (bigger for more recommendations), filled when
    any of them was implemented or partly. The row's label says how many reviews asked
    and how much was done, so each idea reads in one line."""
    if frame.empty:
        return finish(alt.Chart(pd.DataFrame({"x": []})).mark_point(), "No themes are tagged yet")
    data = frame.copy()
    per = data.groupby("theme", sort=False).agg(reviews=("review_id", "nunique"), recs=("recommendations", "sum"),
                                                 done=("done", "sum"))
    data["row"] = data["theme"].map(lambda t: f"{t}|{per.loc[t, 'reviews']} reviews; {per.loc[t, 'done']} of "
                                              f"{per.loc[t, 'recs']} done")
    data["year"] = data["review"].str.extract(r"\((\d{4})\)$")[0].astype(int)
    data["state"] = ["Some implemented or partly" if d else "None implemented yet" for d in data["done"]]
    order = list(dict.fromkeys(data["row"]))
    chart = alt.Chart(data).mark_circle(opacity=0.85, stroke="#ffffff", strokeWidth=0.5).encode(
        y=alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelExpr=lines_label(), labelLimit=190, labelFontSize=10)),
        x=alt.X("year:Q", title=None, scale=alt.Scale(domain=[1980, 2027]), axis=alt.Axis(format="d", values=[1980, 2000, 2020])),
        size=alt.Size("recommendations:Q", scale=alt.Scale(range=[30, 260]), legend=None),
        color=alt.Color("state:N", scale=alt.Scale(domain=["Some implemented or partly", "None implemented yet"],
                                                   range=[STATUS_COLOURS["implemented"], MUTED]), legend=None),
        href="url:N",
        tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip("review:N", title="Review"),
                 alt.Tooltip("recommendations:Q", title="Recommendations"), alt.Tooltip("done:Q", title="Implemented (fully or partly)"),
                 alt.Tooltip("reviews_asking:Q", title="Reviews asking for this theme")])
    top = per.sort_values("reviews", ascending=False, kind="stable")
    title = f"{top.index[0]} has come back in {int(top['reviews'].iloc[0])} reviews since {int(data['year'].min())}"
    return finish(chart, title, ["Each dot: a review asking for the theme, in the year", "it was published (bigger: more recommendations).",
                                 "Green: some implemented or partly; grey: none yet."],
                  height=alt.Step(30))


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
                     "review_names": ", ".join(dict.fromkeys(
                         re.sub(r"\s*\([^)]*\)", "", r["short_title"]) for r in sorted(
                             (corpus.reviews[corpus.recommendations[m]["review_id"]] for m in members),
                             key=lambda r: r["published"]))),
                     "url": rec_url(corpus, first_rec)})
    frame = pd.DataFrame(rows, columns=["thread", "first_rec", "asked", "first_evidence", "end", "years", "waiting", "state",
                                        "reviews", "review_names", "url"])
    # Threads that share a name get a number so every bar has its own label.
    frame["thread"] = numbered_apart(list(frame["thread"]))
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
    """One row per recurring idea, named in words with the reviews that asked for it and
    the wait; a line from when it was first asked for to its first evidence of
    implementation, dashed and orange where it is still waiting."""
    data = frame.copy()
    data["asked"] = pd.to_datetime(data["asked"])
    data["end"] = pd.to_datetime(data["end"])
    names = [n if len(n) <= 30 else n[:29].rstrip(", ") + "…" for n in data["review_names"]]
    data["row"] = [f"{t}|{n}|{y:.1f} years" + (", still waiting" if w else " to first action")
                   for t, n, y, w in zip(data["thread"], names, data["years"], data["waiting"])]
    order = list(data.sort_values("asked", kind="stable")["row"])
    states = ["implemented (fully or partly)", "still waiting"]
    base = alt.Chart(data).encode(
        y=alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelExpr=lines_label(), labelLimit=200, labelFontSize=10)),
        href="url:N",
        tooltip=[alt.Tooltip("thread:N", title="Idea"), alt.Tooltip("review_names:N", title="Reviews asking"),
                 alt.Tooltip("asked:T", title="First asked", format="%d %b %Y"),
                 alt.Tooltip("first_evidence:N", title="First evidence of implementation"),
                 alt.Tooltip("years:Q", title="Years"), alt.Tooltip("state:N", title="State")],
    )
    bars = base.mark_rule(strokeWidth=6).encode(
        x=alt.X("asked:T", title=None, axis=alt.Axis(format="%Y", tickCount=4)), x2="end:T",
        color=alt.Color("state:N", scale=alt.Scale(domain=states, range=[STATUS_COLOURS["implemented"], "#b35806"]),
                        legend=None),
        strokeDash=alt.StrokeDash("state:N", scale=alt.Scale(domain=states, range=[[1, 0], [4, 3]]), legend=None))
    start = base.mark_point(filled=True, size=50, color="#333333", shape="circle").encode(x=alt.X("asked:T"))
    done = data[~data["waiting"]]
    title = (f"Recurring ideas waited a median of {done['years'].median():.1f} years for first action"
             if len(done) else "No recurring idea has evidence of implementation yet")
    return finish(alt.layer(bars, start), title, ["From first asked (dot) to first evidence of", "implementation (green); orange dashes: still waiting."],
                  height=alt.Step(44))


# --- Messenger and the asks -------------------------------------------------------------

def asks_chart(frame: pd.DataFrame, statuses: list[str], labels: dict[str, str]) -> alt.LayerChart:
    """A matrix: each ask (row) against each recommendation that answers any ask
    (column), the cell filled with that recommendation's status colour and its status
    written in the table below; an ask that nothing answers gets a cell of its own."""
    data = frame.copy()
    data["ask_label"] = data["ask_number"].astype(str) + ". " + data["ask"]
    data["column"] = data["rec_id"].map(lambda r: ("R" + r.rsplit("-r", 1)[1]) if r else "None")
    data["url"] = [f"../reviews/{p}.html#{r}" if r else f"../reviews/{ap}.html#{a}"
                   for p, r, ap, a in zip(data["page"], data["rec_id"], data["ask_page"], data["ask_id"])]
    columns = sorted({c for c in data["column"] if c != "None"}, key=lambda c: int(re.sub(r"\D", "", c) or 0)) + (
        ["None"] if (data["column"] == "None").any() else [])
    order_y = list(data.sort_values("ask_number")["ask_label"].drop_duplicates())
    present = [s for s in statuses if s in set(data["status"])]
    domain = [labels[s] for s in present] + ["Not answered"]
    colours = [STATUS_COLOURS[s] for s in present] + ["#ffffff"]
    base = alt.Chart(data).encode(
        x=alt.X("column:N", sort=columns, scale=alt.Scale(domain=columns), title="Messenger recommendation",
                axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("ask_label:N", sort=order_y, title=None, axis=alt.Axis(labelLimit=170)),
        href="url:N",
        tooltip=[alt.Tooltip("ask_label:N", title="Ask"), alt.Tooltip("recommendation:N", title="Answered by"),
                 alt.Tooltip("status_label:N", title="Status today")],
    )
    cells = base.mark_rect(stroke="#555555", strokeWidth=0.5).encode(
        color=alt.Color("status_label:N", scale=alt.Scale(domain=domain, range=colours), legend=None))
    key = "; ".join(f"{name} {labels[s].lower()}" for name, s in zip(
        [COLOUR_NAMES.get(s, s) for s in present], present))
    answered = frame.loc[frame["rec_id"] != "", "ask_id"].nunique()
    done = frame.loc[frame["status"].isin(DONE), "ask_id"].nunique()
    title = f"{answered} of {frame['ask_id'].nunique()} asks are answered; {done} by a recommendation partly in place"
    return finish(cells, title, ["Rows: the NHS Confederation's asks. A filled cell:", "that recommendation answers the ask, coloured",
                                 f"by its status today ({key}); None: no recommendation answers it."],
                  height=alt.Step(30))


# --- Promises and delivery -------------------------------------------------------

def promises(corpus: Corpus, base: str = "..") -> pd.DataFrame:
    """One row per dated promise: who, what, made and due (the end of the period the
    deadline names), delivered or not, and its outcome as of the corpus's as-of date."""
    from .commitments import OUTCOMES, outcome, period_end

    as_of = corpus.as_of()
    governments = sorted(corpus.governments.values(), key=lambda g: g["start"])
    rows = []
    for c in sorted(corpus.commitments, key=lambda c: (c["due_by"], c["commitment_id"])):
        key, phrase = outcome(c, as_of)
        first = c["rec_ids"][0] if c["rec_ids"] else ""
        review = corpus.reviews[corpus.recommendations[first]["review_id"]] if first else {}
        government = next((g for g in reversed(governments) if g["start"] <= c["made_on"]), None)
        due = period_end(pd.Timestamp(c["due_by"]).date(), c["due_precision"]).isoformat()
        # A line runs from the deadline to delivery only when delivery came after it.
        end = due if key == "on-time" else (c["delivered_on"] or c["withdrawn_on"] or as_of)
        rows.append({"commitment_id": c["commitment_id"], "review_id": review.get("review_id", ""),
                     "review": short_review(review) if review else "", "body": c["body"], "promise": c["promise"],
                     "made_on": c["made_on"], "due": due, "due_wording": c["due_wording"], "delivered_on": c["delivered_on"],
                     "end": end, "outcome": key, "outcome_label": OUTCOMES[key], "phrase": phrase,
                     "government": f"{government['prime_minister']} ({government['party']})" if government else "unknown",
                     "url": rec_url(corpus, first, base) if first else ""})
    return pd.DataFrame(rows, columns=["commitment_id", "review_id", "review", "body", "promise", "made_on", "due", "due_wording",
                                       "delivered_on", "end", "outcome", "outcome_label", "phrase", "government", "url"])


def promises_sentence(frame: pd.DataFrame, as_of: str) -> str:
    if frame.empty:
        return "No dated promises are recorded yet."
    delivered = frame[frame["outcome"].isin(["on-time", "late", "delivered-unclear"])]
    on_time = int((frame["outcome"] == "on-time").sum())
    late = int((frame["outcome"] == "late").sum())
    overdue = int((frame["outcome"] == "overdue").sum())
    reviews = frame["review_id"].nunique()
    return (f"{len(frame)} dated promises made in answer to {reviews} reviews are recorded. Of the {len(delivered)} that sources show "
            f"delivered, {on_time} were on time and {late} late; {overdue} are overdue as of {md_text(as_of)} "
            f"(past their deadline with no source yet showing them done), "
            f"{int((frame['outcome'] == 'open').sum())} are not yet due and {int((frame['outcome'] == 'withdrawn').sum())} was withdrawn.")


def promise_shares(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per review or per government: promises recorded, delivered on time, late, overdue."""
    rows = []
    for value, group in frame.groupby(by, sort=False):
        due = group[group["outcome"] != "open"]
        on_time = int((group["outcome"] == "on-time").sum())
        rows.append({by: value, "promises": len(group), "on_time": on_time, "late": int((group["outcome"] == "late").sum()),
                     "overdue": int((group["outcome"] == "overdue").sum()),
                     "share_on_time": f"{on_time / len(due):.0%}" if len(due) else "none due yet"})
    return pd.DataFrame(rows)


def promises_chart(frame: pd.DataFrame, as_of: str) -> alt.LayerChart:
    """One row per promise, grouped by review: a tick at its deadline and a line from the
    deadline to when it was done (green, on time or late) or to the as-of date (orange,
    dashed: overdue). Each row's label names the review and the promise."""
    data = frame.copy()
    data["row"] = [f"{r}|{p if len(p) <= 36 else p[:35].rstrip(' ,') + '…'}" for r, p in zip(data["review"], data["promise"])]
    # A promise's row label must be unique even when two promises read alike.
    data["row"] = numbered_apart(list(data["row"]))
    data["due_t"] = pd.to_datetime(data["due"])
    data["end_t"] = pd.to_datetime(data["end"])
    data["state"] = data["outcome"].map(lambda o: "overdue" if o == "overdue" else "done" if o in ("on-time", "late", "delivered-unclear") else "other")
    order = list(data.sort_values(["review_id", "due"], kind="stable")["row"])
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelExpr=lines_label(), labelLimit=200, labelFontSize=10))
    tooltip = [alt.Tooltip("review:N", title="Review"), alt.Tooltip("body:N", title="Promised by"), alt.Tooltip("promise:N", title="Promise"),
               alt.Tooltip("made_on:N", title="Made"), alt.Tooltip("due_wording:N", title="Due"),
               alt.Tooltip("delivered_on:N", title="Delivered"), alt.Tooltip("phrase:N", title="Outcome")]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip, href="url:N")
    lines = base.mark_rule(strokeWidth=4).encode(
        x=alt.X("due_t:T", title=None, axis=alt.Axis(format="%Y", tickCount=4)), x2="end_t:T",
        color=alt.Color("state:N", scale=alt.Scale(domain=["done", "overdue", "other"],
                                                   range=[STATUS_COLOURS["implemented"], "#b35806", MUTED]), legend=None),
        strokeDash=alt.StrokeDash("state:N", scale=alt.Scale(domain=["done", "overdue", "other"], range=[[1, 0], [3, 2], [1, 0]]),
                                  legend=None))
    ticks = base.mark_tick(thickness=2, size=14, color="#222222").encode(x=alt.X("due_t:T"))
    done = data[data["outcome"].isin(["on-time", "late"])]
    on_time = int((done["outcome"] == "on-time").sum())
    title = (f"{on_time} of {len(done)} promises shown delivered came on time; {int((data['outcome'] == 'overdue').sum())} are overdue"
             if len(done) else "No promise is shown delivered yet")
    return finish(alt.layer(lines, ticks), title,
                  f"Black tick: the deadline. Green line: from the deadline to delivery (a line means late). "
                  f"Orange dashes: overdue, running to {as_of}.", height=alt.Step(30))


def fresh_look_sentence(corpus: Corpus) -> str:
    """How many tracked recommendations are due for a fresh look, as of the stated date."""
    from .commitments import needs_fresh_look
    from .pages.common import when

    recs = [r for r in _tracked(corpus)]
    due = sum(needs_fresh_look(corpus, r["rec_id"]) for r in recs)
    return (f"As of {when(corpus.as_of())} ({corpus.as_of_origin()}), {due} of the {len(recs)} tracked recommendations are "
            f"*due for a fresh look*: their status is not final and their latest judgement describes a moment more than "
            f"12 months earlier. The [what to check next](../about/check-next.html) page lists them, overdue promises first.")


def part_tally(corpus: Corpus) -> dict[str, int]:
    """The parts of every tracked recommendation's ask, by how each stood at its latest judgement."""
    return corpus.part_tally([r["rec_id"] for r in _tracked(corpus)])


def parts_sentence(corpus: Corpus) -> str:
    """The record counted part by part rather than by whole recommendation."""
    t = part_tally(corpus)
    judged = t["operating"] + t["partly"] + t["not shown"]
    if not judged:
        return ""
    share = lambda n: f"{n:,} ({n / judged:.0%})"  # noqa: E731
    text_ = (f"Counted part by part, the tracked recommendations asked for {sum(t.values()):,} things. "
             f"Of the {judged:,} whose recommendation is judged on its parts, {share(t['operating'])} were operating at the latest "
             f"judgement, {share(t['partly'])} operating in part and {share(t['not shown'])} not shown operating")
    text_ += (f"; the other {t['set aside']:,} belong to recommendations declined, replaced or dropped, or not yet judged."
              if t["set aside"] else ".")
    return text_


def pooled_note(corpus: Corpus) -> str:
    """For a chart that pools every review: the denominator, and the review that weighs
    most in it when one holds more than half."""
    recs = _tracked(corpus)
    counts = pd.Series([r["review_id"] for r in recs]).value_counts()
    note = f"All {len(recs)} tracked recommendations of every review, pooled."
    if len(counts) and counts.iloc[0] > len(recs) / 2:
        note += f" The {corpus.reviews[counts.index[0]]['short_title']} holds {int(counts.iloc[0])} of them, so this mostly describes it."
    return note


# --- Recurring ideas: how much of each review was new -------------------------------------

def novelty_chart(frame: pd.DataFrame) -> alt.Chart:
    """One horizontal bar per review, sorted by the share of its recommendations with no
    similar earlier recommendation (frame: tracker.pages.recurring.novelty), the count
    written beside each bar. The review names are on the y axis, so no label sits inside
    the plot to collide with another."""
    data = frame.copy()
    data["text"] = [f"{n} of {n + r}" for n, r in zip(data["new"], data["repeats"])]
    order = list(data.sort_values(["share_new", "published"], ascending=[False, True], kind="stable")["review"])
    y = alt.Y("review:N", sort=order, title=None)
    tooltip = [alt.Tooltip("review:N", title="Review"), alt.Tooltip("share_new:Q", title="Share new", format=".0%"),
               alt.Tooltip("new:Q", title="New"), alt.Tooltip("repeats:Q", title="Repeats"),
               alt.Tooltip("echoes_most:N", title="Earlier review echoed most")]
    bars = alt.Chart(data).mark_bar(color=INK).encode(
        y=y, x=alt.X("share_new:Q", title=None, scale=alt.Scale(domain=[0, 1.5]),
                     axis=alt.Axis(format="%", values=[0, 0.5, 1])),
        href="url:N", tooltip=tooltip)
    text = alt.Chart(data).mark_text(align="left", dx=4, color="#222222").encode(y=y, x="share_new:Q", text="text:N", tooltip=tooltip)
    median = float(data["share_new"].median()) if len(data) else 0.0
    return finish(bars + text, f"The median review's recommendations were {median:.0%} new",
                  "Share of each review's recommendations that were new; beside each bar, how many of how many. New: no recommendation of an earlier review is similar above the "
                  "stated threshold.", height=alt.Step(24))
