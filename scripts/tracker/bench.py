"""`make bench`: build and collector timings, memory and page weights, each the
median of several runs, printed as a table with the command behind each figure.
It measures; it never passes or fails."""

from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .pages import generated_paths
from .paths import ROOT

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
#: The reviews whose collection targets the replay server answers from tests/fixtures/collect.
REPLAYED = ["messenger-2022"]
COPIED = ["_config.yml", "_toc.yml", "_static", "_templates", "book", "data", "CITATION.cff"]
MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
           "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode); "
           "sys.stderr.write(r.stderr.decode()[-2000:] if r.returncode else '')")


@dataclass
class Figure:
    measure: str
    values: list[float]
    unit: str
    command: str
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def row(self) -> str:
        shown = f"{self.median:,.1f} {self.unit}" if self.unit != "bytes" else f"{self.median:,.0f} bytes"
        runs = f"{len(self.values)}"
        return f"| {self.measure} | {shown} | {runs} | `{self.command}` | {self.note} |"


def copy_project(dest: Path, data: Path | None = None) -> Path:
    """A buildable copy of the project (sources and data, not the build, the venv or
    generated pages), optionally with another data folder in place of data/."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src = ROOT / name
        if name == "data" and data is not None:
            shutil.copytree(data, dest / "data")
        elif src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("raw", "inbox"))
        else:
            shutil.copy2(src, dest / name)
    for generated in generated_paths(dest / "book"):
        if generated.is_dir():
            shutil.rmtree(generated)
        elif generated.exists():
            generated.unlink()
    (dest / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return dest


def timed_build(project: Path) -> tuple[float, float]:
    """Seconds and peak memory (MB, the largest process of the build) of one build."""
    command = [sys.executable, "-c", MEASURE, str(JUPYTER_BOOK), "build", str(project), "-W", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=project)
    seconds, maxrss_kb, code = result.stdout.split()
    if code != "0":
        raise RuntimeError(f"the build failed in {project}:\n{result.stderr}")
    return float(seconds), int(maxrss_kb) / 1024


def set_summary(project: Path, rec_id: str, value: str) -> None:
    path = project / "data" / "recommendations.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["rec_id"] == rec_id:
            row["summary"] = value
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def build_figures(label: str, project: Path, runs: int, incremental: bool, log) -> list[Figure]:
    clean, memory = [], []
    for i in range(runs):
        shutil.rmtree(project / "_build", ignore_errors=True)
        seconds, mb = timed_build(project)
        clean.append(seconds)
        memory.append(mb)
        log(f"{label}: clean build {i + 1}/{runs}: {seconds:.1f} s, {mb:.0f} MB")
    cmd = "rm -rf _build && jupyter-book build . -W --keep-going"
    figures = [Figure(f"{label}: clean build", clean, "s", cmd),
               Figure(f"{label}: peak memory of a clean build", memory, "MB", cmd, "largest single process")]
    if not incremental:
        return figures
    again = []
    for i in range(runs):
        seconds, _ = timed_build(project)
        again.append(seconds)
        log(f"{label}: rebuild with nothing changed {i + 1}/{runs}: {seconds:.1f} s")
    figures.append(Figure(f"{label}: rebuild, nothing changed", again, "s", "jupyter-book build . -W --keep-going"))
    rec_id, review_id = "messenger-2022-r3", "messenger-2022"
    changed, memory = [], []
    for i in range(runs):
        marker = f"Benchmark edit {i} {time.time_ns()}"
        set_summary(project, rec_id, marker)
        seconds, mb = timed_build(project)
        page = (project / "_build" / "html" / "book" / "reviews" / f"{review_id}.html").read_text(encoding="utf-8")
        if marker not in page:
            raise RuntimeError("the changed cell did not reach the page")
        changed.append(seconds)
        memory.append(mb)
        log(f"{label}: rebuild after one cell changed {i + 1}/{runs}: {seconds:.1f} s (change visible)")
    figures.append(Figure(f"{label}: rebuild after one data cell changed", changed, "s",
                          "edit one summary in recommendations.csv; jupyter-book build . -W --keep-going",
                          "the new value was checked on the page"))
    return figures


def page_weights(site: Path) -> list[Figure]:
    pages = [p for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith("r/")]
    largest = max(pages, key=lambda p: p.stat().st_size)
    over = [p.relative_to(site).as_posix() for p in pages if p.stat().st_size > 1_000_000]
    figures = [Figure("largest HTML page", [largest.stat().st_size], "bytes", "stat _build/html/**/*.html",
                      f"{largest.relative_to(site).as_posix()}; pages over 1 MB: {', '.join(over) or 'none'}")]
    for name, path in (("home page", "book/intro.html"), ("chart page", "book/analysis/overview.html")):
        total, how = downloaded_bytes(site, path)
        figures.append(Figure(f"bytes a reader downloads: {name}", [total], "bytes", how))
    return figures


def downloaded_bytes(site: Path, path: str) -> tuple[int, str]:
    """Every byte the browser fetches for one page (Chromium via Playwright)."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sizes: list[int] = []
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu",
                                                                         "--disable-background-networking"])
            page = browser.new_page()
            page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/{path}", wait_until="networkidle")
            browser.close()
    finally:
        server.shutdown()
    return sum(sizes), f"load {path} in Chromium and sum every response body"


def collector_figures(runs: int, log) -> list[Figure]:
    from .collect.http import Client
    from .collect.replay import FIXTURE_ROUTES, FIXTURES, ReplayServer, recorded_bodies
    from .collect.run import collect

    server = ReplayServer(recorded_bodies(FIXTURES, FIXTURE_ROUTES))
    os.environ["GOVUK_API_ROOT"] = os.environ["PARLIAMENT_QUESTIONS_API_ROOT"] = os.environ["GOVUK_ASSETS_ROOT"] = server.root
    cold, warm, conditional = [], [], []
    try:
        for i in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                data = Path(tmp) / "data"
                shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("raw", "inbox"))
                client = Client(allowed_hosts={"127.0.0.1"}, min_interval=0.0)
                started = time.perf_counter()
                collect(data, client=client, reviews=REPLAYED)
                cold.append(time.perf_counter() - started)
                server.requests.clear()
                started = time.perf_counter()
                report = collect(data, client=client, reviews=REPLAYED)
                warm.append(time.perf_counter() - started)
                conditional.append(sum("If-None-Match" in h for _, _, h in server.requests) / max(len(server.requests), 1))
                log(f"collector {i + 1}/{runs}: cold {cold[-1]:.2f} s, nothing changed {warm[-1]:.2f} s "
                    f"({report.counts()['unchanged']} unchanged)")
    finally:
        server.close()
        for key in ("GOVUK_API_ROOT", "PARLIAMENT_QUESTIONS_API_ROOT", "GOVUK_ASSETS_ROOT"):
            os.environ.pop(key, None)
    note = f"local replay server, {len(report.outcomes)} targets (the {', '.join(REPLAYED)} ones it replays), polite 1 s spacing turned off"
    return [Figure("collector: cold run", cold, "s", "python -m tracker collect (against a local replay server)", note),
            Figure("collector: run with nothing changed", warm, "s", "the same, again", note + "; "
                   f"{statistics.median(conditional):.0%} of requests conditional")]


OVERLAPS = """() => Array.from(document.querySelectorAll('div[id^=altair-viz-]')).map(div => {
  const boxes = Array.from(div.querySelectorAll('svg.marks text')).map(t => t.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0);
  let pairs = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) pairs++;
  }
  return pairs;
})"""


def chart_label_figures(site: Path, log) -> list[Figure]:
    """Pairs of text labels that overlap inside each drawn chart, at a desktop and a
    phone width (the bounding boxes of every <text> in the chart's SVG)."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = sorted(p.stem for p in (site / "book" / "analysis").glob("*.html"))
    figures = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for width in (1400, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                per_chart = []
                for name in pages:
                    page.goto(f"http://127.0.0.1:{server.server_address[1]}/book/analysis/{name}.html", wait_until="load")
                    page.wait_for_function("[...document.querySelectorAll('div[id^=altair-viz-]')]"
                                           ".every(d => d.querySelector('svg.marks'))", timeout=20000)
                    per_chart += [f"{name}{'' if i == 0 else f' ({i + 1})'}: {n}" for i, n in enumerate(page.evaluate(OVERLAPS))]
                page.close()
                total = sum(int(c.rsplit(": ", 1)[1]) for c in per_chart)
                log(f"chart labels at {width} px: {total} overlapping pairs")
                figures.append(Figure(f"overlapping chart labels at {width} px", [total], "pairs",
                                      "bounding boxes of each chart's SVG <text> in Chromium", "; ".join(per_chart)))
            browser.close()
    finally:
        server.shutdown()
    return figures


def extraction_figures(runs: int, log) -> list[Figure]:
    """Reading a generated 500-page report (250 labelled recommendations among
    numbered paragraphs and filler) with `python -m tracker extract`."""
    from .synth_documents import bulk_pdf

    with tempfile.TemporaryDirectory() as tmp:
        pdf = bulk_pdf(Path(tmp) / "report-500-pages.pdf", pages=500)
        command = [sys.executable, "-m", "tracker", "extract", str(pdf), "--json"]
        seconds, memory = [], []
        for i in range(runs):
            out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, cwd=ROOT)
            elapsed, peak_kb, code = out.stdout.split()[:3]
            seconds.append(float(elapsed))
            memory.append(int(peak_kb) / 1024)
            log(f"extract {i + 1}/{runs}: {float(elapsed):.1f} s, {int(peak_kb) / 1024:.0f} MB")
        found = len(__import__("json").loads(subprocess.run(command, capture_output=True, text=True, cwd=ROOT).stdout)
                    ["recommendations"])
        note = f"generated by tracker.synth_documents.bulk_pdf, {pdf.stat().st_size:,} bytes; {found} of 250 recommendations found"
    return [Figure("extract: 500-page PDF", seconds, "s", "python -m tracker extract report-500-pages.pdf --json", note),
            Figure("extract: 500-page PDF, peak memory", memory, "MB", "the same", note + "; largest single process")]


def hung_hosts_figure(log) -> list[Figure]:
    """A collection run with the default timeouts while every host accepts
    connections and never answers: every committed target, plus 40 more report
    locations, against three such hosts on 127.0.0.1-3."""
    from .collect.http import Client
    from .collect.replay import ReplayServer
    from .collect.run import collect

    servers = [ReplayServer({}, host=f"127.0.0.{n}") for n in (1, 2, 3)]
    for server in servers:
        server.hang = 600.0
    saved = {k: os.environ.get(k) for k in ("GOVUK_API_ROOT", "GOVUK_ASSETS_ROOT", "PARLIAMENT_QUESTIONS_API_ROOT")}
    os.environ["GOVUK_API_ROOT"] = os.environ["GOVUK_ASSETS_ROOT"] = servers[0].root
    os.environ["PARLIAMENT_QUESTIONS_API_ROOT"] = servers[1].root
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("raw", "inbox"))
            with open(data / "report_locations.csv", "a", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                for n in range(40):
                    writer.writerow(["messenger-2022", "document", f"{servers[2].root}/r-{n}.pdf", "pdf", "read",
                                     "https://example.org/", "benchmark"])
            client = Client(allowed_hosts={"127.0.0.1", "127.0.0.2", "127.0.0.3"})
            started = time.perf_counter()
            report = collect(data, client=client)
            elapsed = time.perf_counter() - started
    finally:
        for server in servers:
            server.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    log(f"hung hosts: the run ended after {elapsed:.0f} s")
    note = (f"{len(report.outcomes)} targets, default timeout {client.timeout:g} s and stall limit {client.stall_limit:g} s; "
            f"{len(report.skipped)} skipped; hosts named as not answering: {', '.join(sorted(report.unanswered)) or 'none'}")
    return [Figure("collector: every host hanging, until the run ends", [elapsed], "s",
                   "python -m tracker collect (three local hosts that never answer)", note)]


SIMILAR_STEP = ("import json, resource, sys, time; from pathlib import Path; from tracker.model import load; "
                "from tracker.similar import compute; t = time.perf_counter(); c = load(Path(sys.argv[1])); "
                "s = compute(c, cache_dir=Path(sys.argv[2])); "
                "print(json.dumps({'seconds': time.perf_counter() - t, 'vectors': s.vectors_computed, 'recs': len(c.recommendations), "
                "'mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))")


def similar_figures(runs: int, sizes: tuple[int, ...], log) -> list[Figure]:
    """The similarity step alone (load the corpus, score every recommendation against other
    reviews'), in a fresh process: with an empty cache (as in a clean build), and after one
    summary changed (the cached vectors of every other text are reused)."""
    from .synth import generate

    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        corpora = [("real corpus", ROOT / "data")]
        for size in sizes:
            data = Path(tmp) / f"data-{size}"
            generate(data, reviews=max(size // 50, 1), per_review=50)
            corpora.append((f"synthetic {size:,}", data))
        for label, source in corpora:
            data = Path(tmp) / f"copy-{label.replace(' ', '-')}"
            shutil.copytree(source, data, ignore=shutil.ignore_patterns("raw", "inbox"))
            cold, cold_mb, changed, changed_mb = [], [], [], []
            for i in range(runs):
                cache = Path(tmp) / f"cache-{label.replace(' ', '-')}-{i}"

                def step() -> dict:
                    out = subprocess.run([sys.executable, "-c", SIMILAR_STEP, str(data), str(cache)], capture_output=True,
                                         text=True, check=True, cwd=ROOT)
                    return __import__("json").loads(out.stdout)

                first = step()
                cold.append(first["seconds"])
                cold_mb.append(first["mb"])
                _edit_first_summary(data, f"Benchmark edit {i} {time.time_ns()}")
                second = step()
                changed.append(second["seconds"])
                changed_mb.append(second["mb"])
                log(f"similar, {label}: {first['recs']:,} recommendations, empty cache {first['seconds']:.1f} s "
                    f"{first['mb']:.0f} MB; after one summary changed {second['seconds']:.1f} s, {second['vectors']} vector(s) recomputed")
            cmd = "python -c 'load the corpus; tracker.similar.compute(corpus, cache_dir)' in a fresh process"
            figures += [Figure(f"similar, {label} ({first['recs']:,} recommendations): empty cache", cold, "s", cmd,
                               "as in a clean build"),
                        Figure(f"similar, {label}: peak memory, empty cache", cold_mb, "MB", cmd, "the whole process"),
                        Figure(f"similar, {label}: after one summary changed", changed, "s", cmd,
                               f"{second['vectors']} vector recomputed, the others read from the cache"),
                        Figure(f"similar, {label}: peak memory after one summary changed", changed_mb, "MB", cmd, "")]
    return figures


def _edit_first_summary(data: Path, value: str) -> None:
    path = data / "recommendations.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["summary"] = value
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def run(runs: int = 3, sizes: tuple[int, ...] = (1000, 10000), synthetic_runs: int | None = None, log=print,
        hung_hosts: bool = True) -> str:
    from .synth import generate

    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        real = copy_project(Path(tmp) / "real")
        figures += build_figures("real corpus", real, runs, incremental=True, log=log)
        figures += page_weights(real / "_build" / "html")
        figures += chart_label_figures(real / "_build" / "html", log)
        by_size: dict[int, float] = {}
        for size in sizes:
            project = Path(tmp) / f"synthetic-{size}"
            data = Path(tmp) / f"data-{size}"
            counts = generate(data, reviews=max(size // 50, 1), per_review=50)
            copy_project(project, data=data)
            label = f"synthetic {counts['recommendations']:,} recommendations, {counts['reviews']} reviews"
            found = build_figures(label, project, synthetic_runs or runs, incremental=False, log=log)
            by_size[size] = found[0].median
            figures += found
            figures += [Figure(f"{label}: largest HTML page", [f.values[0]], "bytes", f.command, f.note)
                        for f in page_weights(project / "_build" / "html")[:1]]
        if len(by_size) >= 2:
            small, large = min(by_size), max(by_size)
            ratio = by_size[large] / by_size[small]
            figures.append(Figure(f"scaling: clean build time at {large:,} / at {small:,}", [ratio], "x",
                                  "ratio of the two medians above", f"linear would be {large / small:.0f}x"))
    figures += collector_figures(runs, log)
    figures += extraction_figures(runs, log)
    if hung_hosts:
        figures += hung_hosts_figure(log)
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}"
    lines = [f"# Benchmark ({time.strftime('%Y-%m-%d')}, {machine})", "",
             "| Measure | Median | Runs | Command | Note |", "|---|---|---|---|---|"] + [f.row() for f in figures]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tracker.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    parser.add_argument("--synthetic-runs", type=int, help="runs for the synthetic corpus builds (default: --runs)")
    parser.add_argument("--sizes", default="1000,10000", help="synthetic corpus sizes (default 1000,10000)")
    parser.add_argument("--output", default=str(ROOT / "_build" / "bench.md"))
    parser.add_argument("--no-hung-hosts", action="store_true", help="skip the 90-second run against hosts that never answer")
    parser.add_argument("--only", choices=["extract", "collect", "charts", "similar"], help="only these figures (charts: one build)")
    args = parser.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    if args.only:
        if args.only == "extract":
            figures = extraction_figures(args.runs, log)
        elif args.only == "similar":
            figures = similar_figures(args.runs, tuple(int(s) for s in args.sizes.split(",") if s), log)
        elif args.only == "charts":
            with tempfile.TemporaryDirectory() as tmp:
                project = copy_project(Path(tmp) / "charts")
                subprocess.run([str(JUPYTER_BOOK), "build", str(project)], capture_output=True, check=True, cwd=project)
                figures = chart_label_figures(project / "_build" / "html", log)
        else:
            figures = collector_figures(args.runs, log) + ([] if args.no_hung_hosts else hung_hosts_figure(log))
        table = "\n".join(["| Measure | Median | Runs | Command | Note |", "|---|---|---|---|---|"] + [f.row() for f in figures]) + "\n"
    else:
        table = run(args.runs, tuple(int(s) for s in args.sizes.split(",") if s), args.synthetic_runs, log=log,
                    hung_hosts=not args.no_hung_hosts)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

