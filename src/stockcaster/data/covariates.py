"""Covariates from a file of their own (`--covariates FILE`), joined onto the prices.

The file is long, as a price file is: a date column, a symbol column where its values are
each symbol's own (a sector's, a stock's sentiment) or none where one value serves every
symbol on a day (an index, a rate), and one numeric column per covariate, named as the
covariate. Its cells are parsed and checked as a price file's (`validate.py`: dates,
numbers, duplicate days, missing values and the fill policy), then joined onto the price
rows by date (and symbol). Each price row must find its day's values: with `--fill ffill`
a missing one is the last value before it (the past only), with `--fill drop` the row
goes; otherwise the first missing one is refused in one line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.data.headers import normalise
from stockcaster.data.readers import RawPrices, read_cells
from stockcaster.data.validate import FillPolicy, parse_prices
from stockcaster.errors import StockcasterError, listed

EVERY_SYMBOL = "*"  # the symbol of a file without one: its values serve every symbol


def read_covariates(path: str | Path, fill: FillPolicy | None = None) -> pd.DataFrame:
    """The covariate file, parsed and checked: date, symbol (`EVERY_SYMBOL` when it has
    none) and a `covariate:<name>` column per covariate.

    Raises:
        StockcasterError: an unreadable file, no date or no covariate column, or a bad cell.
    """
    raw = read_cells(Path(path))
    frame, source = raw.frame, str(path)
    names = {c: normalise(c) for c in frame.columns}
    renamed = {c: n if n in (C.DATE, C.SYMBOL) else C.COVARIATE + n for c, n in names.items()}
    renamed.update({c: C.SYMBOL for c, n in names.items() if n == "ticker"})
    frame = frame.rename(columns=renamed)
    if C.DATE not in frame.columns or frame.columns.duplicated().any():
        raise StockcasterError(
            f"{source}: expected a date column and covariate columns of distinct names, "
            f"received columns {listed(names)}"
        )
    if not any(str(c).startswith(C.COVARIATE) for c in frame.columns):
        raise StockcasterError(
            f"{source}: expected covariate columns beside the date, received none"
        )
    if C.SYMBOL not in frame.columns:
        frame.insert(1, C.SYMBOL, EVERY_SYMBOL)
    return parse_prices(dataclasses.replace(raw, frame=frame, source=source), fill)


def join_covariates(
    prices: pd.DataFrame, path: str | Path, fill: FillPolicy | None = None
) -> pd.DataFrame:
    """`prices` with the file's covariates of each row's day (and symbol).

    Raises:
        StockcasterError: a covariate that is also a column of the prices, or a price row
            without its day's values and no fill policy that supplies them.
    """
    found = read_covariates(path, fill)
    names = [c for c in found.columns if str(c).startswith(C.COVARIATE)]
    clash = [c for c in names if c in prices.columns]
    if clash:
        raise StockcasterError(
            f"{path}: expected covariates other than the price file's, received "
            f"{clash[0][len(C.COVARIATE) :]!r} in both"
        )
    keys = [C.DATE] if (found[C.SYMBOL] == EVERY_SYMBOL).all() else [C.SYMBOL, C.DATE]
    joined = prices.merge(found[[*keys, *names]], on=keys, how="left", validate="many_to_one")
    missing = joined[names].isna().any(axis=1)
    if missing.any() and fill == "ffill":
        joined[names] = joined.groupby(C.SYMBOL, sort=False)[names].ffill()
        missing = joined[names].isna().any(axis=1)  # none before it: the row goes
        joined = joined[~missing]
    elif missing.any() and fill == "drop":
        joined = joined[~missing]
    elif missing.any():
        row = joined[missing].iloc[0]
        raise StockcasterError(
            f"{path}: expected covariates for every price row, received none for "
            f"{row[C.SYMBOL]} on {row[C.DATE]:%Y-%m-%d} ({int(missing.sum())} rows without; "
            "choose --fill ffill to carry the last value forward)"
        )
    return joined.reset_index(drop=True)


def with_covariate_file(
    table: pd.DataFrame, columns: Mapping[str, str] | None, fill: FillPolicy | None
) -> pd.DataFrame:
    """`table` with the covariates of the file `--covariates FILE` named, if it did."""
    path = (columns or {}).get(C.COVARIATE_FILE)
    return table if path is None else join_covariates(table, path, fill)


def kept_rows(
    raw: RawPrices, columns: Mapping[str, str] | None, fill: FillPolicy | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """A panel file's rows parsed (`parse_prices`) and joined to its covariate file
    (`--covariates FILE`), and each symbol none of whose rows is left, with why: a value
    missing from every row, or no covariate on any of its days, which `--fill` drops (such
    a symbol vanished without a word: "2 symbols run, 0 skipped" of 4)."""
    table = parse_prices(raw, fill)
    joined = with_covariate_file(table, columns, fill)
    gone = {}
    if len(table) < len(raw.frame):  # rows dropped (--fill): of a whole symbol, say?
        cells = raw.frame[C.SYMBOL].dropna().astype(str).str.strip()
        rows, kept = cells[cells != ""].value_counts(), set(table[C.SYMBOL])
        gone = {s: f"{raw.source}: expected rows with every value, received none of its {n} "
                   f"(--fill {fill})" for s, n in rows.items() if s not in kept}  # fmt: skip
    path = (columns or {}).get(C.COVARIATE_FILE)
    said = f"{path}: expected covariates on some of its days, received none (--fill {fill})"
    lost = sorted(set(table[C.SYMBOL]) - set(joined[C.SYMBOL]))
    return joined, {**dict(sorted(gone.items())), **dict.fromkeys(lost, said)}
