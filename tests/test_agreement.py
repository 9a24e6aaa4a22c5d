"""Blind agreement checks: Cohen's kappa, a fresh blind sample that never repeats a row
and never shows the reader a label, scoring a reader's labels, and the method page's
figures and disagreement tables drawn from data/agreement_checks.csv."""

from __future__ import annotations

import copy as copy_module
import csv
import re
from pathlib import Path

import pytest
from tracker.agreement import STAGES, checks, cohen, disagreement_tables, figures, ordinal, pooled_blind, sample, score, summary
from tracker.model import load
from tracker.paths import DATA_DIR, ROOT


@pytest.fixture(scope="module")
def corpus():
    return load(DATA_DIR)


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_kappa_discounts_the_agreement_expected_by_chance():
    assert cohen([("a", "a"), ("b", "b"), ("c", "c")]).kappa == 1.0
    # Observed 3 of 4; by chance (2x1 + 2x3) / 16 = 0.5; kappa (0.75 - 0.5) / 0.5 = 0.5.
    figure = cohen([("a", "a"), ("a", "b"), ("b", "b"), ("b", "b")])
    assert (figure.agree, figure.total, figure.kappa, figure.words()) == (3, 4, 0.5, "3 of 4 (75%)")


@pytest.fixture()
def early(corpus):
    """The corpus as it stood after its first two checks, so that many rows are still unsampled
    (the committed data may have sampled nearly every row)."""
    copy = copy_module.copy(corpus)
    copy.agreement_checks = [r for r in corpus.agreement_checks if int(r["check"]) <= 2]
    return copy


def test_a_fresh_sample_never_repeats_a_row_and_never_shows_the_reader_a_label(early, tmp_path):
    corpus = early
    key = sample(corpus, tmp_path / "packet", n=20, seed=7)
    sampled = {(r["rec_id"], r["as_of"]) for r in corpus.agreement_checks}
    assert len(key) == 20 and not {(k["rec_id"], k["as_of"]) for k in key} & sampled
    now = {(a["rec_id"], a["as_of"]): a["status"] for h in corpus.assessments_of.values() for a in h}
    assert all(now[(k["rec_id"], k["as_of"])] == k["status"] for k in key)
    items = read(tmp_path / "packet" / "items.csv")
    assert [i["rec_id"] for i in items] == [k["rec_id"] for k in key]
    assert not {"status", "evidence", "parts_operating", "note", "confidence"} & set(items[0])
    statuses = set(corpus.statuses())
    # The government's response shares one word with the statuses ("not-accepted"): it is part of what the reader is given.
    assert not any(v in statuses for i in items for c, v in i.items() if c not in ("rec_summary", "government_response"))
    parts = read(tmp_path / "packet" / "parts.csv")
    assert {p["rec_id"] for p in parts} == {k["rec_id"] for k in key}
    assert "Which parts are operating" in (tmp_path / "packet" / "RUBRIC.md").read_text()
    again = sample(corpus, tmp_path / "again", n=20, seed=7)
    assert again == key, "the same seed draws the same sample"


def test_asking_for_more_rows_than_remain_unsampled_says_how_many_remain(corpus, tmp_path):
    done = {(r["rec_id"], r["as_of"]) for r in corpus.agreement_checks}
    left = sum((a["rec_id"], a["as_of"]) not in done for h in corpus.assessments_of.values() for a in h)
    with pytest.raises(ValueError, match=f"only {left} assessments have not been sampled before; ask for {left} or fewer"):
        sample(corpus, tmp_path / "packet", n=left + 1, seed=1)
    assert not (tmp_path / "packet").exists(), "nothing is written when the sample cannot be drawn"


def test_scoring_compares_each_label_with_the_key_and_refuses_a_mismatched_file(early, tmp_path):
    key = sample(early, tmp_path, n=6, seed=3)
    rows = [dict(item=k["item"], rec_id=k["rec_id"], as_of=k["as_of"], status=k["status"] if i else "unknown",
                 source_read="yes" if i else "no")
            for i, k in enumerate(key)]
    with open(tmp_path / "labels.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    figure, readable, differ = score(tmp_path / "key.csv", tmp_path / "labels.csv")
    assert figure.agree == 6 - (key[0]["status"] != "unknown") and figure.total == 6
    assert (readable.agree, readable.total) == (5, 5), "an item whose source the reader could not read is left out"
    assert [d[0]["item"] for d in differ] == ([] if key[0]["status"] == "unknown" else ["1"])
    with open(tmp_path / "labels.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[1:])
    with pytest.raises(ValueError, match="no label for item 1"):
        score(tmp_path / "key.csv", tmp_path / "labels.csv")


def test_the_method_page_states_the_figures_the_recorded_samples_give(corpus):
    page = (ROOT / "book" / "about" / "method.md").read_text(encoding="utf-8")
    found = checks(corpus)
    assert len(found) >= 4
    for rows in found.values():
        f = figures(rows)
        for figure in [f["settled"]] + ([f["blind"]] if "blind" in f else []):
            assert re.search(rf"\| {re.escape(figure.words())} \| {figure.kappa:.2f} \|", page), figure


def test_the_disagreement_tables_list_every_settled_disagreement_and_the_record_today(corpus):
    tables = disagreement_tables(corpus)
    settled = [r for r in corpus.agreement_checks if r["cause"]]
    assert tables.count("| {ref}`") == len(settled) > 0
    pooled = figures(corpus.agreement_checks, corpus)["now"]
    assert f"| {pooled.words()} | {pooled.kappa:.2f} |" in tables


def test_the_pooled_blind_figure_counts_every_kept_label_of_the_checks_it_names(corpus):
    found = checks(corpus)
    numbers, figure = pooled_blind(found, 4)
    rows = [r for n in numbers for r in found[n]]
    assert numbers[0] == 4 and figure.total == len(rows)
    assert figure.agree == sum(r["record_status"] == r["reader_status"] for r in rows)
    assert f"on {figure.words()} (kappa {figure.kappa:.2f})" in disagreement_tables(corpus)


def test_the_method_page_opens_with_the_pooled_figure_and_the_best_and_latest_check(corpus):
    found = checks(corpus)
    numbers, figure = pooled_blind(found, 4)
    line = summary(corpus)
    assert (f"for {figure.agree} of the {figure.total} assessments sampled ({figure.share:.0%}; "
            f"Cohen's kappa {figure.kappa:.2f})") in line
    shares = [figures(found[n])["blind"].share for n in numbers]
    assert f"The best single check gave {max(shares):.0%}" in line and f"the latest {shares[-1]:.0%}." in line
    page = (ROOT / "book" / "about" / "method.md").read_text(encoding="utf-8")
    assert page.index("agreement-summary.inc") < page.index("| Check (December 2026) |")


def test_agreement_on_the_stage_counts_two_labels_in_one_stage_as_agreeing_and_covers_every_status(corpus):
    assert set(STAGES) == set(corpus.statuses()), "every status in the vocabulary belongs to one of the rubric's stages"
    found = {1: [dict(record_status="in-progress", reader_status="not-started"),
                 dict(record_status="implemented", reader_status="partially-implemented"),
                 dict(record_status="superseded", reader_status="partially-implemented"),
                 dict(record_status="unknown", reader_status="unknown")]}
    assert pooled_blind(found)[1].words() == "1 of 4 (25%)"
    assert pooled_blind(found, by_stage=True)[1].words() == "3 of 4 (75%)"
    # On the committed checks: the summary gives the figure by stage, and splits the disagreements between stage and label.
    found = checks(corpus)
    numbers, figure = pooled_blind(found, 4)
    _, staged = pooled_blind(found, 4, by_stage=True)
    rows = [r for n in numbers for r in found[n]]
    across = sum(STAGES[r["record_status"]] != STAGES[r["reader_status"]] for r in rows)
    line = summary(corpus)
    assert f"the two agreed on {staged.agree} of {staged.total} ({staged.share:.0%}; kappa {staged.kappa:.2f})" in line
    assert (f"of the {figure.total - figure.agree} disagreements, {across} were about the stage and "
            f"{figure.total - figure.agree - across} about the label within one stage") in line


def test_a_whole_record_sample_may_repeat_sampled_rows_and_is_reported_apart_from_the_pooled_figure(corpus, tmp_path):
    sampled = {(r["rec_id"], r["as_of"]) for r in corpus.agreement_checks}
    everything = sum(len(h) for h in corpus.assessments_of.values())
    key = sample(corpus, tmp_path / "whole", n=everything, seed=2, whole_record=True)
    assert {(k["rec_id"], k["as_of"]) for k in key} >= sampled, "a whole-record sample draws from rows sampled before too"
    with pytest.raises(ValueError, match=f"the record holds only {everything} assessments"):
        sample(corpus, tmp_path / "more", n=everything + 1, seed=2, whole_record=True)
    # A whole-record check is stated on its own and left out of the pooled figure for checks on unsampled rows.
    extra = copy_module.copy(corpus)
    number = max(int(r["check"]) for r in corpus.agreement_checks) + 1
    rows = [dict(check=str(number), drawn_from="whole-record", item=str(i), rec_id=k["rec_id"], as_of=k["as_of"],
                 record_status=k["status"], reader_status=k["status"] if i % 4 else "unknown", reader_source_read="yes",
                 record_before_settling="", settled_status=k["status"], cause="")
            for i, k in enumerate(key[:40], start=1)]
    extra.agreement_checks = corpus.agreement_checks + rows
    _, before = pooled_blind(checks(corpus), 4)
    _, after = pooled_blind(checks(extra), 4)
    assert after == before
    whole = figures(rows)["blind"]
    assert whole.total == 40 and whole.agree == 40 - sum(r["reader_status"] != r["record_status"] for r in rows)
    line = summary(extra)
    drawn = [n for n, rs in checks(extra).items() if rs[0]["drawn_from"] == "whole-record"]
    pooled = cohen([(r["record_status"], r["reader_status"]) for n in drawn for r in checks(extra)[n]])
    assert f"{pooled.total} assessments at random from the whole record" in line
    assert f"gave the record's label for {pooled.agree} of {pooled.total} ({pooled.share:.0%}; kappa {pooled.kappa:.2f})" in line
    assert len(drawn) == 1 or f"the latest check {whole.share:.0%}." in line
    assert f"| {ordinal(number)} check, from the whole record |" in disagreement_tables(extra)
    reached = "has been reached" if pooled.share >= 0.9 else "has not yet been reached"
    assert f"on the whole record as it stands it {reached} ({pooled.share:.0%}" in line
    assert "has not yet been reached" in line or before.share >= 0.9
