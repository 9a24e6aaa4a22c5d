"""The collectors: parsing the documented API responses, and network behaviour
against a real HTTP server on 127.0.0.1 (conditional requests, retries,
timeouts, 429, truncated bodies, redirects, size limits)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tracker.collect import sources
from tracker.collect.http import Client
from tracker.collect.inbox import Inbox, InboxError
from tracker.collect.replay import FIXTURE_ROUTES as ROUTES
from tracker.collect.replay import FIXTURES, PUBLICATION_PATH, ReplayServer, recorded_bodies
from tracker.collect.run import collect
from tracker.model import load
from tracker.paths import DATA_DIR
from tracker.validate import validate


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def api(monkeypatch):
    server = ReplayServer(recorded_bodies(FIXTURES, ROUTES))
    monkeypatch.setenv("GOVUK_API_ROOT", server.root)
    monkeypatch.setenv("PARLIAMENT_QUESTIONS_API_ROOT", server.root)
    monkeypatch.setenv("GOVUK_ASSETS_ROOT", server.root)
    yield server
    server.close()


@pytest.fixture
def data(tmp_path) -> Path:
    """The committed data, its collection targets cut to the Messenger review's: those are the
    ones the replay server's fixtures answer (the other targets are collected on the live APIs)."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("raw", "inbox"))
    targets = target / "collection_targets.csv"
    lines = targets.read_text(encoding="utf-8").splitlines(keepends=True)
    targets.write_text(lines[0] + "".join(l for l in lines[1:] if l.startswith("messenger-2022,")), encoding="utf-8")
    places = target / "report_locations.csv"
    lines = places.read_text(encoding="utf-8").splitlines(keepends=True)
    places.write_text(lines[0] + "".join(l for l in lines[1:] if l.startswith("messenger-2022,")), encoding="utf-8")
    return target


def client(**overrides) -> tuple[Client, list[float]]:
    slept: list[float] = []
    options = dict(allowed_hosts={"127.0.0.1"}, timeout=2.0, retries=2, backoff=0.01, min_interval=0.0, sleep=slept.append)
    options.update(overrides)
    return Client(**options), slept


def curated_hashes(data: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data.glob("*.csv")} | {
        "datapackage.json": hashlib.sha256((data / "datapackage.json").read_bytes()).hexdigest()}


# --- parsing ------------------------------------------------------------------

def test_numbered_recommendations_are_read_from_headings():
    body = fixture("govuk-content-report.json")["details"]["body"]
    found = sources.numbered_recommendations(body)
    assert [n for n, _ in found] == list(range(1, 8))
    assert found[1][1] == "Positive equality, diversity and inclusion (EDI) action"


def test_numbered_recommendations_fall_back_to_the_list_after_a_heading():
    body = "<h2>Summary</h2><ol><li>not this</li></ol><h2>Our recommendations</h2><ol><li>First ask</li><li>Second ask</li></ol><h2>Annex</h2>"
    assert sources.numbered_recommendations(body) == [(1, "First ask"), (2, "Second ask")]


def test_a_report_matching_the_data_raises_no_drift(data):
    corpus = load(data)
    target = {"review_id": "messenger-2022", "expected_recommendations": "7"}
    assert sources.govuk_content_candidates(fixture("govuk-content-report.json"), target, corpus, "raw/x.json", "2026-01-01") == []


def test_a_missing_recommendation_is_proposed_as_drift(data):
    corpus = load(data)
    corpus.recommendations.pop("messenger-2022-r5")
    target = {"review_id": "messenger-2022", "expected_recommendations": "7"}
    found = sources.govuk_content_candidates(fixture("govuk-content-report.json"), target, corpus, "raw/x.json", "2026-01-01")
    details = [c.detail for c in found]
    assert any("lists 7 numbered recommendations and data/ has 6" in d for d in details)
    assert any(d.startswith("recommendation 5 ") for d in details)
    assert all(c.kind == "drift" and c.candidate_id.startswith("c-") for c in found)


def test_a_changed_page_structure_is_an_error_not_an_empty_result(data):
    doc = fixture("govuk-content-report.json")
    doc["details"]["body"] = "<p>The page was redesigned and the recommendations moved.</p>"
    with pytest.raises(sources.ShapeError, match="no numbered recommendations"):
        sources.govuk_content_candidates(doc, {"review_id": "messenger-2022", "expected_recommendations": "7"},
                                         load(data), "raw/x.json", "2026-01-01")


def test_search_results_skip_known_sources_and_suggest_a_recommendation(data):
    corpus = load(data)
    found = sources.govuk_search_candidates(fixture("govuk-search.json"), {"review_id": "messenger-2022", "query": "Messenger review"},
                                            corpus, "raw/x.json", "2026-01-01")
    urls = [c.url for c in found]
    assert corpus.reviews["messenger-2022"]["url"] not in urls
    appraisal = next(c for c in found if "appraisal" in c.title)
    assert appraisal.suggested_rec_id == "messenger-2022-r4"
    unrelated = next(c for c in found if "statistics" in c.title)
    assert unrelated.suggested_rec_id == ""


def test_parliament_answers_become_candidates_with_their_public_address(data):
    corpus = load(data)
    target = {"review_id": "messenger-2022", "query": "Messenger review"}
    questions = sources.parliament_questions_candidates(fixture("parliament-questions.json"), target, corpus, "raw/q.json", "2026-01-01")
    assert [c.url for c in questions] == ["https://questions-statements.parliament.uk/written-questions/detail/2023-11-14/1917"]
    assert questions[0].published == "2023-11-20" and questions[0].licence == "OPL"
    statements = sources.parliament_statements_candidates(fixture("parliament-statements.json"), target, corpus, "raw/s.json", "2026-01-01")
    assert statements[0].url.endswith("/written-statements/detail/2025-05-15/HCWS999")
    assert statements[0].suggested_rec_id == "messenger-2022-r7"


@pytest.mark.parametrize("body", [b"{not json", b'{"unexpected": []}', b"[]"])
def test_malformed_bodies_are_shape_errors(body, data):
    with pytest.raises(sources.ShapeError):
        sources.govuk_search_candidates(sources.load_json(body), {"review_id": "messenger-2022", "query": "x"},
                                        load(data), "raw/x.json", "2026-01-01")


# --- network behaviour ----------------------------------------------------------

def test_first_run_stores_snapshots_with_provenance(api, data):
    c, _ = client()
    report = collect(data, client=c)
    assert report.counts()["new"] == 5 and not report.failed
    sidecars = list((data / "raw").rglob("*.provenance.json"))
    # four API answers, and the Messenger report's documents: the publication, its HTML report and its PDF
    assert len(sidecars) == 7
    for sidecar in sidecars:
        meta = json.loads(sidecar.read_text())
        stem = sidecar.name.removesuffix(".provenance.json")
        [body_path] = [p for p in sidecar.parent.glob(stem + ".*")
                       if not p.name.endswith((".provenance.json", ".extracted.json"))]
        body = body_path.read_bytes()
        assert meta["sha256"] == hashlib.sha256(body).hexdigest() and meta["bytes"] == len(body)
        assert meta["http_status"] == 200 and meta["etag"] and meta["last_modified"]
        assert meta["url"].startswith(api.root) and meta["retrieved_at"]
        assert meta["licence"] == ("OPL" if "parliament" in meta["collector"] else "OGL-UK-3.0")
    assert any(c.kind == "evidence" for c in Inbox(data).pending())


def test_a_rerun_with_nothing_changed_sends_conditional_requests_and_rewrites_nothing(api, data):
    c, _ = client()
    collect(data, client=c)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (data / "raw").rglob("*") if p.is_file()}
    candidates_before = (data / "inbox" / "candidates.csv").read_bytes()
    api.requests.clear()
    report = collect(data, client=c)
    assert report.counts()["unchanged"] == 5
    assert all("If-None-Match" in headers for _, _, headers in api.requests)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (data / "raw").rglob("*") if p.is_file()}
    assert after == before
    assert (data / "inbox" / "candidates.csv").read_bytes() == candidates_before


def test_a_changed_upstream_page_is_stored_again(api, data):
    c, _ = client()
    collect(data, client=c, sources=["govuk-search"])
    doc = fixture("govuk-search.json")
    doc["results"].append({"title": "Placeholder new guidance on management standards", "link": "/government/publications/placeholder-new",
                           "description": "Placeholder.", "public_timestamp": "2026-01-05T09:00:00.000+00:00", "format": "guidance",
                           "organisations": []})
    api.bodies["/api/search.json"] = json.dumps(doc).encode()
    report = collect(data, client=c, sources=["govuk-search"])
    assert report.counts()["changed"] == 1 and report.outcomes[0].candidates == 1


def test_server_errors_are_retried_with_backoff(api, data):
    api.script["/api/search.json"] = [{"status": 503}, {"status": 500}]
    c, slept = client(retries=3)
    report = collect(data, client=c, sources=["govuk-search"])
    assert report.counts()["new"] == 1
    assert len(api.hits("/api/search.json")) == 3
    assert slept == [0.01, 0.02]


def test_too_many_requests_waits_as_retry_after_asks(api, data):
    api.script["/api/writtenquestions/questions"] = [{"status": 429, "retry_after": "3"}]
    c, slept = client()
    report = collect(data, client=c, sources=["parliament-written-questions"])
    assert report.counts()["new"] == 1
    assert 3.0 in slept


def test_retry_after_beyond_the_cap_fails_clearly(api, data):
    api.script["/api/writtenquestions/questions"] = [{"status": 429, "retry_after": "86400"}]
    c, _ = client(max_retry_after=60)
    report = collect(data, client=c, sources=["parliament-written-questions"])
    assert report.failed and "86400" in report.failed[0].error and "/api/writtenquestions/questions" in report.failed[0].error


def test_a_timeout_fails_that_source_only(api, data):
    api.script["/api/search.json"] = [{"delay": 1.0}, {"delay": 1.0}, {"delay": 1.0}]
    c, _ = client(timeout=0.2, retries=1)
    report = collect(data, client=c)
    assert [o.target["source"] for o in report.failed] == ["govuk-search"]
    assert "timeout" in report.failed[0].error and "/api/search.json" in report.failed[0].error
    assert report.counts()["new"] == 4


def test_a_truncated_body_is_not_stored(api, data):
    api.script[PUBLICATION_PATH] = [{"truncate": True}, {"truncate": True}, {"truncate": True}]
    c, _ = client(retries=2)
    report = collect(data, client=c, sources=["govuk-content"])
    failed = report.failed
    assert len(failed) == 1 and "cut off" in failed[0].error
    assert not list((data / "raw").rglob("*.provenance.json")), "a cut-off body must not be kept as a snapshot"


def test_redirects_leave_only_for_allowed_hosts(api, data):
    api.script["/api/writtenstatements/statements"] = [{"status": 302, "location": "http://evil.example/api/steal"}]
    c, _ = client()
    report = collect(data, client=c, sources=["parliament-written-statements"])
    assert report.failed and "not an allowed host" in report.failed[0].error


def test_redirects_within_the_allowed_host_are_followed(api, data):
    api.script["/api/writtenstatements/statements"] = [{"status": 301, "location": "/api/writtenstatements/statements?moved=1"}]
    c, _ = client()
    report = collect(data, client=c, sources=["parliament-written-statements"])
    assert report.counts()["new"] == 1


def test_oversized_responses_are_refused(api, data):
    c, _ = client(max_bytes=1000)
    report = collect(data, client=c, sources=["govuk-content", "report-documents"])
    assert len(report.failed) == 2 and all("limit" in o.error for o in report.failed)


def test_a_malformed_body_keeps_the_last_good_snapshot(api, data):
    c, _ = client()
    collect(data, client=c, sources=["govuk-search"])
    snapshot = next((data / "raw" / "govuk-search").glob("*[0-9a-f].json"))
    good = snapshot.read_bytes()
    api.bodies["/api/search.json"] = b'{"results": [ {"title": "cut'
    report = collect(data, client=c, sources=["govuk-search"])
    assert report.failed and "not valid JSON" in report.failed[0].error
    assert snapshot.read_bytes() == good


def test_filters_by_source_review_and_date(api, data):
    c, _ = client()
    report = collect(data, client=c, sources=["parliament-written-questions"], reviews=["messenger-2022"], since="2024-01-01")
    assert len(report.outcomes) == 1
    (_, query, _), = api.hits("/api/writtenquestions/questions")
    assert query["answeredWhenFrom"] == ["2024-01-01"] and query["searchTerm"] == ["Messenger review"]
    assert collect(data, client=c, reviews=["no-such-review"]).outcomes == []


def test_no_curated_file_changes_after_any_failure(api, data):
    before = curated_hashes(data)
    for path in ROUTES:
        api.script[path] = [{"status": 500}] * 5
    c, _ = client(retries=1)
    report = collect(data, client=c)
    assert len(report.failed) == 5
    assert curated_hashes(data) == before


def test_the_command_reports_failures_without_a_traceback(api, data):
    api.script["/api/search.json"] = [{"status": 404}]
    env = dict(os.environ, GOVUK_API_ROOT=api.root, PARLIAMENT_QUESTIONS_API_ROOT=api.root)
    # The real command paces requests politely; the fake server does not need it, but the
    # limit still applies, so only two targets are collected here to keep the test short.
    result = subprocess.run([sys.executable, "-m", "tracker", "--data", str(data), "collect",
                             "--source", "govuk-search", "--source", "parliament-written-statements"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "HTTP 404" in result.stderr and "/api/search.json" in result.stderr
    assert "fetched 1, changed 0, unchanged 0, failed 1" in result.stdout


# --- the inbox ------------------------------------------------------------------

def test_accepting_evidence_writes_a_source_and_an_assessment(api, data):
    c, _ = client()
    collect(data, client=c, sources=["parliament-written-statements"])
    inbox = Inbox(data)
    candidate = inbox.pending()[0]
    before = (data / "assessments.csv").read_bytes()
    with pytest.raises(InboxError, match="needs at least one part operating"):
        inbox.accept(candidate.candidate_id, rec_id="messenger-2022-r7", status="partially-implemented",
                     evidence="Placeholder evidence in the curator's own words.", confidence="medium", as_of="2026-01-15")
    assert (data / "assessments.csv").read_bytes() == before, "a refused accept writes nothing"
    decision = inbox.accept(candidate.candidate_id, rec_id="messenger-2022-r7", status="partially-implemented",
                            evidence="Placeholder evidence in the curator's own words.", confidence="medium",
                            as_of="2026-01-15", parts_partly="1")
    assert validate(data) == []
    corpus = load(data)
    assert corpus.sources[decision.source_id]["url"] == candidate.url
    assert corpus.sources[decision.source_id]["published"] == candidate.published
    latest = corpus.current("messenger-2022-r7")
    assert latest["source_id"] == decision.source_id and latest["as_of"] == "2026-01-15"
    assert latest["parts_partly"] == "1" and latest["parts_operating"] == ""
    assert inbox.pending() == []
    collect(data, client=c, sources=["parliament-written-statements"])
    assert Inbox(data).pending() == [], "a decided candidate is never proposed again"


def test_rejecting_is_remembered(api, data):
    c, _ = client()
    collect(data, client=c, sources=["govuk-search"])
    inbox = Inbox(data)
    ids = [x.candidate_id for x in inbox.pending()]
    for candidate_id in ids:
        inbox.reject(candidate_id, note="not about leadership")
    shutil.rmtree(data / "raw")
    collect(data, client=c, sources=["govuk-search"])
    assert Inbox(data).pending() == []
    with pytest.raises(InboxError, match="already been decided"):
        inbox.reject(ids[0], note="again")


def test_an_acceptance_that_would_break_the_data_writes_nothing(api, data):
    c, _ = client()
    collect(data, client=c, sources=["parliament-written-questions"])
    before = curated_hashes(data)
    inbox = Inbox(data)
    candidate = inbox.pending()[0]
    with pytest.raises(InboxError, match="invalid"):
        inbox.accept(candidate.candidate_id, rec_id="messenger-2022-r3", status="finished", evidence="Placeholder.")
    assert curated_hashes(data) == before
    assert [x.candidate_id for x in inbox.pending()] == [candidate.candidate_id]


def test_the_dash_report_location_proposes_the_numbers_not_yet_in_data(tmp_path, monkeypatch):
    """The committed report location for the Dash review: an HTML report with nine
    numbered recommendations (placeholder wording, in the content API's shape)
    yields a new-recommendation candidate for each number data/ lacks, a check for
    each recorded one whose number is only as cited elsewhere, and touches no curated table."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("raw", "inbox"))
    paths = [r["location"] for r in csv.DictReader(open(data / "report_locations.csv", encoding="utf-8"))
             if r["review_id"] == "dash-2025" and r["kind"] == "govuk-content"]
    report_path = max(paths, key=len)
    body = "".join(f"<h3>Recommendation {n}: placeholder heading {n}</h3><p>Placeholder text.</p>" for n in range(1, 10))
    bodies = {}
    for path in paths:
        doc = {"title": "Review of patient safety across the health and care landscape", "base_path": "/" + path,
               "schema_name": "html_publication" if path == report_path else "publication",
               "document_type": "independent_report", "first_published_at": "2025-07-07T00:00:00Z",
               "details": {"body": body} if path == report_path else {"attachments": []}}
        bodies["/api/content/" + path] = json.dumps(doc).encode()
    server = ReplayServer(bodies)
    monkeypatch.setenv("GOVUK_API_ROOT", server.root)
    before = curated_hashes(data)
    try:
        c, _ = client()
        report = collect(data, client=c, sources=["report-documents"], reviews=["dash-2025"])
    finally:
        server.close()
    assert not report.failed, report.failed
    held = {r["number"] for r in load(data).recs_of("dash-2025")}
    pending = Inbox(data).pending()
    missing = [str(n) for n in range(1, 10) if str(n) not in held]
    assert missing, "data/ should still lack some Dash recommendations for this test to mean anything"
    new = {c.number: c for c in pending if c.kind == "new-recommendation"}
    assert sorted(new, key=int) == missing
    assert all(new[n].title == f"placeholder heading {n}" and new[n].extracted_text.endswith("Placeholder text.")
               for n in missing)
    assert all(c.url.startswith("https://www.gov.uk/" + report_path) for c in new.values())
    checks = {c.suggested_rec_id for c in pending if c.kind == "check"}
    assert checks == {f"dash-2025-r{n}" for n in held}
    assert curated_hashes(data) == before


def test_the_inbox_lists_candidates_touching_overdue_promises_or_stale_judgements_first(data):
    from tracker.collect.inbox import Candidate
    from tracker.commitments import needs_fresh_look, outcome
    from tracker.model import load

    corpus = load(data)
    as_of = corpus.as_of()
    overdue = next(c["rec_ids"][0] for c in corpus.commitments if outcome(c, as_of)[0] == "overdue")
    settled = next(r for r in corpus.recommendations if not corpus.is_ask(r) and not needs_fresh_look(corpus, r)
                   and not any(outcome(c, as_of)[0] == "overdue" for c in corpus.commitments_of(r)))

    def candidate(rec_id: str) -> Candidate:
        review = corpus.recommendations[rec_id]["review_id"]
        return Candidate(candidate_id=Candidate.make_id(rec_id), kind="evidence", review_id=review, suggested_rec_id=rec_id,
                         title=f"About {rec_id}", url=f"https://example.org/{rec_id}", published="", publisher="Example",
                         detail="", collector="test", snapshot="", licence="", found_on="2026-12-01")

    inbox = Inbox(data)
    inbox.add([candidate(settled), candidate(overdue)])  # found in this order
    ranked = inbox.by_priority(corpus)
    assert [c.suggested_rec_id for c, _ in ranked] == [overdue, settled]
    assert "overdue promise" in ranked[0][1] and ranked[1][1] == ""
    listing = subprocess.run([sys.executable, "-m", "tracker", "--data", str(data), "inbox", "list"],
                             capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.index(overdue) < listing.stdout.index(settled)
