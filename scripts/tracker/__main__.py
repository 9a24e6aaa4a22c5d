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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker", description="NHS leadership reviews tracker")
    parser.add_argument("--data", default=str(ROOT / "data"), help="the data folder (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate every table and print every problem").set_defaults(func=_check)
    gen = sub.add_parser("generate", help="write the generated MyST pages into the book")
    gen.add_argument("--book", default=str(ROOT / "book"))
    gen.set_defaults(func=_generate)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
