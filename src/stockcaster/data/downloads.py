"""Tables of many tickers side by side, read as the long table (a row per date and symbol):
the layouts yfinance writes with `DataFrame.to_csv` (`yf.download(...)`: a line of fields, a
line of tickers, `Date,,,`, then the rows; one field of a download of several,
`yf.download(...)["Close"]`: the tickers, `Date,,`, the rows), and any table of closes with a
column per ticker (`Date,AAPL,MSFT`), each row of the long table keeping its file line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster.data.headers import REPEATED_HEADER


def downloaded(frame: pd.DataFrame, top: int) -> tuple[pd.DataFrame, int, np.ndarray | None]:
    """A CSV's cells (its header on line index `top`) as the long table where yfinance
    wrote a download, or as a table of closes where it wrote one field of several tickers,
    with the line of its first row and, where the rows are not the file's in order, each
    row's line; any other CSV as it is."""
    if _yfinance_layout(frame, ("Ticker", "Price")):  # `group_by="ticker"`: tickers first
        frame = _fields_first(frame)
    if _yfinance_layout(frame):
        first_line = top + 4  # under the field, ticker and "Date" lines
        long, lines = _tickers(frame, first_line)
        return long, first_line, lines
    if _one_field(frame):  # its tickers' closes: a table of closes under a line of its own
        body = frame.iloc[1:].reset_index(drop=True)
        return body.rename(columns={frame.columns[0]: "Date"}), top + 3, None
    return frame, top + 2, None


def long_closes(frame: pd.DataFrame, tickers: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """A table of closes with a column per ticker (`headers.wide_tickers`) as the long table,
    one ticker after another, and each of its rows' row in `frame`; an empty cell (a day
    before a ticker's first price) is no row, as in a long table a day without a price has
    none. Every cell is looked at once, in one array (20,000 tickers take no loop of them)."""
    dates = [c for c in frame.columns if c not in tickers][0]
    cells = frame[tickers].to_numpy(dtype=object).T.ravel()  # ticker after ticker
    text = pd.Series(cells, dtype="string").str.strip()
    given = (text.notna() & (text != "")).fillna(False).to_numpy(dtype=bool)
    rows = np.tile(np.arange(len(frame)), len(tickers))[given]
    long = pd.DataFrame({dates: frame[dates].to_numpy()[rows],
                         "symbol": np.repeat(np.array(tickers, dtype=object), len(frame))[given],
                         "close": cells[given]})  # fmt: skip
    return long, rows


def _yfinance_layout(frame: pd.DataFrame, lines: tuple[str, str] = ("Price", "Ticker")) -> bool:
    """Whether a CSV is `yf.download(...).to_csv()`'s: `Price,Close,...`, `Ticker,...`, `Date,,`
    (`lines`: the names of its first two lines; `group_by="ticker"` writes the tickers' first)."""
    if len(frame) < 2 or str(frame.columns[0]).strip() != lines[0]:
        return False
    first = [str(v).strip() for v in frame.iloc[:2, 0]]
    return first == [lines[1], "Date"] and not any(str(v).strip() for v in frame.iloc[1, 1:])


def _fields_first(frame: pd.DataFrame) -> pd.DataFrame:
    """A download grouped by ticker (`Ticker,AAPL,AAPL,...`, then `Price,Close,High,...`) as
    the one grouped by field: its field line as the header, its ticker line under it."""
    tickers = [REPEATED_HEADER.sub("", str(c)) for c in frame.columns[1:]]  # pandas' `AAPL.1`
    fields = [str(f).strip() for f in frame.iloc[0, 1:]]
    swapped = frame.copy()
    swapped.iloc[0, 1:] = tickers
    swapped.iloc[0, 0] = "Ticker"
    return swapped.set_axis(["Price", *fields], axis=1)


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
    fields = [REPEATED_HEADER.sub("", str(c)) for c in frame.columns[1:]]  # pandas' "Close.1"
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
