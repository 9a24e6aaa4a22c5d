"""A human-readable diff of the curated data between a git revision and the
working tree: recommendations added, removed or changed, status changes, and
new sources. Used by `make diff-data` and by CI for the pull-request summary."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from .model import Corpus, load
from .tables import DataPackage


class DiffError(Exception):
    pass


def corpus_at(revision: str, repo: Path) -> Corpus:
    """The corpus as committed at ``revision`` (read with git, without touching the working tree)."""
    def show(path: str) -> bytes:
        result = subprocess.run(["git", "-C", str(repo), "show", f"{revision}:{path}"], capture_output=True)
        if result.returncode != 0:
            raise DiffError(f"cannot read {path} at {revision}: {result.stderr.decode().strip()}")
        return result.stdout

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        (data / "datapackage.json").write_bytes(show("data/datapackage.json"))
        pkg = DataPackage(data)
        for resource in pkg.resources.values():
            try:
                content = show(f"data/{resource['path']}")
            except DiffError:
                fields = ",".join(f["name"] for f in resource["schema"]["fields"])
                content = (fields + "\n").encode()  # a table that did not exist yet
            (data / resource["path"]).write_bytes(content)
        return load(data)


def diff(old: Corpus, new: Corpus) -> dict[str, list]:
    added = sorted(set(new.recommendations) - set(old.recommendations))
    removed = sorted(set(old.recommendations) - set(new.recommendations))
    changed = []
    for rec_id in sorted(set(new.recommendations) & set(old.recommendations)):
        before, after = old.recommendations[rec_id], new.recommendations[rec_id]
        columns = [c for c in after if before.get(c) != after.get(c)]
        if columns:
            changed.append((rec_id, columns))
    status = []
    for rec_id in sorted(new.recommendations):
        if new.is_ask(rec_id):
            continue
        was = old.status(rec_id) if rec_id in old.recommendations else None
        now = new.status(rec_id)
        if was != now:
            status.append((rec_id, was, now))
    new_assessments = sorted(
        (a["rec_id"], a["as_of"], a["status"]) for rec_id, history in new.assessments_of.items() for a in history
        if (a["rec_id"], a["as_of"]) not in {(b["rec_id"], b["as_of"]) for b in old.assessments_of.get(rec_id, [])})
    sources = sorted(set(new.sources) - set(old.sources))
    reviews = sorted(set(new.reviews) - set(old.reviews))
    return {"reviews": reviews, "added": added, "removed": removed, "changed": changed, "status": status,
            "assessments": new_assessments, "sources": sources}


def render(changes: dict[str, list], new: Corpus, old: Corpus, base: str) -> str:
    lines = [f"## Data changes since {base}", ""]
    if not any(changes.values()):
        return "\n".join(lines + ["No changes to the curated data.", ""])

    def title(corpus: Corpus, rec_id: str) -> str:
        rec = corpus.recommendations[rec_id]
        return f"`{rec_id}` {rec['title']}"

    if changes["reviews"]:
        lines += [f"### New reviews ({len(changes['reviews'])})", ""]
        lines += [f"- `{r}` {new.reviews[r]['title']} ({new.reviews[r]['published']})" for r in changes["reviews"]] + [""]
    if changes["added"]:
        lines += [f"### Recommendations added ({len(changes['added'])})", ""] + [f"- {title(new, r)}" for r in changes["added"]] + [""]
    if changes["removed"]:
        lines += [f"### Recommendations removed ({len(changes['removed'])})", ""] + [f"- {title(old, r)}" for r in changes["removed"]] + [""]
    if changes["changed"]:
        lines += [f"### Recommendations changed ({len(changes['changed'])})", ""]
        lines += [f"- {title(new, r)}: {', '.join(cols)}" for r, cols in changes["changed"]] + [""]
    if changes["status"]:
        lines += [f"### Status changes ({len(changes['status'])})", ""]
        lines += [f"- {title(new, r)}: {was or 'new'} → **{now}**" for r, was, now in changes["status"]] + [""]
    if changes["assessments"]:
        lines += [f"### New assessments ({len(changes['assessments'])})", ""]
        lines += [f"- `{r}` as of {d}: {s}" for r, d, s in changes["assessments"]] + [""]
    if changes["sources"]:
        lines += [f"### New sources ({len(changes['sources'])})", ""]
        lines += [f"- `{s}` {new.sources[s]['title']} ({new.sources[s]['url']})" for s in changes["sources"]] + [""]
    return "\n".join(lines)


def data_diff(base: str, repo: Path) -> str:
    old = corpus_at(base, repo)
    new = load(repo / "data")
    return render(diff(old, new), new, old, base)
