"""The data transforms behind the charts, on small hand-made tables."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from tracker import charts, chartstyle
from tracker.model import load
from tracker.paths import DATA_DIR
from tracker.validate import validate

TODAY = "2026-01-01"


def write_tables(folder: Path, **tables: list[dict]) -> Path:
    """A data folder with the real datapackage.json and the given rows (every other
    table empty). Columns not given are left empty."""
    folder.mkdir(parents=True, exist_ok=True)
    package = json.loads((DATA_DIR / "datapackage.json").read_text())
    (folder / "datapackage.json").write_text(json.dumps(package))
    for resource in package["resources"]:
        fields = [f["name"] for f in resource["schema"]["fields"]]
        with open(folder / resource["path"], "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            for row in tables.get(resource["name"], []):
                writer.writerow({f: row.get(f, "") for f in fields})
    return folder


def review(review_id, published, kind="independent-review", n=""):
    return dict(review_id=review_id, title=review_id, short_title=review_id.split("-")[0].title(), lead="x", publisher="x",
                kind=kind, published=published, published_precision="day", url="https://example.org/" + review_id,
                recommendations_in_source=n, coverage="partial", summary="x")


def rec(review_id, number, response="accepted", theme="appraisal"):
    return dict(rec_id=f"{review_id}-r{number}", review_id=review_id, number=str(number), title=f"Rec {number}", summary="x",
                addressed_to="x", government_response=response,
                response_source_id="" if response in ("not-applicable", "no-formal-response") else "src",
                source_url="https://example.org/r", source_locator="", number_basis="report", _theme=theme)


def assess(rec_id, as_of, status):
    # Every ask here has one part: implemented names it as operating, partially implemented as operating in part.
    return dict(rec_id=rec_id, as_of=as_of, as_of_precision="day", status=status, evidence="x", source_id="src", assessed_on="2025-12-31",
                confidence="high", parts_operating="1" if status == "implemented" else "",
                parts_partly="1" if status == "partially-implemented" else "")


def one_part_each(recs) -> list[dict]:
    return [dict(rec_id=r["rec_id"], part="1", text="The one thing asked") for r in recs]


@pytest.fixture
def corpus(tmp_path):
    recs = [rec("alpha-2000", 1), rec("alpha-2000", 2, "not-accepted"), rec("alpha-2000", 3, theme="boards-and-non-executives"),
            rec("beta-2010", 1), rec("beta-2010", 2, "accepted-in-part"),
            rec("gamma-2020", 1, theme="boards-and-non-executives"),
            rec("asks-2009", 1, "not-applicable"), rec("asks-2009", 2, "not-applicable")]
    data = write_tables(
        tmp_path / "data",
        reviews=[review("alpha-2000", "2000-03-01"), review("beta-2010", "2010-06-01"), review("gamma-2020", "2020-01-15"),
                 review("asks-2009", "2009-01-01", kind="stakeholder-report")],
        recommendations=[{k: v for k, v in r.items() if k != "_theme"} for r in recs],
        themes=[dict(theme_id="appraisal", label="Appraisal", description="x"),
                dict(theme_id="boards-and-non-executives", label="Boards", description="x")],
        recommendation_themes=[dict(rec_id=r["rec_id"], theme_id=r["_theme"]) for r in recs],
        ask_parts=one_part_each(recs),
        sources=[dict(source_id="src", title="x", publisher="x", published="2000-01-01", published_precision="day",
                      url="https://example.org/s", accessed="2025-12-31")],
        assessments=[assess("alpha-2000-r1", "2001-01-01", "in-progress"), assess("alpha-2000-r1", "2004-03-01", "implemented"),
                     assess("alpha-2000-r2", "2002-01-01", "partially-implemented"),
                     assess("beta-2010-r1", "2012-01-01", "partially-implemented"),
                     assess("beta-2010-r2", "2011-01-01", "unknown")],
        links=[dict(from_rec="beta-2010-r1", to_rec="alpha-2000-r1", relation="repeats", note="x", provenance="hand"),
               dict(from_rec="gamma-2020-r1", to_rec="alpha-2000-r3", relation="builds-on", note="x", provenance="hand"),
               dict(from_rec="beta-2010-r2", to_rec="asks-2009-r1", relation="answers", note="x", provenance="hand")],
    )
    assert validate(data, today=None) == []
    return load(data)


def test_status_counts_include_zeros_and_exclude_asks(corpus):
    frame = charts.status_counts(corpus)
    assert list(frame["status"]) == corpus.statuses()
    counts = dict(zip(frame["status"], frame["recommendations"]))
    assert counts == {"implemented": 1, "partially-implemented": 2, "in-progress": 0, "not-started": 0, "superseded": 0,
                      "abandoned": 0, "not-accepted": 0, "unknown": 3}
    assert frame["total"].iloc[0] == 6
    assert charts.status_sentence(frame) == "Of the 6 recommendations tracked, by their latest assessment: 3 unknown, 2 partially implemented and 1 implemented."


def test_status_by_review_uses_each_review_as_denominator(corpus):
    frame = charts.status_by_review(corpus)
    alpha = frame[frame["review_id"] == "alpha-2000"].set_index("status")["recommendations"].to_dict()
    assert alpha == {"implemented": 1, "partially-implemented": 1, "unknown": 1}
    assert set(frame.loc[frame["review_id"] == "alpha-2000", "total"]) == {3}
    assert "asks-2009" not in set(frame["review_id"])
    assert list(dict.fromkeys(frame["review_id"])) == ["alpha-2000", "beta-2010", "gamma-2020"]


def test_response_against_outcome(corpus):
    frame = charts.response_outcome(corpus)
    summary = charts.response_outcome_summary(frame)
    assert summary == {"accepted": 5, "accepted_done": 2, "not_accepted": 1, "not_accepted_done": 1}
    assert "of 1 it did not accept, 1 happened anyway" in charts.response_outcome_sentence(frame)


def test_timeline_shares_and_empty_reviews(corpus):
    frame = charts.timeline(corpus).set_index("review_id")
    assert frame.loc["alpha-2000", "share"] == pytest.approx(2 / 3)
    assert frame.loc["beta-2010", ["tracked", "done"]].tolist() == [2, 1]
    assert frame.loc["gamma-2020", "share"] == 0
    assert frame.loc["asks-2009", "share"] is None or frame.loc["asks-2009", "share"] != frame.loc["asks-2009", "share"]


def test_theme_recurrence_cells_read_done_of_total(corpus):
    frame = charts.theme_recurrence(corpus)
    cell = frame[(frame["theme_id"] == "appraisal") & (frame["review_id"] == "alpha-2000")].iloc[0]
    assert (cell["recommendations"], cell["done"], cell["cell"]) == (2, 2, "2/2")
    assert set(frame.loc[frame["theme_id"] == "appraisal", "reviews_asking"]) == {2}
    assert frame.iloc[0]["reviews_asking"] >= frame.iloc[-1]["reviews_asking"]


def test_time_to_action_measures_from_first_ask_and_keeps_what_still_waits(corpus):
    frame = charts.time_to_action(corpus, today=TODAY).set_index("first_rec")
    done = frame.loc["alpha-2000-r1"]
    assert (done["asked"], done["first_evidence"], bool(done["waiting"])) == ("2000-03-01", "2004-03-01", False)
    assert done["years"] == pytest.approx(4.0, abs=0.05)
    waiting = frame.loc["alpha-2000-r3"]
    assert bool(waiting["waiting"]) and waiting["first_evidence"] == "" and waiting["end"] == TODAY
    assert waiting["years"] == pytest.approx(25.8, abs=0.05)
    sentence = charts.time_to_action_sentence(frame.reset_index())
    assert "Of 2 recurring ideas, 1 have dated evidence" in sentence and "1 are still waiting, the longest for 25.8 years" in sentence


def test_evidence_from_before_the_first_ask_does_not_count(corpus, tmp_path):
    frame = charts.time_to_action(corpus, today=TODAY)
    assert (frame["first_evidence"].replace("", "9999") >= frame["asked"]).all()


def test_asks_keep_unanswered_ones(corpus):
    frame = charts.asks_table(corpus, stakeholder_review="asks-2009")
    assert list(frame["ask_id"]) == ["asks-2009-r1", "asks-2009-r2"]
    answered = frame.iloc[0]
    assert (answered["rec_id"], answered["status"]) == ("beta-2010-r2", "unknown")
    assert frame.iloc[1]["rec_id"] == "" and frame.iloc[1]["status_label"] == "Not answered"
    assert charts.asks_sentence(frame).startswith("Of the 2 asks, 1 are answered by at least one recommendation and 1 by none")


def test_asks_table_html_escapes_data(corpus):
    frame = charts.asks_table(corpus, stakeholder_review="asks-2009")
    frame.loc[0, "ask"] = '<script>alert("x")</script>'
    html = charts.asks_html(frame)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_charts_embed_only_aggregates(corpus):
    chart = charts.status_by_review_chart(charts.status_by_review(corpus), corpus.statuses(), corpus.status_labels())
    spec = chart.to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) <= len(corpus.reviews) * len(corpus.statuses())
    assert all("summary" not in row for row in rows)


def test_every_chart_states_its_finding_in_lines_that_fit_a_phone_with_tooltips_and_no_legend(corpus):
    labels, statuses = corpus.status_labels(), corpus.statuses()
    built = [
        charts.status_chart(charts.status_counts(corpus)),
        charts.status_by_review_chart(charts.status_by_review(corpus), statuses, labels),
        charts.response_outcome_chart(charts.response_outcome(corpus), statuses, labels),
        charts.timeline_chart(charts.timeline(corpus), charts.governments_frame(corpus, end=TODAY)),
        charts.theme_recurrence_chart(charts.theme_recurrence(corpus)),
        charts.time_to_action_chart(charts.time_to_action(corpus, today=TODAY)),
        charts.asks_chart(charts.asks_table(corpus, "asks-2009"), statuses, labels),
    ]
    for chart in built:
        spec = chart.to_dict()
        title = spec["title"]
        # A finding carries a number, and every line of it fits a phone.
        assert any(ch.isdigit() for ch in " ".join(title["text"])), title
        assert all(len(line) <= chartstyle.TITLE_WIDTH for line in title["text"]), title
        assert all(len(line) <= chartstyle.TITLE_WIDTH + 10 for line in title.get("subtitle", [])), title
        assert spec["width"] == "container"
        assert spec["config"]["font"] == chartstyle.FONT
        layers = spec.get("layer", [spec])
        encodings = [layer.get("encoding", {}) for layer in layers] + [spec.get("encoding", {})]
        assert any("tooltip" in e for e in encodings)
        # Colours are explained in words (subtitle, labels or table), never by a legend box.
        for e in encodings:
            if "color" in e:
                assert e["color"].get("legend", "absent") is None, title


def test_status_colours_are_the_badges_and_readable_on_them():
    css = chartstyle.status_css()
    for status, colour in chartstyle.STATUS_COLOURS.items():
        rule = next(line for line in css.splitlines() if f".tracker-status-{status} " in line)
        assert f"background: {colour};" in rule
        ink = rule.split("color: ", 1)[1].split(";", 1)[0]
        assert chartstyle.contrast(ink, colour) >= 4.5, (status, ink, colour)


def test_status_chart_colours_follow_the_shared_palette(corpus):
    spec = charts.status_chart(charts.status_counts(corpus)).to_dict()
    colour = next(layer["encoding"]["color"] for layer in spec["layer"] if "color" in layer.get("encoding", {}))
    assert colour["scale"]["range"] == [chartstyle.STATUS_COLOURS[s] for s in corpus.statuses()]


def test_titles_wrap_evenly_for_a_phone():
    lines = chartstyle.wrap("Unknown is the most common status: 3 of 6")
    assert len(lines) == 2 and len(lines[-1].split()) > 2  # not "6" alone on a line
    assert " ".join(lines) == "Unknown is the most common status: 3 of 6"


def test_overdue_and_fresh_look_follow_the_stated_as_of_date_not_the_clock(monkeypatch):
    """Moving the as-of date moves the overdue and fresh-look figures; the machine's clock does not."""
    import datetime as real_datetime

    from tracker.commitments import fresh_look_due, outcome, tally
    from tracker.pages.checknext import check_next_rows

    corpus = load(DATA_DIR)
    assert corpus.commitments, "the data should hold dated promises"
    monkeypatch.delenv("TRACKER_AS_OF", raising=False)
    newest = corpus.as_of()
    early = corpus.commitments[0]["made_on"]
    monkeypatch.setenv("TRACKER_AS_OF", early)
    assert corpus.as_of() == early
    at_early = tally(corpus.commitments, corpus.as_of())
    stale_early = len(check_next_rows(corpus))
    monkeypatch.setenv("TRACKER_AS_OF", "2040-01-01")
    at_late = tally(corpus.commitments, corpus.as_of())
    assert at_late["overdue"] > at_early["overdue"]
    assert at_late["open"] == 0
    assert len(check_next_rows(corpus)) > stale_early
    # Without a date given, the newest date in the data is used, whatever the clock says.
    monkeypatch.delenv("TRACKER_AS_OF")

    class FarFuture(real_datetime.date):
        @classmethod
        def today(cls):
            return cls(2099, 1, 1)

    monkeypatch.setattr(real_datetime, "date", FarFuture)
    assert corpus.as_of() == newest
    assert tally(corpus.commitments, corpus.as_of()) == tally(corpus.commitments, newest)
    promise = {"due_by": "2024-03-01", "due_precision": "month", "delivered_on": "", "withdrawn_on": ""}
    assert outcome(promise, "2024-03-31")[0] == "open" and outcome(promise, "2024-04-01")[0] == "overdue"
    assert outcome(dict(promise, delivered_on="2024-05-15", delivered_precision="day"), "2025-01-01") == (
        "late", "delivered late, by 1 month")
    assert fresh_look_due("2024-01-01", "in-progress", "2025-01-02") and not fresh_look_due("2024-01-01", "implemented", "2030-01-01")
    assert not fresh_look_due("2024-06-01", "in-progress", "2025-01-02")


def test_as_of_rejects_a_date_it_cannot_read(monkeypatch):
    monkeypatch.setenv("TRACKER_AS_OF", "next Tuesday")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        load(DATA_DIR).as_of()


def test_parts_are_counted_by_how_each_stood_at_its_recommendations_latest_judgement(corpus):
    # alpha r1 implemented (its part operating); alpha r2 and beta r1 partly; beta r2 unknown (not shown);
    # alpha r3 and gamma r1 have no judgement (set aside); the stakeholder asks are not counted.
    assert charts.part_tally(corpus) == {"operating": 1, "partly": 2, "not shown": 1, "set aside": 2}
    sentence = charts.parts_sentence(corpus)
    assert "asked for 6 things" in sentence and "1 (25%) were operating" in sentence and "the other 2 belong" in sentence
