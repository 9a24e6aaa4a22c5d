"""Sphinx extension: the bridge between ``data/`` and the Jupyter Book build.

- ``config-inited``: refuse to build on invalid data, write the generated
  pages (only those whose text changed), and key the notebook execution cache
  on a hash of ``data/`` so that a data change always re-runs the charts.
- ``html-page-context``: on pages that hold an Altair chart, and only there,
  load vega, vega-lite and vega-embed from the site itself and tell Altair's
  loader they are present, so that nothing is fetched from a CDN.
- ``build-finished``: copy those three files into the site.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

from .chartstyle import status_css
from .pages import PAGE_ROWS

VEGA_FILES = {  # npm package -> its browser build, in the order they must load
    "vega": "build/vega.min.js",
    "vega-lite": "build/vega-lite.min.js",
    "vega-embed": "build/vega-embed.min.js",
}
VEGA_STATIC = "tracker-vega"
CHART_MARKER = "altair-viz-"


def site_url(config: Config) -> str:
    """Where the site is published: SITE_URL in the environment, else html_baseurl;
    empty when neither is set, and then no absolute address is written anywhere."""
    url = (os.environ.get("SITE_URL") or config.html_baseurl or "").strip()
    return url if not url or url.endswith("/") else url + "/"


def data_hash(data_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file() and not {"raw", "inbox"} & set(p.relative_to(data_dir).parts)):
        digest.update(str(path.relative_to(data_dir)).encode())
        digest.update(path.read_bytes())
    # The chapters' outputs also depend on the code that draws the charts and on the
    # "as of" date given at build time, so a change to either re-runs them too.
    for name in ("charts.py", "chartstyle.py", "model.py", "commitments.py"):
        code = Path(__file__).with_name(name)
        if code.is_file():
            digest.update(code.read_bytes())
    digest.update(os.environ.get("TRACKER_AS_OF", "").encode())
    return digest.hexdigest()[:16]


def _root(app: Sphinx) -> Path:
    return Path(app.srcdir)


def on_config_inited(app: Sphinx, config: Config) -> None:
    from .model import load
    from .pages import build_pages, nav_order, write_pages
    from .validate import summarise, validate

    root = _root(app)
    data_dir = root / "data"
    problems = validate(data_dir)
    if problems:
        listing = "\n".join(p.format() for p in problems)
        raise ExtensionError(f"the data in {data_dir} is invalid, so nothing was built ({summarise(problems)}):\n{listing}")
    corpus = load(data_dir)
    pages = build_pages(corpus, root / "book", site_url=site_url(config), page_rows=config.tracker_page_rows)
    write_pages(pages, root / "book")
    app.tracker_corpus = corpus
    app.tracker_nav = nav_order(pages, root / "book")
    # nb_* values are registered with rebuild="env": a new cache path makes
    # Sphinx re-read every page and re-execute the notebooks into a fresh cache.
    cache_root = Path(app.outdir).parent / ".jupyter_cache"
    config.nb_execution_cache_path = str(cache_root / f"data-{data_hash(data_dir)}")


def order_generated_pages(app: Sphinx, config: Config) -> None:
    """List generated pages in a meaningful order (reviews oldest first, statuses in
    vocabulary order, themes by name) rather than alphabetically: each glob of
    _toc.yml over a generated folder becomes one entry per page, in that order."""
    from sphinx_external_toc.api import Document, FileItem, GlobItem

    site_map = getattr(config, "external_site_map", None)
    orders = getattr(app, "tracker_nav", None)
    if site_map is None or orders is None:
        return
    # The explorer's continuation pages are orphans reached from its page links, not
    # from the navigation; only_build_toc_files would otherwise leave them unbuilt.
    config.exclude_patterns = [p for p in config.exclude_patterns if not p.startswith("book/explorer/")]
    for docname in list(site_map):
        for tree in site_map[docname].subtrees:
            if not any(isinstance(i, GlobItem) and str(i) in orders for i in tree.items):
                continue
            items = []
            for item in tree.items:
                if isinstance(item, GlobItem) and str(item) in orders:
                    items.extend(FileItem(d) for d in orders[str(item)])
                    for d in orders[str(item)]:
                        if d not in site_map:
                            site_map[d] = Document(d)
                else:
                    items.append(item)
            tree.items[:] = items


def _vega_sources(app: Sphinx) -> dict[str, Path]:
    modules = _root(app) / "node_modules"
    found = {name: modules / name / rel for name, rel in VEGA_FILES.items()}
    missing = [str(p) for p in found.values() if not p.is_file()]
    if missing:
        raise ExtensionError(
            "the chart libraries are not installed (" + ", ".join(missing) + "); run `make book`, "
            "which installs them from package-lock.json with npm")
    return found


def _asset_text(asset) -> str:
    filename = getattr(asset, "filename", asset) or ""
    attributes = getattr(asset, "attributes", {}) or {}
    return f"{filename} {attributes.get('body', '')}"


def _prune_assets(context: dict) -> None:
    """Drop the theme's thebe (live code) assets, which this site does not use and
    which the theme declares twice (a console error on every page), and any
    other asset declared twice."""
    for key in ("script_files", "css_files"):
        kept, seen = [], set()
        for asset in context.get(key, []):
            text = _asset_text(asset)
            if "thebe" in text.lower() or text in seen:
                continue
            seen.add(text)
            kept.append(asset)
        context[key][:] = kept  # in place: add_js_file appends to this same list


SPEC_START = re.compile(r'\{"config":')


CHART_ID = re.compile(r"altair-viz-[0-9a-f]{32}")


def stable_chart_ids(body: str, pagename: str) -> str:
    """Altair names each chart's element with a random id, so two builds of the same
    data differed on every chart page. Name them instead by the page and their order
    on it: the same site from the same commit, byte for byte."""
    mapping: dict[str, str] = {}
    for found in CHART_ID.findall(body):
        if found not in mapping:
            digest = hashlib.sha256(f"{pagename}#{len(mapping)}".encode()).hexdigest()[:32]
            mapping[found] = f"altair-viz-{digest}"
    return CHART_ID.sub(lambda m: mapping[m.group(0)], body) if mapping else body


CHART_DIV = re.compile(r'<div id="(altair-viz-[0-9a-f]{32})"')
CHART_DATA = "tracker-charts"


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell that starts like a formula: keep such text as text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return "'" + text
    return text


def chart_downloads(body: str, specs: list[tuple[dict, int]], pagename: str, outdir: Path, pathto=None,
                    source: str = "") -> str:
    """After each chart, the line ``source`` (where its figures come from, and as of
    when), then links to download it as SVG or PNG (drawn in the browser from the chart
    itself) and its data as CSV (written here from the chart's own spec). ``specs`` are
    the charts' specs with where each ends in ``body``."""
    import csv
    import io
    from html import escape

    ids = CHART_DIV.findall(body)
    if not ids or len(ids) != len(specs):
        return body
    slug = re.sub(r"[^a-z0-9]+", "-", pagename.lower()).strip("-")
    out, pos = [], 0
    for n, (chart_id, (spec, end)) in enumerate(zip(ids, specs), start=1):
        datasets = spec.get("datasets") or {}
        rows = max(datasets.values(), key=len) if datasets else []
        columns = list(dict.fromkeys(k for row in rows for k in row))
        name = f"{slug}-{n}"
        if rows:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([_csv_cell(row.get(c)) for c in columns] for row in rows)
            target = outdir / "_static" / CHART_DATA / f"{name}.csv"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(buffer.getvalue(), encoding="utf-8")
        script_end = body.find("</script>", end)
        if script_end < 0:
            continue
        script_end += len("</script>")
        csv_href = pathto(f"_static/{CHART_DATA}/{name}.csv", 1) if pathto else f"_static/{CHART_DATA}/{name}.csv"
        links = ((f'<p class="tracker-chart-source">{escape(source)}</p>' if source else "")
                 + f'<p class="tracker-chart-downloads">Download this chart: '
                 f'<a href="#" data-chart-download="svg" data-chart="{escape(chart_id)}" data-name="{escape(name)}">SVG</a> · '
                 f'<a href="#" data-chart-download="png" data-chart="{escape(chart_id)}" data-name="{escape(name)}">PNG</a>'
                 + (f' · <a href="{escape(csv_href)}" download>its data (CSV)</a>' if rows else "") + "</p>")
        out += [body[pos:script_end], links]
        pos = script_end
    out.append(body[pos:])
    return "".join(out)


def chart_source_line(app: Sphinx) -> str:
    """The line under every chart: where its figures come from and the date they are as of."""
    corpus = getattr(app, "tracker_corpus", None)
    if corpus is None:
        return ""
    from .pages.common import when

    return (f"Source: the tracker's data tables (reviews, recommendations and dated assessments, each citing its source), "
            f"as of {when(corpus.as_of(), 'day')} ({corpus.as_of_origin()}).")


def harden_chart_specs(body: str) -> tuple[str, list[tuple[dict, int]]]:
    """Altair writes each chart's spec into a <script> as raw JSON, so a data value
    containing '</script>' would end the script early and let the rest run as HTML.
    Re-serialise every embedded spec with <, > and & as JSON unicode escapes: the
    same data for the chart, nothing that an HTML parser can see. Returns the new
    body and each spec with where it ends in that body."""
    decoder = json.JSONDecoder()
    out, pos, length, specs = [], 0, 0, []
    for match in SPEC_START.finditer(body):
        if match.start() < pos:
            continue
        try:
            spec, end = decoder.raw_decode(body, match.start())
        except json.JSONDecodeError:
            continue
        safe = json.dumps(spec).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        out += [body[pos:match.start()], safe]
        length += match.start() - pos + len(safe)
        specs.append((spec, length))
        pos = end
    out.append(body[pos:])
    return "".join(out), specs


def _head_links(app: Sphinx, pagename: str, context: dict) -> None:
    """The Atom feed on every page, and OpenGraph metadata that says what the page is."""
    from html import escape

    base = site_url(app.config)
    pathto = context.get("pathto")
    feed = pathto("feed.xml", 1) if pathto else "feed.xml"
    title = escape(context.get("title") or "")
    site = escape(app.config.project or "")
    meta = context.get("meta") or {}
    tags = [f'<link rel="alternate" type="application/atom+xml" title="Status changes" href="{escape(feed)}">',
            f'<meta property="og:site_name" content="{site}">',
            f'<meta property="og:title" content="{title}">',
            '<meta property="og:type" content="website">']
    if base:
        tags.append(f'<meta property="og:url" content="{escape(base + pagename + ".html")}">')
    metatags = context.get("metatags", "")
    found = re.search(r'<meta[^>]*name="description"[^>]*>', metatags)
    if found:
        content = re.search(r'content="([^"]*)"', found.group(0))
        if content:
            tags.append(f'<meta property="og:description" content="{content.group(1)}">')
    elif meta.get("description"):
        tags.append(f'<meta property="og:description" content="{escape(meta["description"])}">')
    context["metatags"] = metatags + "\n".join(tags)


def _footer_links(app: Sphinx, context: dict) -> None:
    """The footer's citation link, relative to each page (the file is at the site's root),
    and the repository's address when one is configured."""
    from html import escape

    footer = context.get("theme_extra_footer") or ""
    pathto = context.get("pathto")
    if "{citation}" in footer and pathto:
        footer = footer.replace("{citation}", escape(pathto("CITATION.cff", 1)))
    repository = (app.config.html_theme_options or {}).get("repository_url") or ""
    if "{repository}" in footer:
        footer = footer.replace("{repository}", f' Code and data: <a href="{escape(repository)}">the repository</a>.'
                                if repository else "")
    context["theme_extra_footer"] = footer


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    from html import escape

    # sphinx-book-theme puts the page title's plain text into its print header
    # without escaping it; a title from data must stay text there too.
    if isinstance(context.get("pagetitle"), str):
        context["pagetitle"] = escape(context["pagetitle"])
    _prune_assets(context)
    _head_links(app, pagename, context)
    _footer_links(app, context)
    body = context.get("body") or ""
    if CHART_MARKER in body:
        body, specs = harden_chart_specs(body)
        # Chart ids keep their length, so where each spec ends stays where it was.
        body = stable_chart_ids(body, pagename)
        body = context["body"] = chart_downloads(body, specs, pagename, Path(app.outdir), context.get("pathto"),
                                                   source=chart_source_line(app))
        app.add_js_file("tracker/chart-downloads.js", priority=500, defer="defer")
    if 'id="tracker-explorer"' in body:
        app.add_js_file("tracker/explorer.js", priority=500, defer="defer")
    if 'class="tracker-copy"' in body:
        app.add_js_file("tracker/copy.js", priority=500, defer="defer")
    # On every page: the phone menus (see the file for why).
    app.add_js_file("tracker/phone-nav.js", priority=900, defer="defer")
    if CHART_MARKER not in body:
        return
    from altair.vegalite.v6 import display

    for name in VEGA_FILES:
        app.add_js_file(f"{VEGA_STATIC}/{name}.min.js", priority=400)
    versions = {
        "vega_version": display.VEGA_VERSION,
        "vegalite_version": display.VEGALITE_VERSION,
        "vegaembed_version": display.VEGAEMBED_VERSION,
    }
    # Altair's loader skips fetching a library whose version VEGA_DEBUG names.
    script = "var VEGA_DEBUG = " + ", ".join(f"{k}: '{v}'" for k, v in versions.items()).join(("{", "}")) + ";"
    app.add_js_file(None, body=script, priority=401)


NAV_TOGGLE = '<summary><span class="toctree-toggle" role="presentation">'
NAV_TOGGLE_NAMED = '<summary aria-label="Show or hide the pages in this section"><span class="toctree-toggle" role="presentation">'


def name_navigation_toggles(out: Path) -> int:
    """The theme's expand/collapse control in the navigation is an icon-only
    <summary> with no accessible name (axe: summary-name, serious); give it one."""
    patched = 0
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if NAV_TOGGLE in html:
            page.write_text(html.replace(NAV_TOGGLE, NAV_TOGGLE_NAMED), encoding="utf-8")
            patched += 1
    return patched


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception or app.builder.format != "html":
        return
    from .publish import publish

    out = Path(app.outdir)
    name_navigation_toggles(out)
    static = out / "_static" / "tracker"
    static.mkdir(parents=True, exist_ok=True)
    for name in ("explorer.js", "phone-nav.js", "copy.js", "chart-downloads.js"):
        shutil.copyfile(Path(__file__).parent / "static" / name, static / name)
    (static / "status.css").write_text(status_css(), encoding="utf-8")
    corpus = getattr(app, "tracker_corpus", None)
    if corpus is not None:
        publish(corpus, _root(app) / "data", out, site_url(app.config))
    target = Path(app.outdir) / "_static" / VEGA_STATIC
    target.mkdir(parents=True, exist_ok=True)
    for name, source in _vega_sources(app).items():
        dest = target / f"{name}.min.js"
        if not dest.exists() or dest.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, dest)
        licence = source.parent.parent / "LICENSE"
        if licence.is_file():
            shutil.copyfile(licence, target / f"{name}.LICENSE.txt")


def _titles_only_tocs(env) -> dict:
    """Each document's table of contents cut to what a titles-only navigation keeps:
    its title(s) and any toctrees below them. Sphinx would otherwise deep-copy every
    page's full section tree, for every page written, only to prune it again (at
    10,000 recommendations that copying was over half of the build)."""
    from docutils import nodes
    from sphinx import addnodes

    cut = {}
    for docname, toc in env.tocs.items():
        copy = toc.copy()
        for item in toc.children:
            if not isinstance(item, nodes.list_item):
                copy.append(item.deepcopy())
                continue
            new_item = item.copy()
            new_item.append(item[0].deepcopy())
            subtrees = [t.copy() for t in item.findall(addnodes.toctree)] if len(item) > 1 else []
            if subtrees:  # only the sub-toctrees survive Sphinx's own titles-only pruning
                sub = item[1].copy()
                sub.extend(subtrees)
                new_item.append(sub)
            copy.append(new_item)
        cut[docname] = copy
    return cut


def fast_titles_only_navigation(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The theme's navigation asks for a titles-only toctree: serve it from tables of
    contents already cut to titles, which gives the same HTML far faster."""
    original = context.get("toctree")
    if original is None:
        return
    env = app.env

    def toctree(**kwargs):
        if not kwargs.get("titles_only"):
            return original(**kwargs)
        cut = getattr(app, "_tracker_titles_tocs", None)
        if cut is None:
            cut = app._tracker_titles_tocs = _titles_only_tocs(env)
        full = env.tocs
        env.tocs = cut
        try:
            return original(**kwargs)
        finally:
            env.tocs = full

    context["toctree"] = toctree


def prefill_notebook_cache(app: Sphinx) -> None:
    """Execute the chart chapters side by side, before Sphinx reads them one by one.

    When the data changes, every chart chapter must run again (the cache is keyed on
    the data), and myst-nb would start one kernel after another. Here the chapters
    run in parallel, one kernel per core, and their outputs go into the same cache
    myst-nb then reads, with the notebook exactly as myst-nb reads it. A chapter
    that fails is not cached, so myst-nb runs it again and reports the error as usual.
    """
    import concurrent.futures

    config = getattr(app.env, "mystnb_config", None)
    md_config = getattr(app.env, "myst_config", None)
    if config is None or md_config is None or config.execution_mode != "cache":
        return
    cache_path = Path(config.execution_cache_path)
    if cache_path.exists():
        return  # this data's outputs are cached already (or being filled by myst-nb)
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution
    from myst_nb.core.read import create_nb_reader

    chapters = []
    for path in sorted(Path(app.srcdir, "book").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "{code-cell}" not in text:
            continue
        reader = create_nb_reader(str(path), md_config, config, text)
        if reader is not None:
            chapters.append((path, reader, reader.read(text)))
    if len(chapters) < 2:
        return

    def run(item):
        path, reader, notebook = item
        return single_nb_execution(notebook, cwd=str(path.parent), allow_errors=config.execution_allow_errors,
                                   timeout=config.execution_timeout, meta_override=True)

    workers = max(1, min(len(chapters), os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, chapters))
    cache = get_cache(str(cache_path))
    for (path, reader, notebook), result in zip(chapters, results):
        if result.err is not None:
            continue
        record = cache.add_nb_to_project(str(path), read_data=reader.read_fmt)
        cache.cache_notebook_bundle(CacheBundleIn(notebook, record.uri, data={"execution_seconds": result.time}),
                                    check_validity=False, overwrite=True)


def release_read_doctrees(app: Sphinx, *args) -> None:
    """Sphinx keeps every page's parsed document in memory from reading to writing.
    Let each go as soon as the next page is read: each page is read back from its
    pickle when written. At 10,000 recommendations that keeps the build's memory
    well under 2 GB, for the cost of unpickling each page once."""
    cache = getattr(app.env, "_write_doc_doctree_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def forget_pickled_doctree(app: Sphinx, doctree, docname: str) -> None:
    """Once a page's document is resolved for writing, Sphinx has no further use
    for the pickled copy it keeps in memory; drop it rather than hold every page's."""
    cache = getattr(app.env, "_pickled_doctree_cache", None)
    if isinstance(cache, dict):
        cache.pop(docname, None)


def setup(app: Sphinx) -> dict:
    # How many recommendations a generated listing page holds before it continues
    # on a further page (the explorer, themes, statuses).
    app.add_config_value("tracker_page_rows", PAGE_ROWS, "env", [int])
    app.connect("config-inited", on_config_inited, priority=100)
    # After sphinx-external-toc has parsed _toc.yml (priority 900).
    app.connect("config-inited", order_generated_pages, priority=950)
    # After the theme has added its assets (it uses the default priority, 500).
    app.connect("html-page-context", on_html_page_context, priority=900)
    # Before the theme renders its navigation (default priority, 500).
    app.connect("html-page-context", fast_titles_only_navigation, priority=100)
    # After myst-nb has set up its configuration (default priority, 500).
    app.connect("builder-inited", prefill_notebook_cache, priority=900)
    app.connect("source-read", release_read_doctrees)
    app.connect("env-updated", release_read_doctrees)
    app.connect("doctree-resolved", forget_pickled_doctree)
    app.connect("build-finished", on_build_finished)
    app.add_css_file("tracker/status.css")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
