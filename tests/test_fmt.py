"""`make fmt-data`: one canonical form for the tables, losing nothing."""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tracker.fmt import format_tables
from tracker.model import load
from tracker.paths import DATA_DIR
from tracker.validate import validate


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("raw"))
    return target


def scramble(path: Path) -> None:
    """Save a table as a careless spreadsheet might: columns moved, rows shuffled,
    BOM, CRLF, every cell quoted, blank lines at the end."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    order = list(reversed(range(len(header))))
    random.Random(7).shuffle(body)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        writer.writerow([header[i] for i in order])
        writer.writerows([[r[i] for i in order] for r in body])
        fh.write("\r\n\r\n")


def test_formatting_restores_canonical_form_and_keeps_every_value(data):
    canonical = {p.name: p.read_bytes() for p in data.glob("*.csv")}
    before = load(data)
    for path in data.glob("*.csv"):
        scramble(path)
    assert validate(data) == [], "a scrambled but valid file is still valid: formatting is never required"
    changed, problems = format_tables(data)
    assert problems == []
    assert {p.name for p in changed} == set(canonical)
    after = load(data)
    assert after.recommendations == before.recommendations and after.assessments_of == before.assessments_of
    for path in data.glob("*.csv"):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
        assert raw == canonical[path.name], f"{path.name} is not in the committed canonical form"


def test_formatting_twice_changes_nothing(data):
    format_tables(data)
    assert format_tables(data) == ([], [])


def test_rows_are_sorted_with_numbers_in_natural_order(data):
    path = data / "recommendations.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    extra = dict(rows[0])
    extra.update(rec_id=f"{extra['review_id']}-r10", number="10")
    with open(path, "a", newline="", encoding="utf-8") as fh:
        csv.DictWriter(fh, fieldnames=list(extra), lineterminator="\n").writerow(extra)
    format_tables(data)
    with open(path, newline="", encoding="utf-8") as fh:
        ids = [r["rec_id"] for r in csv.DictReader(fh) if r["review_id"] == extra["review_id"]]
    assert ids[-1] == f"{extra['review_id']}-r10"


def test_a_file_that_cannot_be_read_is_left_alone(data):
    path = data / "themes.csv"
    broken = path.read_bytes() + b"only,two\n"
    path.write_bytes(broken)
    changed, problems = format_tables(data)
    assert path.read_bytes() == broken
    assert any(p.file == "data/themes.csv" for p in problems)


def test_check_mode_reports_without_writing(data):
    scramble(data / "links.csv")
    scrambled = (data / "links.csv").read_bytes()
    result = subprocess.run([sys.executable, "-m", "tracker", "--data", str(data), "fmt-data", "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "links.csv" in result.stdout
    assert (data / "links.csv").read_bytes() == scrambled
