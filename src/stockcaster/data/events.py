"""Rows of a price site's table that hold no prices: the dividends and splits Yahoo's history
page lists among its days (`Dec 15, 2016 | 0.39 Dividend`, `Aug 26, 2022 | 4:1 Stock Splits`).

Such a row is its date and one cell of words, every other price cell empty. It is passed over
as a title above the header is: a table copied from the page reads as its days' prices. A
cell of those words in a row that holds prices too is no such row; it is refused as any cell
that is not a number is, and named as an event (`named`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stockcaster import columns as C
from stockcaster.data.arrow_csv import as_arrow, is_text

_EVENT = (r"(?i)^\s*(?:[$€£¥]?\d[\d.,]*\s+(?P<dividend>dividend)"
          r"|\d+(?:\.\d+)?\s*[:/]\s*\d+(?:\.\d+)?\s+(?P<split>stock\s+splits?))\s*$")  # fmt: skip


_LAST_WORDS = ("Dividend", "dividend", "DIVIDEND", "Split", "split", "Splits", "splits", "SPLITS")


def event_rows(frame: pd.DataFrame) -> np.ndarray:
    """`[rows]` bool: the rows of a named table that are an event's (a dividend, a split):
    one of their price and volume cells holds its words, and the others are empty."""
    if not is_text(frame[C.CLOSE]):
        return np.zeros(len(frame), dtype=bool)
    # Only a row whose close is empty or ends as an event's words can be one: the close alone
    # is read through (Arrow's kernels: a panel of 770,000 rows in 15 ms), the other cells
    # of those rows only.
    close = pc.utf8_trim_whitespace(_close_cells(frame[C.CLOSE]))
    maybe = pc.equal(close, "")
    for end in _LAST_WORDS:
        maybe = pc.or_kleene(maybe, pc.ends_with(close, end))
    maybe = maybe.fill_null(True).to_numpy(zero_copy_only=False)
    if not maybe.any():  # the usual file
        return maybe
    numbers = [c for c in (*C.PRICE_COLUMNS, C.VOLUME) if c in frame.columns]
    rows = [frame.loc[maybe, c].astype("string").str.strip().fillna("") for c in numbers]
    words = np.logical_or.reduce([r.str.match(_EVENT).to_numpy(dtype=bool) for r in rows])
    filled = np.sum([(r != "").to_numpy() for r in rows], axis=0)
    found = np.zeros(len(frame), dtype=bool)
    found[np.flatnonzero(maybe)] = words & (filled == 1)
    return found


def _close_cells(column: pd.Series) -> pa.Array:
    """The closes as Arrow text (`arrow_csv.as_arrow`), cells that are not strings (a
    DataFrame's numbers among text) written as text first."""
    try:
        return as_arrow(column)
    except (pa.ArrowException, TypeError, ValueError):
        return pa.array(column.astype("string").to_numpy(na_value=None), type=pa.string())


def named(cell: object) -> str | None:
    """ "dividend" or "stock split" where `cell` is an event's words; None for any other."""
    found = re.search(_EVENT, str(cell))
    if found is None:
        return None
    return "dividend" if found["dividend"] else "stock split"
