"""Reading numbered recommendations out of report documents: every layout real
reviews use, the numbered things that are not recommendations, and documents
that cannot be read (each named with one reason, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import documents as docs
import pytest
from tracker.extract import DocumentError, extract, extract_html, missing_numbers
from tracker.extract.documents import pdf_lines


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tracker", "extract", *args], capture_output=True, text=True, timeout=120)


def by_number(result) -> dict:
    return {r.number: r for r in result.recommendations}


# --- layouts ------------------------------------------------------------------

def test_recommendation_headings_in_three_styles_with_their_pages(tmp_path):
    result = extract(docs.labelled_pdf(tmp_path / "r.pdf"))
    recs = by_number(result)
    assert list(recs) == ["1", "2", "3"]
    # "Recommendation 1: heading" on one line; "Recommendation 2." with the heading on the next line;
    # "Recommendation 3" alone, heading below, text running over a page break.
    assert [recs[n].heading for n in recs] == ["Publish a leadership code", "Train every new manager", "Appraise boards every year"]
    assert [recs[n].locator for n in recs] == ["p. 3", "p. 3", "p. 4"]
    assert "organisation will report against it every year." in recs["1"].text  # hyphenated across lines, joined
    assert recs["2"].text.endswith("within six months.")
    assert "4.1.2" not in recs["2"].text  # a numbered paragraph ends the recommendation
    assert recs["3"].text.count("The appraisal should cover chairs") == 8  # the whole text, across the page break
    assert "What happens next" not in recs["3"].text


def test_table_contents_entries_findings_and_numbered_paragraphs_are_not_recommendations(tmp_path):
    result = extract(docs.labelled_pdf(tmp_path / "r.pdf"))
    assert all(r.locator != "p. 1" for r in result.recommendations)  # the contents page names them but is skipped
    assert "Boards rarely review" not in json.dumps(result.as_json())
    assert not any(r.number in ("2.3", "4.1.2") for r in result.recommendations)


def test_running_headers_and_page_numbers_never_reach_the_text(tmp_path):
    result = extract(docs.labelled_pdf(tmp_path / "r.pdf"))
    text = " ".join(r.text for r in result.recommendations)
    assert "Final report" not in text
    assert not any(r.text.rstrip().endswith((" 3", " 4")) for r in result.recommendations)


def test_a_table_running_over_pages_with_repeated_headers(tmp_path):
    result = extract(docs.table_pdf(tmp_path / "t.pdf", rows=40), expected=40)
    recs = by_number(result)
    assert list(recs) == [str(n) for n in range(1, 41)]
    assert missing_numbers(result, 40) == []
    assert len({r.locator for r in result.recommendations}) >= 2, "the table should run over more than one page"
    for n, r in recs.items():
        assert r.heading.startswith(f"Measure number {n} for the leadership of services")
        assert "No. Recommendation" not in r.text  # the repeated header row is not part of any row
        assert "3.1 The review" not in r.text
    assert recs["2"].text.count("Progress should be reported") == 2  # a cell wrapped over lines stays whole


def test_short_labels(tmp_path):
    result = extract(docs.short_labels_pdf(tmp_path / "s.pdf"))
    assert {r.number: r.heading for r in result.recommendations} == {
        "1": "Set up a national talent pool for chief executives.",
        "2": "Give every board a development plan.",
        "3": "Pay senior leaders in challenged trusts a premium.",
        "4": "Report progress to Parliament each year.",
    }
    assert all("The review heard" not in r.text for r in result.recommendations)  # the next paragraph is not theirs


def test_a_plain_numbered_list_under_its_heading_and_not_the_others(tmp_path):
    result = extract(docs.plain_list_pdf(tmp_path / "l.pdf"))
    assert [(r.number, r.text) for r in result.recommendations] == [
        ("1", "Create one framework of management standards for every level."),
        ("2", "Make induction for new managers compulsory, with a course that leads to a recognised qualification."),
        ("3", "Review the pay of senior managers every three years."),
    ]


def test_a_saved_govuk_html_publication(tmp_path):
    path = tmp_path / "report.html"
    path.write_text(docs.GOVUK_HTML, encoding="utf-8")
    result = extract(path)
    assert result.kind == "html" and result.pages is None
    assert [(r.number, r.heading, r.locator) for r in result.recommendations] == [
        ("1", "A single set of management standards", "#recommendation-1"),
        ("2", "Accredited training", "#recommendation-2"),
    ]
    assert result.recommendations[1].text.endswith("Providers should pay for it.")
    assert "not this" not in json.dumps(result.as_json())  # script text is not read


def test_an_ordered_list_with_implicit_numbers_and_nested_points():
    result = extract_html(docs.ORDERED_LIST_HTML, "list.html")
    assert [(r.number, r.text, r.locator) for r in result.recommendations] == [
        ("1", "Create a national leadership academy.", "#our-recommendations"),
        ("2", "Publish board appraisal results each year for every trust", "#our-recommendations"),
        ("3", "Fund management training centrally.", "#our-recommendations"),
    ]


def test_a_content_api_answer(tmp_path):
    path = tmp_path / "item.json"
    path.write_text(json.dumps({"base_path": "/government/publications/x/y", "title": "Y",
                                "details": {"body": docs.GOVUK_HTML}}), encoding="utf-8")
    result = extract(path)
    assert result.kind == "govuk-content" and result.numbers() == ["1", "2"]


def test_hierarchical_numbers_keep_the_reports_own_label():
    result = extract_html("<h3 id='r23'>Recommendation 2.3: Share data</h3><p>Text.</p>"
                          "<h3 id='r24'>Recommendation 2.4 – Publish it</h3><p>More.</p>", "x.html")
    assert [(r.number, r.heading) for r in result.recommendations] == [("2.3", "Share data"), ("2.4", "Publish it")]


def test_a_reference_to_a_recommendation_inside_a_sentence_is_not_one():
    result = extract_html("<p>Recommendation 7 of the earlier review was never acted on.</p>"
                          "<p>Recommendations 1 to 5 were accepted.</p>", "x.html")
    assert result.recommendations == []


def test_hyphenation_keeps_compound_words_and_joins_split_ones():
    lines = pdf_lines([[("The board should run a self-", True, 11.0), ("assessment and a leader-", False, 11.0),
                        ("ship review every year.", False, 11.0)]])
    assert [l.text for l in lines] == ["The board should run a self-assessment", "and a leadership", "review every year."]


# --- the command line -----------------------------------------------------------

def test_json_output_has_exactly_the_documented_shape(tmp_path):
    path = docs.short_labels_pdf(tmp_path / "s.pdf")
    done = run_cli(str(path), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert list(out) == ["document", "sha256", "kind", "pages", "recommendations", "warnings"]
    assert out["kind"] == "pdf" and out["pages"] == 1 and len(out["sha256"]) == 64
    assert list(out["recommendations"][0]) == ["number", "heading", "text", "locator"]
    assert out["recommendations"][0]["number"] == "1" and out["recommendations"][0]["locator"] == "p. 1"


def test_the_table_for_people_lists_each_missing_number(tmp_path):
    path = docs.short_labels_pdf(tmp_path / "s.pdf")
    done = run_cli(str(path), "--expected", "6")
    assert done.returncode == 0
    assert "4 numbered recommendations" in done.stdout
    assert "missing: 5 (expected 6" in done.stdout and "missing: 6 (expected 6" in done.stdout
    assert "missing: 4" not in done.stdout


def test_a_document_with_no_recommendations_is_read_with_a_warning(tmp_path):
    path = tmp_path / "plain.html"
    path.write_text("<html><body><h1>Minutes</h1><p>Nothing recommended here.</p></body></html>")
    done = run_cli(str(path), "--json")
    assert done.returncode == 0
    out = json.loads(done.stdout)
    assert out["recommendations"] == [] and any("no numbered recommendations" in w for w in out["warnings"])


# --- documents that cannot be read ------------------------------------------------

def _truncated(tmp_path: Path) -> Path:
    whole = docs.short_labels_pdf(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _written(name: str, data: bytes):
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name
    return make


BAD = {
    "empty": (_written("empty.pdf", b""), "empty"),
    "truncated": (_truncated, "truncated"),
    "not a pdf": (_written("fake.pdf", b"<html>an error page</html>"), "not a PDF"),
    "encrypted": (lambda t: docs.encrypted_pdf(t / "locked.pdf"), "encrypted"),
    "image only": (lambda t: docs.image_only_pdf(t / "scan.pdf"), "OCR is not attempted"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_document_gets_one_line_naming_the_file_and_the_reason(case, tmp_path):
    make, reason = BAD[case]
    path = make(tmp_path)
    done = run_cli(str(path), "--json")
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: ") and reason in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_a_document_over_the_caps_is_refused_before_it_is_read(tmp_path):
    path = docs.table_pdf(tmp_path / "t.pdf", rows=40)
    with pytest.raises(DocumentError, match="over the 2-page limit"):
        extract(path, max_pages=2)
    with pytest.raises(DocumentError, match="over the 1,000-byte limit"):
        extract(path, max_bytes=1000)


@pytest.mark.parametrize("flag, reason", [(("--max-pages", "2"), "over the 2-page limit"),
                                          (("--max-mb", "0.001"), "over the 1,048-byte limit")])
def test_the_command_refuses_a_document_over_a_cap_in_one_line(flag, reason, tmp_path):
    path = docs.table_pdf(tmp_path / "t.pdf", rows=40)
    done = run_cli(str(path), *flag)
    assert done.returncode != 0 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"{path}: " + done.stderr.strip().split(": ", 1)[1] and reason in done.stderr


def test_a_missing_file_is_one_line_too(tmp_path):
    done = run_cli(str(tmp_path / "nowhere.pdf"))
    assert done.returncode != 0 and "Traceback" not in done.stderr and "no such file" in done.stderr
