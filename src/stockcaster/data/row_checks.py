"""The checks of a parsed price table's rows, naming the line of the first that fails: one
row per symbol and date, and prices and volumes a market could have printed."""

from __future__ import annotations

import pandas as pd

from stockcaster import columns as C
from stockcaster.data.readers import RawPrices
from stockcaster.errors import StockcasterError

# Plausible prices and volumes: outside these a number is a unit error or garbage, and
# squaring it (MSE) would overflow or vanish.
PRICE_RANGE = (1e-8, 1e12)
MAX_VOLUME = 1e15


def check_one_row_a_day(raw: RawPrices, table: pd.DataFrame) -> None:
    repeated = table.duplicated([C.SYMBOL, C.DATE], keep=False)
    if not repeated.any():
        return
    rows = table[repeated]
    first = rows.iloc[0]
    same = rows[(rows[C.SYMBOL] == first[C.SYMBOL]) & (rows[C.DATE] == first[C.DATE])]
    at = [int(p) for p in same["_position"][:2]]
    lines = f"{raw.unit}s " + " and ".join(str(raw.line(p)) for p in at)
    if raw.sheets is not None:  # rows of two sheets: "sheet A row 3 and sheet B row 2"
        lines = " and ".join(raw.place(p) for p in at)
    raise StockcasterError(
        f"{raw.source} {lines}: expected one row per date for symbol "
        f"{first[C.SYMBOL]}, received {len(same)} rows for {first[C.DATE]:%Y-%m-%d}"
        f"{_intraday(raw.frame[C.DATE].iloc[same['_position'].to_numpy()])}"
    )


def _intraday(cells: pd.Series) -> str:
    """What to say of one day's rows at several times of day (bars of an hour, a minute):
    stockcaster forecasts one close a day; "" for rows of the same time."""
    stamps = pd.to_datetime(cells.astype(str).str.strip(), format="mixed", errors="coerce")
    if stamps.isna().any() or stamps.nunique() < 2:
        return ""
    return (f" (at {stamps.iloc[0]:%H:%M} and {stamps.iloc[1]:%H:%M}: intraday bars? "
            "stockcaster forecasts one close a day: keep each day's last row)")  # fmt: skip


def check_plausible(raw: RawPrices, table: pd.DataFrame) -> None:
    low, high = PRICE_RANGE
    for name in C.PRICE_COLUMNS:
        if name in table.columns and (table[name] <= 0).any():
            row = table[table[name] <= 0].iloc[0]
            raise StockcasterError(
                f"{raw.where(int(row['_position']))}: expected a positive price in column "
                f"{name!r} for {row[C.SYMBOL]}, received {row[name]:g}"
            )
        if name in table.columns and ((table[name] < low) | (table[name] > high)).any():
            row = table[(table[name] < low) | (table[name] > high)].iloc[0]
            raise StockcasterError(
                f"{raw.where(int(row['_position']))}: expected a price between {low:g} and "
                f"{high:g} in column {name!r} for {row[C.SYMBOL]}, received {row[name]:g}"
            )
    if C.VOLUME in table.columns and (table[C.VOLUME] < 0).any():
        row = table[table[C.VOLUME] < 0].iloc[0]
        raise StockcasterError(
            f"{raw.where(int(row['_position']))}: expected a volume of zero or more for "
            f"{row[C.SYMBOL]}, received {row[C.VOLUME]:g}"
        )
    if C.VOLUME in table.columns and (table[C.VOLUME] > MAX_VOLUME).any():
        row = table[table[C.VOLUME] > MAX_VOLUME].iloc[0]
        raise StockcasterError(
            f"{raw.where(int(row['_position']))}: expected a volume of at most {MAX_VOLUME:g} "
            f"for {row[C.SYMBOL]}, received {row[C.VOLUME]:g}"
        )
