"""The external link report: it finds broken addresses and never fails."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import sys
import threading

from tracker import linkcheck
from tracker.paths import ROOT


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.send_response(200 if self.path.startswith("/ok") else 404)
        self.end_headers()

    do_GET = do_HEAD


def test_broken_addresses_are_reported_with_where_they_are_cited(tmp_path, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    project = tmp_path / "p"
    shutil.copytree(ROOT / "data", project / "data", ignore=shutil.ignore_patterns("raw", "inbox"))
    (project / "book").mkdir()
    (project / "book" / "page.md").write_text(f"See [this]({base}/ok/page) and [that]({base}/gone).\n")
    monkeypatch.setattr(linkcheck, "cited_urls",
                        lambda root: {f"{base}/ok/page": {"book/page.md line 1"}, f"{base}/gone": {"book/page.md line 1"},
                                      "http://127.0.0.1:9/closed": {"data/sources.csv row 2"}})
    text, broken = linkcheck.report(project, timeout=2)
    server.shutdown()
    assert broken == 2
    assert f"{base}/gone | HTTP 404 | book/page.md line 1" in text
    assert "http://127.0.0.1:9/closed | ConnectionError | data/sources.csv row 2" in text
    assert f"{base}/ok/page |" not in text


def test_every_cited_address_is_collected_from_data_and_chapters():
    where = linkcheck.cited_urls(ROOT)
    assert any("data/sources.csv" in w for places in where.values() for w in places)
    assert any(w.startswith("book/") for places in where.values() for w in places)


def test_the_command_never_fails(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(ROOT / "data", project / "data", ignore=shutil.ignore_patterns("raw", "inbox"))
    (project / "book").mkdir()
    csv = (project / "data" / "sources.csv").read_text().splitlines()
    # Point every address at a closed local port, so the run is offline and fast.
    import re
    (project / "data" / "sources.csv").write_text("\n".join(re.sub(r"https?://[^,\"]+", "http://127.0.0.1:9/x", l) for l in csv) + "\n")
    for name in ("reviews.csv", "recommendations.csv"):
        text = (project / "data" / name).read_text()
        (project / "data" / name).write_text(re.sub(r"https?://[^,\"]+", "http://127.0.0.1:9/y", text))
    result = subprocess.run([sys.executable, "-m", "tracker", "--data", str(project / "data"), "linkcheck", "--timeout", "1"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "broken" in result.stdout and "127.0.0.1:9" in result.stdout
