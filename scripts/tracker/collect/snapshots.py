"""Raw snapshots under ``data/raw/<collector>/`` with a provenance sidecar each.

The sidecar (``<name>.provenance.json``) records where the bytes came from:
URL, retrieval time, HTTP status, ETag and Last-Modified, SHA-256 and size,
and the licence. Both files are written atomically, body first, so an
interrupted run leaves the previous pair intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .http import Response

LICENCES = {
    "OGL-UK-3.0": "Open Government Licence v3.0",
    "OPL": "Open Parliament Licence",
    "not-stated": "No licence stated: kept only to check the curated data against it",
}


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def snapshot_name(label: str, suffix: str = ".json") -> str:
    """A readable, stable file name for a request label."""
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:80] or "snapshot"
    return f"{slug}-{hashlib.sha256(label.encode()).hexdigest()[:8]}{suffix}"


@dataclass
class Snapshot:
    path: Path

    @property
    def sidecar(self) -> Path:
        return self.path.with_name(self.path.with_suffix("").name + ".provenance.json")

    def provenance(self) -> dict | None:
        try:
            return json.loads(self.sidecar.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def validators(self) -> dict[str, str]:
        """ETag and Last-Modified of the stored snapshot, for a conditional request."""
        meta = self.provenance()
        if not meta or not self.path.exists():
            return {}
        return {k: meta[k] for k in ("etag", "last_modified") if meta.get(k)}

    def body(self) -> bytes:
        return self.path.read_bytes()

    def store(self, response: Response, requested_url: str, licence: str, collector: str, public_url: str = "") -> str:
        """Write the body and its sidecar; returns 'new', 'changed' or 'unchanged' (nothing written)."""
        digest = hashlib.sha256(response.body).hexdigest()
        previous = self.provenance()
        if previous and previous.get("sha256") == digest and self.path.exists():
            return "unchanged"
        atomic_write(self.path, response.body)
        self._write_sidecar(response, requested_url, digest, len(response.body), licence, collector, public_url)
        return "changed" if previous else "new"

    def store_download(self, response: Response, requested_url: str, licence: str, collector: str, public_url: str = "") -> str:
        """Move a streamed download (``response.path``) into place with its sidecar;
        'unchanged' (the download is discarded) when the bytes are the same as before."""
        previous = self.provenance()
        if previous and previous.get("sha256") == response.sha256:
            # The same bytes as last time. The body may be missing (report documents
            # are not committed): keep this copy, but the record has not changed.
            if self.path.exists():
                os.unlink(response.path)
            else:
                os.replace(response.path, self.path)
            return "unchanged"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(response.path, self.path)
        self._write_sidecar(response, requested_url, response.sha256, response.size, licence, collector, public_url)
        return "changed" if previous else "new"

    def _write_sidecar(self, response: Response, requested_url: str, digest: str, size: int, licence: str,
                       collector: str, public_url: str) -> None:
        headers = {k.lower(): v for k, v in response.headers.items()}
        meta = {
            "url": requested_url,
            "final_url": response.url,
            "retrieved_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "http_status": response.status,
            "etag": headers.get("etag"),
            "last_modified": headers.get("last-modified"),
            "content_type": headers.get("content-type"),
            "sha256": digest,
            "bytes": size,
            "licence": licence,
            "licence_title": LICENCES[licence],
            "collector": collector,
        }
        if public_url:
            meta["public_url"] = public_url
        atomic_write(self.sidecar, (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode("utf-8"))
