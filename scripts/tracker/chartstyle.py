"""The one look of every chart on the site, and of the status badges.

Every chart goes through :func:`finish`: the site's fonts, a title that states the
finding (wrapped to fit a phone), the width of its container, and no legend where a
direct label can do. The status colours here are the badges' colours too: the site's
stylesheet for the badges is written from :func:`status_css`, so the two cannot drift.

The palette is Paul Tol's "muted" scheme, designed to stay distinct for readers with
the common colour-vision deficiencies; the status is also always written in words
(on the axis, in the badge or in the table), so colour is never the only signal.
"""

from __future__ import annotations

import re
import textwrap

import altair as alt

STATUS_COLOURS = {
    "implemented": "#117733",
    "partially-implemented": "#44aa99",
    "in-progress": "#88ccee",
    "not-started": "#ddcc77",
    "superseded": "#332288",
    "abandoned": "#cc6677",
    "not-accepted": "#882255",
    "unknown": "#dddddd",
}

#: How a caption names each status colour, for charts that say in words what a colour means.
COLOUR_NAMES = {"implemented": "dark green", "partially-implemented": "teal", "in-progress": "light blue",
                "not-started": "sand", "superseded": "indigo", "abandoned": "rose", "not-accepted": "wine",
                "unknown": "light grey"}

#: Everything that is not a status: one ink for marks, one for secondary marks.
INK = "#1f4e79"
MUTED = "#767676"
PARTY_COLOURS = {"Conservative": "#dbe7f5", "Labour": "#f8dede", "Conservative–Liberal Democrat coalition": "#efe6f5"}

#: The PyData Sphinx theme's own font stack, so chart text looks like the page around it.
FONT = ('-apple-system, BlinkMacSystemFont, "Segoe UI", "Helvetica Neue", Arial, sans-serif, '
        '"Apple Color Emoji", "Segoe UI Emoji", "Segoe UI Symbol"')

#: Axis labels longer than this many pixels are cut with an ellipsis; the full text is
#: always in the chart's table (and in its tooltip), so nothing is lost.
LABEL_LIMIT = 175
#: Characters per line of a chart title: about what fits at 390 px.
TITLE_WIDTH = 40

# Vega-embed's own export menu has no accessible name, so it is off; each chart gets
# plain download links instead (SVG, PNG and its data as CSV, see sphinx_ext). The
# SVG renderer draws text a reader can select and a browser test can measure.
EMBED_OPTIONS = {"actions": False, "renderer": "svg"}


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``."""
    return "#000000" if contrast(colour, "#000000") >= contrast(colour, "#ffffff") else "#ffffff"


def status_css() -> str:
    """The badges' stylesheet: each status badge filled with its chart colour."""
    rules = [f".tracker-status-{status} {{ color: {ink_on(colour)}; background: {colour}; border-color: {colour}; }}"
             for status, colour in STATUS_COLOURS.items()]
    return "/* Written from tracker.chartstyle.STATUS_COLOURS at build time: do not edit. */\n" + "\n".join(rules) + "\n"


def status_scale(statuses: list[str], labels: dict[str, str] | None = None) -> alt.Scale:
    """A colour scale whose domain is the statuses (or their labels) in vocabulary order."""
    domain = [labels[s] for s in statuses] if labels else list(statuses)
    return alt.Scale(domain=domain, range=[STATUS_COLOURS.get(s, MUTED) for s in statuses])


def wrap(text: str, width: int = TITLE_WIDTH) -> list[str]:
    """A title as lines short enough for a phone, of even length (no word left alone
    on the last line)."""
    text = " ".join(str(text).split())
    lines = textwrap.wrap(text, width=width, break_on_hyphens=False) or [""]
    for narrower in range(width - 1, width // 2, -1):
        if len(lines[-1]) >= width // 2:
            break
        attempt = textwrap.wrap(text, width=narrower, break_on_hyphens=False)
        if len(attempt) > len(lines):
            break
        lines = attempt
    return lines


def short_review(review: dict) -> str:
    """A review's name for a chart axis: its short title without any aside in brackets,
    and its year ("Francis inquiry (2013)")."""
    name = re.sub(r"\s*\([^)]*\)", "", review["short_title"]).strip() or review["short_title"]
    return f"{name} ({review['published'][:4]})"


def lines_label(separator: str = "|") -> str:
    """An axis ``labelExpr`` that writes a label on several lines, split at ``separator``."""
    return f"split(datum.label, '{separator}')"


def finish(chart, title: str, subtitle: str | list[str] = "", height=None):
    """Give ``chart`` the site's look: finding-title, fonts, full container width."""
    title_params = {"text": wrap(title), "anchor": "start", "fontSize": 15, "fontWeight": 600, "offset": 10}
    if subtitle:
        text = " ".join(subtitle) if isinstance(subtitle, list) else subtitle
        title_params["subtitle"] = wrap(text, TITLE_WIDTH + 10)
        title_params.update(subtitleFontSize=11, subtitleColor="#444444")
    props = {"usermeta": {"embedOptions": EMBED_OPTIONS}, "title": alt.TitleParams(**title_params), "width": "container"}
    if height is not None:
        props["height"] = height
    return chart.properties(**props).configure(font=FONT, autosize={"type": "fit-x", "contains": "padding"}).configure_view(
        stroke=None).configure_axis(
        labelFontSize=11, titleFontSize=11, titleFontWeight=600, labelLimit=LABEL_LIMIT, titleColor="#333333",
        labelColor="#222222").configure_legend(
        orient="bottom", direction="vertical", labelFontSize=11, titleFontSize=11, labelLimit=LABEL_LIMIT,
        symbolStrokeWidth=0).configure_text(fontSize=11)
