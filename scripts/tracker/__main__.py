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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker", description="NHS leadership reviews tracker")
    parser.add_argument("--data", default=str(ROOT / "data"), help="the data folder (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate every table and print every problem").set_defaults(func=_check)
    gen = sub.add_parser("generate", help="write the generated MyST pages into the book")
    gen.add_argument("--book", default=str(ROOT / "book"))
    gen.set_defaults(func=_generate)
    fmt = sub.add_parser("fmt-data", help="rewrite the tables in canonical form (column order, sorted rows, LF, no BOM)")
    fmt.add_argument("--check", action="store_true", help="only report which files would change (exit 1 if any)")
    fmt.set_defaults(func=_fmt)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
