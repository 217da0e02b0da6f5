"""`stockcaster inspect`: what a price file holds, before any command uses it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli.options import (
    ColumnsOption,
    ConfigOption,
    FillOption,
    JsonOption,
    SymbolOption,
    value,
)
from stockcaster.cli.output import console, print_json
from stockcaster.jobs.inspect import inspect_prices
from stockcaster.reporting.lines import notes
from stockcaster.reporting.tables import inspection


def inspect(
    data: Annotated[
        Path,
        typer.Argument(
            help="Price file (CSV, Parquet, .xlsx), or a folder of one a symbol.",
            show_default=False,
        ),
    ],  # fmt: skip
    symbol: SymbolOption = None,
    plot: Annotated[bool, typer.Option("--plot", help="Save a price chart as PNG.")] = False,
    out: Annotated[Path, typer.Option("--out", help="Folder for the chart.")] = Path("."),
    columns: ColumnsOption = None,
    fill: FillOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Show what a price file holds: date range, rows, symbols, missing values, per symbol."""
    # Inspection reports missing values instead of refusing them.
    found = inspect_prices(data, symbol, columns, value(fill), out if plot else None)
    if json_output:
        print_json(found.record())
        return
    inspection(console, found.table, str(data), found.missing, found.per_symbol)
    notes(console, found.notes)
    if found.chart is not None:
        console.print(f"chart: {escape(str(found.chart))}")
