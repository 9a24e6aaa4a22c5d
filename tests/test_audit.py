"""`make audit`: each check flags the row that breaks the rubric, a reviewed
exception silences exactly that warning, a stale exception is reported, and
the committed data has no unreviewed warning."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tracker import audit as audit_module
from tracker.audit import audit
from tracker.model import load
from tracker.pages import vocabulary_page
from tracker.paths import DATA_DIR
from tracker.rules import RULES

REC = "messenger-2022-r3"


def append(path: Path, row: dict) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        fields = next(csv.reader(fh))
    with open(path, "a", newline="", encoding="utf-8") as fh:
        csv.DictWriter(fh, fieldnames=fields, lineterminator="\n").writerow({f: row.get(f, "") for f in fields})


def assessment(as_of: str, status: str, evidence: str, source_id: str = "dhsc-2022-messenger-review", note: str = "") -> dict:
    return dict(rec_id=REC, as_of=as_of, as_of_precision="day", status=status, evidence=evidence, source_id=source_id,
                assessed_on="2026-12-01", confidence="medium", note=note)


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("raw", "inbox"))
    # Start from a clean audit: every warning the committed data raises is already reviewed or fixed.
    return target


def checks_for(data: Path, subject: str) -> set[str]:
    unreviewed, _, _ = audit(data)
    return {f.check for f in unreviewed if f.subject == subject}


def source_of_messenger(data: Path) -> str:
    return load(data).recommendations[REC]["response_source_id"]


@pytest.mark.parametrize("status, evidence, as_of, check", [
    ("implemented", "The department said it will publish the standards next year.", "2025-06-02", "audit-future-wording"),
    ("partially-implemented", "A consultation on a code for managers was opened.", "2025-06-03", "audit-future-wording"),
    ("not-started", "The standards came into force for all managers.", "2025-06-04", "audit-in-place-wording"),
    ("partially-implemented", "The regulator pointed to the complaints data it already received.", "2025-06-05",
     "audit-existed-before"),
    ("abandoned", "Progress was slow and the committee was critical.", "2025-06-05", "audit-decision-named"),
    ("superseded", "Things moved on.", "2025-06-06", "audit-decision-named"),
])
def test_each_wording_check_flags_the_row_that_trips_it(data, status, evidence, as_of, check):
    append(data / "assessments.csv", assessment(as_of, status, evidence, source_of_messenger(data)))
    assert check in checks_for(data, f"{REC} {as_of}")


def test_a_status_that_moves_backwards_needs_a_note(data):
    source = source_of_messenger(data)
    append(data / "assessments.csv", assessment("2026-01-05", "implemented", "The standards are in force for all managers.", source))
    append(data / "assessments.csv", assessment("2026-02-05", "in-progress", "The programme was reopened.", source))
    assert "audit-moves-backwards" in checks_for(data, f"{REC} 2026-02-05")
    rows = list(csv.DictReader(open(data / "assessments.csv", encoding="utf-8")))
    for row in rows:
        if row["rec_id"] == REC and row["as_of"] == "2026-02-05":
            row["note"] = "The accreditation scheme was closed in January 2026 and is being rebuilt."
    with open(data / "assessments.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert "audit-moves-backwards" not in checks_for(data, f"{REC} 2026-02-05")


def test_unknown_after_a_known_status_without_a_source(data):
    append(data / "assessments.csv", assessment("2026-03-01", "unknown", "Nothing newer was found.", source_id=""))
    found = checks_for(data, f"{REC} 2026-03-01")
    assert {"audit-unknown-after-known", "audit-assessment-without-source"} <= found


def test_not_accepted_status_against_an_accepted_response(data):
    assert load(data).recommendations[REC]["government_response"] == "accepted"
    append(data / "assessments.csv", assessment("2026-03-02", "not-accepted", "The ask was turned down.", source_of_messenger(data)))
    assert "audit-not-accepted-but-accepted" in checks_for(data, f"{REC} 2026-03-02")


def test_an_assessment_dated_before_its_source(data):
    corpus = load(data)
    late = max(corpus.sources.values(), key=lambda s: s["published"] or "")
    append(data / "assessments.csv", assessment("2022-07-01", "in-progress", "Work began on the standards.", late["source_id"]))
    assert "audit-dated-before-source" in checks_for(data, f"{REC} 2022-07-01")


def test_a_source_on_a_document_sharing_site_unless_marked_as_a_copy(data):
    append(data / "sources.csv", dict(source_id="copy-test", title="A report", publisher="Somebody", published="2020-01-01",
                                      published_precision="day", url="https://docslib.org/doc/1/a-report", accessed="2026-12-01"))
    assert "audit-source-is-a-copy" in checks_for(data, "copy-test")
    append(data / "sources.csv", dict(source_id="tag-test", title="News", publisher="Somebody", published="2020-01-01",
                                      published_precision="day", url="https://news.example/tag/nhs", accessed="2026-12-01"))
    assert "audit-source-is-a-copy" in checks_for(data, "tag-test")


def test_a_new_assessment_is_flagged_until_a_second_reader_has_judged_it(data):
    source = source_of_messenger(data)
    append(data / "assessments.csv", assessment("2026-02-01", "in-progress", "A consultation on the standards opened.", source))
    assert "audit-read-once" in checks_for(data, f"{REC} 2026-02-01")
    append(data / "assessments.csv", dict(assessment("2026-02-02", "in-progress", "The consultation closed.", source),
                                          second_reading="agreed"))
    assert "audit-read-once" not in checks_for(data, f"{REC} 2026-02-02")


def test_a_reviewed_exception_silences_that_warning_only_and_a_stale_one_is_reported(data):
    source = source_of_messenger(data)
    append(data / "assessments.csv", assessment("2025-07-01", "implemented", "The board said it will publish more.", source))
    append(data / "assessments.csv", assessment("2025-07-02", "implemented", "It will also report yearly.", source))
    append(data / "audit_exceptions.csv", dict(check="audit-future-wording", subject=f"{REC} 2025-07-01",
                                               reason="The standards are in force; 'will' is about further work.",
                                               reviewed_on="2026-12-01"))
    append(data / "audit_exceptions.csv", dict(check="audit-future-wording", subject=f"{REC} 1999-01-01",
                                               reason="An old decision.", reviewed_on="2026-12-01"))
    unreviewed, reviewed, stale = audit(data)
    assert f"{REC} 2025-07-01" in {f.subject for f in reviewed}
    assert f"{REC} 2025-07-02" in {f.subject for f in unreviewed}
    assert [e["subject"] for e in stale] == [f"{REC} 1999-01-01"]


def test_the_committed_data_has_no_unreviewed_warning():
    done = subprocess.run([sys.executable, "-m", "tracker", "audit"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 unreviewed warnings" in done.stdout and "0 stale exceptions" in done.stdout


def test_the_data_dictionary_lists_every_rule_of_the_registry():
    assert audit_module  # the audit checks are registered on import
    page = vocabulary_page(load(DATA_DIR))
    names = {r.name for r in RULES}
    assert len(names) >= 20
    for name in names:
        assert f"`{name}`" in page
