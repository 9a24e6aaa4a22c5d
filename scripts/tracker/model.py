"""The curated tables joined into one read-only view that pages and charts share.

Only data that has passed :func:`tracker.validate.validate` should be loaded
here: the corpus trusts the keys to join.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .paths import DATA_DIR
from .tables import DataPackage, clean, read_all

UNASSESSED = "unknown"

#: Statuses judged on the parts of the ask (the rubric's steps 5 to 9); for the others the ask
#: was declined, replaced or dropped before its parts are looked at.
JUDGED_ON_PARTS = ("implemented", "partially-implemented", "in-progress", "not-started", "unknown")

# A review page holds at most this many recommendations; a longer review (the
# Francis inquiry made 290) continues on pages named <review_id>--2, --3, ...
# so that no page grows past about half a megabyte.
REVIEW_PAGE_RECS = 100


def part_name(key: str, n: int) -> str:
    """The page name of part ``n`` of a page split in parts: the key itself, then key--2, key--3...

    IDs are slugs without a double hyphen, so a continuation page never takes a key's name."""
    return key if n == 1 else f"{key}--{n}"


def natural_key(number: str) -> tuple[int, str]:
    """Sort recommendation numbers as a reader expects: 2 before 10, 12 before 12a."""
    match = re.match(r"(\d+)(.*)", number)
    return (int(match.group(1)), match.group(2)) if match else (10**9, number)


@dataclass
class Corpus:
    package: DataPackage
    reviews: dict[str, dict[str, str]]
    recommendations: dict[str, dict[str, str]]
    themes: dict[str, dict[str, str]]
    sources: dict[str, dict[str, str]]
    themes_of: dict[str, list[str]] = field(default_factory=dict)
    assessments_of: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    links_from: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    links_to: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    response_totals: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    governments: dict[str, dict[str, str]] = field(default_factory=dict)
    renumbered: list[dict[str, str]] = field(default_factory=list)
    report_locations: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    corrections: list[dict[str, str]] = field(default_factory=list)
    commitments: list[dict[str, str]] = field(default_factory=list)
    #: Every blind agreement check's sample (agreement_checks.csv).
    agreement_checks: list[dict[str, str]] = field(default_factory=list)
    #: The parts of each ask (ask_parts.csv), in order: what each status is judged against.
    parts_of: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    #: The data folder this corpus was read from (the similarity cache lives in the build folder beside it).
    data_dir: Path | None = None
    _rec_pages: dict[str, str] | None = field(default=None, init=False, repr=False)
    _newest_date: str | None = field(default=None, init=False, repr=False)
    _similarity: object | None = field(default=None, init=False, repr=False)

    def similarity(self):
        """Suggested similar recommendations (tracker.similar.Similarity), computed once
        per corpus, and cached under _build/ beside the data folder when there is one."""
        if self._similarity is None:
            from .similar import cache_dir_for, compute

            self._similarity = compute(self, cache_dir=cache_dir_for(self.data_dir) if self.data_dir else None)
        return self._similarity

    def similar(self, rec_id: str) -> list[tuple[str, float]]:
        """The recommendations of other reviews most similar to ``rec_id`` by text, best first,
        as (rec_id, score): machine suggestions, not checked, never the same as links."""
        return self.similarity().similar.get(rec_id, [])

    def recs_of(self, review_id: str) -> list[dict[str, str]]:
        recs = [r for r in self.recommendations.values() if r["review_id"] == review_id]
        return sorted(recs, key=lambda r: natural_key(r["number"]))

    def review_parts(self, review_id: str) -> list[list[dict[str, str]]]:
        """A review's recommendations in page-sized runs, in number order (one empty run if it has none)."""
        recs = self.recs_of(review_id)
        return [recs[i:i + REVIEW_PAGE_RECS] for i in range(0, len(recs), REVIEW_PAGE_RECS)] or [[]]

    def rec_page(self, rec_id: str) -> str:
        """The name of the review page that shows ``rec_id``: its review_id, or review_id--N
        when the review runs over several pages. Every link to a recommendation goes through here."""
        if self._rec_pages is None:
            self._rec_pages = {rec["rec_id"]: part_name(review_id, n)
                               for review_id in self.reviews
                               for n, part in enumerate(self.review_parts(review_id), start=1) for rec in part}
        return self._rec_pages[rec_id]

    def reviews_in_order(self) -> list[dict[str, str]]:
        return sorted(self.reviews.values(), key=lambda r: (r["published"], r["review_id"]))

    def history(self, rec_id: str) -> list[dict[str, str]]:
        """Assessments of a recommendation, oldest first."""
        return self.assessments_of.get(rec_id, [])

    def current(self, rec_id: str) -> dict[str, str] | None:
        history = self.history(rec_id)
        return history[-1] if history else None

    def status(self, rec_id: str) -> str:
        latest = self.current(rec_id)
        return latest["status"] if latest else UNASSESSED

    def counts(self) -> dict[str, int]:
        """The numbers every page states, from one place, so that they agree.

        A "review" is any row of reviews.csv: a review, inquiry, white paper, plan,
        consultation or stakeholder report. Asks (a stakeholder report's requests) are
        counted apart from recommendations. "Known" numbered recommendations are those
        of the reviews whose own count is recorded."""
        asks = [r for r in self.recommendations if self.is_ask(r)]
        declared = [v for v in self.reviews.values()
                    if v["recommendations_in_source"] and v["kind"] != "stakeholder-report"]
        return {
            "reviews": len(self.reviews),
            "reviews_with_recommendations": sum(1 for v in self.reviews.values()
                                                if v["kind"] != "stakeholder-report" and self.recs_of(v["review_id"])),
            "recommendations": len(self.recommendations) - len(asks),
            "asks": len(asks),
            "reviews_with_known_count": len(declared),
            "known_numbered": sum(int(v["recommendations_in_source"]) for v in declared),
            "tracked_of_known": sum(len(self.recs_of(v["review_id"])) for v in declared),
        }

    def commitments_of(self, rec_id: str) -> list[dict]:
        """The dated promises that serve ``rec_id``, oldest first."""
        return sorted((c for c in self.commitments if rec_id in c["rec_ids"]), key=lambda c: (c["made_on"], c["commitment_id"]))

    def part_states(self, rec_id: str, assessment: dict[str, str] | None = None) -> list[tuple[dict[str, str], str]]:
        """Each part of the ask with its state in an assessment (the latest by default):
        ``operating``, ``partly`` or ``not shown`` (nothing in the row says it operates)."""
        row = assessment if assessment is not None else self.current(rec_id)
        whole = set(split_parts(row.get("parts_operating", ""))) if row else set()
        partly = set(split_parts(row.get("parts_partly", ""))) if row else set()
        return [(p, "operating" if int(p["part"]) in whole else "partly" if int(p["part"]) in partly else "not shown")
                for p in self.parts_of.get(rec_id, [])]

    def part_tally(self, rec_ids: list[str]) -> dict[str, int]:
        """The parts of these recommendations' asks by how each stood at its latest judgement:
        operating, partly, not shown (statuses judged on the parts), and set aside (the ask was
        declined, replaced or dropped, or has no judgement yet)."""
        tally = {"operating": 0, "partly": 0, "not shown": 0, "set aside": 0}
        for rec_id in rec_ids:
            current = self.current(rec_id)
            judged = current is not None and current["status"] in JUDGED_ON_PARTS
            for _, state in self.part_states(rec_id):
                tally[state if judged else "set aside"] += 1
        return tally

    def as_of(self) -> str:
        """The date the site's time-dependent figures (waits, overdue promises, stale
        judgements) are computed at: ``TRACKER_AS_OF`` when given at build time, else the
        newest date in the data. Never the build machine's clock, so that two builds of
        the same data give the same site."""
        given = os.environ.get("TRACKER_AS_OF", "").strip()
        if given:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", given):
                raise ValueError(f"TRACKER_AS_OF={given!r}: give a date as YYYY-MM-DD")
            return given
        if self._newest_date is None:  # every page asks; the data is read-only, so look once
            dates = [a[key] for history in self.assessments_of.values() for a in history for key in ("as_of", "assessed_on")]
            dates += [c["corrected_on"] for c in self.corrections]
            dates += [c[key] for c in self.commitments for key in ("made_on", "delivered_on", "withdrawn_on")]
            self._newest_date = max((d for d in dates if len(d) == 10), default="2000-01-01")
        return self._newest_date

    def as_of_origin(self) -> str:
        """Where :meth:`as_of` comes from, in words for the pages."""
        return "the date given for this build" if os.environ.get("TRACKER_AS_OF", "").strip() else "the newest date in the data"

    def is_ask(self, rec_id: str) -> bool:
        return self.reviews[self.recommendations[rec_id]["review_id"]]["kind"] == "stakeholder-report"

    def statuses(self) -> list[str]:
        return self.package.enum("assessments", "status")

    def status_labels(self) -> dict[str, str]:
        return {s: s.replace("-", " ").capitalize() for s in self.statuses()}


def split_parts(value: str | None) -> list[int]:
    """The part numbers of a parts_operating or parts_partly cell: "1;3" -> [1, 3]."""
    return [int(p) for p in (value or "").split(";") if p.strip().isdigit()]


def load(data_dir: Path = DATA_DIR) -> Corpus:
    """Load the tables into a :class:`Corpus` (structural faults raise: validate first)."""
    pkg, tables, problems = read_all(data_dir)
    if problems:
        raise ValueError("the data has problems; run `make check`:\n" + "\n".join(p.format() for p in problems))

    def keyed(name: str, key: str) -> dict[str, dict[str, str]]:
        return {row[key]: clean(row) for row in tables[name].rows}

    corpus = Corpus(
        package=pkg,
        reviews=keyed("reviews", "review_id"),
        recommendations=keyed("recommendations", "rec_id"),
        themes=keyed("themes", "theme_id"),
        sources=keyed("sources", "source_id"),
        governments=keyed("governments", "government_id"),
        data_dir=Path(data_dir),
    )
    themes_of: dict[str, list[str]] = defaultdict(list)
    for row in tables["recommendation_themes"].rows:
        themes_of[row["rec_id"]].append(row["theme_id"])
    corpus.themes_of = {k: sorted(v) for k, v in themes_of.items()}
    parts: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["ask_parts"].rows if "ask_parts" in tables else []:
        parts[row["rec_id"]].append(clean(row))
    corpus.parts_of = {k: sorted(v, key=lambda p: int(p["part"])) for k, v in parts.items()}
    assessments: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["assessments"].rows:
        assessments[row["rec_id"]].append(clean(row))
    corpus.assessments_of = {k: sorted(v, key=lambda a: a["as_of"]) for k, v in assessments.items()}
    links_from: dict[str, list[dict[str, str]]] = defaultdict(list)
    links_to: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["links"].rows:
        link = clean(row)
        links_from[link["from_rec"]].append(link)
        links_to[link["to_rec"]].append(link)
    places: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["report_locations"].rows if "report_locations" in tables else []:
        places[row["review_id"]].append(clean(row))
    corpus.report_locations = dict(places)
    corpus.corrections = [clean(r) for r in tables["corrections"].rows] if "corrections" in tables else []
    corpus.agreement_checks = [clean(r) for r in tables["agreement_checks"].rows] if "agreement_checks" in tables else []
    serves: dict[str, list[str]] = defaultdict(list)
    for row in tables["commitment_recs"].rows if "commitment_recs" in tables else []:
        serves[row["commitment_id"]].append(row["rec_id"])
    corpus.commitments = [dict(clean(r), rec_ids=sorted(serves.get(r["commitment_id"], [])))
                          for r in (tables["commitments"].rows if "commitments" in tables else [])]
    totals: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["response_totals"].rows:
        totals[row["review_id"]].append(clean(row))
    corpus.response_totals = dict(totals)
    corpus.links_from = dict(links_from)
    corpus.links_to = dict(links_to)
    corpus.renumbered = sorted((clean(r) for r in tables["renumbered"].rows), key=lambda r: (r["changed_on"], r["old_rec_id"]))
    return corpus


THREAD_RELATIONS = ("repeats", "builds-on", "supersedes")


def threads(corpus: Corpus) -> list[list[str]]:
    """Groups of recommendations joined by repeats / builds-on / supersedes links,
    spanning at least two reviews; each group oldest first, groups by first date."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for rows in corpus.links_from.values():
        for link in rows:
            if link["relation"] in THREAD_RELATIONS:
                parent[find(link["from_rec"])] = find(link["to_rec"])
    groups: dict[str, list[str]] = defaultdict(list)
    for rec_id in parent:
        groups[find(rec_id)].append(rec_id)

    def when(rec_id: str) -> tuple:
        review = corpus.reviews[corpus.recommendations[rec_id]["review_id"]]
        return (review["published"], review["review_id"], natural_key(corpus.recommendations[rec_id]["number"]))

    out = []
    for members in groups.values():
        if len({corpus.recommendations[m]["review_id"] for m in members}) >= 2:
            out.append(sorted(members, key=when))
    return sorted(out, key=lambda g: when(g[0]))
