"""One careful HTTP client shared by every collector.

A run has two guards against hosts that hang: a per-host circuit breaker (after
``breaker_threshold`` timeouts or refused connections in a row a host is skipped for the rest of
the run) and a stall deadline (once ``stall_limit`` seconds have been spent
waiting on hosts since any host last answered, every remaining request is
skipped), so a run ends within about two
minutes however many targets it has, even when nothing answers.

Every request has a timeout; 5xx answers and connection errors are retried
with exponential backoff; 429 waits as long as Retry-After asks (within a cap);
redirects are followed by hand and only to allow-listed hosts; bodies over a
size limit are refused; requests to one host are spaced by a polite interval;
and conditional requests (If-None-Match / If-Modified-Since) come from the
validators stored beside the previous snapshot.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import tempfile
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

    def __init__(self, url: str, message: str, skipped: bool = False):
        super().__init__(f"{url}: {message}")
        self.url = url
        self.message = message
        self.skipped = skipped  # not tried: its host was given up on, or nothing has answered for too long


@dataclass
class Response:
    url: str
    status: int
    body: bytes
    headers: dict[str, str]
    path: str | None = None  # for a download: the temporary file that holds the body
    sha256: str = ""
    size: int = 0

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
    breaker_threshold: int = 3
    stall_limit: float = 90.0
    sleep: callable = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    _last_request: dict[str, float] = field(default_factory=dict)
    _failures: dict[str, int] = field(default_factory=dict)
    _last_failure: dict[str, str] = field(default_factory=dict)
    tripped: dict[str, str] = field(default_factory=dict)  # host -> why it was given up on
    _unanswered: float = 0.0  # seconds spent waiting on hosts since the last answer from any of them

    def __post_init__(self):
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    def _time_left(self, url: str) -> float:
        """Seconds this request may still take, or FetchError(skipped) when none."""
        host = urlparse(url).hostname or ""
        if host in self.tripped:
            raise FetchError(url, f"skipped: {host} did not answer earlier in this run ({self.tripped[host]})", skipped=True)
        left = self.stall_limit - self._unanswered
        if left <= 0:
            raise FetchError(url, f"skipped: no host has answered for {self.stall_limit:.0f} s", skipped=True)
        return left

    def _answered(self, host: str) -> None:
        self._unanswered = 0.0
        self._failures[host] = 0

    def silent_hosts(self) -> dict[str, str]:
        """Hosts whose last request got no answer at all (timeout or refused), with the reason."""
        return {host: self._last_failure.get(host, "") for host, n in self._failures.items() if n}

    def _failed(self, host: str, reason: str, waited: float) -> None:
        self._unanswered += waited
        self._last_failure[host] = reason
        self._failures[host] = self._failures.get(host, 0) + 1
        if self._failures[host] >= self.breaker_threshold:
            self.tripped.setdefault(host, reason)

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

    def get(self, url: str, params: dict | None = None, validators: dict[str, str] | None = None,
            download_to: str | None = None, max_bytes: int | None = None, accept: str | None = None) -> Response:
        """GET with every safeguard; raises :class:`FetchError` on failure.

        With ``download_to`` (a folder), the body is streamed into a temporary
        file there instead of memory; the caller moves or removes it."""
        headers = {}
        if validators:
            if validators.get("etag"):
                headers["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                headers["If-Modified-Since"] = validators["last_modified"]
        if accept:
            headers["Accept"] = accept
        original = requests.Request("GET", url, params=params).prepare().url or url
        limit = max_bytes or self.max_bytes
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._get_following_redirects(original, headers, download_to, limit)
            except _Retry as retry:
                if attempt > self.retries or retry.host in self.tripped:
                    raise FetchError(original, f"{retry.reason}; gave up after {attempt} attempts") from None
                delay = retry.delay if retry.delay is not None else self.backoff * 2 ** (attempt - 1)
                if delay > self.max_retry_after:
                    raise FetchError(original, f"{retry.reason}; the server asked to wait {delay:.0f} s, "
                                               f"more than the {self.max_retry_after:.0f} s allowed") from None
                if retry.host in self._failures and self._failures[retry.host]:
                    self._unanswered += delay  # waiting to retry a host that has not answered
                self.sleep(delay)

    def _get_following_redirects(self, url: str, headers: dict[str, str], download_to: str | None, limit: int) -> Response:
        original = url
        for _ in range(self.max_redirects + 1):
            self._check_host(url, original)
            host = urlparse(url).hostname or ""
            self._time_left(url)
            self._pace(host)
            left = self._time_left(url)
            timeout = round(min(self.timeout, max(left, 0.1)), 1)
            started = time.monotonic()
            try:
                raw = self.session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
            except requests.Timeout:
                self._failed(host, f"no answer within {timeout:g} s", time.monotonic() - started)
                raise _Retry(f"no answer within {timeout:g} s (timeout)", host=host) from None
            except requests.ConnectionError as exc:
                self._failed(host, f"connection failed ({type(exc).__name__})", time.monotonic() - started)
                raise _Retry(f"connection failed ({type(exc).__name__})", host=host) from None
            with raw:
                self._answered(host)  # an error page is an answer: the breaker is for hosts that hang
                if raw.status_code in RETRY_STATUSES:
                    raise _Retry(f"HTTP {raw.status_code} from the server", host=host)
                if raw.is_redirect or raw.status_code in (301, 302, 303, 307, 308):
                    location = raw.headers.get("Location")
                    if not location:
                        raise FetchError(original, f"HTTP {raw.status_code} without a Location header")
                    url = urljoin(url, location)
                    continue
                if raw.status_code == 429:
                    raise _Retry("HTTP 429 Too Many Requests", self._retry_after(raw.headers.get("Retry-After")), host=host)
                if raw.status_code == 304:
                    return Response(url, 304, b"", dict(raw.headers))
                if raw.status_code != 200:
                    raise FetchError(original, f"HTTP {raw.status_code} (expected 200)")
                declared = raw.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise FetchError(original, f"the response is {int(declared):,} bytes, over the {limit:,}-byte limit")
                if download_to:
                    return self._stream_to_file(raw, url, original, download_to, limit)
                body = bytearray()
                try:
                    for chunk in raw.iter_content(64 * 1024):
                        body += chunk
                        if len(body) > limit:
                            raise FetchError(original, f"the response is over the {limit:,}-byte limit")
                except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError) as exc:
                    raise _Retry(f"the response was cut off ({type(exc).__name__})", host=host) from None
                return Response(url, 200, bytes(body), dict(raw.headers), sha256=hashlib.sha256(body).hexdigest(),
                                size=len(body))
        raise FetchError(original, f"more than {self.max_redirects} redirects")

    def _stream_to_file(self, raw, url: str, original: str, folder: str, limit: int) -> Response:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".download-", suffix=".part")
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in raw.iter_content(256 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(original, f"the response is over the {limit:,}-byte limit")
                    digest.update(chunk)
                    fh.write(chunk)
            declared = raw.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) != size:
                raise _Retry(f"the response was cut off ({size:,} of {int(declared):,} bytes)", host=urlparse(url).hostname or "")
        except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError) as exc:
            os.unlink(tmp)
            raise _Retry(f"the response was cut off ({type(exc).__name__})", host=urlparse(url).hostname or "") from None
        except BaseException:
            os.unlink(tmp)
            raise
        return Response(url, 200, b"", dict(raw.headers), path=tmp, sha256=digest.hexdigest(), size=size)


class _Retry(Exception):
    def __init__(self, reason: str, delay: float | None = None, host: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.delay = delay
        self.host = host
