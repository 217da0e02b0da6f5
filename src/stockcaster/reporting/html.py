"""One self-contained HTML report per run folder: charts embedded, nothing fetched.

It reads only what the run wrote (`metrics.json`, `leaderboard.json` or `prediction.json`,
the CSVs and PNGs), so `stockcaster report RUN_DIR` can rebuild it at any time. Its time
charts are interactive (`interactive.py`: Bokeh, its script inline once per page); the
others are the folder's PNGs, embedded.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stockcaster.errors import StockcasterError, found_at
from stockcaster.reporting.interactive import page_scripts
from stockcaster.reporting.readback import Damaged
from stockcaster.reporting.risk_report import risk_sections, risk_universe_sections
from stockcaster.reporting.run_report import backtest_sections, predict_sections, run_sections
from stockcaster.reporting.signal_report import signal_sections
from stockcaster.reporting.tune_report import tune_sections
from stockcaster.reporting.universe_report import universe_predict_sections, universe_sections
from stockcaster.store import files
from stockcaster.store.bundle_files import peek

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ddd; margin-top: 2em; }
.verdict { background: #f6f6f0; border-left: 4px solid #c80; padding: 0.6em 1em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
.chart { margin: 0.5em 0 1em; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.muted { color: #666; font-size: 0.9em; }
.wide { overflow-x: auto; }
"""


Sections = tuple[str, list[tuple[str, str]]]
"""A report's title and its (heading, HTML) sections."""


@dataclass(frozen=True)
class ReportKind:
    """One kind of folder a report can be written for.

    Attributes:
        name: the command that writes such a folder.
        marker: the file that tells the kind apart (checked in registry order).
        sections: reads the folder back into the report's title and sections.
    """

    name: str
    marker: str
    sections: Callable[[Path], Sections]


REPORT_KINDS: dict[str, ReportKind] = {}


def register_report(kind: ReportKind) -> ReportKind:
    """Add a kind of report (replacing one of the same name)."""
    REPORT_KINDS[kind.name] = kind
    return kind


for _kind in (  # a variance run's folder also holds leaderboard.json: it is told apart first
    ReportKind("universe --target variance", files.RISK_UNIVERSE_FILE, risk_universe_sections),
    ReportKind("backtest --target variance", files.VAR_CSV, risk_sections),
    ReportKind("universe", files.SUMMARY_FILE, universe_sections),
    ReportKind("run", files.METRICS_FILE, run_sections),
    ReportKind("backtest", files.LEADERBOARD_JSON, backtest_sections),
    ReportKind("predict", files.PREDICT_META, predict_sections),
    ReportKind("tune", files.TUNE_FILE, tune_sections),
    ReportKind("predict (universe)", files.UNIVERSE_PREDICT_META, universe_predict_sections),
    ReportKind("signals", files.SIGNALS_FILE, signal_sections),
):
    register_report(_kind)


def written_by(folder: Path) -> str | None:
    """The command whose results `folder` holds ("backtest", "universe", ...), or None."""
    kind = _kind(folder)
    return None if kind is None else kind.name


def holding_results(folder: Path, kinds: tuple[str, ...] = ()) -> str | None:
    """A folder of commands' result folders (`runs/`; of `kinds` only, if given), in words
    naming the first, or None."""
    inner = [p for p in sorted(folder.iterdir()) if p.is_dir()] if folder.is_dir() else []
    inner = [p for p in inner if written_by(p) in (kinds or REPORT_KINDS)]  # None is in neither
    if not inner:
        return None
    held = f"{' or '.join(kinds) or 'command'} folder{'s' if len(inner) > 1 else ''}"
    return f"a folder of {len(inner)} {held} (name one, such as {inner[0]})"


def _kind(folder: Path) -> ReportKind | None:
    return next((k for k in REPORT_KINDS.values() if (folder / k.marker).is_file()), None)


def write_report(folder: str | Path) -> Path:
    """Write `report.html` into a folder written by any registered kind; return its path.

    Raises:
        StockcasterError: the folder is not one that stockcaster wrote.
    """
    folder = Path(folder)
    kind = _kind(folder)
    if kind is None:
        names = list(REPORT_KINDS)
        markers = [k.marker for k in REPORT_KINDS.values()]
        found = found_at(folder, f"one without {', '.join(markers[:-1])} or {markers[-1]}")
        if peek(folder):  # a model to forecast with, not a command's results
            found = f"a bundle (predict --bundle {folder} --report reports its forecast)"
        found = holding_results(folder) or found
        raise StockcasterError(
            f"{folder}: expected a folder written by stockcaster {', '.join(names[:-1])} or "
            f"{names[-1]}, received {found}"
        )
    try:
        title, sections = kind.sections(folder)
    except Damaged as err:
        raise StockcasterError(
            f"{err.path}: expected the results `stockcaster {kind.name}` writes, received "
            f"{err.received}; rerun the command to write it again"
        ) from None
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, OSError) as err:
        raise StockcasterError(
            f"{folder / kind.marker}: expected the results `stockcaster {kind.name}` writes, "
            f"received a damaged or incomplete folder ({err.__class__.__name__}); rerun the "
            "command to write it again"
        ) from None
    body = "\n".join(f"<h2>{html.escape(name)}</h2>\n{content}" for name, content in sections)
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>{page_scripts(body)}</head>"
        f"<body><h1>{html.escape(title)}</h1>"
        f"<p class='muted'>{html.escape(str(folder))}</p>\n{body}</body></html>\n"
    )
    path = folder / files.REPORT_FILE
    # A report is never seen half-written.
    files.write_atomic(path, lambda scratch: scratch.write_text(page, encoding="utf-8"))
    return path
