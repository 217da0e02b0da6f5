"""What every job does around its own work: read the source, record how, write all or nothing.

A job reads one symbol's prices from a `Source` (checked before anything is trained or
written), writes its outputs into a `RunFolder` that appears only when complete, and
stamps them with a `reproducibility` record. Every job's entry point is a `job`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data import FillPolicy
from stockcaster.data.row_checks import PRICE_RANGE
from stockcaster.data.series import load_series, price_series
from stockcaster.engines.local import refuse_in_worker
from stockcaster.errors import StockcasterError
from stockcaster.process import logger_levels, native_log_filtered
from stockcaster.provenance import command_line, versions
from stockcaster.settings import whole_number
from stockcaster.store import files


def job(entry: Callable[..., Any]) -> Callable[..., Any]:
    """A job's entry point, as the CLI and the Python API call it.

    It refuses to run inside one of the local engine's worker processes (a script without
    its `__main__` guard, imported again by each worker), and holds back TensorFlow's
    native log lines, as the CLI does, passing every other line of stderr on; and its Python
    warnings (a process that builds many networks, a universe's per-symbol models or a
    notebook's loop of jobs, is told that "tracing is expensive", which says nothing to a
    user and would come before a command's one-line error).
    """

    @functools.wraps(entry)
    def run_job(*args: Any, **kwargs: Any) -> Any:
        refuse_in_worker()
        with native_log_filtered(), logger_levels({"tensorflow": logging.ERROR}):
            return entry(*args, **kwargs)

    return run_job


def check_horizon(horizon: Any, most: int, bundle: str = "this bundle") -> int:
    """A forecast's horizon: a whole number of trading days from 1 to `most` (a Python
    caller's 0, 2.5 or "5" too, which were the bundle's horizon or a TypeError).

    Raises:
        StockcasterError: anything else.
    """
    if not whole_number(horizon) or not 1 <= horizon <= most:
        raise StockcasterError(
            f"--horizon: expected 1 to {most} trading days for {bundle}, received {horizon!r}"
        )
    return int(horizon)


def check_forecast(forecast: pd.DataFrame, bundle: str | Path) -> None:
    """Refuse a forecast that is no price: NaN, infinite, or outside the prices a file may
    hold (`PRICE_RANGE`), as a bundle whose values were forged gives; nothing is written.

    Raises:
        StockcasterError: naming the bundle.
    """
    low, high = PRICE_RANGE
    for column in (C.YHAT, C.LO, C.HI):
        values = forecast[column].to_numpy(dtype="float64") if column in forecast else None
        if values is None or (column != C.YHAT and np.isnan(values).all()):
            continue  # no interval: lo and hi are empty by design
        if not (np.isfinite(values) & (values >= low) & (values <= high)).all():
            raise StockcasterError(
                f"{bundle}: expected forecasts of prices between {low:g} and {high:g}, "
                f"received {float(values[~((values >= low) & (values <= high))][0])!r} in "
                f"{column} (its weights or scales give no usable forecast); retrain it"
            )


@dataclass(frozen=True)
class Source:
    """Where a job's prices come from.

    Attributes:
        data: a price file, or a DataFrame of prices in memory; None for the embedded MSFT
            history.
        symbol: the symbol; None for the only one in the file.
        columns: canonical name -> the file's column, for other headers.
        fill: policy for rows with missing values (None refuses them).
    """

    data: str | Path | pd.DataFrame | None = None
    symbol: str | None = None
    columns: Mapping[str, str] | None = None
    fill: FillPolicy | None = None


@dataclass(frozen=True)
class Prices:
    """One symbol's validated prices, read from a `Source`."""

    table: pd.DataFrame  # the price table, sorted by date
    source: str  # the file as the user named it, or the embedded data's label

    @property
    def symbol(self) -> str:
        return str(self.table[C.SYMBOL].iloc[0])

    @property
    def series(self) -> pd.Series:
        """The closes, indexed by date."""
        return price_series(self.table)

    @property
    def where(self) -> str:
        """ "FILE symbol S", for messages."""
        return f"{self.source} symbol {self.symbol}"


def read_source(source: Source, default_symbol: str | None = None, bundle=None) -> Prices:
    """Read and validate one symbol's prices (`default_symbol`, a bundle's, when the source
    names none; `bundle`'s meta says what it was trained on, for a message).

    Raises:
        StockcasterError: bad input, naming the file and line or symbol.
    """
    if source.symbol is not None and not isinstance(source.symbol, str):  # a Python caller's
        raise StockcasterError(f"--symbol: expected a symbol's name, received {source.symbol!r}")
    chosen = "the bundle's symbol" if source.symbol is None and default_symbol else None
    if chosen and source.data is None and bundle is not None:  # the embedded MSFT, for one
        chosen += f" (trained on {bundle.meta['source']}: give --data the file of its prices)"
    table, label = load_series(
        source.data, source.symbol or default_symbol, source.columns, source.fill, chosen
    )
    return Prices(table, label)


def reproducibility(seed: int | None = None) -> dict:
    """The command line, the seed (if any) and the versions behind a result."""
    record: dict = {"command": command_line()}
    if seed is not None:
        record["seed"] = seed
    record["versions"] = versions()
    return record


def check_new_folder(path: str | Path, option: str = "--save") -> None:
    """Before any work: `path` does not exist yet, and its parent can take it.

    Raises:
        StockcasterError: `path` exists, or its parent cannot be created or written.
    """
    path = Path(path)
    if path.exists():
        raise StockcasterError(f"{option}: expected a new folder, received {path}, which exists")
    check_output(path.parent, option)


def check_output(out: str | Path, option: str = "--out") -> None:
    """Before any work: the folder outputs go to can be created and written.

    Raises:
        StockcasterError: naming the folder and the cause.
    """
    files.check_writable(Path(out), option)


def write_new_file(path: str | Path, text: str) -> Path:
    """Write `text` into a file that does not exist yet, whole or not at all (its folder
    made, as an output folder is).

    Raises:
        StockcasterError: `path` exists, or its folder cannot be created and written,
            before anything is written.
    """
    path = Path(path)
    if path.exists():
        found = "a folder" if path.is_dir() else "one that exists"
        raise StockcasterError(f"{path}: expected a new file, received {found}")
    check_output(path.parent, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_atomic(path, lambda scratch: scratch.write_text(text))
    return path


def output_folder(out: str | Path, symbol: str, kind: str) -> files.RunFolder:
    """The all-or-nothing folder of one job's outputs, under `out`."""
    return files.RunFolder(Path(out), files.new_run_name(symbol, kind))
