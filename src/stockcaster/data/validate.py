"""Turn raw cells into the validated price table, naming the line of every bad value.

The price table is long-format, one row per (symbol, date), sorted by symbol then date,
with the columns of `stockcaster.columns.PRICE_TABLE_COLUMNS` that the file has.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stockcaster import columns as C
from stockcaster.data.arrow_csv import as_arrow, is_text
from stockcaster.data.dates import dates_in_one_format
from stockcaster.data.events import named
from stockcaster.data.readers import RawPrices
from stockcaster.data.row_checks import check_one_row_a_day, check_plausible
from stockcaster.data.written import written_numbers
from stockcaster.errors import StockcasterError, shown

FillPolicy = Literal["drop", "ffill"]
FILL_POLICIES: tuple[str, ...] = ("drop", "ffill")

# Cells that mean "no value" in the files we meet (Yahoo writes "null", Excel "#N/A", some
# sites a dash, FRED a point).
_MISSING_TOKENS = frozenset({"", "null", "nan", "na", "n/a", "#n/a", "none", "-", "—", "–", "."})
_TOKEN_ARRAY = pa.array(sorted(_MISSING_TOKENS), type=pa.string())


def check_fill(fill: FillPolicy | None) -> None:
    """A fill policy as `--fill` takes it: None (refuse missing values) or one of them.

    Raises:
        StockcasterError: any other, listing them.
    """
    if fill is not None and fill not in FILL_POLICIES:
        raise StockcasterError(
            f"--fill: expected one of {', '.join(FILL_POLICIES)}, received {fill!r}"
        )


def parse_prices(raw: RawPrices, fill: FillPolicy | None = None) -> pd.DataFrame:
    """Parse and validate raw price cells.

    Args:
        raw: cells read by `read_price_file`.
        fill: what to do with rows that have a missing value: None (refuse them),
            "drop" (drop those rows) or "ffill" (carry the symbol's last value forward;
            rows with nothing before them are dropped).

    Returns:
        The validated price table.

    Raises:
        StockcasterError: unparseable dates or numbers, missing values without a fill
            policy, duplicate dates for a symbol, or non-positive prices.
    """
    check_fill(fill)
    frame = raw.frame.reset_index(drop=True)
    missing = missing_mask(frame)
    table = pd.DataFrame({C.DATE: _parse_dates(raw, frame[C.DATE], missing[C.DATE])})
    if C.CLOSE in frame.columns:  # prices, not covariates
        _check_past(raw, table[C.DATE], frame[C.DATE])
    table[C.SYMBOL] = _symbols(raw, frame[C.SYMBOL])
    for name in frame.columns.drop([C.DATE, C.SYMBOL]):
        table[name] = _parse_numbers(raw, frame[name], missing[name])
    table["_position"] = np.arange(len(table))
    table = _apply_fill(raw, table, missing.any(axis=1), fill)
    check_one_row_a_day(raw, table)
    check_plausible(raw, table)
    table = table.sort_values([C.SYMBOL, C.DATE], kind="stable").drop(columns="_position")
    return table.reset_index(drop=True)


def missing_counts(raw: RawPrices) -> dict[str, int]:
    """Count missing cells per column, for inspection."""
    return {name: int(count) for name, count in missing_mask(raw.frame).sum().items()}


@dataclass
class Tally:
    """What `inspect` counts of the files as each is read: each column's missing cells, and
    the columns no name took (`RawPrices.unread`), in the order first met."""

    missing: Counter = field(default_factory=Counter)
    unread: dict[str, None] = field(default_factory=dict)

    def add(self, raw: RawPrices) -> None:
        self.missing.update(missing_counts(raw))
        self.unread.update(dict.fromkeys(raw.unread))


def missing_mask(frame: pd.DataFrame) -> pd.DataFrame:
    """Which cells hold no value: NaN, or a missing-value token once stripped and lowered."""

    def is_missing(column: pd.Series) -> pd.Series:
        if is_text(column):
            return column.isna() | _is_token(column)
        return column.isna()

    return frame.apply(is_missing)


def _is_token(column: pd.Series) -> pd.Series:
    """Cells that read as a missing-value token, by Arrow's string kernels (in C++: a
    Python loop over a universe's 750k cells per column took seconds); pandas' string
    methods for what Arrow cannot hold (cells that are not strings)."""
    try:
        cells = as_arrow(column)
    except (pa.ArrowException, TypeError, ValueError):
        return column.astype(str).str.strip().str.lower().isin(_MISSING_TOKENS)
    found = pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(cells)), value_set=_TOKEN_ARRAY)
    return pd.Series(found.fill_null(False).to_numpy(zero_copy_only=False), index=column.index)


def _text(cells: pd.Series) -> pd.Series:
    """Cells as strings to factorize: Arrow's as they are, anything else through `str`."""
    return cells if isinstance(cells.dtype, pd.ArrowDtype) else cells.astype(str)


def to_numbers(cells: pd.Series, missing: pd.Series) -> pd.Series:
    """A column's present cells as float64 (NaN where missing or not a number).

    Text is cast by Arrow's C++ kernel, correctly rounded (bit for bit Python's `float`;
    pandas' `to_numeric` can miss by up to about 1e-15 of the value on 17-digit cells,
    `tests/test_arrow_csv.py`), spaces around a number allowed as pandas allows them. A
    column with a cell that is no finite number goes through `to_numeric`, whose NaN and
    inf mark the cells the callers name in their errors.
    """
    present = cells.where(~missing)
    if cells.dtype == object or isinstance(cells.dtype, pd.ArrowDtype):
        try:
            text = pc.utf8_trim_whitespace(as_arrow(present))
            values = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False) + 0.0  # -0 is 0
        except (pa.ArrowException, TypeError, ValueError):
            values = None
        if values is not None and not np.isinf(values).any():
            return pd.Series(values, index=cells.index, name=cells.name)
    return pd.to_numeric(present, errors="coerce").astype("float64")


def _parse_dates(raw: RawPrices, cells: pd.Series, missing: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(cells):
        dates = pd.to_datetime(cells)
    else:  # each distinct cell parsed once: a universe's rows share a few thousand dates
        codes, distinct = pd.factorize(_text(cells).where(~missing), use_na_sentinel=True)
        text = pd.Series(distinct, dtype=object).str.strip()
        parsed = dates_in_one_format(raw.source, text)
        dates = parsed.reindex(codes).set_axis(cells.index)  # code -1 (missing): NaT
    bad = dates.isna() & ~missing
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise StockcasterError(
            f"{raw.where(at)}: expected a date like 2016-12-30 in column 'date', "
            f"received {shown(cells.iloc[at])}"
        )
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.dt.normalize().astype("datetime64[ns]")


def not_yet_traded(dates: pd.Series) -> tuple[np.ndarray, pd.Timestamp]:
    """Which `dates` lie after tomorrow (a day ahead allowed: a time zone east of here), a
    price of a day not yet traded; and today, for the message."""
    today = pd.Timestamp.today().normalize()
    return (dates > today + pd.Timedelta(days=1)).to_numpy(), today


def _check_past(raw: RawPrices, dates: pd.Series, cells: pd.Series) -> None:
    """Prices are of days that have come (`not_yet_traded`); covariates may be known
    ahead, as a calendar of announcements is."""
    ahead, today = not_yet_traded(dates)
    if ahead.any():
        at = int(np.argmax(ahead))
        raise StockcasterError(
            f"{raw.where(at)}: expected dates up to today ({today:%Y-%m-%d}), received "
            f"{shown(cells.iloc[at])}, a day not yet traded"
        )


CONTROL_CHARACTERS = r"[\x00-\x1f\x7f]"


def _symbols(raw: RawPrices, cells: pd.Series) -> pd.Series:
    """The symbol cells, stripped and checked, each distinct cell once (a universe's 750k
    rows hold a few hundred symbols)."""
    codes, distinct = pd.factorize(_text(cells))
    names = pd.Series(distinct, dtype=object).str.strip()
    _check_symbols(raw, names, codes)
    return pd.Series(names.to_numpy()[codes], index=cells.index)


def _check_symbols(raw: RawPrices, names: pd.Series, codes: np.ndarray) -> None:
    """A symbol is a name: no control characters (NUL, tab, CR, escape sequences)."""
    bad = names.str.contains(CONTROL_CHARACTERS, regex=True).to_numpy()[codes]
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise StockcasterError(
            f"{raw.where(at)}: expected a symbol without control characters, received "
            f"{shown(names.iloc[codes[at]])}"
        )


def _parse_numbers(raw: RawPrices, cells: pd.Series, missing: pd.Series) -> pd.Series:
    if (pd.api.types.is_datetime64_any_dtype(cells) or pd.api.types.is_timedelta64_dtype(cells)
            or pd.api.types.is_bool_dtype(cells)):  # fmt: skip
        raise StockcasterError(
            f"{raw.source}: expected numbers in {C.label(cells.name)}, received "
            f"{cells.dtype} values"
        )
    values = written_numbers(to_numbers(cells, missing), cells, missing, raw.where)
    bad = (values.isna() | np.isinf(values)) & ~missing
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        kind = "a finite number" if np.isinf(values.iloc[at]) else "a number"
        raise StockcasterError(f"{raw.where(at)}: {not_a_number(kind, cells, at)}")
    return values


def not_a_number(kind: str, cells: pd.Series, at: int) -> str:
    """What a number column's cell at `at` is, where `kind` ("a number", "a finite number")
    was expected: a file's and a panel's refusal alike, naming a dividend's or a split's
    words in a row of prices (Yahoo's history page writes them on rows of their own, which
    are passed over: `events.py`)."""
    event = named(cells.iloc[at])
    hint = "" if event is None else (f" (a {event}, as Yahoo's history page writes it on a "
                                     "row of its own, in a row of prices)")  # fmt: skip
    return f"expected {kind} in {C.label(cells.name)}, received {shown(cells.iloc[at])}{hint}"


def _apply_fill(
    raw: RawPrices, table: pd.DataFrame, incomplete: pd.Series, fill: FillPolicy | None
) -> pd.DataFrame:
    if not incomplete.any():
        return table
    count = int(incomplete.sum())
    at = int(np.flatnonzero(incomplete)[0])
    if fill is None:
        raise StockcasterError(
            f"{raw.source}: expected no missing values, received {count} "
            f"row{'s' * (count > 1)} with missing values (first at {raw.place(at)}); choose "
            "--fill drop or --fill ffill"
        )
    if fill == "ffill":
        table = table.sort_values([C.SYMBOL, C.DATE], kind="stable")
        values = table.columns.drop([C.DATE, C.SYMBOL, "_position"])
        table[values] = table.groupby(C.SYMBOL)[list(values)].ffill()
        table = table.sort_values("_position")
    kept = table.dropna().reset_index(drop=True)
    if kept.empty:
        raise StockcasterError(
            f"{raw.source}: expected rows with every value after --fill {fill}, received "
            f"none of {len(table)} (every row has a missing value)"
        )
    return kept
