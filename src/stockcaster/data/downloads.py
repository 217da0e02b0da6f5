"""The layouts yfinance writes with `DataFrame.to_csv`: a download of one ticker or several
(`yf.download(...)`: a line of fields, a line of tickers, `Date,,,`, then the rows), read
as the long table, and one field of a download of several (`yf.download(...)["Close"]`:
tickers, no field line), refused, since which field it is is not written.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError


def downloaded(
    frame: pd.DataFrame, path: Path, top: int
) -> tuple[pd.DataFrame, int, np.ndarray | None]:
    """A CSV's cells (its header on line index `top`) as the long table where yfinance
    wrote it, with the line of its first row and, where the rows are not the file's in
    order, each row's line; any other CSV as it is.

    Raises:
        StockcasterError: one field of a download of several tickers.
    """
    if _yfinance_layout(frame):
        first_line = top + 4  # under the field, ticker and "Date" lines
        long, lines = _tickers(frame, first_line)
        return long, first_line, lines
    if _one_field(frame):
        raise StockcasterError(
            f"{path}: expected a yfinance download with its field line (Price,Close,...), "
            f"received one field of {len(frame.columns) - 1} tickers, unnamed "
            '(`yf.download(...)["Close"]`): save the whole download, or use `stockcaster fetch`'
        )
    return frame, top + 2, None


def _yfinance_layout(frame: pd.DataFrame) -> bool:
    """Whether a CSV is `yf.download(...).to_csv()`'s: `Price,Close,...`, `Ticker,...`, `Date,,`."""
    if len(frame) < 2 or str(frame.columns[0]).strip() != "Price":
        return False
    first = [str(v).strip() for v in frame.iloc[:2, 0]]
    return first == ["Ticker", "Date"] and not any(str(v).strip() for v in frame.iloc[1, 1:])


def _one_field(frame: pd.DataFrame) -> bool:
    """Whether a CSV is one field of a yfinance download (`yf.download(...)["Close"]`):
    `Ticker,AAPL,...`, then `Date,,`, which names no field."""
    if len(frame) < 1 or str(frame.columns[0]).strip() != "Ticker" or len(frame.columns) < 2:
        return False
    return str(frame.iat[0, 0]).strip() == "Date" and not any(
        str(v).strip() for v in frame.iloc[0, 1:]
    )


def _tickers(frame: pd.DataFrame, first_line: int) -> tuple[pd.DataFrame, np.ndarray | None]:
    """A yfinance download's rows under its field names, with its ticker as the symbol: one
    ticker's as they are; several tickers' (their columns side by side) one ticker after
    another, each row with its line."""
    fields = [re.sub(r"\.\d+$", "", str(c)) for c in frame.columns[1:]]  # pandas' "Close.1"
    tickers = [str(t).strip() for t in frame.iloc[0, 1:]]
    body = frame.iloc[2:].reset_index(drop=True)
    blocks = []
    for ticker in dict.fromkeys(tickers):
        at = [j + 1 for j, t in enumerate(tickers) if t == ticker]
        block = body.iloc[:, [0, *at]].set_axis(["Date", *(fields[j - 1] for j in at)], axis=1)
        blocks.append(block.assign(symbol=ticker))
    if len(blocks) == 1:
        return blocks[0], None
    lines = first_line + np.arange(len(body))
    return pd.concat(blocks, ignore_index=True), np.tile(lines, len(blocks))
