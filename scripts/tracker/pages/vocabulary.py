"""The data dictionary (from datapackage.json and the rules registry), the status rubric
included in the method page, and the corrections log."""

from __future__ import annotations

from ..model import Corpus
from .common import GENERATED_NOTE, badge, front_matter, inline_code_text, label, rec_ref, text, when


def vocabulary_page(corpus: Corpus) -> str:
    pkg = corpus.package
    out = [front_matter("What each status and government response means, and how the tables are described."),
           GENERATED_NOTE, "# Data dictionary", "",
           "Generated from `data/datapackage.json`, the one description of the tables, so it cannot drift from what the checks enforce.", ""]
    for name, resource in pkg.resources.items():
        out += [f"(table-{name})=", f"## `{resource['path']}`: {text(resource['title'])}", "", text(resource["description"]), ""]
        key = pkg.primary_key(name)
        if key:
            out += ["Each row is identified by " + " + ".join(f"`{k}`" for k in key) + ".", ""]
        out += ["| Column | Type | Required | Meaning |", "|---|---|---|---|"]
        for f in pkg.fields(name):
            required = "yes" if f.get("constraints", {}).get("required") else "no"
            out.append(f"| `{f['name']}` | {f['type']} | {required} | {inline_code_text(f.get('description', ''))} |")
        out.append("")
        for f in pkg.fields(name):
            if f.get("enumDescriptions"):
                out += [f"(vocabulary-{name}-{f['name']})=", f"### Values of `{f['name']}`", "",
                        "| Value | Meaning |", "|---|---|"]
                out += [f"| `{v}` | {text(d)} |" for v, d in f["enumDescriptions"].items()]
                out.append("")
        fks = resource["schema"].get("foreignKeys", [])
        if fks:
            out.append("Links to other tables: " + "; ".join(
                f"`{', '.join(fk['fields'])}` must name a row of `{pkg.resources[fk['reference']['resource']]['path']}`" for fk in fks) + ".")
            out.append("")
    out += _rules_section()
    return "\n".join(out)


def _rules_section() -> list[str]:
    """Every rule of the registry in tracker/rules.py and tracker/audit.py, as the checks run them."""
    from .. import audit  # noqa: F401  (registers the audit checks)
    from ..rules import RULES

    out = ["(data-rules)=", "## The rules across tables", "",
           "Beyond the types, vocabularies and links above, `make check` refuses data that breaks any of these rules, "
           "and `make audit` flags any row that trips one of the audit checks until it is fixed or recorded, "
           "with its reason, in `audit_exceptions.csv`.", "",
           "| Rule | Run by | What it requires |", "|---|---|---|"]
    for r in sorted(RULES, key=lambda r: (r.severity != "error", r.name)):
        run_by = "`make check` (an error)" if r.severity == "error" else "`make audit` (a warning)"
        out.append(f"| `{r.name}` | {run_by} | {text(r.description)} |")
    out.append("")
    return out


def rubric_section(corpus: Corpus) -> str:
    """The status rubric from datapackage.json, included in place in book/about/method.md."""
    field_ = next(f for f in corpus.package.fields("assessments") if f["name"] == "status")
    rubric, definitions = field_["rubric"], field_["enumDescriptions"]
    out = ["<!-- Generated from data/datapackage.json by scripts/tracker/pages/vocabulary.py: never edit. -->", "",
           "(rubric)=", "## The rubric: how a status is chosen", "", text(rubric["description"]), ""]
    for n, step in enumerate(rubric["steps"], start=1):
        name = step["status"]
        if name in definitions:
            out += [f"(rubric-status-{name})=", f"{n}. {badge(name)} **{label(name)}.** {text(definitions[name])} "
                    f"*The test:* {text(step['test'])}"]
            examples = rubric.get("examples", {}).get(name, [])
            if examples:
                out += ["   *For example:* " + " ".join(text(e) for e in examples)]
        else:
            out += [f"{n}. **First, the date.** {text(step['test'])}"]
    out += ["", "When the steps leave a choice:", ""]
    groups = rubric.get("tieBreakerGroups", {})
    for key, title in groups.items():
        out += [f"**{text(title)}**", ""] + [f"- {text(t['text'])}" for t in rubric["tieBreakers"] if t["group"] == key] + [""]
    out += ["The same rubric is in `data/datapackage.json`, the checks of `make audit` flag rows that may not follow it, "
            "and the {ref}`corrections log <corrections>` lists every label changed to follow it.", ""]
    return "\n".join(out)


def _date_or_text(value: str) -> str:
    try:
        return when(value)
    except ValueError:
        return text(value)


def corrections_page(corpus: Corpus) -> str:
    rows = sorted(corpus.corrections, key=lambda c: (c["corrected_on"], c["rec_id"], c["as_of"]), reverse=True)
    out = [front_matter("Every correction made to a published status, date or piece of evidence: what changed, why and when."),
           GENERATED_NOTE, "(corrections)=", "# Corrections", "",
           "A correction fixes a judgement that did not follow the {ref}`rubric <rubric>` or misread its source. "
           "It is not a new event: the recommendation's history shows the corrected judgement, and this log keeps what it said before. "
           "The log is also in the downloads, as `corrections.csv`.", ""]
    if not rows:
        return "\n".join(out + ["No correction has been made yet.", ""])
    out += [f"{len(rows)} correction{'s' if len(rows) != 1 else ''}, newest first, each under the recommendation it concerns.", ""]
    what = {"status": "status", "as_of": "date", "evidence": "evidence", "source_id": "source", "row": "assessment removed"}
    # A date known only to the month or year is written so, as on the recommendation's page.
    precision = {(a["rec_id"], a["as_of"]): a["as_of_precision"] for h in corpus.assessments_of.values() for a in h}
    for c in rows:
        target = rec_ref(corpus, c["rec_id"]) if c["rec_id"] in corpus.recommendations else f"`{c['rec_id']}`"
        head = (f"- {target}: the assessment of {when(c['as_of'], precision.get((c['rec_id'], c['as_of']), 'day'))}, **{what.get(c['field'], c['field'])}** "
                f"(corrected {when(c['corrected_on'])}).")
        known = set(corpus.statuses())

        def shown(value: str) -> str:
            # A status from the vocabulary is shown as its badge; anything else as plain text.
            return badge(value) if value in known else f"“{text(value)}”"

        if c["field"] == "status" and c["old_value"] == c["new_value"]:
            change = f" Corrected and then restored the same day: the status is {shown(c['new_value'])}, as before."
        elif c["field"] == "status":
            change = f" Was {shown(c['old_value'])}, now {shown(c['new_value'])}." if c["new_value"] else ""
        elif c["field"] == "row":
            change = f" It recorded {badge(c['old_value'])}." if c["old_value"] in corpus.statuses() else ""
        elif c["field"] == "as_of":
            change = f" Was {_date_or_text(c['old_value'])}, now {_date_or_text(c['new_value'])}."
        else:
            change = f" Was: “{text(c['old_value'])}” Now: “{text(c['new_value'])}”"
        out.append(head + change + f" *Why:* {text(c['reason'])}")
    out.append("")
    return "\n".join(out)


#: Where a local preview is served (`make serve`), for the examples when no public address is configured.
LOCAL_PREVIEW = "http://127.0.0.1:8000/"


def use_data_examples(site_url: str) -> str:
    """The code examples of "Use the data", against the site's public address or, when
    none is configured, against a local `make serve`."""
    base = site_url or LOCAL_PREVIEW
    where = ("They read from this site's public address." if site_url else
             "This copy of the site has no public address configured, so they read from a local preview "
             "(`make serve`); to use the published site, put its address in place of the first part.")
    return "\n".join([
        "<!-- Generated by scripts/tracker/pages/vocabulary.py: never edit. -->", "",
        "## With pandas", "", where, "",
        "```python", "import pandas as pd", "", f'base = "{base}data/"',
        'recs = pd.read_csv(base + "recommendations.csv")',
        'assessments = pd.read_csv(base + "assessments.csv", parse_dates=["as_of"])', "",
        "# The current status of each recommendation is its latest assessment.",
        'current = assessments.sort_values("as_of").groupby("rec_id").tail(1)',
        'print(recs.merge(current, on="rec_id", how="left")[["rec_id", "title", "status"]])', "```", "",
        "With plain HTTP, one recommendation from the JSON API (below):", "",
        "```", f"curl {base}api/recommendations/messenger-2022-r3.json", "```", ""])
