"""`stockcaster fetch`: tickers' daily prices into the local cache, for `--ticker` later."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli.groups import grouped
from stockcaster.cli.options import (
    DEFAULT_SOURCE,
    ConfigOption,
    FillOption,
    JsonOption,
    PriceKind,
    PriceSource,
    value,
)
from stockcaster.cli.output import busy, console, print_json
from stockcaster.jobs.fetch import FetchRequest
from stockcaster.jobs.fetch import fetch as fetch_job
from stockcaster.reporting.tables import fitted_table


@dataclass
class Download:
    """What is downloaded, from where, and into which cache."""

    start: Annotated[
        str | None, typer.Option("--start", help="First day, YYYY-MM-DD. Default: all history.")
    ] = None
    end: Annotated[
        str | None, typer.Option("--end", help="Last day, YYYY-MM-DD. Default: today.")
    ] = None
    source: Annotated[
        PriceSource, typer.Option("--source", help="Where from: yahoo (yfinance) or stooq (CSV).")
    ] = DEFAULT_SOURCE
    prices: Annotated[
        PriceKind,
        typer.Option("--prices", help="adjusted: open, high, low and close scaled for splits "
                     "and dividends; raw: as traded, with adj_close beside them."),
    ] = "adjusted"  # fmt: skip
    update: Annotated[
        bool,
        typer.Option("--update", help="Append the sessions since the cached last one; a "
                     "restated history (a split, a dividend) is downloaded again whole."),
    ] = False  # fmt: skip
    cache: Annotated[
        Path | None,
        typer.Option("--cache", help="The cache folder. Default: STOCKCASTER_CACHE, else "
                     "~/.cache/stockcaster."),
    ] = None  # fmt: skip
    fill: FillOption = None

    def request(self, tickers: list[str]) -> FetchRequest:
        return FetchRequest(tuple(tickers), value(self.source), self.start, self.end,
                            value(self.prices), self.update, self.cache,
                            value(self.fill))  # fmt: skip


@grouped
def fetch(
    *,
    tickers: Annotated[
        list[str], typer.Argument(help="Tickers, e.g. MSFT AAPL (Stooq: VOD.UK for others).")
    ],
    download: Download,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Download tickers' daily prices once into the local cache; later runs read it offline
    (`run --ticker MSFT`)."""
    with busy("fetching", not json_output):
        done = fetch_job(download.request(tickers))
    if json_output:
        print_json({"fetched": [{**asdict(f), "path": str(f.path)} for f in done]})
        return
    columns = [("ticker", 0), ("rows", 1), ("first", 2), ("last", 2), ("status", 0)]
    rows = [[escape(f.ticker), str(f.rows), f.first, f.last, escape(f.status)] for f in done]
    title = f"{value(download.source)} · {value(download.prices)} daily prices"
    fitted_table(console, title, columns, rows)
    console.print(f"cache: {escape(str(done[0].path.parent))}")
