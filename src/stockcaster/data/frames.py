"""Prices already in memory: a pandas DataFrame, as a notebook holds them (yfinance's
`yf.download`, a table read or built by hand), read as a file's cells are.

Its dates may be its index (yfinance's, a `set_index("date")`'s); its columns may be
yfinance's two levels, a field and a ticker (`("Close", "MSFT")`), each ticker's fields
then one symbol's rows of the long table. Every later step is a file's: headers, a table of
closes with a column per ticker, validation, each bad value named by its row, counted from 0
as `DataFrame.iloc` counts them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.headers import normalise, unique_names
from stockcaster.errors import StockcasterError

FRAME_SOURCE = "DataFrame"  # how messages and records name prices given in memory
FRAME_SYMBOL = "PRICES"  # the symbol of a DataFrame without one, unless the caller names it


def in_memory(data) -> bool:
    """Whether prices were given in memory (a DataFrame, a Series of closes), not a path."""
    return isinstance(data, pd.DataFrame | pd.Series)


def given_path(data) -> Path:
    """Prices given as a path (a string or `os.PathLike`), not in memory.

    Raises:
        StockcasterError: neither a path nor a DataFrame or Series (a list, an array).
    """
    if not isinstance(data, str | os.PathLike):
        raise StockcasterError(
            "prices: expected a file's path, a pandas DataFrame or a Series, received "
            f"{type(data).__name__}"
        )
    return Path(data)


def data_label(data) -> str:
    """How messages and records name where prices came from: the file as given, or
    "DataFrame"."""
    return FRAME_SOURCE if in_memory(data) else str(data)


def frame_cells(frame: pd.DataFrame | pd.Series) -> tuple[pd.DataFrame, np.ndarray | None]:
    """A DataFrame's cells with its dates as a column (an unnamed index of dates is `date`),
    yfinance's two levels of columns as the long table, and, where its rows are not the
    frame's in order, each row's position; a Series is a symbol's closes (or its name's).

    Raises:
        StockcasterError: an empty DataFrame, or columns of more than two levels.
    """
    if isinstance(frame, pd.Series):  # a symbol's closes, by date
        frame = frame.to_frame(frame.name if frame.name is not None else "close")
    if frame.empty:
        raise StockcasterError(f"{FRAME_SOURCE}: expected rows of prices, received none")
    if frame.index.nlevels > 1:  # a long table's (date, symbol), as set_index or stack make
        if None in frame.index.names:
            raise StockcasterError(
                f"{FRAME_SOURCE}: expected an index of {frame.index.nlevels} levels named as "
                f"columns are (date, symbol), received levels named {list(frame.index.names)}"
            )
        frame = frame.reset_index()
    if isinstance(frame.index, pd.PeriodIndex):  # days as periods: their first moments
        frame = frame.set_axis(frame.index.to_timestamp(), axis=0)
    dated = isinstance(frame.index, pd.DatetimeIndex) and frame.index.name is None
    plain = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    cells = frame.rename_axis("date" if dated else frame.index.name).reset_index(drop=plain)
    if cells.columns.nlevels == 1:
        return cells.set_axis(unique_names([str(c) for c in cells.columns]), axis=1), None
    if cells.columns.nlevels > 2:
        raise StockcasterError(
            f"{FRAME_SOURCE}: expected columns of one level, or yfinance's two (a field and a "
            f"ticker), received {cells.columns.nlevels} levels"
        )
    return _by_ticker(cells)


def _named_fields(level: list[str]) -> int:
    """How many of a level's names are a price table's (`Close`, `Adj Close`, `Volume`)."""
    return sum(normalise(name) in C.PRICE_TABLE_COLUMNS for name in level)


def _by_ticker(cells: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """yfinance's columns `(field, ticker)`, or `(ticker, field)` as `group_by="ticker"`
    orders them (the index's columns `(name, "")`), as the long table: each ticker's fields
    under their names, its symbol the ticker, one after another."""
    first, second = (list(cells.columns.get_level_values(k).astype(str)) for k in (0, 1))
    shared = [j for j in range(len(first)) if not first[j].strip() or not second[j].strip()]
    names = [first[j].strip() or second[j].strip() for j in shared]  # the dates, named once
    fields, tickers = first, second
    if _named_fields(second) > _named_fields(first):  # the tickers' level first
        fields, tickers = second, first
    blocks, positions = [], []
    for ticker in dict.fromkeys(t for j, t in enumerate(tickers) if j not in shared):
        at = [j for j, t in enumerate(tickers) if t == ticker and j not in shared]
        block = cells.iloc[:, shared + at].set_axis(names + [fields[j] for j in at], axis=1)
        blocks.append(block.assign(symbol=ticker))
        positions.append(np.arange(len(cells)))
    return pd.concat(blocks, ignore_index=True), np.concatenate(positions)
