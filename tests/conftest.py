"""Shared fixtures: a copy of the repository to change freely, a built site,
a local web server for it, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tracker.bench import copy_project  # noqa: F401  (re-exported for the tests)

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
ARTIFACTS = ROOT / "test-artifacts"


def build(project: Path, *extra: str, site_url: str = "") -> subprocess.CompletedProcess:
    """Build the book in ``project`` with warnings as errors; the output is returned, not raised.
    ``site_url`` is the public address the build is told (none by default, as on a fresh clone)."""
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    if site_url:
        env["SITE_URL"] = site_url
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(project), "-W", "--keep-going", *extra],
        capture_output=True, text=True, timeout=900, cwd=project, env=env,
    )


def edit_cell(csv_path: Path, match: dict[str, str], column: str, value: str) -> None:
    """Change one cell of a CSV, in the rows whose columns equal ``match``, as a
    contributor would in a spreadsheet."""
    import csv

    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0].keys())
    hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert hits, f"no row matching {match} in {csv_path}"
    for r in hits:
        r[column] = value
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


#: The address the publishing tests give the build: a reserved test domain, never a real host.
PUBLISHED_AT = "https://tracker.reviews.test/site/"


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> Path:
    """The committed data built as the publishing workflow builds it, with its public address."""
    project = copy_project(tmp_path_factory.mktemp("published"))
    result = build(project, site_url=PUBLISHED_AT)
    assert result.returncode == 0, f"the book did not build cleanly:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return project


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The committed data built into a temporary folder; returns the project copy."""
    project = copy_project(tmp_path_factory.mktemp("site"))
    result = build(project)
    assert result.returncode == 0, f"the book did not build cleanly:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return project


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


def serve_site(site: Path):
    """Serve a built site from 127.0.0.1 on a free port; yields its address."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    yield from serve_site(built_site / "_build" / "html")


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM")
    for candidate in ([configured] if configured else []) + CHROMIUM_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        message = "Chromium was not found (install Debian's 'chromium' package, or set CHROMIUM=/path/to/chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + "; in CI the browser tests must run, so this is an error")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


PAGED_ROWS = 15


@pytest.fixture(scope="session")
def paged_site(tmp_path_factory) -> Path:
    """The committed data built with listing pages of at most PAGED_ROWS rows, as a
    corpus many times larger would be: the explorer, themes, statuses and recurring
    ideas then continue over several pages."""
    import yaml

    project = copy_project(tmp_path_factory.mktemp("paged"))
    config_path = project / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config.setdefault("sphinx", {}).setdefault("config", {})["tracker_page_rows"] = PAGED_ROWS
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, f"the paged book did not build cleanly:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return project


@pytest.fixture(scope="session")
def paged_url(paged_site) -> str:
    yield from serve_site(paged_site / "_build" / "html")
