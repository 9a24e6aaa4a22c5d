"""Loading the committed data and generating the MyST pages from it."""

from __future__ import annotations

import re
import shutil
from collections import Counter

import pytest
from tracker import pages
from tracker.model import JUDGED_ON_PARTS, REVIEW_PAGE_RECS, load
from tracker.pages import common, review, vocabulary
from tracker.paths import DATA_DIR


@pytest.fixture(scope="module")
def corpus():
    return load(DATA_DIR)


def whole_review(corpus, review_id: str) -> str:
    """A review's pages, in order, as one text (most reviews have only one page)."""
    return "".join(review.review_pages(corpus, review_id).values())


def section(page: str, rec_id: str) -> str:
    """The Markdown of one recommendation's section on its review page."""
    start = page.index(f"({rec_id})=")
    nxt = page.find("\n(", start + 1)
    return page[start: nxt if nxt != -1 else len(page)]


def test_every_recommendation_has_a_label_equal_to_its_id(corpus):
    for review_id in corpus.reviews:
        page = whole_review(corpus, review_id)
        for rec in corpus.recs_of(review_id):
            assert f"({rec['rec_id']})=" in page


def test_recommendations_are_listed_in_their_source_order(corpus):
    for review_id in corpus.reviews:
        page = whole_review(corpus, review_id)
        positions = [page.index(f"({r['rec_id']})=") for r in corpus.recs_of(review_id)]
        numbers = [int(re.match(r"\d+", r["number"]).group()) for r in corpus.recs_of(review_id)]
        assert positions == sorted(positions) and numbers == sorted(numbers)


def test_a_long_review_continues_over_pages_each_recommendation_on_the_page_its_links_name(corpus):
    long_reviews = [r for r in corpus.reviews if len(corpus.recs_of(r)) > REVIEW_PAGE_RECS]
    assert long_reviews, "the committed data has a review longer than one page (the Francis inquiry)"
    for review_id in long_reviews:
        recs = corpus.recs_of(review_id)
        parts = review.review_pages(corpus, review_id)
        assert len(parts) == -(-len(recs) // REVIEW_PAGE_RECS)
        names = list(parts)
        assert names[0] == review_id and names[1:] == [f"{review_id}--{n}" for n in range(2, len(parts) + 1)]
        for name, page in parts.items():
            labels = [l for l in re.findall(r"^\(([a-z0-9-]+-r[0-9]+[a-z]?)\)=$", page, flags=re.M)
                      if l in corpus.recommendations]  # not the anchors kept for retired IDs
            assert 0 < len(labels) <= REVIEW_PAGE_RECS
            assert all(corpus.rec_page(rec_id) == name for rec_id in labels), name
            for other in names:  # every part links to every other part
                if other != name:
                    assert f"]({other}.md)" in page, f"{name} does not link to {other}"
        # Each recommendation is on exactly one part, and the first part lists them all.
        everywhere = Counter(l for page in parts.values() for l in re.findall(r"^\(([a-z0-9-]+-r[0-9]+[a-z]?)\)=$", page, flags=re.M)
                             if l in corpus.recommendations)
        assert set(everywhere) == {r["rec_id"] for r in recs} and max(everywhere.values()) == 1
        first = parts[review_id]
        assert all(f"{{ref}}`{r['rec_id']}`" in first for r in recs)


def test_a_short_review_is_one_page(corpus):
    short = next(r for r in corpus.reviews if 0 < len(corpus.recs_of(r)) <= REVIEW_PAGE_RECS)
    assert list(review.review_pages(corpus, short)) == [short]
    assert {corpus.rec_page(r["rec_id"]) for r in corpus.recs_of(short)} == {short}


@pytest.mark.parametrize("numbers, expected", [([5], "5"), ([2, 3], "2, 3"), ([2, 3, 4, 9], "2–4 and 9"),
                                              ([1, 3, 5, 6, 7, 8, 20], "1, 3, 5–8 and 20")])
def test_number_ranges_read_as_a_reader_writes_them(numbers, expected):
    assert review.number_ranges(numbers) == expected


def test_a_partly_tracked_review_names_the_numbers_it_lacks(corpus):
    partial = [r for r, v in corpus.reviews.items() if v["coverage"] == "partial" and v["recommendations_in_source"].isdigit()]
    assert partial
    for review_id in partial:
        declared = int(corpus.reviews[review_id]["recommendations_in_source"])
        have = {int(re.match(r"\d+", r["number"]).group()) for r in corpus.recs_of(review_id)}
        missing = review.untracked_numbers(str(declared), corpus.recs_of(review_id))
        assert set(missing) == set(range(1, declared + 1)) - have
        first = review.review_pages(corpus, review_id)[review_id]
        if missing:
            assert f"Not yet tracked: recommendations {review.number_ranges(missing)}." in first
    complete = next(r for r, v in corpus.reviews.items() if v["coverage"] == "complete" and corpus.recs_of(r))
    assert "Not yet tracked" not in review.review_pages(corpus, complete)[complete]


def test_cross_references_are_shown_in_both_directions(corpus):
    links = [link for rows in corpus.links_from.values() for link in rows]
    assert links, "the committed data should have links to show"
    for link in links:
        later = whole_review(corpus, corpus.recommendations[link["from_rec"]]["review_id"])
        earlier = whole_review(corpus, corpus.recommendations[link["to_rec"]]["review_id"])
        # Each cross-reference names the other recommendation's review and year, and links to it.
        for page, here, other in ((later, link["from_rec"], link["to_rec"]), (earlier, link["to_rec"], link["from_rec"])):
            review = corpus.reviews[corpus.recommendations[other]["review_id"]]
            found = re.search(r"\{ref\}`([^`]*) <" + re.escape(other) + ">`", section(page, here))
            assert found, f"{here} does not link to {other}"
            assert found.group(1).startswith(f"{review['short_title']} ({review['published'][:4]}), ")


def test_an_ask_without_an_answer_says_so(corpus):
    unanswered = [r for r in corpus.recommendations if corpus.is_ask(r) and r not in corpus.links_to]
    for rec_id in unanswered:
        page = whole_review(corpus, corpus.recommendations[rec_id]["review_id"])
        assert "no recommendation answers this ask" in section(page, rec_id)


def test_a_date_known_only_to_the_month_or_year_is_not_shown_with_a_day(corpus):
    checked = 0
    for rec_id, history in corpus.assessments_of.items():
        for a in history:
            if a["as_of_precision"] in ("month", "year"):
                body = section(whole_review(corpus, corpus.recommendations[rec_id]["review_id"]), rec_id)
                shown = common.when(a["as_of"], a["as_of_precision"])
                assert f"**{shown}**" in body and not shown[0].isdigit() or a["as_of_precision"] == "year"
                assert f"**1 {shown}**" not in body
                checked += 1
    assert checked > 0


def test_status_history_is_newest_first_and_cites_each_source(corpus):
    for rec_id, history in corpus.assessments_of.items():
        page = whole_review(corpus, corpus.recommendations[rec_id]["review_id"])
        body = section(page, rec_id)
        dates = [common.when(a["as_of"], a["as_of_precision"]) for a in history]
        positions = [body.index(f"**{d}**") for d in dates]
        assert positions == sorted(positions, reverse=True)
        for a in history:
            if a["source_id"]:
                assert common.url(corpus.sources[a["source_id"]]["url"]) in body


def test_each_ask_is_listed_part_by_part_with_how_each_part_stood_at_the_latest_assessment(corpus):
    states = Counter()
    for rec_id, parts in corpus.parts_of.items():
        body = section(whole_review(corpus, corpus.recommendations[rec_id]["review_id"]), rec_id)
        lines = [f"{p['part']}. {common.text(p['text'])}" for p in parts]
        positions = [body.index(line) for line in lines]
        assert positions == sorted(positions), f"{rec_id}: parts out of order"
        current = corpus.current(rec_id)
        for part, state in corpus.part_states(rec_id):
            line = next(x for x in body.splitlines() if x.startswith(f"{part['part']}. "))
            if current and current["status"] in JUDGED_ON_PARTS:
                assert line.endswith(f"*{review.PART_STATE_WORDS[state]}*"), f"{rec_id} part {part['part']}: {line}"
                states[(current["status"], state)] += 1
            else:
                assert "operating*" not in line
    # Whatever the data, an implemented recommendation shows every part operating and one in progress none.
    assert ("implemented", "operating") in states and ("in-progress", "not shown") in states
    assert not {k for k in states if k[0] == "implemented" and k[1] != "operating"}
    assert not {k for k in states if k[0] in ("in-progress", "not-started") and k[1] != "not shown"}


def test_each_judgement_in_the_history_names_the_parts_it_found_operating(corpus):
    named = 0
    for rec_id, history in corpus.assessments_of.items():
        body = section(whole_review(corpus, corpus.recommendations[rec_id]["review_id"]), rec_id)
        for a in history:
            entries = [x for x in body.splitlines() if x.startswith(f"- **{common.when(a['as_of'], a['as_of_precision'])}**")]
            words = review.parts_named(a)
            assert bool(words) == bool(a["parts_operating"] or a["parts_partly"])
            assert any(words in e and a["status"].replace("-", " ") in e.lower() for e in entries), f"{rec_id} {a['as_of']}"
            named += bool(words)
    assert named > 0


@pytest.mark.parametrize("whole, partly, expected", [
    ("1;3", "", "Parts operating: 1 and 3. "),
    ("1", "2", "Part operating: 1; operating in part: 2. "),
    ("", "2", "Operating in part: 2. "),
    ("", "", ""),
])
def test_the_parts_found_operating_read_as_a_sentence(whole, partly, expected):
    assert review.parts_named({"parts_operating": whole, "parts_partly": partly}) == expected


def test_the_explorer_says_how_many_parts_of_each_ask_operate(corpus):
    from tracker.pages import explorer

    records = {r["rec_id"]: r for r in explorer.explorer_records(corpus)}
    html = "".join(explorer.explorer_pages(corpus).values())
    shown = 0
    for rec_id, record in records.items():
        states = [s for _, s in corpus.part_states(rec_id)]
        current = corpus.current(rec_id)
        if corpus.is_ask(rec_id) or not current or current["status"] not in JUDGED_ON_PARTS:
            assert record["parts"] == ""
            continue
        assert record["parts"].startswith(f"Of {len(states)} part")
        if current["status"] == "implemented":
            assert record["parts"].endswith(f": {len(states)} operating")
        elif current["status"] in ("in-progress", "not-started"):
            assert record["parts"].endswith(": none operating")
        else:
            assert f"{states.count('partly')} operating in part" in record["parts"] or states.count("partly") == 0
        shown += 1
    assert shown > 0 and 'class="tracker-parts"' in html


def test_each_review_page_counts_what_its_recommendations_asked_for_part_by_part(corpus):
    from tracker.model import split_parts

    checked = 0
    for review_id in corpus.reviews:
        recs = corpus.recs_of(review_id)
        operating = partly = judged = asked = 0
        for r in recs:
            parts = len(corpus.parts_of.get(r["rec_id"], []))
            asked += parts
            current = corpus.current(r["rec_id"])
            if current and current["status"] in JUDGED_ON_PARTS and parts:
                judged += parts
                operating += len(split_parts(current["parts_operating"]))
                partly += len(split_parts(current["parts_partly"]))
        page = whole_review(corpus, review_id)
        if judged:
            assert f"asked for {asked} things; of the {judged} judged on their parts, {operating} w" in page, review_id
            assert f"{partly} operating in part and {judged - operating - partly} not shown operating" in page, review_id
            checked += 1
        else:
            assert "Counted part by part" not in page
    assert checked >= 15


def test_current_status_is_the_latest_assessment(corpus):
    for rec_id, history in corpus.assessments_of.items():
        assert corpus.status(rec_id) == max(history, key=lambda a: a["as_of"])["status"]


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1))",
    "{ref}`x` and ```{raw} html\n<b>x</b>\n```",
    "*stars* _under_ `code` $x$ | pipe # hash",
])
def test_text_from_data_is_inert_markdown(hostile):
    escaped = common.text(hostile)
    assert "<" not in escaped.replace("\\<", "")
    assert "`" not in escaped.replace("\\`", "")
    assert "\n" not in escaped
    # Removing the escapes gives back the text (with whitespace folded).
    assert re.sub(r"\\(.)", r"\1", escaped) == " ".join(hostile.split())


def test_urls_cannot_break_out_of_a_link():
    assert common.url('https://example.org/a b"<c>') == "https://example.org/a%20b%22%3Cc%3E"
    assert common.url("https://example.org/%41%zz") == "https://example.org/%41%25zz"


@pytest.mark.parametrize("iso,precision,expected", [
    ("2022-06-08", "day", "8 June 2022"),
    ("2022-03-01", "month", "March 2022"),
    ("1983-01-01", "year", "1983"),
    ("", "day", "date unknown"),
])
def test_dates_are_no_more_precise_than_known(iso, precision, expected):
    assert common.when(iso, precision) == expected


def test_generate_rewrites_only_what_changed(corpus, tmp_path):
    book = tmp_path / "book"
    first = pages.generate(corpus, book)
    assert {p.name for p in first} >= {f"{r}.md" for r in corpus.reviews}
    assert pages.generate(corpus, book) == []
    (book / "reviews" / "retired-1999.md").write_text("old page")
    assert pages.generate(corpus, book) == [book / "reviews" / "retired-1999.md"]
    assert not (book / "reviews" / "retired-1999.md").exists()


def test_data_dictionary_lists_every_column_and_vocabulary(corpus):
    page = vocabulary.vocabulary_page(corpus)
    for name in corpus.package.resources:
        for field in corpus.package.fields(name):
            assert f"| `{field['name']}` |" in page
            for value in field.get("enumDescriptions", {}):
                assert f"| `{value}` |" in page


def test_loading_refuses_invalid_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "links.csv").unlink()
    with pytest.raises(ValueError, match="links"):
        load(data)


def test_published_response_totals_are_shown_with_their_source(corpus):
    assert corpus.response_totals, "the committed data should have response totals to show"
    for review_id, totals in corpus.response_totals.items():
        page = whole_review(corpus, review_id)
        total = sum(int(t["count"]) for t in totals)
        assert f"across all {total} recommendations" in page
        for t in totals:
            assert f"{t['count']} {common.label(t['government_response']).lower()}" in page
            assert common.url(corpus.sources[t["source_id"]]["url"]) in page


def test_embedded_chart_specs_cannot_close_their_script():
    from tracker.sphinx_ext import harden_chart_specs

    body = ('<p>before</p><script>embed({"config": {"view": {}}, "datasets": {"d": [{"label": "</script><img src=x>"}]}}, '
            '{"mode": "vega-lite"});</script><p>after {"config" is prose</p>')
    hardened, specs = harden_chart_specs(body)
    assert len(specs) == 1 and hardened[specs[0][1]:].startswith(", {\"mode\"")  # where the spec ends in the new body
    script = hardened[hardened.index("<script>") + 8: hardened.index("</script>")]
    assert "<" not in script and ">" not in script.replace("=>", "")
    assert '"label": "\\u003c/script\\u003e\\u003cimg src=x\\u003e"' in script
    assert hardened.endswith('<p>after {"config" is prose</p>')


def test_the_data_dictionary_keeps_the_spaces_around_code_in_a_description(corpus):
    # "act; `unknown` if" once rendered as "act;`unknown`if": the words ran into the code.
    assert common.inline_code_text("Who it asks to act; `unknown` if the source does not say.") == \
        r"Who it asks to act\; `unknown` if the source does not say\."
    assert common.inline_code_text("`rec_id` of it") == r"`rec_id` of it"
    page = vocabulary.vocabulary_page(corpus)
    assert "for example `messenger-2022`" in page and "example`" not in page


def test_a_recommendation_page_says_whom_it_addresses_or_why_no_one_is_named(corpus):
    # "unknown" once covered both wording never read and wording read that names no one.
    by_value = {}
    for rec in corpus.recommendations.values():
        by_value.setdefault(rec["addressed_to"], rec)
    named = next(r for v, r in by_value.items() if v not in review.ADDRESSEE_WORDS)
    for rec, words in [(by_value["not named"], "names no one to act"), (by_value["unknown"], "not yet established"),
                       (named, common.text(named["addressed_to"]))]:
        lines = "\n".join(review._recommendation(corpus, rec))
        assert "- **Addressed to:** " in lines and words in lines.split("- **Addressed to:** ")[1].split("\n")[0], rec["rec_id"]


def test_the_corrections_log_writes_a_date_no_more_precisely_than_it_is_known(corpus):
    page = vocabulary.corrections_page(corpus)
    rough = [(c, a) for c in corpus.corrections for a in corpus.history(c["rec_id"])
             if a["as_of"] == c["as_of"] and a["as_of_precision"] == "year"]
    assert rough, "the committed log has a correction to an assessment dated only to the year"
    lines = page.splitlines()
    for c, a in rough:
        mine = [ln for ln in lines if f"{c['rec_id']}>`: the assessment of" in ln]
        assert any(f"the assessment of {a['as_of'][:4]}, **" in ln for ln in mine), c
        assert not any(f"the assessment of {common.when(a['as_of'])}, **" in ln for ln in mine), c
