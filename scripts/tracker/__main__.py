"""Command line: ``python -m tracker <command>``. Run with ``--help`` for the commands."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .paths import ROOT


def _check(args: argparse.Namespace) -> int:
    from .validate import summarise, validate

    started = time.perf_counter()
    problems = validate(Path(args.data))
    elapsed = time.perf_counter() - started
    if problems:
        for problem in problems:
            print(problem.format(), file=sys.stderr)
        print(f"\n{summarise(problems)}. Nothing was built; fix these and run `make check` again.", file=sys.stderr)
        return 1
    print(f"data OK: every table matches data/datapackage.json and the cross-table rules ({elapsed:.1f} s)")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from .audit import report

    text, clean = report(Path(args.data))
    print(text)
    if not clean:
        print("Fix each warning in the data, or record it with its reason in data/audit_exceptions.csv "
              "(see book/about/method.md for the rubric).", file=sys.stderr)
    return 0 if clean else 1


def _agreement(args: argparse.Namespace) -> int:
    from .agreement import FIRST_ON_PARTS, checks, figures, pooled_blind, pooled_whole_record, sample, score
    from .model import load

    if args.action == "score":
        if not (args.key and args.labels):
            print("error: give --key and --labels (the packet's key.csv and the filled labels.csv)", file=sys.stderr)
            return 2
        try:
            figure, readable, differ = score(Path(args.key), Path(args.labels))
        except (ValueError, KeyError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"agreement {figure.words()}, Cohen's kappa {figure.kappa:.2f}; on the items whose source the reader "
              f"could read at least in part {readable.words()}, kappa {readable.kappa:.2f}")
        for key, label in differ:
            print(f"  item {key['item']}: {key['rec_id']} {key['as_of']}: record {key['status']}, reader {label['status']}"
                  f" (source read: {label.get('source_read') or '?'})")
        return 0
    corpus = load(Path(args.data))
    if args.action == "sample":
        try:
            key = sample(corpus, Path(args.out), n=args.n, seed=args.seed, whole_record=args.whole_record)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"wrote a blind packet of {len(key)} assessments to {args.out}: give the reader items.csv, parts.csv and "
              f"RUBRIC.md, never key.csv; score labels.csv with make agreement-score")
        return 0
    found = checks(corpus)
    for number, rows in found.items():
        f = figures(rows, corpus)
        blind = (f"blind {f['blind'].words()} (kappa {f['blind'].kappa:.2f}), on sources the reader could read "
                 f"{f['blind_readable'].words()} ({f['blind_readable'].kappa:.2f})" if "blind" in f
                 else "blind: the record's labels were not kept")
        drawn = " (drawn from the whole record)" if rows[0].get("drawn_from") == "whole-record" else ""
        print(f"check {number}{drawn}: {blind}; after settling {f['settled'].words()} ({f['settled'].kappa:.2f}); "
              f"against the record today {f['now'].words()} ({f['now'].kappa:.2f})")
    for since, words in ((0, "every check on rows never sampled before, with the record's labels kept"), (FIRST_ON_PARTS, "the checks judged on the parts of each ask")):
        numbers, figure = pooled_blind(found, since)
        if len(numbers) >= 2:
            _, staged = pooled_blind(found, since, by_stage=True)
            print(f"pooled, {words} ({', '.join(map(str, numbers))}): blind {figure.words()} (kappa {figure.kappa:.2f}); "
                  f"on the rubric's stage alone (declined, operating, none operating) {staged.words()} (kappa {staged.kappa:.2f})")
    numbers, figure = pooled_whole_record(found)
    if numbers:
        print(f"pooled, the checks drawn from the whole record ({', '.join(map(str, numbers))}): blind {figure.words()} "
              f"(kappa {figure.kappa:.2f})")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from .model import load
    from .pages import generate

    written = generate(load(Path(args.data)), Path(args.book))
    print(f"generated pages: {len(written)} written or removed, the rest unchanged")
    return 0


def _fmt(args: argparse.Namespace) -> int:
    from .fmt import format_tables

    changed, problems = format_tables(Path(args.data), write=not args.check)
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    verb = "would rewrite" if args.check else "rewrote"
    for path in changed:
        print(f"{verb} {path.name}")
    if problems:
        print("files with structural problems were left as they are; fix them first (see `make check`)", file=sys.stderr)
        return 1
    if not changed:
        print("every table is already in canonical form")
    return 1 if (args.check and changed) else 0


def _collect(args: argparse.Namespace) -> int:
    from .collect.run import collect, print_progress

    report = collect(Path(args.data), sources=args.source, reviews=args.review, since=args.since,
                     progress=None if args.quiet else print_progress, stall_limit=args.stall_limit)
    print(report.summary())
    for outcome in report.failed:
        print(f"failed: {outcome.error}", file=sys.stderr)
    if report.failed:
        print("Curated tables were not touched. Failed sources keep their previous snapshot; run again later.", file=sys.stderr)
    return 1 if report.failed else 0


def _inbox(args: argparse.Namespace) -> int:
    from .collect.inbox import Inbox, InboxError

    inbox = Inbox(Path(args.data))
    try:
        if args.action == "list":
            from .model import load

            pending = inbox.by_priority(load(Path(args.data)))
            if not pending:
                print("the inbox is empty: nothing to review")
            else:
                print(f"{len(pending)} candidates; those touching overdue promises or judgements due for a fresh look come first")
            for c, why in pending:
                if c.kind == "link":
                    print(f"{c.candidate_id}  link     {c.suggested_rec_id} -> {c.target_rec_id}  (suggested by text similarity, "
                          f"score {c.score})\n    {c.detail}\n    accept: make accept ID={c.candidate_id} RELATION=builds-on "
                          f"NOTE=\"why, in one line\"   reject: make reject ID={c.candidate_id} NOTE=\"why not\"")
                    continue
                suggestion = f" -> suggested {c.suggested_rec_id}" if c.suggested_rec_id else ""
                first = f"  [{why}]" if why else ""
                print(f"{c.candidate_id}  {c.kind:<8} {c.review_id}{suggestion}{first}\n    {c.title}\n    {c.url}  ({c.published or 'undated'})\n    {c.detail}")
                if c.extracted_text:
                    text = c.extracted_text if len(c.extracted_text) <= 300 else c.extracted_text[:299] + "…"
                    print(f"    report text ({c.locator or 'no locator'}): {text}")
            return 0
        if args.action == "accept":
            d = inbox.accept(args.id, rec_id=args.rec_id or "", status=args.status or "", evidence=args.evidence or "",
                             confidence=args.confidence, as_of=args.as_of or "", note=args.note or "",
                             title=args.title or "", summary=args.summary or "",
                             themes=[t.strip() for t in (args.themes or "").split(",") if t.strip()],
                             response=args.response or "", response_source_id=args.response_source or "",
                             response_note=args.response_note or "", addressed_to=args.addressed_to or "",
                             confirm_number=args.confirm_number, relation=args.relation or "",
                             parts_operating=args.parts or "", parts_partly=args.partly or "")
            kind = next((c.kind for c in inbox.candidates() if c.candidate_id == d.candidate_id), "")
            if kind == "link":
                print(f"accepted {d.candidate_id}: a link from {d.rec_id} added to links.csv (provenance=suggestion)")
            elif kind == "new-recommendation":
                print(f"accepted {d.candidate_id}: {d.rec_id} added to recommendations.csv (run `make check`, then `make book`)")
            else:
                print(f"accepted {d.candidate_id}" + (f": source {d.source_id}" if d.source_id else "")
                      + (f", assessment of {d.rec_id}" if d.rec_id and d.source_id else ""))
            return 0
        d = inbox.reject(args.id, note=args.note or "")
        print(f"rejected {d.candidate_id}")
        return 0
    except InboxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _suggest_links(args: argparse.Namespace) -> int:
    from .collect.inbox import Inbox, link_candidates
    from .model import load
    from .similar import SimilarityError

    inbox = Inbox(Path(args.data))
    try:
        found = link_candidates(load(Path(args.data)), inbox, limit=args.limit, min_score=args.min_score)
    except SimilarityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    added = inbox.add(found)
    print(f"{added} link candidate{'s' if added != 1 else ''} added to the inbox (highest similarity first; pairs already "
          "linked, waiting or decided are never proposed): review them with `make inbox`")
    return 0


def _eval_links(args: argparse.Namespace) -> int:
    from .similar import SimilarityError, eval_table

    try:
        print(eval_table(Path(args.data), log=lambda m: print(m, file=sys.stderr)))
    except SimilarityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _extract(args: argparse.Namespace) -> int:
    import json

    from .extract import DocumentError, extract, missing_numbers

    try:
        result = extract(Path(args.file), expected=args.expected, max_pages=args.max_pages,
                         max_bytes=int(args.max_mb * 1024 * 1024))
    except DocumentError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{args.file}: cannot be read ({exc.strerror or exc})", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return 0
    pages = f", {result.pages} pages" if result.pages else ""
    print(f"{result.document} ({result.kind}{pages}; sha256 {result.sha256[:12]})")
    print(f"{len(result.recommendations)} numbered recommendation{'s' if len(result.recommendations) != 1 else ''}")
    width = max([len(r.number) for r in result.recommendations] + [2])
    loc = max([len(r.locator) for r in result.recommendations] + [5])
    for r in result.recommendations:
        heading = r.heading if len(r.heading) <= 90 else r.heading[:89] + "…"
        print(f"  {r.number:>{width}}  {r.locator:<{loc}}  {heading}")
    if args.expected:
        for n in missing_numbers(result, args.expected):
            print(f"  missing: {n} (expected {args.expected}; not found in the document)")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _linkcheck(args: argparse.Namespace) -> int:
    from .linkcheck import report

    text, broken = report(Path(args.data).parent, timeout=args.timeout)
    print(text)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
    return 0  # a report, never a gate


def _diff_data(args: argparse.Namespace) -> int:
    from .diffdata import DiffError, data_diff

    try:
        print(data_diff(args.base, Path(args.data).resolve().parent))
    except DiffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker", description="NHS leadership reviews tracker")
    parser.add_argument("--data", default=str(ROOT / "data"), help="the data folder (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate every table and print every problem").set_defaults(func=_check)
    sub.add_parser("audit", help="flag statuses that may not follow the rubric (unreviewed warnings exit 1)").set_defaults(func=_audit)
    agr = sub.add_parser("agreement", help="blind agreement checks: figures, a fresh sample, or a score")
    agr.add_argument("action", nargs="?", default="figures", choices=["figures", "sample", "score"])
    agr.add_argument("--n", type=int, default=64, help="sample: how many assessments (default: %(default)s)")
    agr.add_argument("--seed", type=int, default=0, help="sample: the random seed, so a sample can be drawn again")
    agr.add_argument("--out", default="agreement-packet", help="sample: the folder for the packet (default: %(default)s)")
    agr.add_argument("--whole-record", action="store_true",
                     help="sample: draw from every assessment, including those sampled before (record drawn_from=whole-record)")
    agr.add_argument("--key", help="score: the packet's key.csv")
    agr.add_argument("--labels", help="score: the reader's labels.csv")
    agr.set_defaults(func=_agreement)
    gen = sub.add_parser("generate", help="write the generated MyST pages into the book")
    gen.add_argument("--book", default=str(ROOT / "book"))
    gen.set_defaults(func=_generate)
    fmt = sub.add_parser("fmt-data", help="rewrite the tables in canonical form (column order, sorted rows, LF, no BOM)")
    fmt.add_argument("--check", action="store_true", help="only report which files would change (exit 1 if any)")
    fmt.set_defaults(func=_fmt)
    col = sub.add_parser("collect", help="fetch from the public APIs into data/raw/ and propose candidates")
    col.add_argument("--source", action="append", choices=["govuk-content", "govuk-search", "parliament-written-questions",
                                                            "parliament-written-statements", "report-documents"],
                     help="only this source (repeatable); report-documents fetches the reports in report_locations.csv")
    col.add_argument("--review", action="append", help="only this review_id (repeatable)")
    col.add_argument("--since", help="only items published or answered on or after YYYY-MM-DD")
    col.add_argument("--quiet", action="store_true", help="no progress display")
    col.add_argument("--stall-limit", type=float, default=90.0,
                     help="give up on every remaining request when no host has answered for this many seconds (default: %(default)s)")
    col.set_defaults(func=_collect)
    inbox = sub.add_parser("inbox", help="review the candidates the collectors proposed")
    inbox_sub = inbox.add_subparsers(dest="action", required=True)
    inbox_sub.add_parser("list", help="list the candidates waiting for a decision")
    acc = inbox_sub.add_parser("accept", help="accept a candidate: writes its source (and an assessment) to data/")
    acc.add_argument("id")
    acc.add_argument("--rec-id", help="the recommendation this is evidence for")
    acc.add_argument("--status", help="the implementation status it shows")
    acc.add_argument("--evidence", help="what happened, in your own words")
    acc.add_argument("--parts", help="the parts of the ask wholly operating, as numbers from ask_parts.csv: 1;3")
    acc.add_argument("--partly", help="the parts operating for only some of their scope, places or people: 2")
    acc.add_argument("--confidence", default="medium", choices=["high", "medium", "low"])
    acc.add_argument("--as-of", help="the date the assessment describes (default: the item's date)")
    acc.add_argument("--note")
    acc.add_argument("--title", help="new-recommendation: a short title, in your own words")
    acc.add_argument("--summary", help="new-recommendation: what it asks for, in your own words")
    acc.add_argument("--themes", help="new-recommendation: theme_ids, separated by commas")
    acc.add_argument("--response", help="new-recommendation: the government response (a value of the response vocabulary)")
    acc.add_argument("--response-source", help="new-recommendation: the source_id that gives the response")
    acc.add_argument("--response-note", help="new-recommendation: how the response was established (needed for unknown)")
    acc.add_argument("--addressed-to", help="new-recommendation: who it asks to act (default: unknown)")
    acc.add_argument("--confirm-number", action="store_true",
                     help="check: the number was confirmed in the report; mark it so in recommendations.csv")
    acc.add_argument("--relation", help="link: how the later recommendation relates to the earlier (repeats, builds-on, ...)")
    rej = inbox_sub.add_parser("reject", help="reject a candidate; it will not be proposed again")
    rej.add_argument("id")
    rej.add_argument("--note")
    inbox.set_defaults(func=_inbox)
    sl = sub.add_parser("suggest-links", help="propose links between similar recommendations of different reviews into the inbox")
    sl.add_argument("--limit", type=int, default=50, help="at most this many new candidates (default: %(default)s)")
    sl.add_argument("--min-score", type=float, default=0.3, help="only pairs scoring at least this (default: %(default)s)")
    sl.set_defaults(func=_suggest_links)
    sub.add_parser("eval-links", help="score each similarity method against the links found by hand").set_defaults(func=_eval_links)
    ex = sub.add_parser("extract", help="list the numbered recommendations of a report (PDF, HTML or GOV.UK Content API JSON)")
    ex.add_argument("file")
    ex.add_argument("--json", action="store_true", help="print the result as JSON")
    ex.add_argument("--expected", type=int, help="how many numbered recommendations the report should have")
    ex.add_argument("--max-pages", type=int, default=3000, help="refuse a PDF with more pages (default: %(default)s)")
    ex.add_argument("--max-mb", type=float, default=150, help="refuse a file larger than this many megabytes (default: %(default)s)")
    ex.set_defaults(func=_extract)
    lc = sub.add_parser("linkcheck", help="report external addresses that no longer answer (never fails)")
    lc.add_argument("--output", help="also write the report (Markdown) to this file")
    lc.add_argument("--timeout", type=float, default=15.0)
    lc.set_defaults(func=_linkcheck)
    dd = sub.add_parser("diff-data", help="what changed in the curated data since a git revision")
    dd.add_argument("--base", default="origin/main", help="the git revision to compare with (default: %(default)s)")
    dd.set_defaults(func=_diff_data)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
