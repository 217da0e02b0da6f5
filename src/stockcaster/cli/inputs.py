"""From the commands' arguments to the jobs' inputs: sources, presets, reports."""

from __future__ import annotations

import enum
from pathlib import Path

import typer
from rich.markup import escape

from stockcaster.cli.options import value
from stockcaster.cli.output import console
from stockcaster.errors import StockcasterError
from stockcaster.jobs import requests
from stockcaster.jobs.envelope import Source
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.reporting.html import write_report
from stockcaster.reporting.tracking import Tracking, track


def source(data: Path | None, symbol: str | None, columns: str | None, fill) -> Source:
    """The prices a command names, with `--columns` parsed and checked."""
    return requests.symbol_source(data, symbol, columns, value(fill))


def ticker_source(
    ticker: str | None, start: str | None, data, symbol, columns=None, fill=None
) -> Source:
    """`--ticker T [--start D]`: the ticker's cached prices (downloaded first if missing).

    Raises:
        StockcasterError: --ticker with --data, --symbol, --columns or --fill (a file's
            options: each was ignored), or --start without --ticker.
    """
    if ticker is None:
        raise StockcasterError(f"--start: expected --ticker with it, received {start!r} alone")
    given = [name for name, value in (("--data", data), ("--symbol", symbol),
                                      ("--columns", columns), ("--fill", fill))
             if value is not None]  # fmt: skip
    if given:
        raise StockcasterError(
            f"--ticker: expected it instead of --data, --symbol, --columns and --fill, "
            f"received {given[0]} too"
        )
    return requests.ticker_source(ticker, start)


def panel_source(
    data: Path | None,
    symbols: str | None,
    columns: str | None,
    fill,
    strict: bool = False,
    tickers: tuple[str | None, str | None] = (None, None),
) -> PanelSource:
    """A universe's prices: `--symbols A,B` parsed (None: every symbol), `--columns` too;
    or `tickers` (`--tickers A,B` and `--start`): the tickers' cached prices.

    Raises:
        StockcasterError: neither --data nor --tickers, both, or --start without --tickers.
    """
    names, start = tickers
    if names is None:
        if start is not None:
            raise StockcasterError(f"--start: expected --tickers with it, received {start!r} alone")
        if data is None:
            raise StockcasterError("--data: expected a price file (or --tickers), received none")
        return requests.panel_source(data, symbols, columns, value(fill), strict)
    given = [name for name, value in (("--data", data), ("--symbols", symbols),
                                      ("--columns", columns), ("--fill", fill))
             if value is not None]  # fmt: skip
    if given:
        raise StockcasterError(
            f"--tickers: expected it instead of --data, --symbols, --columns and --fill, "
            f"received {given[0]} too"
        )
    return requests.tickers_source(names, start, strict)


def maybe_report(wanted: bool, folder: Path, quiet: bool = False) -> str | None:
    """Write report.html into `folder` when `--report` asks for it; return its path."""
    if not wanted:
        return None
    page = write_report(folder)
    if not quiet:
        console.print(f"report: {escape(str(page))}")
    return str(page)


def tracking(track: enum.Enum | None, uri: str | None, out: Path) -> Tracking | None:
    """The `--track` asked for, checked before the command's work (None: not tracked);
    by default its runs are kept in `out`."""
    track = value(track)
    if track is None:
        if uri is not None:
            raise StockcasterError("--tracking-uri: expected --track mlflow with it, received none")
        return None
    chosen = Tracking(track, uri, out)
    chosen.check()
    return chosen


def maybe_track(
    chosen: Tracking | None, context: typer.Context, folder: Path, summary: dict, quiet: bool
) -> dict | None:
    """Log the command (its options, the numbers of `summary`, `folder`'s files), if asked;
    return where it was logged."""
    if chosen is None:
        return None
    options = {k: v for k, v in context.params.items() if k not in ("config", "json_output")}
    where = track(chosen, context.info_name or "stockcaster", options, summary, folder)
    if not quiet:
        console.print(
            f"tracked: {where['tracker']} run {where['run_id']} at {escape(where['uri'])}"
        )
    return where
