"""How a price file's headers become the price table's names: spellings, `--columns` and
`--covariates`.

Headers are matched case-insensitively, spaces as underscores, MetaTrader's angle brackets
(`<CLOSE>`) left out, with a few spellings of their own (`ticker`, `adjclose`). The names
price sites export instead of `close` and `volume` (Nasdaq.com's `Close/Last`,
Investing.com's `Price` and `Vol.`) are taken only for a column the file has under no name
of the table's own: a file with `Close` and `Price` keeps its `Close`, and a covariate may be
named `Price`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import StockcasterError, listed

# Header spellings, after lower-casing and turning spaces into "_", that mean a
# canonical column. Kaggle NYSE, Yahoo ("Adj Close") and pmdarima files need no mapping.
_ALIASES = {
    "ticker": C.SYMBOL,
    "adjclose": C.ADJ_CLOSE,
    "adjusted_close": C.ADJ_CLOSE,
    "adj._close": C.ADJ_CLOSE,  # "Adj. Close" (Quandl's WIKI prices)
}

# What price sites call a column the table names otherwise, taken when the file has none
# of the table's own name: Nasdaq.com's historical prices, Investing.com's, a "Last" price,
# Alpha Vantage's "timestamp", a crypto exchange's klines' "open time" (Binance's name; its
# bar is the day that opens then, `dates.py` reads its Unix time).
_EXPORT_NAMES = {
    "timestamp": C.DATE,
    "datetime": C.DATE,
    "open_time": C.DATE,
    "close/last": C.CLOSE,
    "price": C.CLOSE,
    "last": C.CLOSE,
    "vol.": C.VOLUME,
    "vol": C.VOLUME,
    # Bloomberg's fields, as its Excel add-in (BDH) writes them
    "dates": C.DATE,
    "px_last": C.CLOSE,
    "px_open": C.OPEN,
    "px_high": C.HIGH,
    "px_low": C.LOW,
    "px_volume": C.VOLUME,
}


def parse_column_mapping(text: str) -> dict[str, str]:
    """Parse "date=Day,close=Last" into `{"date": "Day", "close": "Last"}`.

    Raises:
        StockcasterError: a pair is not `name=column` or names an unknown column.
    """
    mapping: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        name, sep, column = pair.partition("=")
        name = name.strip().lower()
        if not sep or not column.strip():
            raise StockcasterError(
                f"--columns: expected pairs like date=Day,close=Last, received {pair!r}"
            )
        if name not in C.PRICE_TABLE_COLUMNS or name in mapping:  # one column per name
            raise StockcasterError(
                f"--columns: expected names among {', '.join(C.PRICE_TABLE_COLUMNS)}, each "
                f"once, received {name!r}{' twice' if name in mapping else ''}"
            )
        mapping[name] = column.strip()
    return mapping


def parse_covariates(text: str) -> dict[str, str]:
    """Parse `--covariates VIX,rate` into column mapping entries `{"covariate:vix": "VIX",
    "covariate:rate": "rate"}`: the file's columns kept beside the prices, as numbers; or
    `--covariates FILE.csv` into `{COVARIATE_FILE: "FILE.csv"}`, a file of its own.

    Raises:
        StockcasterError: an empty or repeated name.
    """
    if text.strip().lower().endswith((".csv", ".csv.gz", ".parquet")) and "," not in text:
        return {C.COVARIATE_FILE: text.strip()}  # a file of covariates (`covariates.py`)
    mapping: dict[str, str] = {}
    for column in (c.strip() for c in text.split(",")):
        name = C.COVARIATE + normalise(column)
        if not column or name in mapping:
            what = "an empty name" if not column else f"{column!r} twice"
            raise StockcasterError(
                f"--covariates: expected distinct column names like VIX,rate, received {what}"
            )
        mapping[name] = column
    return mapping


def normalise(header: str) -> str:
    """A header as the table would name it: lower case, spaces as "_", without the angle
    brackets MetaTrader writes around its names (`<CLOSE>`) or the footnote marks of
    Yahoo's history page (`Close*`, `Adj Close**`), through the aliases."""
    name = re.sub(r"\s+", "_", str(header).strip().lower()).rstrip("*")  # Yahoo's "Close*"
    name = name[1:-1] if len(name) > 2 and name[0] == "<" and name[-1] == ">" else name
    return _ALIASES.get(name, name)


def name_columns(
    frame: pd.DataFrame, mapping: Mapping[str, str], source: str
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Rename the file's columns to canonical names and keep only those; and the columns
    dropped, which no canonical name, `--columns` or `--covariates` took (`inspect` lists
    them: covariates a user may name)."""
    renamed = _renamed(frame, mapping, source)
    missing = [c for c in (C.DATE, C.CLOSE) if c not in renamed.values()]
    if missing and len(frame.columns) == 1:  # a header of one column: another separator?
        separator = next((s for s in "|:" if s in frame.columns[0]), None)
        if separator:
            raise StockcasterError(
                f"{source}: expected columns separated by commas, semicolons or tabs, received "
                f"a header separated by {separator!r} ({frame.columns[0][:60]!r}); save the "
                "file with commas"
            )
    names = pd.Series([str(c).strip() for c in frame.columns])
    if missing and pd.to_numeric(names, errors="coerce").notna().mean() >= 0.5:
        raise StockcasterError(  # Binance's klines: numbers from the first line
            f"{source}: expected a header naming columns {', '.join(missing)}, received a first "
            f"line of numbers ({listed(frame.columns)}): add one, such as "
            "date,open,high,low,close,volume"
        )
    if missing:
        raise StockcasterError(
            f"{source}: expected columns {', '.join(missing)}, received columns "
            f"{listed(frame.columns)} (map yours with --columns "
            f"{','.join(f'{c}=YOUR_NAME' for c in missing)})"
        )
    unread = tuple(str(c) for c in frame.columns if c not in renamed)
    frame = frame[list(renamed)].rename(columns=renamed)
    order = [c for c in C.PRICE_TABLE_COLUMNS if c in frame.columns]
    return frame[order + [c for c in frame.columns if c.startswith(C.COVARIATE)]], unread


def _renamed(frame: pd.DataFrame, mapping: Mapping[str, str], source: str) -> dict[str, str]:
    """The file's columns the table names, and their names: `--columns`' and `--covariates'`
    first, then the table's own spellings, then a price site's."""
    renamed = _mapped(frame, mapping, source)
    for names in ({n: n for n in C.PRICE_TABLE_COLUMNS}, _EXPORT_NAMES):  # own names first
        for column in frame.columns:
            name = names.get(normalise(column))
            if column not in renamed and name is not None and name not in renamed.values():
                renamed[column] = name  # the first of two spellings wins ("Close", "close")
    return renamed


def wide_tickers(frame: pd.DataFrame, mapping: Mapping[str, str], source: str) -> list[str]:
    """The columns of a table of closes with a column per symbol (a date, then one or more
    columns named as tickers are, `AAPL`, `BRK-B`, `^GSPC`, `7203.T`, each with a number
    among its first 10 cells or none filled: a pivot of closes, or one index's `Date,SPX`),
    read as one row per date and symbol; [] for any other table (one with a close or a
    symbol column, `Close*`, `Schlusskurs`, `value`).

    Raises:
        StockcasterError: a ticker's column twice (its closes would be two symbols).
    """
    renamed = _renamed(frame, mapping, source)
    if set(renamed.values()) != {C.DATE}:
        return []
    others = [c for c in frame.columns if c not in renamed]
    if not others or not all(_TICKER.fullmatch(str(c).strip()) for c in others):
        return []
    head = pd.Series(frame[others].iloc[:10].to_numpy(dtype=object).T.ravel(), dtype="string")
    head = head.str.strip().to_numpy(dtype=object, na_value=None).reshape(len(others), -1)
    numbers = pd.to_numeric(pd.Series(head.ravel()), errors="coerce").notna().to_numpy()
    numbers = numbers.reshape(head.shape)  # [columns, first rows], at most 10
    empty = pd.isna(head) | (head == "")
    # each column holds a number among its first cells, or none filled (a ticker listed later)
    if not ((numbers.any(axis=1) | empty.all(axis=1)).all() and numbers.any()):
        return []
    bare = {str(c): REPEATED_HEADER.sub("", str(c)) for c in others}
    twice = next((bare[c] for c in bare if bare[c] != c and bare[c] in bare), None)
    if twice is not None:  # a reader's name for a repeated header: `AAPL.1`
        raise StockcasterError(f"{source}: expected a column per ticker, received {twice!r} twice")
    return others


TICKER_NAME = r"[A-Z0-9^][A-Z0-9.\-=^]{0,11}"  # AAPL, BRK-B, ^GSPC, 7203.T, EURUSD=X
_TICKER = re.compile(TICKER_NAME)
REPEATED_HEADER = re.compile(r"\.\d+$")  # how pandas and Arrow name a repeated header


def unique_names(names: list[str]) -> list[str]:
    """Column names made unique as pandas makes a file's: a repeated `close` is `close.1`,
    then `close.2` (a name already taken is passed over too)."""
    out, seen = [], {}
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        out.append(name)
    return out


def _mapped(frame: pd.DataFrame, mapping: Mapping[str, str], source: str) -> dict[str, str]:
    """The file's columns `--columns` and `--covariates` name, checked: column -> name."""
    renamed: dict[str, str] = {}
    for name, column in mapping.items():
        if name == C.COVARIATE_FILE:
            continue  # another file, joined after the prices are read
        option = "--covariates" if name.startswith(C.COVARIATE) else "--columns"
        if option == "--covariates" and normalise(column) in C.PRICE_TABLE_COLUMNS:
            raise StockcasterError(
                f"--covariates: expected columns other than the prices, received {column!r}"
            )
        if column not in frame.columns:
            raise StockcasterError(
                f"{source}: expected a column {column!r} for {C.label(name)} (from {option}), "
                f"received columns {listed(frame.columns)}"
            )
        if column in renamed:
            raise StockcasterError(
                f"{source}: expected {option} to name a column of its own, received "
                f"{column!r}, which is {renamed[column]!r} already"
            )
        renamed[column] = name
    return renamed
