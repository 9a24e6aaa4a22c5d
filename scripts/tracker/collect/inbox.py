"""The review inbox: candidates proposed by the collectors, and the decisions
people take on them. Accepting a candidate writes curated rows (a source, and
an assessment in the curator's own words); rejecting it only records the
decision. Either way the same candidate is never proposed again."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path

from ..fmt import canonical_text
from ..tables import DataPackage, read_all
from ..validate import validate
from .snapshots import atomic_write

INBOX_DIR = "inbox"
CANDIDATES = "candidates.csv"
DECISIONS = "decisions.csv"


@dataclass
class Candidate:
    candidate_id: str
    kind: str  # evidence | drift | new-recommendation | check | link
    review_id: str
    suggested_rec_id: str
    title: str
    url: str
    published: str
    publisher: str
    detail: str
    collector: str
    snapshot: str
    licence: str
    found_on: str
    # Read from a review's own document (new-recommendation and check candidates):
    number: str = ""
    locator: str = ""
    document_sha256: str = ""
    extracted_text: str = ""
    # A suggested link (make suggest-links): suggested_rec_id is the later recommendation,
    # target_rec_id the earlier one, and score their similarity (tracker.similar).
    target_rec_id: str = ""
    score: str = ""

    @staticmethod
    def make_id(*parts: str) -> str:
        return "c-" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


@dataclass
class Decision:
    candidate_id: str
    decision: str  # accepted | rejected
    decided_on: str
    rec_id: str
    source_id: str
    note: str


def _read(path: Path, cls):
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        names = [f.name for f in fields(cls)]
        return [cls(**{n: row.get(n, "") for n in names}) for row in csv.DictReader(fh)]


def _write(path: Path, rows: list, cls) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[f.name for f in fields(cls)], lineterminator="\n")
    writer.writeheader()
    writer.writerows(asdict(r) for r in rows)
    atomic_write(path, buffer.getvalue().encode("utf-8"))


class Inbox:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.dir = self.data_dir / INBOX_DIR

    def candidates(self) -> list[Candidate]:
        return _read(self.dir / CANDIDATES, Candidate)

    def decisions(self) -> list[Decision]:
        return _read(self.dir / DECISIONS, Decision)

    def pending(self) -> list[Candidate]:
        decided = {d.candidate_id for d in self.decisions()}
        return [c for c in self.candidates() if c.candidate_id not in decided]

    def by_priority(self, corpus) -> list[tuple[Candidate, str]]:
        """The pending candidates, those that touch a recommendation with an overdue promise
        first, then those touching one due for a fresh look, then the rest (each group in
        its found order), with the reason each is where it is."""
        from ..commitments import needs_fresh_look, outcome

        as_of = corpus.as_of()

        def flags(rec_id: str) -> tuple[bool, bool]:
            if rec_id not in corpus.recommendations or corpus.is_ask(rec_id):
                return False, False
            overdue = any(outcome(c, as_of)[0] == "overdue" for c in corpus.commitments_of(rec_id))
            return overdue, needs_fresh_look(corpus, rec_id)

        ranked = []
        for n, c in enumerate(self.pending()):
            touched = [c.suggested_rec_id] if c.suggested_rec_id else [r["rec_id"] for r in corpus.recs_of(c.review_id)] \
                if c.review_id in corpus.reviews else []
            marks = [flags(r) for r in touched]
            if any(o for o, _ in marks):
                rank, why = 0, "touches a recommendation with an overdue promise"
            elif any(f for _, f in marks):
                rank, why = 1, "touches a recommendation due for a fresh look"
            else:
                rank, why = 2, ""
            ranked.append((rank, n, c, why))
        return [(c, why) for _, _, c, why in sorted(ranked, key=lambda t: (t[0], t[1]))]

    def add(self, new: list[Candidate]) -> int:
        """Add candidates not seen before (neither pending nor decided); returns how many."""
        known = {c.candidate_id for c in self.candidates()} | {d.candidate_id for d in self.decisions()}
        fresh, seen = [], set()
        for c in new:
            if c.candidate_id not in known and c.candidate_id not in seen:
                fresh.append(c)
                seen.add(c.candidate_id)
        if fresh:
            _write(self.dir / CANDIDATES, self.candidates() + fresh, Candidate)
        return len(fresh)

    def get(self, candidate_id: str) -> Candidate:
        for c in self.pending():
            if c.candidate_id == candidate_id:
                return c
        if any(d.candidate_id == candidate_id for d in self.decisions()):
            raise InboxError(f"candidate {candidate_id} has already been decided")
        raise InboxError(f"there is no candidate {candidate_id} in {self.dir / CANDIDATES}")

    def _decide(self, decision: Decision) -> None:
        _write(self.dir / DECISIONS, self.decisions() + [decision], Decision)

    def reject(self, candidate_id: str, note: str, today: date | None = None) -> Decision:
        self.get(candidate_id)
        decision = Decision(candidate_id, "rejected", (today or date.today()).isoformat(), "", "", note)
        self._decide(decision)
        return decision

    def accept(self, candidate_id: str, rec_id: str = "", status: str = "", evidence: str = "",
               confidence: str = "medium", as_of: str = "", note: str = "", today: date | None = None,
               title: str = "", summary: str = "", themes: list[str] | None = None, response: str = "",
               response_source_id: str = "", response_note: str = "", addressed_to: str = "",
               confirm_number: bool = False, relation: str = "", parts_operating: str = "",
               parts_partly: str = "") -> Decision:
        """Write the curated rows for a candidate, validated as a whole before anything is replaced."""
        candidate = self.get(candidate_id)
        today_iso = (today or date.today()).isoformat()
        if candidate.kind == "link":
            return self._accept_link(candidate, today_iso, relation, note)
        if candidate.kind == "new-recommendation":
            return self._accept_recommendation(candidate, today_iso, title, summary, themes or [], response,
                                               response_source_id, response_note, addressed_to, note)
        if candidate.kind == "check":
            return self._accept_check(candidate, today_iso, confirm_number, note)
        if candidate.kind == "drift":
            decision = Decision(candidate_id, "accepted", today_iso, rec_id, "", note or candidate.detail)
            self._decide(decision)
            return decision
        if rec_id and not (status and evidence):
            raise InboxError("to record an assessment, give --status and --evidence (in your own words)")
        pkg, tables, problems = read_all(self.data_dir)
        if problems:
            raise InboxError("the curated data has problems; run `make check` and fix them first")
        source_id = self._source_id(candidate, {r["source_id"] for r in tables["sources"].rows})
        new_rows = {"sources": [{
            "source_id": source_id, "title": candidate.title, "publisher": candidate.publisher,
            "published": candidate.published, "published_precision": "day" if candidate.published else "",
            "url": candidate.url, "accessed": today_iso, "copy_note": "",
        }]}
        if rec_id:
            new_rows["assessments"] = [{
                "rec_id": rec_id, "as_of": as_of or candidate.published or today_iso, "as_of_precision": "day", "status": status,
                "parts_operating": parts_operating, "parts_partly": parts_partly,
                "evidence": evidence, "source_id": source_id, "assessed_on": today_iso, "confidence": confidence, "note": "",
            }]
        self._write_curated(pkg, tables, new_rows)
        decision = Decision(candidate_id, "accepted", today_iso, rec_id, source_id, note)
        self._decide(decision)
        return decision

    def _accept_recommendation(self, candidate: Candidate, today_iso: str, title: str, summary: str, themes: list[str],
                               response: str, response_source_id: str, response_note: str, addressed_to: str,
                               note: str) -> Decision:
        """A number the report has and data/ lacks becomes a row: the title, summary and
        themes are the curator's; the address, locator and number basis come from the document."""
        missing = [name for name, value in (("TITLE", title), ("SUMMARY", summary), ("THEMES", themes),
                                            ("RESPONSE", response)) if not value]
        if missing:
            raise InboxError(f"to add {candidate.suggested_rec_id}, give {', '.join(missing)}: the title and summary in "
                             "your own words (the report's text stays in the inbox), at least one theme_id, and the "
                             "government's response (unknown needs RESPONSE_SOURCE and a NOTE)")
        if not re.fullmatch(r"[0-9]+[a-z]?", candidate.number):
            raise InboxError(f"the report numbers this recommendation '{candidate.number}'; numbers like 2.3 cannot be "
                             "recorded yet (recommendations.csv numbers are whole numbers with an optional letter)")
        pkg, tables, problems = read_all(self.data_dir)
        if problems:
            raise InboxError("the curated data has problems; run `make check` and fix them first")
        rec_id = f"{candidate.review_id}-r{candidate.number}"
        locator = f"Recommendation {candidate.number}" + (f", {candidate.locator}" if candidate.locator else "")
        if candidate.locator.startswith("p. "):
            locator += " of the PDF"
        new_rows = {
            "recommendations": [{
                "rec_id": rec_id, "review_id": candidate.review_id, "number": candidate.number, "title": title,
                "summary": summary, "addressed_to": addressed_to or "unknown", "government_response": response,
                "response_source_id": response_source_id, "response_note": response_note, "source_url": candidate.url,
                "source_locator": locator, "number_basis": "report",
            }],
            "recommendation_themes": [{"rec_id": rec_id, "theme_id": t} for t in themes],
        }
        self._write_curated(pkg, tables, new_rows)
        decision = Decision(candidate.candidate_id, "accepted", today_iso, rec_id, "", note)
        self._decide(decision)
        return decision

    def _accept_link(self, candidate: Candidate, today_iso: str, relation: str, note: str) -> Decision:
        """A suggested pair becomes a row of links.csv, in the curator's words, marked provenance=suggestion."""
        pkg, tables, problems = read_all(self.data_dir)
        if problems:
            raise InboxError("the curated data has problems; run `make check` and fix them first")
        relations = pkg.enum("links", "relation")
        if relation not in relations:
            raise InboxError(f"to link {candidate.suggested_rec_id} to {candidate.target_rec_id}, give RELATION, one of "
                             f"{', '.join(relations)} (read as: {candidate.suggested_rec_id} RELATION {candidate.target_rec_id}); "
                             "if they are not related, reject the candidate instead"
                             + (f" ('{relation}' is not one of them)" if relation else ""))
        note = " ".join((note or "").split())
        if not note:
            raise InboxError("give NOTE: one line, in your own words, on why the link holds (it is shown beside the link)")
        new_rows = {"links": [{"from_rec": candidate.suggested_rec_id, "to_rec": candidate.target_rec_id,
                               "relation": relation, "note": note, "provenance": "suggestion"}]}
        self._write_curated(pkg, tables, new_rows)
        decision = Decision(candidate.candidate_id, "accepted", today_iso, candidate.suggested_rec_id, "", f"{relation}: {note}")
        self._decide(decision)
        return decision

    def _accept_check(self, candidate: Candidate, today_iso: str, confirm_number: bool, note: str) -> Decision:
        """Record that a curator looked; with ``confirm_number`` the row's number is marked
        as read in the report, and its locator says where."""
        if confirm_number:
            pkg, tables, problems = read_all(self.data_dir)
            if problems:
                raise InboxError("the curated data has problems; run `make check` and fix them first")
            rec_id = candidate.suggested_rec_id
            where = f"number confirmed in the report ({candidate.locator} of {candidate.url})" if candidate.locator \
                else f"number confirmed in the report ({candidate.url})"

            def confirm(row: dict) -> dict:
                if row["rec_id"] == rec_id:
                    row = dict(row, number_basis="report")
                    row["source_locator"] = "; ".join(p for p in (row.get("source_locator", ""), where) if p)
                return row

            self._write_curated(pkg, tables, {}, edit={"recommendations": confirm})
        decision = Decision(candidate.candidate_id, "accepted", today_iso, candidate.suggested_rec_id, "",
                            note or ("number confirmed" if confirm_number else candidate.detail))
        self._decide(decision)
        return decision

    @staticmethod
    def _source_id(candidate: Candidate, taken: set[str]) -> str:
        year = candidate.published[:4] if candidate.published else "undated"
        publisher = "-".join(re.sub(r"[^a-z0-9]+", " ", candidate.publisher.lower()).split()[:2]) or "source"
        words = [w for w in re.sub(r"[^a-z0-9]+", " ", candidate.title.lower()).split() if len(w) > 3][:5]
        base = "-".join([publisher, year, *words]) or "source"
        source_id, n = base, 2
        while source_id in taken:
            source_id, n = f"{base}-{n}", n + 1
        return source_id

    def _write_curated(self, pkg: DataPackage, tables, new_rows: dict[str, list[dict]], edit: dict | None = None) -> None:
        edit = edit or {}
        with tempfile.TemporaryDirectory() as tmp:
            trial = Path(tmp) / "data"
            shutil.copytree(self.data_dir, trial, ignore=shutil.ignore_patterns("raw", INBOX_DIR))
            texts = {}
            for name in list(new_rows) + [n for n in edit if n not in new_rows]:
                table = tables[name]
                change = edit.get(name, lambda r: r)
                # A new row fills every column the table has, blank where the curator gave nothing.
                added = [{f: r.get(f, "") for f in table.fields} for r in new_rows.get(name, [])]
                all_rows = [change({k: v for k, v in r.items() if k != "__row__"}) for r in table.rows] + added
                texts[name] = canonical_text(table.fields, all_rows, pkg.primary_key(name))
                (trial / pkg.resources[name]["path"]).write_text(texts[name], encoding="utf-8")
            problems = validate(trial)
            if problems:
                raise InboxError("accepting would make the data invalid, so nothing was written:\n"
                                 + "\n".join(p.format() for p in problems))
        for name, text in texts.items():
            atomic_write(self.data_dir / pkg.resources[name]["path"], text.encode("utf-8"))


class InboxError(Exception):
    pass


def link_candidates(corpus, inbox: Inbox, limit: int = 50, min_score: float = 0.0,
                    today: date | None = None) -> list[Candidate]:
    """Pairs of similar recommendations of different reviews, as inbox candidates, highest
    score first (ties by rec_id): never a pair already linked (either way, any relation),
    already waiting in the inbox, or decided before (a rejection is remembered)."""
    linked = {frozenset((l["from_rec"], l["to_rec"])) for rows in corpus.links_from.values() for l in rows}
    known = {c.candidate_id for c in inbox.candidates()} | {d.candidate_id for d in inbox.decisions()}

    def when(rec_id: str) -> tuple[str, str]:
        return corpus.reviews[corpus.recommendations[rec_id]["review_id"]]["published"], rec_id

    pairs: dict[tuple[str, str], float] = {}
    for rec_id, found in corpus.similarity().similar.items():
        for other, score in found:
            later, earlier = sorted((rec_id, other), key=when, reverse=True)
            if score >= min_score and frozenset((later, earlier)) not in linked:
                pairs[(later, earlier)] = score
    out = []
    for (later, earlier), score in sorted(pairs.items(), key=lambda p: (-p[1], p[0])):
        candidate_id = Candidate.make_id("link", later, earlier)
        if candidate_id in known:
            continue
        a, b = corpus.recommendations[later], corpus.recommendations[earlier]
        ra, rb = corpus.reviews[a["review_id"]], corpus.reviews[b["review_id"]]
        out.append(Candidate(
            candidate_id=candidate_id, kind="link", review_id=a["review_id"], suggested_rec_id=later, title=a["title"],
            url="", published="", publisher="",
            detail=(f"similarity {score:.3f}: {later} ({ra['short_title']}, {ra['published'][:4]}) may repeat or build on "
                    f"{earlier} ({rb['short_title']}, {rb['published'][:4]}): {b['title']}"),
            collector="similarity", snapshot="", licence="", found_on=(today or date.today()).isoformat(),
            target_rec_id=earlier, score=f"{score:.3f}"))
        if len(out) >= limit:
            break
    return out
