"""One careful HTTP client shared by every collector.

Every request has a timeout; 5xx answers and connection errors are retried
with exponential backoff; 429 waits as long as Retry-After asks (within a cap);
redirects are followed by hand and only to allow-listed hosts; bodies over a
size limit are refused; requests to one host are spaced by a polite interval;
and conditional requests (If-None-Match / If-Modified-Since) come from the
validators stored beside the previous snapshot.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse

import requests

from .. import __version__

USER_AGENT = (f"nhs-leadership-reviews-tracker/{__version__} "
              "(+open knowledge base of NHS leadership review recommendations; polite collector)")
RETRY_STATUSES = {500, 502, 503, 504}


class FetchError(Exception):
    """An upstream failure, with the URL and what went wrong, for a person to read."""

    def __init__(self, url: str, message: str):
        super().__init__(f"{url}: {message}")
        self.url = url
        self.message = message


@dataclass
class Response:
    url: str
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class Client:
    allowed_hosts: set[str]
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 120.0
    max_bytes: int = 20 * 1024 * 1024
    min_interval: float = 1.0
    max_redirects: int = 5
    sleep: callable = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    _last_request: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    def _check_host(self, url: str, original: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or parsed.hostname not in self.allowed_hosts:
            raise FetchError(original, f"refused to follow a redirect to {url}: {parsed.hostname} is not an allowed host")

    def _pace(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None:
            wait = self.min_interval - (time.monotonic() - last)
            if wait > 0:
                self.sleep(wait)
        self._last_request[host] = time.monotonic()

    def _retry_after(self, value: str | None) -> float:
        if not value:
            return self.backoff
        try:
            seconds = float(value)
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value)
            seconds = parsed.timestamp() - time.time() if parsed else self.backoff
        return max(0.0, seconds)

    def get(self, url: str, params: dict | None = None, validators: dict[str, str] | None = None) -> Response:
        """GET with every safeguard; raises :class:`FetchError` on failure."""
        headers = {}
        if validators:
            if validators.get("etag"):
                headers["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                headers["If-Modified-Since"] = validators["last_modified"]
        original = requests.Request("GET", url, params=params).prepare().url or url
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._get_following_redirects(original, headers)
            except _Retry as retry:
                if attempt > self.retries:
                    raise FetchError(original, f"{retry.reason}; gave up after {attempt} attempts") from None
                delay = retry.delay if retry.delay is not None else self.backoff * 2 ** (attempt - 1)
                if delay > self.max_retry_after:
                    raise FetchError(original, f"{retry.reason}; the server asked to wait {delay:.0f} s, "
                                               f"more than the {self.max_retry_after:.0f} s allowed") from None
                self.sleep(delay)

    def _get_following_redirects(self, url: str, headers: dict[str, str]) -> Response:
        original = url
        for _ in range(self.max_redirects + 1):
            self._check_host(url, original)
            self._pace(urlparse(url).hostname or "")
            try:
                raw = self.session.get(url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False)
            except requests.Timeout:
                raise _Retry(f"no answer within {self.timeout:.0f} s (timeout)") from None
            except requests.ConnectionError as exc:
                raise _Retry(f"connection failed ({type(exc).__name__})") from None
            with raw:
                if raw.is_redirect or raw.status_code in (301, 302, 303, 307, 308):
                    location = raw.headers.get("Location")
                    if not location:
                        raise FetchError(original, f"HTTP {raw.status_code} without a Location header")
                    url = urljoin(url, location)
                    continue
                if raw.status_code == 429:
                    raise _Retry("HTTP 429 Too Many Requests", self._retry_after(raw.headers.get("Retry-After")))
                if raw.status_code in RETRY_STATUSES:
                    raise _Retry(f"HTTP {raw.status_code} from the server")
                if raw.status_code == 304:
                    return Response(url, 304, b"", dict(raw.headers))
                if raw.status_code != 200:
                    raise FetchError(original, f"HTTP {raw.status_code} (expected 200)")
                declared = raw.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(original, f"the response is {int(declared):,} bytes, over the {self.max_bytes:,}-byte limit")
                body = bytearray()
                try:
                    for chunk in raw.iter_content(64 * 1024):
                        body += chunk
                        if len(body) > self.max_bytes:
                            raise FetchError(original, f"the response is over the {self.max_bytes:,}-byte limit")
                except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError) as exc:
                    raise _Retry(f"the response was cut off ({type(exc).__name__})") from None
                return Response(url, 200, bytes(body), dict(raw.headers))
        raise FetchError(original, f"more than {self.max_redirects} redirects")


class _Retry(Exception):
    def __init__(self, reason: str, delay: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.delay = delay
