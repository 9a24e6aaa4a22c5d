"""External link report: every web address the data and chapters cite, checked
over the network. It reports and never fails a build: external sites move on
their own schedule (internal links are checked by the test suite instead)."""

from __future__ import annotations

import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from .collect.http import USER_AGENT
from .tables import clean, read_all

MARKDOWN_URL = re.compile(r"https?://[^\s)>\]\"'<]+")


def cited_urls(root: Path) -> dict[str, set[str]]:
    """Every external URL, with where it is cited (file and row or line)."""
    where: dict[str, set[str]] = defaultdict(set)
    pkg, tables, _ = read_all(root / "data")
    for name, table in tables.items():
        url_fields = [f["name"] for f in pkg.fields(name) if f["name"] in ("url", "source_url")]
        for row in table.rows:
            for column in url_fields:
                if clean(row)[column]:
                    where[row[column]].add(f"{table.file} row {row['__row__']}")
    for page in sorted((root / "book").rglob("*.md")):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            for url in MARKDOWN_URL.findall(line):
                if "example.org" not in url:
                    where[url.rstrip(".,;")].add(f"{page.relative_to(root)} line {number}")
    return where


def check(url: str, timeout: float = 15.0) -> tuple[str, str]:
    headers = {"User-Agent": USER_AGENT}
    try:
        response = requests.head(url, headers=headers, timeout=timeout, allow_redirects=True)
        if response.status_code in (405, 403) or response.status_code >= 500:
            response = requests.get(url, headers=headers, timeout=timeout, allow_redirects=True, stream=True)
            response.close()
        return ("ok" if response.status_code < 400 else "broken"), f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        return "broken", type(exc).__name__


def report(root: Path, workers: int = 4, timeout: float = 15.0) -> tuple[str, int]:
    where = cited_urls(root)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(where, pool.map(lambda u: check(u, timeout), where)))
    broken = sorted(u for u, (state, _) in results.items() if state == "broken")
    lines = [f"# External link report: {len(where)} addresses, {len(broken)} broken", ""]
    if broken:
        lines += ["| Address | Result | Cited in |", "|---|---|---|"]
        lines += [f"| {u} | {results[u][1]} | {'; '.join(sorted(where[u]))} |" for u in broken]
    else:
        lines.append("Every cited address answered.")
    return "\n".join(lines) + "\n", len(broken)
