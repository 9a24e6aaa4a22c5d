"""The document collector end to end, against local servers: a GOV.UK
publication replayed with its attached PDF, the candidates it proposes, a
curator accepting them, documents that are not what they claim, and hosts that
hang."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import documents as docs
import pytest
from conftest import edit_cell
from tracker.collect.http import Client
from tracker.collect.inbox import Inbox, InboxError
from tracker.collect.replay import ReplayServer
from tracker.collect.run import collect
from tracker.model import load
from tracker.paths import DATA_DIR
from tracker.validate import validate

PUBLICATION = "government/publications/a-placeholder-leadership-review"
ASSET = "/media/0000000000000000000000aa/placeholder-review.pdf"
PUBLIC_PDF = "https://assets.publishing.service.gov.uk" + ASSET


def messenger_like_pdf(path: Path, corpus) -> Path:
    """Nine recommendations: 1-7 in the words of data/'s Messenger rows, except 6,
    which is about something else; 8 and 9 are numbers data/ does not have."""
    recs = {int(r["number"]): r for r in corpus.recs_of("messenger-2022")}
    pdf = docs.Report("Placeholder review - Final report")
    pdf.add_page()
    pdf.filler(2)
    for n in range(1, 10):
        if n in recs and n != 6:
            title, text = recs[n]["title"], recs[n]["summary"]
        elif n == 6:
            title, text = "Fishing quotas", "Coastal waters should be fished within agreed seasonal limits."
        else:
            title, text = f"Placeholder new measure {n}", f"A placeholder paragraph for recommendation {n}."
        if n == 5:
            pdf.add_page()
        pdf.heading(f"Recommendation {n}: {title}")
        pdf.para(text)
        pdf.filler()
    return pdf.save(path)


@pytest.fixture
def world(tmp_path, monkeypatch):
    """The committed data with one report location (a GOV.UK publication whose
    attachment is a PDF) and messenger-2022-r3's number marked as only cited
    elsewhere; a local server plays GOV.UK's Content API and asset host."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("raw", "inbox"))
    (data / "collection_targets.csv").write_text("review_id,source,query,expected_recommendations,note\n", encoding="utf-8")
    (data / "report_locations.csv").write_text(
        "review_id,kind,location,format,basis,basis_url,note\n"
        f"messenger-2022,govuk-content,{PUBLICATION},govuk,read,https://www.gov.uk/{PUBLICATION},test publication\n",
        encoding="utf-8")
    edit_cell(data / "recommendations.csv", {"rec_id": "messenger-2022-r3"}, "number_basis", "secondary")
    pdf = messenger_like_pdf(tmp_path / "report.pdf", load(data))
    item = {"base_path": "/" + PUBLICATION, "title": "A placeholder leadership review", "schema_name": "publication",
            "document_type": "independent_report", "details": {"body": "<p>Summary.</p>", "attachments": [
                {"attachment_type": "file", "content_type": "application/pdf", "url": PUBLIC_PDF, "title": "Report"}]}}
    server = ReplayServer({f"/api/content/{PUBLICATION}": json.dumps(item).encode(), ASSET: pdf.read_bytes()})
    for name in ("GOVUK_API_ROOT", "GOVUK_ASSETS_ROOT", "PARLIAMENT_QUESTIONS_API_ROOT"):
        monkeypatch.setenv(name, server.root)
    yield data, server
    server.close()


def page_of(pdf: Path, needle: str) -> str:
    """The PDF page whose text holds ``needle``, found independently of the extractor."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return next(f"p. {i + 1}" for i in range(len(document)) if needle in document[i].get_textpage().get_text_range())
    finally:
        document.close()


def quick_client(**overrides) -> Client:
    options = dict(allowed_hosts={"127.0.0.1"}, timeout=2.0, retries=1, backoff=0.01, min_interval=0.0, sleep=lambda s: None)
    options.update(overrides)
    return Client(**options)


def test_a_replayed_run_fetches_the_attached_pdf_and_proposes_the_missing_numbers_and_checks(world):
    data, server = world
    report = collect(data, client=quick_client())
    assert not report.failed, report.failed
    [pdf] = list((data / "raw" / "documents" / "messenger-2022").glob("*.pdf"))
    meta = json.loads(pdf.with_suffix("").with_name(pdf.stem + ".provenance.json").read_text())
    assert meta["public_url"] == PUBLIC_PDF and meta["url"].startswith(server.root) and meta["licence"] == "OGL-UK-3.0"
    extracted = json.loads(pdf.with_name(pdf.stem + ".extracted.json").read_text())
    assert [r["number"] for r in extracted["recommendations"]] == [str(n) for n in range(1, 10)]
    assert extracted["url"] == PUBLIC_PDF and extracted["kind"] == "pdf"
    pending = Inbox(data).pending()
    new = {c.number: c for c in pending if c.kind == "new-recommendation"}
    assert sorted(new) == ["8", "9"]
    assert new["8"].title == "Placeholder new measure 8" and new["8"].locator == page_of(pdf, "Recommendation 8:")
    assert new["9"].locator == page_of(pdf, "Recommendation 9:")
    assert new["8"].url == PUBLIC_PDF and len(new["8"].document_sha256) == 64
    assert new["8"].extracted_text.startswith("Placeholder new measure 8 A placeholder paragraph for recommendation 8.")
    assert "Recommendation 9" not in new["8"].extracted_text
    checks = {c.suggested_rec_id: c for c in pending if c.kind == "check"}
    # r3: its number is only as cited elsewhere; r6: the report's text at 6 is about something else
    assert sorted(checks) == ["messenger-2022-r3", "messenger-2022-r6"]
    assert "secondary" in checks["messenger-2022-r3"].detail and "share" in checks["messenger-2022-r6"].detail
    drift = [c for c in pending if c.kind == "drift"]
    assert len(drift) == 1 and "lists 9 numbered recommendations; reviews.csv declares 7" in drift[0].detail


def test_a_rerun_is_conditional_and_proposes_nothing_twice(world):
    data, server = world
    collect(data, client=quick_client())
    before = len(Inbox(data).candidates())
    server.requests.clear()
    report = collect(data, client=quick_client())
    assert [o.result for o in report.outcomes] == ["unchanged"]
    assert server.requests and all("If-None-Match" in headers for _, _, headers in server.requests)
    assert len(Inbox(data).candidates()) == before


def test_accepting_a_new_recommendation_writes_a_valid_row_from_the_document(world):
    data, _ = world
    collect(data, client=quick_client())
    # the curator first takes the drift on board: the report has nine, and data/ is now partial
    edit_cell(data / "reviews.csv", {"review_id": "messenger-2022"}, "recommendations_in_source", "9")
    edit_cell(data / "reviews.csv", {"review_id": "messenger-2022"}, "coverage", "partial")
    candidate = next(c for c in Inbox(data).pending() if c.kind == "new-recommendation" and c.number == "8")
    done = subprocess.run([sys.executable, "-m", "tracker", "--data", str(data), "inbox", "accept", candidate.candidate_id,
                           "--title", "A new leadership measure", "--summary", "Asks for a placeholder measure, in our words.",
                           "--themes", "leadership-development", "--response", "no-formal-response"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "messenger-2022-r8 added" in done.stdout
    assert validate(data) == []
    row = load(data).recommendations["messenger-2022-r8"]
    assert row["source_url"] == PUBLIC_PDF and row["source_locator"] == f"Recommendation 8, {candidate.locator} of the PDF"
    assert candidate.locator.startswith("p. ")
    assert row["number_basis"] == "report" and row["title"] == "A new leadership measure"


def test_accepting_without_the_curators_own_words_writes_nothing(world):
    data, _ = world
    collect(data, client=quick_client())
    candidate = next(c for c in Inbox(data).pending() if c.kind == "new-recommendation")
    before = (data / "recommendations.csv").read_bytes()
    with pytest.raises(InboxError, match="TITLE, SUMMARY"):
        Inbox(data).accept(candidate.candidate_id, themes=["leadership-development"], response="no-formal-response")
    assert (data / "recommendations.csv").read_bytes() == before
    assert candidate.candidate_id in {c.candidate_id for c in Inbox(data).pending()}


def test_confirming_a_number_marks_it_as_read_in_the_report(world):
    data, _ = world
    collect(data, client=quick_client())
    check = next(c for c in Inbox(data).pending() if c.kind == "check" and c.suggested_rec_id == "messenger-2022-r3")
    Inbox(data).accept(check.candidate_id, confirm_number=True)
    row = load(data).recommendations["messenger-2022-r3"]
    assert row["number_basis"] == "report" and f"p. 1 of {PUBLIC_PDF}" in row["source_locator"]
    assert validate(data) == []


def test_a_pdf_that_is_not_a_pdf_is_refused_and_not_stored(world):
    data, server = world
    server.bodies[ASSET] = b"<html>Sorry, this page is not available</html>"
    report = collect(data, client=quick_client())
    assert report.failed and "expected a PDF" in report.failed[0].error
    assert not list((data / "raw" / "documents").rglob("*.pdf"))
    assert not [c for c in Inbox(data).pending() if c.kind == "new-recommendation"]


def test_a_document_redirected_off_the_allowed_hosts_is_refused(world):
    data, server = world
    server.script[ASSET] = [{"status": 302, "location": "http://elsewhere.example/report.pdf"}]
    report = collect(data, client=quick_client())
    assert report.failed and "not an allowed host" in report.failed[0].error


def test_a_document_over_the_size_cap_is_refused(world, monkeypatch):
    data, _ = world
    from tracker.collect import documents

    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 500)
    report = collect(data, client=quick_client())
    assert report.failed and "over the 500-byte limit" in report.failed[0].error
    assert not list((data / "raw" / "documents").rglob("*.pdf"))
    assert not list((data / "raw" / "documents").rglob("*.part"))


def test_when_every_host_hangs_the_run_ends_names_the_hosts_and_lists_what_it_skipped(tmp_path, monkeypatch):
    """Every target of the committed data, plus 40 more report locations, against
    three hosts that accept connections and never answer."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("raw", "inbox"))
    servers = [ReplayServer({}, host=f"127.0.0.{n}") for n in (1, 2, 3)]
    for server in servers:
        server.hang = 20.0
    monkeypatch.setenv("GOVUK_API_ROOT", servers[0].root)
    monkeypatch.setenv("GOVUK_ASSETS_ROOT", servers[0].root)
    monkeypatch.setenv("PARLIAMENT_QUESTIONS_API_ROOT", servers[1].root)
    with open(data / "report_locations.csv", "a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for n in range(40):
            writer.writerow(["messenger-2022", "document", f"{servers[2].root}/report-{n}.pdf", "pdf", "read",
                             "https://example.org/", "extra"])
    client = Client(allowed_hosts={"127.0.0.1", "127.0.0.2", "127.0.0.3"}, timeout=0.5, retries=3, backoff=0.01,
                    min_interval=0.0, stall_limit=3.0)
    started = time.monotonic()
    report = collect(data, client=client)
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"the run should stop soon after 3 s without answers; it took {elapsed:.0f} s"
    print(report.summary())
    # the first hosts asked are given up on by the breaker; after 3 s without an answer the rest is skipped
    assert {"127.0.0.1", "127.0.0.2"} <= set(report.unanswered) <= {"127.0.0.1", "127.0.0.2", "127.0.0.3"}
    assert any("no host has answered for 3 s" in o.error for o in report.skipped)
    assert report.skipped, "targets after the stall must be reported as skipped"
    assert all(o.result in ("failed", "skipped") for o in report.outcomes)
    text = report.summary()
    assert "host that did not answer: 127.0.0.1" in text
    assert text.count("\nskipped: ") == len(report.skipped)
    requests = sum(len(s.requests) for s in servers)
    assert requests <= 3.0 / 0.5 + 3, f"{requests} requests were sent to hosts that never answered"
    for server in servers:
        server.close()
