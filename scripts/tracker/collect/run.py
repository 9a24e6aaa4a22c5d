"""Running the collectors over the targets in ``data/collection_targets.csv``."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..model import load
from ..tables import clean, read_all
from .http import Client, FetchError
from .inbox import Inbox
from .snapshots import Snapshot, snapshot_name
from .sources import COLLECTORS, ShapeError, allowed_hosts, load_json, today_iso

RAW_DIR = "raw"


@dataclass
class Outcome:
    target: dict
    result: str  # new | changed | unchanged | failed
    candidates: int = 0
    error: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(o.result for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == "failed"]

    def summary(self) -> str:
        c = self.counts()
        added = sum(o.candidates for o in self.outcomes)
        return (f"fetched {c['new']}, changed {c['changed']}, unchanged {c['unchanged']}, failed {c['failed']}; "
                f"{added} new candidate{'s' if added != 1 else ''} in the inbox")


def targets(data_dir: Path) -> list[dict]:
    pkg, tables, problems = read_all(data_dir)
    if problems or "collection_targets" not in tables:
        raise SystemExit("the data has problems; run `make check` first")
    return [clean(r) for r in tables["collection_targets"].rows]


def collect(data_dir: Path, sources: list[str] | None = None, reviews: list[str] | None = None,
            since: str | None = None, client: Client | None = None, progress=None) -> Report:
    """Fetch every matching target; one failing target never stops the others."""
    corpus = load(data_dir)
    chosen = [t for t in targets(data_dir)
              if (not sources or t["source"] in sources) and (not reviews or t["review_id"] in reviews)]
    client = client or Client(allowed_hosts=allowed_hosts())
    inbox = Inbox(data_dir)
    report = Report()
    today = today_iso()
    for i, target in enumerate(chosen, start=1):
        make_request, derive = COLLECTORS[target["source"]]
        request = make_request(target, since)
        snapshot = Snapshot(data_dir / RAW_DIR / target["source"] / snapshot_name(request.label))
        relative = str(snapshot.path.relative_to(data_dir))
        if progress:
            progress(i, len(chosen), target, None)
        try:
            response = client.get(request.url, request.params, snapshot.validators())
            if response.not_modified:
                body, result = snapshot.body(), "unchanged"
            else:
                body = response.body
            document = load_json(body)
            found = derive(document, target, corpus, relative, today)
            if not response.not_modified:
                # Only a response whose structure checked out replaces the last good snapshot.
                result = snapshot.store(response, _full_url(request), request.licence, target["source"])
            outcome = Outcome(target, result, inbox.add(found))
        except FetchError as exc:
            outcome = Outcome(target, "failed", error=str(exc))
        except ShapeError as exc:
            outcome = Outcome(target, "failed", error=f"{_full_url(request)}: {exc}")
        report.outcomes.append(outcome)
        if progress:
            progress(i, len(chosen), target, outcome)
    return report


def _full_url(request) -> str:
    import requests

    return requests.Request("GET", request.url, params=request.params).prepare().url or request.url


def print_progress(i: int, total: int, target: dict, outcome: Outcome | None, stream=sys.stderr) -> None:
    label = f"[{i:>{len(str(total))}}/{total}] {target['source']:<30} {target['review_id']:<18} {target['query'][:40]}"
    if outcome is None:
        stream.write(f"{label} ...\r")
    else:
        extra = f" ({outcome.candidates} new candidates)" if outcome.candidates else ""
        status = outcome.result if outcome.result != "new" else "fetched"
        stream.write(f"{label} {status}{extra}\n")
        if outcome.error:
            stream.write(f"    error: {outcome.error}\n")
    stream.flush()
