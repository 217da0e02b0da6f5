"""Option groups: options that go together, declared once and shared by the commands.

A group is a dataclass whose fields are options (the `Annotated` aliases of options.py).
A command takes a group as one parameter; `grouped` spreads the group's fields into the
command's options for Typer, in place, and gathers them back into one group object for the
command's body. So `--data`, `--symbol`, `--columns` and `--fill` are declared once
(`SymbolData`) and read as `data.source()` in every command that takes one symbol's prices.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from stockcaster.cli import inputs
from stockcaster.cli.options import (
    ColumnsOption,
    CovariatesOption,
    DataOption,
    FillOption,
    JsonOption,
    QuietOption,
    ReportOption,
    StartOption,
    SymbolOption,
    TickerOption,
    TickersOption,
    TrackingUriOption,
    TrackOption,
)
from stockcaster.cli.output import show_progress
from stockcaster.errors import StockcasterError
from stockcaster.jobs import requests
from stockcaster.jobs.envelope import Source
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.reporting.tracking import Tracking


def grouped(command: Callable[..., Any]) -> Callable[..., Any]:
    """`command` with each group parameter spread into its options (see the module)."""
    hints = typing.get_type_hints(command, include_extras=True)
    parameters, groups = [], {}
    for parameter in inspect.signature(command).parameters.values():
        hint = hints.get(parameter.name, parameter.annotation)
        if not dataclasses.is_dataclass(hint):
            parameters.append(parameter.replace(annotation=hint, kind=_KEYWORD))
            continue
        inner = typing.get_type_hints(hint, include_extras=True)
        fields = dataclasses.fields(hint)
        groups[parameter.name] = (hint, [f.name for f in fields])
        parameters += [inspect.Parameter(f.name, _KEYWORD, default=_default(f),
                                         annotation=inner[f.name]) for f in fields]  # fmt: skip

    @functools.wraps(command)
    def gathered(**options: Any) -> Any:
        for name, (group, fields) in groups.items():
            options[name] = group(**{field: options.pop(field) for field in fields})
        return command(**options)

    gathered.__signature__ = inspect.Signature(parameters)
    gathered.__annotations__ = {p.name: p.annotation for p in parameters}
    del gathered.__wrapped__  # Typer reads the spread signature, not the command's
    return gathered


_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def _default(field: dataclasses.Field) -> Any:
    """A field's default as a parameter's (none: a required option)."""
    return inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default


@dataclass
class SymbolData:
    """One symbol's prices: the file (or a cached ticker), the symbol, other headers,
    missing values."""

    data: DataOption = None
    symbol: SymbolOption = None
    columns: ColumnsOption = None
    fill: FillOption = None
    ticker: TickerOption = None
    start: StartOption = None

    def source(self) -> Source:
        if self.ticker is not None or self.start is not None:
            return inputs.ticker_source(self.ticker, self.start, self.data, self.symbol,
                                        self.columns, self.fill)  # fmt: skip
        return inputs.source(self.data, self.symbol, self.columns, self.fill)


@dataclass
class PanelData:
    """A universe's prices: the file, which symbols, other headers, missing values, broken rows."""

    data: Annotated[
        Path | None,
        typer.Option("--data", help="Long-format price file: one row per date and symbol."),
    ] = None
    tickers: TickersOption = None
    start: StartOption = None
    symbols: Annotated[
        str | None,
        typer.Option("--symbols", help="Comma-separated symbols, in any case. Default: all."),
    ] = None
    all_symbols: Annotated[
        bool, typer.Option("--all", help="Every symbol in the file (the default).")
    ] = False
    columns: ColumnsOption = None
    covariates: CovariatesOption = None
    fill: FillOption = None
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at a broken row instead of skipping its symbol.")
    ] = False

    def source(self, features: tuple[str, ...] = ()) -> PanelSource:
        """The panel's prices; with --covariates, kept for `features` (the `columns` set)."""
        if self.symbols is not None and self.all_symbols:
            raise StockcasterError("--symbols and --all: expected one of them, received both")
        found = inputs.panel_source(self.data, self.symbols, self.columns, self.fill,
                                    self.strict, (self.tickers, self.start))  # fmt: skip
        return requests.with_covariates(found, self.covariates, features)


@dataclass
class Shown:
    """What the command prints: progress or not, tables or JSON."""

    quiet: QuietOption = False
    json_output: JsonOption = False

    @property
    def progress(self) -> bool:
        return show_progress(self.quiet, self.json_output)


@dataclass
class Reported(Shown):
    """What the command prints, and whether it writes report.html too."""

    report: ReportOption = False

    def page(self, folder: Path) -> str | None:
        return inputs.maybe_report(self.report, folder, self.json_output)


@dataclass
class Tracked:
    """Whether (and where) the command is logged to a tracker (with the command's context,
    whose options are logged)."""

    context: typer.Context = None
    track: TrackOption = None
    tracking_uri: TrackingUriOption = None

    def check(self, out: Path) -> Tracking | None:
        """The tracking asked for, checked before any work (None: not tracked)."""
        return inputs.tracking(self.track, self.tracking_uri, out)

    def log(self, chosen: Tracking | None, folder: Path, summary: dict, quiet: bool) -> dict | None:
        """Log the finished command, if asked; where it was logged."""
        return inputs.maybe_track(chosen, self.context, folder, summary, quiet)
