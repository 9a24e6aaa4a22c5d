"""Similar recommendations: the suggestions readers see, the API, the inbox for curators,
the evaluation against hand-made links, and the vector cache."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from tracker import similar
from tracker.collect.inbox import Inbox, InboxError, link_candidates
from tracker.model import load
from tracker.pages.review import SIMILAR_HEADING, review_pages
from tracker.paths import DATA_DIR
from tracker.publish import recommendation_record
from tracker.validate import validate

from test_charts import rec, review, write_tables


@pytest.fixture
def data(tmp_path):
    """Three small reviews: two recommendations about leadership training that share most
    of their words, one about hospital food, and a stakeholder's ask."""
    recs = [dict(rec("alpha-2000", 1), title="Train every NHS manager in leadership",
                 summary="A national leadership training programme for every manager in the NHS."),
            dict(rec("alpha-2000", 2), title="Better hospital food", summary="Hospitals should serve fresh, healthy meals."),
            dict(rec("beta-2010", 1), title="Leadership training for all NHS managers",
                 summary="Every NHS manager should go through a national leadership training programme."),
            dict(rec("beta-2010", 2), title="Publish board papers <script>alert(1)</script>",
                 summary="Boards should publish their papers online."),
            dict(rec("gamma-2020", 1), title="Meals in hospital", summary="Patients should be served healthy fresh food in hospitals.")]
    folder = write_tables(
        tmp_path / "project" / "data",
        reviews=[review("alpha-2000", "2000-03-01"), review("beta-2010", "2010-06-01"), review("gamma-2020", "2020-01-15")],
        recommendations=[{k: v for k, v in r.items() if k != "_theme"} for r in recs],
        themes=[dict(theme_id="appraisal", label="Appraisal", description="x")],
        recommendation_themes=[dict(rec_id=r["rec_id"], theme_id="appraisal") for r in recs],
        sources=[dict(source_id="src", title="x", publisher="x", published="2000-01-01", published_precision="day",
                      url="https://example.org/s", accessed="2025-12-31")],
    )
    assert validate(folder, today=None) == []
    return folder


def test_each_recommendation_is_shown_similar_ones_of_other_reviews_best_first(data):
    corpus = load(data)
    found = corpus.similar("beta-2010-r1")
    assert found[0][0] == "alpha-2000-r1", "the near-identical recommendation of another review comes first"
    assert all(corpus.recommendations[r]["review_id"] != "beta-2010" for r, _ in found), "never the same review"
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 and round(s, 3) == s for s in scores)
    assert corpus.similar("gamma-2020-r1")[0][0] == "alpha-2000-r2", "hospital food matches hospital food"


def test_the_page_labels_suggestions_as_unchecked_and_escapes_their_text(data):
    corpus = load(data)
    page = "".join(review_pages(corpus, "gamma-2020").values())
    assert SIMILAR_HEADING in page and "not checked by a person" in page
    section = page.split(SIMILAR_HEADING, 1)[1]
    assert "alpha-2000-r2" in section and "Alpha (2000)" in section
    assert "Cross-references" not in section, "suggestions come after, and apart from, the curated links"
    alpha = "".join(review_pages(corpus, "alpha-2000").values())
    assert "<script>" not in alpha and "&lt;script&gt;alert(1)&lt;/script&gt;" in alpha, "a title with markup is shown as text"


def test_the_api_record_carries_the_same_list(data):
    corpus = load(data)
    record = recommendation_record(corpus, "beta-2010-r1", "")
    assert record["similar"] == [{"rec_id": r, "score": s} for r, s in corpus.similar("beta-2010-r1")]
    assert json.loads(json.dumps(record))["similar"][0]["rec_id"] == "alpha-2000-r1"


def test_same_data_same_suggestions_and_the_cache_recomputes_only_a_changed_text(data, tmp_path):
    cache = tmp_path / "cache"
    first = similar.compute(load(data), cache_dir=cache)
    assert first.vectors_computed == 5
    again = similar.compute(load(data), cache_dir=cache)
    assert again.as_json() == first.as_json()
    (cache / next(p.name for p in cache.glob("result-*.json"))).unlink()  # keep the vectors, not the lists
    assert similar.compute(load(data), cache_dir=cache).vectors_computed == 0
    text = (data / "recommendations.csv").read_text(encoding="utf-8")
    (data / "recommendations.csv").write_text(text.replace("Boards should publish", "Boards must publish"), encoding="utf-8")
    changed = similar.compute(load(data), cache_dir=cache)
    assert changed.vectors_computed == 1, "a one-row change recomputes one vector"


def test_novelty_counts_only_earlier_reviews(data):
    sim = load(data).similarity()
    assert sim.earlier["alpha-2000-r1"] is None, "the first review has nothing earlier to echo"
    assert sim.earlier["beta-2010-r1"][0] == "alpha-2000-r1"
    assert sim.earlier["gamma-2020-r1"][0] == "alpha-2000-r2"


def test_a_recommendation_without_text_is_a_clear_error(data):
    text = (data / "recommendations.csv").read_text(encoding="utf-8")
    corpus = load(data)
    corpus.recommendations["alpha-2000-r2"] = dict(corpus.recommendations["alpha-2000-r2"], title=" ", summary="")
    with pytest.raises(similar.SimilarityError, match="alpha-2000-r2 has neither a title nor a summary"):
        corpus.similarity()
    assert text  # the file itself is untouched


def test_suggested_links_come_best_first_and_a_rejection_is_never_proposed_again(data):
    corpus, inbox = load(data), Inbox(data)
    found = link_candidates(corpus, inbox, limit=10, today=date(2026, 1, 1))
    assert found, "similar pairs are proposed"
    scores = [float(c.score) for c in found]
    assert scores == sorted(scores, reverse=True)
    top = found[0]
    assert (top.suggested_rec_id, top.target_rec_id) == ("beta-2010-r1", "alpha-2000-r1"), "later first, earlier as target"
    assert inbox.add(found) == len(found)
    inbox.reject(top.candidate_id, note="not the same idea")
    again = link_candidates(corpus, inbox, limit=10)
    assert top.candidate_id not in {c.candidate_id for c in again}
    assert not again, "pairs waiting in the inbox are not proposed twice"


def test_accepting_a_suggested_link_needs_a_relation_and_a_reason_and_marks_its_provenance(data):
    corpus, inbox = load(data), Inbox(data)
    inbox.add(link_candidates(corpus, inbox, limit=1))
    candidate = inbox.pending()[0]
    before = (data / "links.csv").read_bytes()
    with pytest.raises(InboxError, match="RELATION"):
        inbox.accept(candidate.candidate_id, note="Both ask for leadership training for every manager.")
    with pytest.raises(InboxError, match="RELATION"):
        inbox.accept(candidate.candidate_id, relation="resembles", note="x")
    with pytest.raises(InboxError, match="NOTE"):
        inbox.accept(candidate.candidate_id, relation="repeats")
    assert (data / "links.csv").read_bytes() == before, "nothing is written until the decision is complete"
    inbox.accept(candidate.candidate_id, relation="repeats", note="Both ask for leadership training for every manager.")
    assert validate(data, today=None) == []
    links = load(data).links_from["beta-2010-r1"]
    assert links == [dict(from_rec="beta-2010-r1", to_rec="alpha-2000-r1", relation="repeats",
                          note="Both ask for leadership training for every manager.", provenance="suggestion")]
    assert all({c.suggested_rec_id, c.target_rec_id} != {"beta-2010-r1", "alpha-2000-r1"}
               for c in link_candidates(load(data), Inbox(data), limit=10)), "a linked pair is not proposed again"


def test_an_invalid_relation_for_the_pair_writes_nothing(data):
    corpus, inbox = load(data), Inbox(data)
    inbox.add(link_candidates(corpus, inbox, limit=1))
    candidate = inbox.pending()[0]
    with pytest.raises(InboxError, match="invalid"):
        inbox.accept(candidate.candidate_id, relation="answers", note="It answers an ask.")  # the target is no ask
    assert "beta-2010-r1" not in load(data).links_from


def test_evaluation_scores_only_hand_made_links(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("raw", "inbox"))
    corpus = load(data)
    hand = similar.hand_links(corpus)
    assert hand and all(l["provenance"] == "hand" for rows in corpus.links_from.values() for l in rows
                        if (l["from_rec"], l["to_rec"]) in set(hand))
    result = similar.evaluate(corpus, similar.CHOSEN)
    assert result["links"] == len(hand)
    assert 0 <= result["recall@5"] <= result["recall@10"] <= 1 and 0 < result["mrr"] <= 1
    text = (data / "links.csv").read_text(encoding="utf-8").replace(",hand\n", ",suggestion\n", 3)
    (data / "links.csv").write_text(text, encoding="utf-8")
    assert similar.evaluate(load(data), similar.CHOSEN)["links"] < len(hand), "accepted suggestions are not scored"


def test_novelty_says_how_much_of_each_review_was_new_and_what_it_echoes(data):
    from tracker import charts
    from tracker.pages.recurring import novelty, recurring_pages

    corpus = load(data)
    rows = {r["review_id"]: r for r in novelty(corpus)}
    assert rows["alpha-2000"]["share_new"] == 1.0 and rows["alpha-2000"]["echoes_most"] == "", "nothing came before the first"
    assert rows["beta-2010"]["repeats"] >= 1 and rows["beta-2010"]["echoes_most_id"] == "alpha-2000"
    assert rows["gamma-2020"]["echoes_most_id"] == "alpha-2000", "hospital food was asked for in 2000"
    assert all(r["new"] + r["repeats"] == r["recommendations"] for r in rows.values())
    index = recurring_pages(corpus)["index.md"]
    assert "How much of each review was new" in index and "not checked by a person" in index
    import pandas as pd

    spec = charts.novelty_chart(pd.DataFrame(novelty(corpus))).to_dict()
    shares = sorted(((r["share_new"], r["review"]) for r in rows.values()), key=lambda x: -x[0])
    encoding = spec["layer"][0]["encoding"] if "layer" in spec else spec["encoding"]
    assert encoding["y"]["sort"][0] == shares[0][1], "bars are sorted by the share new, highest first"
