"""Running the collectors over the targets in ``data/collection_targets.csv``."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..model import load
from ..tables import clean, read_all
from . import documents
from .http import Client, FetchError
from .inbox import Inbox
from .snapshots import Snapshot, snapshot_name
from .sources import COLLECTORS, ShapeError, allowed_hosts, load_json, today_iso

RAW_DIR = "raw"


@dataclass
class Outcome:
    target: dict
    result: str  # new | changed | unchanged | failed | skipped
    candidates: int = 0
    error: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    unanswered: dict[str, str] = field(default_factory=dict)  # host -> why it was given up on

    def counts(self) -> Counter:
        return Counter(o.result for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result in ("failed", "skipped")]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == "skipped"]

    def summary(self) -> str:
        c = self.counts()
        added = sum(o.candidates for o in self.outcomes)
        text = (f"fetched {c['new']}, changed {c['changed']}, unchanged {c['unchanged']}, failed {c['failed']}, "
                f"skipped {c['skipped']}; {added} new candidate{'s' if added != 1 else ''} in the inbox")
        for host, why in sorted(self.unanswered.items()):
            text += f"\nhost that did not answer: {host} ({why})"
        for o in self.skipped:
            text += f"\nskipped: {o.target['source']} {o.target['review_id']} {o.target['query']}"
        return text


def targets(data_dir: Path) -> list[dict]:
    pkg, tables, problems = read_all(data_dir)
    if problems or "collection_targets" not in tables:
        raise SystemExit("the data has problems; run `make check` first")
    return [clean(r) for r in tables["collection_targets"].rows]


def collect(data_dir: Path, sources: list[str] | None = None, reviews: list[str] | None = None,
            since: str | None = None, client: Client | None = None, progress=None, stall_limit: float = 90.0) -> Report:
    """Fetch every matching target, then every review's report documents; one
    failing target never stops the others, and hosts that hang are given up on."""
    corpus = load(data_dir)
    chosen = [t for t in targets(data_dir)
              if (not sources or t["source"] in sources) and (not reviews or t["review_id"] in reviews)]
    # Where each review's report can be fetched (data/report_locations.csv), as the corpus already holds it.
    by_review = {review_id: locs for review_id, locs in corpus.report_locations.items()
                 if (not sources or documents.COLLECTOR in sources) and (not reviews or review_id in reviews)}
    places = [loc for locs in by_review.values() for loc in locs]
    client = client or Client(allowed_hosts=allowed_hosts() | documents.document_hosts(places), stall_limit=stall_limit)
    inbox = Inbox(data_dir)
    report = Report()
    today = today_iso()
    total = len(chosen) + len(by_review)
    for i, target in enumerate(chosen, start=1):
        make_request, derive = COLLECTORS[target["source"]]
        request = make_request(target, since)
        snapshot = Snapshot(data_dir / RAW_DIR / target["source"] / snapshot_name(request.label))
        relative = str(snapshot.path.relative_to(data_dir))
        if progress:
            progress(i, total, target, None)
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
            outcome = Outcome(target, "skipped" if exc.skipped else "failed", error=str(exc))
        except ShapeError as exc:
            outcome = Outcome(target, "failed", error=f"{_full_url(request)}: {exc}")
        report.outcomes.append(outcome)
        if progress:
            progress(i, total, target, outcome)
    for i, (review_id, locs) in enumerate(by_review.items(), start=len(chosen) + 1):
        more = f" (and {len(locs) - 1} more location{'s' if len(locs) > 2 else ''})" if len(locs) > 1 else ""
        target = {"source": documents.COLLECTOR, "review_id": review_id, "query": locs[0]["location"] + more}
        if progress:
            progress(i, total, target, None)
        outcome = _collect_documents(data_dir, corpus, review_id, locs, client, inbox, today, target)
        report.outcomes.append(outcome)
        if progress:
            progress(i, total, target, outcome)
    report.unanswered = client.silent_hosts()
    return report


def _collect_documents(data_dir: Path, corpus, review_id: str, locs: list[dict], client: Client, inbox: Inbox,
                       today: str, target: dict) -> Outcome:
    folder = data_dir / RAW_DIR / "documents" / review_id
    fetched, errors, skipped = [], [], []
    for loc in locs:
        got = documents.fetch_location(client, loc, folder)
        fetched += got.fetched
        errors += got.errors
        skipped += got.skipped
    declared = corpus.reviews[review_id].get("recommendations_in_source") or ""
    extractions, unreadable = documents.read_documents(fetched, int(declared) if str(declared).isdigit() else None)
    errors += unreadable
    for fetched_doc, extraction in extractions:
        documents.save_extraction(fetched_doc, extraction, data_dir)
    best = documents.best_extraction(extractions)
    added = 0
    if best:
        doc, extraction = best
        if not extraction.recommendations and declared:
            errors.append(f"{doc.public_url}: no numbered recommendations found where {declared} are declared "
                          "(has the report's layout changed?)")
        else:
            found = documents.candidates(review_id, doc, extraction, corpus, str(doc.path.relative_to(data_dir)), today)
            added = inbox.add(found)
    results = {f.result for f in fetched}
    result = "new" if "new" in results else "changed" if "changed" in results else "unchanged"
    if skipped and not fetched:
        return Outcome(target, "skipped", added, "; ".join(skipped))
    if errors or (not fetched and not skipped):
        message = "; ".join(errors + skipped) or f"no documents found at {target['query']}"
        return Outcome(target, "failed", added, message)
    return Outcome(target, result, added)


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
