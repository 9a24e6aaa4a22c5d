"""Blind agreement checks (issue #18): whether a second reader, given only the rubric, the
parts of each ask and the cited sources, gives the record's label.

``data/agreement_checks.csv`` keeps every check's sample: the record's label when the reader
worked, the reader's label, and, for each disagreement, the label it was settled as and why.
From it come the figures and the disagreement tables of the method page. ``sample`` draws a
fresh sample (never a row sampled before) and writes the reader's packet, with the record's
labels kept apart in a key; ``score`` compares the reader's labels with the key.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .model import Corpus

PACKET_COLUMNS = ["item", "rec_id", "rec_title", "rec_summary", "government_response", "as_of", "as_of_precision",
                  "source_title", "source_publisher", "source_published", "source_url", "earlier_sources_for_same_rec"]
LABEL_COLUMNS = ["item", "rec_id", "as_of", "parts_operating", "parts_partly", "status", "source_read", "reason"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth"]


def ordinal(number: int) -> str:
    """A check's number as the method page names it: 5 -> "fifth"."""
    return ORDINALS[number - 1] if 0 < number <= len(ORDINALS) else f"number {number}"


@dataclass(frozen=True)
class Figure:
    agree: int
    total: int
    kappa: float

    @property
    def share(self) -> float:
        return self.agree / self.total if self.total else 0.0

    def words(self) -> str:
        return f"{self.agree} of {self.total} ({self.share:.0%})"


def cohen(pairs: list[tuple[str, str]]) -> Figure:
    """Agreement and Cohen's kappa of two readers' labels on the same items."""
    n = len(pairs)
    if not n:
        return Figure(0, 0, 0.0)
    agree = sum(a == b for a, b in pairs)
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in first) / (n * n)
    observed = agree / n
    kappa = 1.0 if expected == 1 else (observed - expected) / (1 - expected)
    return Figure(agree, n, round(kappa, 2))


def checks(corpus: Corpus) -> dict[int, list[dict[str, str]]]:
    found: dict[int, list[dict[str, str]]] = {}
    for row in corpus.agreement_checks:
        found.setdefault(int(row["check"]), []).append(row)
    return {k: sorted(v, key=lambda r: int(r["item"])) for k, v in sorted(found.items())}


def figures(rows: list[dict[str, str]], corpus: Corpus | None = None) -> dict[str, Figure]:
    """A check's figures: blind (the record as it stood), the same on the rows whose source
    the reader could read at least in part, after settling, and, given the corpus, against the
    record as it stands now (rows whose date has since moved are left out)."""
    out = {"settled": cohen([(r["settled_status"], r["reader_status"]) for r in rows])}
    if all(r["record_status"] for r in rows):
        out["blind"] = cohen([(r["record_status"], r["reader_status"]) for r in rows])
        out["blind_readable"] = cohen([(r["record_status"], r["reader_status"]) for r in rows
                                       if r["reader_source_read"] != "no"])
    if corpus is not None:
        now = {(a["rec_id"], a["as_of"]): a["status"] for h in corpus.assessments_of.values() for a in h}
        out["now"] = cohen([(now[(r["rec_id"], r["as_of"])], r["reader_status"]) for r in rows
                            if (r["rec_id"], r["as_of"]) in now])
    return out


#: The blind agreement the issue set as the aim.
AIM = 0.9

#: The first check whose labels were judged against the parts of each ask.
FIRST_ON_PARTS = 4


#: The rubric's three stages, as its tie-breakers are grouped: the ask declined, replaced or dropped
#: (steps 2 to 4), at least one part operating (steps 5 and 6), or no part operating yet (steps 7 to 9).
STAGES = {"not-accepted": "declined", "superseded": "declined", "abandoned": "declined",
          "implemented": "operating", "partially-implemented": "operating",
          "in-progress": "none", "not-started": "none", "unknown": "none"}


def is_whole_record(rows: list[dict[str, str]]) -> bool:
    """Whether a check drew its sample from every assessment, including rows sampled before."""
    return bool(rows) and rows[0].get("drawn_from", "unsampled") == "whole-record"


def stage(status: str) -> str:
    """Which of the rubric's three stages a status belongs to."""
    return STAGES[status]


def pooled_blind(found: dict[int, list[dict[str, str]]], since: int = 0,
                 by_stage: bool = False) -> tuple[list[int], Figure]:
    """The blind figure pooled over every check (from ``since``) whose record labels were kept and
    whose sample was drawn from rows never sampled before; with ``by_stage``, agreement on the
    rubric's stage alone (two labels in one stage agree)."""
    numbers = [n for n, rows in sorted(found.items())
               if n >= since and all(r["record_status"] for r in rows) and not is_whole_record(rows)]
    rows = [r for n in numbers for r in found[n]]
    key = stage if by_stage else str
    return numbers, cohen([(key(r["record_status"]), key(r["reader_status"])) for r in rows])


def pooled_whole_record(found: dict[int, list[dict[str, str]]]) -> tuple[list[int], Figure]:
    """The blind figure pooled over the checks drawn from the whole record (record labels kept)."""
    numbers = [n for n, rows in sorted(found.items()) if is_whole_record(rows) and all(r["record_status"] for r in rows)]
    return numbers, cohen([(r["record_status"], r["reader_status"]) for n in numbers for r in found[n]])


def span(numbers: list[int]) -> str:
    """The checks named by their first and last: "fourth to eighth"."""
    return ordinal(numbers[0]) if len(numbers) == 1 else f"{ordinal(numbers[0])} to {ordinal(numbers[-1])}"


def pooled_blind_lines(found: dict[int, list[dict[str, str]]]) -> list[str]:
    """One sentence: blind agreement pooled over the checks, and over those judged on the parts of each ask."""
    every, all_figure = pooled_blind(found)
    on_parts, parts_figure = pooled_blind(found, FIRST_ON_PARTS)
    if len(every) < 2:
        return []
    line = (f"Pooled over the checks on assessments never sampled before whose record labels were kept ({span(every)}), the second reader agreed with the record "
            f"as it then stood on {all_figure.words()} (kappa {all_figure.kappa:.2f})")
    if len(on_parts) >= 2:
        line += (f"; over the checks made since each status has been judged against the parts of its ask ({span(on_parts)}), "
                 f"on {parts_figure.words()} (kappa {parts_figure.kappa:.2f})")
    return [line + ".", ""]


def summary(corpus: Corpus) -> str:
    """The method page's opening figures: blind agreement pooled over the checks on never-sampled
    rows judged on the parts of each ask, with the best and the latest single check and the
    agreement on the rubric's stage alone; the checks drawn from the whole record, pooled; and
    whether the aim is reached on each."""
    found = checks(corpus)
    numbers, figure = pooled_blind(found, FIRST_ON_PARTS)
    _, staged = pooled_blind(found, FIRST_ON_PARTS, by_stage=True)
    if not numbers:
        return "No blind check has been made since each status has been judged against the parts of its ask.\n"
    single = {n: figures(found[n])["blind"] for n in numbers}
    best = max(numbers, key=lambda n: (single[n].share, n))
    latest = numbers[-1]
    text = (f"**In short:** in the {len(numbers)} blind checks on assessments never sampled before, made since each status has been "
            f"judged against the parts of its ask ({span(numbers)}), a second reader working from the rubric and the sources alone gave the record's label for "
            f"{figure.agree} of the {figure.total} assessments sampled ({figure.share:.0%}; Cohen's kappa {figure.kappa:.2f}). "
            f"The best single check gave {single[best].share:.0%} (the {ordinal(best)}), "
            f"the latest {single[latest].share:.0%}. "
            f"Counting only which of the rubric's three stages each label falls in (the ask declined, replaced or dropped; "
            f"some part of it operating; no part operating yet), the two agreed on "
            f"{staged.agree} of {staged.total} ({staged.share:.0%}; kappa {staged.kappa:.2f}): of the {figure.total - figure.agree} disagreements, "
            f"{staged.total - staged.agree} were about the stage and {staged.agree - figure.agree} about the label within one stage.")
    wholes, whole = pooled_whole_record(found)
    if wholes:
        latest_whole = figures(found[wholes[-1]])["blind"]
        named = (f"The {ordinal(wholes[0])} check drew its" if len(wholes) == 1 else
                 f"The {', '.join(ordinal(n) for n in wholes[:-1])} and {ordinal(wholes[-1])} checks drew their")
        text += (f" {named} {whole.total} assessments at random from the whole record, including rows sampled in earlier "
                 f"checks, so {'it measures' if len(wholes) == 1 else 'they measure'} the record as readers find it rather "
                 f"than the rubric on rows never checked: "
                 f"the second reader gave the record's label for {whole.agree} of {whole.total} ({whole.share:.0%}; "
                 f"kappa {whole.kappa:.2f})" + ("." if len(wholes) == 1 else f", the latest check {latest_whole.share:.0%}."))
    reached = "has been reached" if figure.share >= AIM else "has not yet been reached"
    text += (f"\n\nThe aim is at least {AIM:.0%} blind agreement. On assessments never sampled before it {reached} "
             f"({figure.share:.0%} pooled)")
    if wholes:
        text += (f"; on the whole record as it stands it {'has been reached' if whole.share >= AIM else 'has not yet been reached'} "
                 f"({whole.share:.0%}" + (")" if len(wholes) == 1 else f" over {len(wholes)} checks)"))
    return text + ".\n"


def disagreement_tables(corpus: Corpus) -> str:
    """The method page's table of each check's disagreements, newest check first."""
    from .pages.common import label, rec_ref, text

    out = ["<!-- Generated from data/agreement_checks.csv by scripts/tracker/agreement.py: never edit. -->", ""]
    found = checks(corpus)
    if found:
        words = [ordinal(n) for n in sorted(found)]
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        out += [(f"The samples of the {listed} checks, with both readers' labels, are in the downloads as `agreement_checks.csv`. "
                 "Set against the record as it stands today (corrections included), each check's second reader agrees as follows:"), "",
                "| Check | Second reader against the record today | Cohen's kappa |", "|---|---|---|"]
        pooled = []
        for number, rows in sorted(found.items(), reverse=True):
            now = figures(rows, corpus)["now"]
            drawn = ", from the whole record" if is_whole_record(rows) else ""
            out.append(f"| {ordinal(number)} check{drawn} | {now.words()} | {now.kappa:.2f} |")
            pooled += rows
        total = figures(pooled, corpus)["now"]
        out += [f"| all {len(found)} together | {total.words()} | {total.kappa:.2f} |", ""]
        out += pooled_blind_lines(found)
    for number, rows in sorted(found.items(), reverse=True):
        settled = [r for r in rows if r["cause"]]
        if not settled:
            continue
        out += [f"### {ordinal(number).capitalize()} check: the disagreements and how each was settled", "",
                "| Recommendation, as of | First reader (the record) | Second reader | Settled as | Why they differed |",
                "|---|---|---|---|---|"]
        for r in settled:
            where = rec_ref(corpus, r["rec_id"]) if r["rec_id"] in corpus.recommendations else f"`{r['rec_id']}`"
            out.append(f"| {where}, {r['as_of']} | {label(r['record_before_settling'] or r['record_status'])} | "
                       f"{label(r['reader_status'])} | {label(r['settled_status'])} | {text(r['cause'])} |")
        out.append("")
    return "\n".join(out)


def rubric_text(corpus: Corpus) -> str:
    """The rubric as plain Markdown for a reader's packet (the same words as the method page)."""
    field_ = next(f for f in corpus.package.fields("assessments") if f["name"] == "status")
    rubric, definitions = field_["rubric"], field_["enumDescriptions"]
    out = ["# Status rubric", "", rubric["description"], "", "## Definitions"]
    out += [f"- **{k}**: {v}" for k, v in definitions.items()]
    out += ["", "## Decision steps (take them in order; stop at the first that applies)"]
    out += [f"{n}. **{s['status']}**: {s['test']}" for n, s in enumerate(rubric["steps"], start=1)]
    out += ["", "## Tie-breakers"]
    for key, title in rubric.get("tieBreakerGroups", {}).items():
        out += ["", f"### {title}"] + [f"- {t['text']}" for t in rubric["tieBreakers"] if t["group"] == key]
    out += ["", "## Examples"] + [f"- {k}: " + " ".join(v) for k, v in rubric.get("examples", {}).items()]
    return "\n".join(out) + "\n"


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in columns} for row in rows)


def sample(corpus: Corpus, out: Path, n: int = 64, seed: int = 0, whole_record: bool = False) -> list[dict[str, str]]:
    """Draw ``n`` assessments never sampled before (or, with ``whole_record``, from every
    assessment, sampled before or not) and write the reader's packet to ``out``: ``items.csv``
    (the recommendation, the date and the cited source: no label, no evidence), ``parts.csv``,
    ``RUBRIC.md`` and an empty ``labels.csv`` to fill. The record's labels go to ``key.csv``,
    which the reader must not see. Returns the key."""
    done = set() if whole_record else {(r["rec_id"], r["as_of"]) for r in corpus.agreement_checks}
    pool = sorted((a for h in corpus.assessments_of.values() for a in h if (a["rec_id"], a["as_of"]) not in done),
                  key=lambda a: (a["rec_id"], a["as_of"]))
    if len(pool) < n:
        if whole_record:
            raise ValueError(f"the record holds only {len(pool)} assessments; ask for {len(pool)} or fewer")
        raise ValueError(f"only {len(pool)} assessments have not been sampled before; ask for {len(pool)} or fewer, "
                         f"or draw from the whole record (--whole-record)")
    chosen = random.Random(seed).sample(pool, n)
    items, key = [], []
    for i, a in enumerate(chosen, start=1):
        rec, source = corpus.recommendations[a["rec_id"]], corpus.sources.get(a["source_id"], {})
        earlier = [e for e in corpus.history(a["rec_id"]) if e["as_of"] < a["as_of"] and e["source_id"] in corpus.sources]
        items.append(dict(item=i, rec_id=a["rec_id"], rec_title=rec["title"], rec_summary=rec["summary"],
                          government_response=rec["government_response"], as_of=a["as_of"], as_of_precision=a["as_of_precision"],
                          source_title=source.get("title", ""), source_publisher=source.get("publisher", ""),
                          source_published=source.get("published", ""), source_url=source.get("url", ""),
                          earlier_sources_for_same_rec=" | ".join(f"{e['as_of']}: {corpus.sources[e['source_id']]['url']}"
                                                                  for e in earlier)))
        key.append(dict(item=i, rec_id=a["rec_id"], as_of=a["as_of"], status=a["status"]))
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "items.csv", PACKET_COLUMNS, items)
    parts = [dict(rec_id=r, part=p["part"], text=p["text"]) for r in sorted({a["rec_id"] for a in chosen})
             for p in corpus.parts_of.get(r, [])]
    _write(out / "parts.csv", ["rec_id", "part", "text"], parts)
    (out / "RUBRIC.md").write_text(rubric_text(corpus), encoding="utf-8")
    _write(out / "labels.csv", LABEL_COLUMNS, [])
    _write(out / "key.csv", ["item", "rec_id", "as_of", "status"], key)
    return key


def score(key_path: Path, labels_path: Path) -> tuple[Figure, Figure, list[tuple[dict, dict]]]:
    """The reader's labels against the key: the figure, the figure on the items whose source
    the reader could read at least in part (``source_read`` not ``no``), and each disagreement
    (key row, label row)."""
    def read(path: Path) -> dict[str, dict[str, str]]:
        with open(path, newline="", encoding="utf-8") as fh:
            return {r["item"]: r for r in csv.DictReader(fh)}

    key, labels = read(key_path), read(labels_path)
    missing = sorted(set(key) - set(labels), key=int)
    if missing:
        raise ValueError(f"{labels_path}: no label for item {', '.join(missing)}")
    for item, row in labels.items():
        if item in key and (row["rec_id"], row["as_of"]) != (key[item]["rec_id"], key[item]["as_of"]):
            raise ValueError(f"{labels_path}, item {item}: labels {row['rec_id']} {row['as_of']}, "
                             f"but the key has {key[item]['rec_id']} {key[item]['as_of']}")
    pairs = [(key[i]["status"], labels[i]["status"]) for i in sorted(key, key=int)]
    readable = [(key[i]["status"], labels[i]["status"]) for i in sorted(key, key=int)
                if labels[i].get("source_read", "").strip().lower() != "no"]
    differ = [(key[i], labels[i]) for i in sorted(key, key=int) if key[i]["status"] != labels[i]["status"]]
    return cohen(pairs), cohen(readable), differ
