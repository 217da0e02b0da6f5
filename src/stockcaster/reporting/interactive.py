"""Interactive charts in a report: Bokeh, with its JavaScript embedded once per page.

A chart is drawn from the files a command wrote (the report reads nothing else): lines,
points or steps over dates or numbers, an optional band (an interval), hover that shows
each series' exact value at the pointer, wheel and box zoom, a pan, a reset, and a legend
whose entries hide their series when clicked. Charts stacked with `linked` share one
x-axis, so a zoom on one moves the others. Each chart is a `<div>` and its Bokeh JSON in a
`<script type="application/json">`; `page_scripts` adds BokehJS (the core only, about 1.3
MB, inline: the page opens offline) and the few lines that draw every chart, once per page
that has one. The PNGs the commands write stay in their folders, for papers and READMEs.

Bokeh rather than Plotly: its core script is a third of Plotly's full bundle, and a partial
Plotly bundle is not on PyPI; both give hover, zoom, legend toggles and linked axes.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster.reporting.numbers import unseen

PALETTE = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f")  # fmt: skip
_IDS = itertools.count()
TOOLS = "pan,wheel_zoom,box_zoom,reset,save"
MARKER = "data-chart"  # the attribute of a chart's JSON, which page_scripts looks for


@dataclass(frozen=True)
class Line:
    """One series of a chart: its legend label, values (beside the chart's x), and look.

    `kind` is "line" or "points"; `digits` is how many decimals hover shows."""

    label: str
    values: np.ndarray | pd.Series
    colour: str | None = None
    kind: str = "line"
    dashed: bool = False
    width: float = 1.4
    digits: int = 4


@dataclass(frozen=True)
class Band:
    """A shaded interval between two series (an interval forecast's lo and hi)."""

    label: str
    low: np.ndarray | pd.Series
    high: np.ndarray | pd.Series
    colour: str = "#d62728"


def chart(title: str, x, lines: list[Line], y_label: str, *, band: Band | None = None,
          x_label: str | None = None, height: int = 300, x_range=None):  # fmt: skip
    """A Bokeh figure of `lines` over `x` (dates, or numbers); `x_range` another chart's,
    to link their x-axes. None when there is nothing to draw (no line, no band)."""
    # Delayed import: Bokeh, only when a report is written.
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    if not lines and band is None:
        return None
    x = pd.Series(x)
    dates = pd.api.types.is_datetime64_any_dtype(x)  # else numbers (epochs, trials)
    options = {"x_range": x_range} if x_range is not None else {}
    if dates:
        options["x_axis_type"] = "datetime"  # else Bokeh's default, a number axis
    fig = figure(title=title, height=height, sizing_mode="stretch_width", x_axis_label=x_label,
                 y_axis_label=y_label, tools=TOOLS,
                 active_scroll="wheel_zoom", **options)  # fmt: skip
    columns = {"x": pd.to_datetime(x).to_numpy() if dates else x.to_numpy(dtype="float64")}
    if band is not None:
        columns["low"], columns["high"] = _floats(band.low), _floats(band.high)
    for i, line in enumerate(lines):
        columns[f"y{i}"] = _floats(line.values)
    source = ColumnDataSource(columns)
    if band is not None:
        fig.varea("x", "low", "high", source=source, fill_color=band.colour, fill_alpha=0.18,
                  legend_label=band.label)  # fmt: skip
    palette = itertools.cycle(PALETTE)
    for i, line in enumerate(lines):
        _draw(fig, source, f"y{i}", line, line.colour or next(palette))
    shown = [(line.label, f"y{i}", line.digits) for i, line in enumerate(lines)]
    if band is not None:
        shown += [(f"{band.label} low", "low", 4), (f"{band.label} high", "high", 4)]
    tips, formatters = _hover(shown, columns)
    if dates:
        tips, formatters = [("date", "@x{%F}"), *tips], {**formatters, "@x": "datetime"}
    else:
        tips = [(x_label or "x", "@x"), *tips]
    fig.add_tools(HoverTool(tooltips=tips, formatters=formatters, mode="vline"))
    fig.legend.click_policy = "hide"
    fig.legend.location = "top_left"
    fig.legend.label_text_font_size = "9pt"
    return fig


def bars(title: str, labels: list[str], values, y_label: str, digits: int = 4):
    """A bar per label (an importance, a return), hover showing each value; the bars stand
    at 0, 1, ... under their labels, so a zoom works as on any other chart."""
    # Delayed import: Bokeh, only when a report is written.
    from bokeh.models import ColumnDataSource, FixedTicker, HoverTool
    from bokeh.plotting import figure

    names = [str(n) for n in labels]
    fig = figure(title=title, height=300, sizing_mode="stretch_width", y_axis_label=y_label,
                 tools=TOOLS, active_scroll="wheel_zoom")  # fmt: skip
    columns = {"x": np.arange(len(names)), "name": names, "y": _floats(values)}
    fig.vbar("x", top="y", width=0.8, source=ColumnDataSource(columns), color=PALETTE[1])
    tips, formatters = _hover([(y_label, "y", digits)], columns)
    fig.add_tools(HoverTool(tooltips=[("", "@name"), *tips], formatters=formatters))
    fig.xaxis.ticker = FixedTicker(ticks=list(range(len(names))))
    fig.xaxis.major_label_overrides = dict(enumerate(names))
    fig.xaxis.major_label_orientation = 0.8
    return fig


def linked(*figures):
    """Figures stacked in a column, every x-axis the first's (a zoom moves them all)."""
    # Delayed import: Bokeh, only when a report is written.
    from bokeh.layouts import column

    figures = [f for f in figures if f is not None]  # a chart with nothing to draw: none
    if not figures:
        return None
    for fig in figures[1:]:
        fig.x_range = figures[0].x_range
    return column(*figures, sizing_mode="stretch_width")


def chart_html(layout) -> str:
    """A chart (or a layout of charts) as its `<div>` and its Bokeh JSON (empty for None:
    nothing to draw)."""
    # Delayed import: Bokeh, only when a report is written.
    from bokeh.embed import json_item

    if layout is None:
        return ""
    target = f"chart-{next(_IDS)}"
    item = json.dumps(json_item(layout, target)).replace("</", "<\\/")
    return (f"<div class='chart' id='{target}'></div>"
            f"<script type='application/json' {MARKER}='{target}'>{item}</script>")  # fmt: skip


_DRAW = """
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("script[data-chart]").forEach(function (s) {
    Bokeh.embed.embed_item(JSON.parse(s.textContent), s.getAttribute("data-chart"));
  });
});
"""


def page_scripts(body: str) -> str:
    """BokehJS and the code that draws each chart, for a page whose `body` has charts
    (empty for one without)."""
    if MARKER not in body:
        return ""
    # Delayed import: Bokeh, only when a report is written.
    from bokeh.resources import Resources

    core = Resources(mode="inline", components=["bokeh"]).js_raw
    scripts = "".join(f"<script>{js}</script>" for js in core)
    return scripts + f"<script>{_DRAW}</script>"


def _hover(shown: list[tuple[str, str, int]], columns: dict) -> tuple[list, dict]:
    """Hover's lines and formatters for (label, column, decimals): each value to its decimals,
    or to 4 significant digits where those decimals would show none of the column's largest
    (a coin's prices at 2.595e-6 read 0.0000 before)."""
    tips, formatters = [], {}
    for label, name, digits in shown:
        values = np.abs(columns[name][np.isfinite(columns[name])])
        if len(values) and unseen(values.max(), digits):
            tips.append((label, f"@{name}{{%.4g}}"))
            formatters[f"@{name}"] = "printf"
        else:
            tips.append((label, f"@{name}{{0.{'0' * digits}}}"))
    return tips, formatters


def _draw(fig, source, column: str, line: Line, colour: str) -> None:
    dash = "dashed" if line.dashed else "solid"
    if line.kind == "points":
        fig.scatter("x", column, source=source, color=colour, size=5, legend_label=line.label)
    else:
        fig.line("x", column, source=source, color=colour, line_width=line.width,
                 line_dash=dash, legend_label=line.label)  # fmt: skip


def _floats(values) -> np.ndarray:
    return np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype="float64")
