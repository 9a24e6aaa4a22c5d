"""A synthetic corpus for benchmarks: many reviews, recommendations,
assessments and links, valid against the real schema, written into a folder
that is never the repository's data/. The text is placeholder text."""

from __future__ import annotations

import csv
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

from .paths import DATA_DIR
from .tables import DataPackage

STATUSES = ["implemented", "partially-implemented", "in-progress", "not-started", "superseded", "abandoned", "unknown"]
RESPONSES = ["accepted", "accepted-in-principle", "accepted-in-part", "not-accepted", "noted"]


def synthetic_parts(rng: random.Random, status: str, n_parts: int) -> dict[str, str]:
    """Parts named as operating that agree with a status (the rule status-follows-parts)."""
    numbers = [str(n) for n in range(1, n_parts + 1)]
    if status == "implemented":
        return {"parts_operating": ";".join(numbers), "parts_partly": ""}
    if status == "partially-implemented":
        # One part operating in part, and any of the others wholly: never every part wholly.
        partly = rng.choice(numbers)
        whole = [n for n in numbers if n != partly and rng.random() < 0.5]
        return {"parts_operating": ";".join(whole), "parts_partly": partly}
    return {"parts_operating": "", "parts_partly": ""}


def generate(target: Path, reviews: int = 200, per_review: int = 50, seed: int = 1983, include_real: bool = True) -> dict[str, int]:
    """Write a complete data folder (datapackage.json and every table) to ``target``:
    the real corpus (so that every chapter's cross-references still resolve) plus
    ``reviews`` synthetic reviews of ``per_review`` recommendations each."""
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DATA_DIR / "datapackage.json", target / "datapackage.json")
    themes = [dict(theme_id=f"theme-{i}", label=f"Theme {i}", description=f"Synthetic theme {i}.") for i in range(12)]
    sources = [dict(source_id=f"source-{i}", title=f"Synthetic source {i}", publisher="Synthetic publisher",
                    published="2000-01-01", published_precision="day", url=f"https://example.org/source/{i}",
                    accessed="2026-01-01") for i in range(500)]
    start = date(1983, 1, 1)
    rows = {"reviews": [], "recommendations": [], "recommendation_themes": [], "ask_parts": [], "assessments": [], "links": []}
    # Titles and summaries are words drawn from the real recommendations, so that text
    # similarity (tracker.similar) meets a realistic vocabulary, not one repeated template.
    with open(DATA_DIR / "recommendations.csv", newline="", encoding="utf-8") as fh:
        pool = sorted({w for r in csv.DictReader(fh) for w in (r["title"] + " " + r["summary"]).split() if w.isalpha()})

    def words(low: int, high: int) -> str:
        return " ".join(rng.choice(pool) for _ in range(rng.randint(low, high)))

    all_recs: list[tuple[str, date]] = []
    for r in range(reviews):
        published = start + timedelta(days=int(r * (42 * 365) / max(reviews, 1)))
        review_id = f"review-{r:04d}"
        rows["reviews"].append(dict(review_id=review_id, title=f"Synthetic review {r}", short_title=f"Review {r}", lead="A lead",
                                    publisher="A publisher", kind="independent-review", published=published.isoformat(),
                                    published_precision="day", url=f"https://example.org/review/{r}",
                                    recommendations_in_source=str(per_review), coverage="complete",
                                    summary=f"Synthetic review number {r}, for benchmarks only."))
        for n in range(1, per_review + 1):
            rec_id = f"{review_id}-r{n}"
            rows["recommendations"].append(dict(
                rec_id=rec_id, review_id=review_id, number=str(n), title=words(3, 7).capitalize(),
                summary=f"Synthetic recommendation {n} of review {r}: {words(12, 30)}.",
                addressed_to="Somebody", government_response=rng.choice(RESPONSES), response_source_id="source-0",
                source_url=f"https://example.org/review/{r}", source_locator=f"Recommendation {n}",
                number_basis="report"))
            for theme in rng.sample(themes, rng.randint(1, 2)):
                rows["recommendation_themes"].append(dict(rec_id=rec_id, theme_id=theme["theme_id"]))
            n_parts = rng.randint(1, 3)
            for part in range(1, n_parts + 1):
                rows["ask_parts"].append(dict(rec_id=rec_id, part=str(part), text=words(4, 12).capitalize()))
            as_of = published
            for _ in range(rng.randint(1, 3)):
                as_of = min(as_of + timedelta(days=rng.randint(30, 900)), date(2026, 1, 1))
                if any(a["rec_id"] == rec_id and a["as_of"] == as_of.isoformat() for a in rows["assessments"][-3:]):
                    continue
                status = rng.choice(STATUSES)
                rows["assessments"].append(dict(rec_id=rec_id, as_of=as_of.isoformat(), as_of_precision="day", status=status,
                                                **synthetic_parts(rng, status, n_parts),
                                                evidence="Placeholder evidence of what happened.",
                                                source_id=rng.choice(sources)["source_id"], assessed_on="2026-01-01",
                                                confidence=rng.choice(["high", "medium", "low"])))
            if all_recs and rng.random() < 0.2:
                earlier, when = rng.choice(all_recs)
                if when < published:
                    rows["links"].append(dict(from_rec=rec_id, to_rec=earlier, relation=rng.choice(["repeats", "builds-on"]),
                                              note="Synthetic link.", provenance="hand"))
            all_recs.append((rec_id, published))
    rows["themes"], rows["sources"] = themes, sources
    pkg = DataPackage(target)
    if include_real:
        for name, resource in pkg.resources.items():
            with open(DATA_DIR / resource["path"], newline="", encoding="utf-8") as fh:
                rows[name] = list(csv.DictReader(fh)) + rows.get(name, [])
    for name, resource in pkg.resources.items():
        fields = [f["name"] for f in resource["schema"]["fields"]]
        with open(target / resource["path"], "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            for row in rows.get(name, []):
                writer.writerow({f: row.get(f, "") for f in fields})
    return {name: len(v) for name, v in rows.items()}
