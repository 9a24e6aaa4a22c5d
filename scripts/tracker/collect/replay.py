"""A local HTTP server that replays recorded API responses, for the collector
tests and the benchmark: GOV.UK (its Content and Search APIs and its asset
host) and Parliament on one 127.0.0.1 port.

By default each route serves its recorded body with an ETag and answers a
matching If-None-Match with 304; ``script`` queues misbehaviours per path
(status codes, Retry-After, delays, truncated bodies, redirects)."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from ..paths import ROOT

#: The recorded responses kept with the tests, and the API path each answers.
FIXTURES = ROOT / "tests" / "fixtures" / "collect"
REPORT_PATH = ("/api/content/government/publications/health-and-social-care-review-leadership-for-a-collaborative-"
               "and-inclusive-future/leadership-for-a-collaborative-and-inclusive-future")
PUBLICATION_PATH = "/api/content/government/publications/health-and-social-care-review-leadership-for-a-collaborative-and-inclusive-future"
#: The publication's PDF attachment, on GOV.UK's asset host (GOVUK_ASSETS_ROOT points it here).
ASSET_PATH = "/media/000000000000000000000001/leadership-review-placeholder.pdf"
FIXTURE_ROUTES = {
    REPORT_PATH: "govuk-content-report.json",
    PUBLICATION_PATH: "govuk-content-publication.json",
    ASSET_PATH: "leadership-review-placeholder.pdf",
    "/api/search.json": "govuk-search.json",
    "/api/writtenquestions/questions": "parliament-questions.json",
    "/api/writtenstatements/statements": "parliament-statements.json",
}

class ReplayServer:
    """GOV.UK and Parliament on one local port. By default each route serves
    its fixture with an ETag and honours If-None-Match; ``script`` queues
    misbehaviours (status codes, delays, truncation, redirects) per path."""

    def __init__(self, bodies: dict[str, bytes], host: str = "127.0.0.1"):
        self.requests: list[tuple[str, dict, dict]] = []
        self.script: dict[str, list[dict]] = {}
        self.bodies = dict(bodies)
        self.hang = 0.0  # when set, every request waits this long before any answer (a host that hangs)
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                parsed = urlparse(self.path)
                api.requests.append((parsed.path, parse_qs(parsed.query), dict(self.headers)))
                if api.hang:
                    time.sleep(api.hang)
                    self.close_connection = True
                    return
                queued = api.script.get(parsed.path)
                action = queued.pop(0) if queued else {}
                if action.get("delay"):
                    time.sleep(action["delay"])
                body = action.get("body", api.bodies.get(parsed.path))
                if body is None:
                    return self._send(404, b'{"error": "not found"}')
                status = action.get("status", 200)
                if "location" in action:
                    self.send_response(status)
                    self.send_header("Location", action["location"])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if status == 429:
                    return self._send(429, b"slow down", {"Retry-After": action.get("retry_after", "1")})
                if status != 200:
                    return self._send(status, b"upstream trouble")
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                kind = "application/pdf" if parsed.path.endswith(".pdf") else "text/html" if parsed.path.endswith(".html") \
                    else "application/json"
                headers = {"ETag": etag, "Last-Modified": "Wed, 08 Jun 2022 09:00:00 GMT", "Content-Type": kind}
                if action.get("declare_length"):
                    headers["Content-Length"] = str(action["declare_length"])
                if action.get("truncate"):
                    self.send_response(200)
                    headers["Content-Length"] = str(len(body))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 3])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send(200, body, headers)

            def _send(self, status, body, headers=None):
                self.send_response(status)
                headers = dict(headers or {})
                headers.setdefault("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.root = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hits(self, path: str) -> list[tuple[str, dict, dict]]:
        return [r for r in self.requests if r[0] == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def recorded_bodies(folder: Path, routes: dict[str, str]) -> dict[str, bytes]:
    """Map each API path to the bytes of its recorded response file in ``folder``."""
    return {path: (folder / name).read_bytes() for path, name in routes.items()}


