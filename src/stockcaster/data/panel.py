"""Many symbols from one long-format file: keep the good ones, name the broken ones.

One bad cell in a 437-symbol file should not cost the other 436. `load_panel` finds
every row that `parse_prices` would refuse, sets its symbol aside with the first bad
line as the reason, and validates the rest; with `strict` the first bad row stops the run.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.covariates import kept_rows
from stockcaster.data.dates import iso_dates
from stockcaster.data.frames import given_path, in_memory
from stockcaster.data.readers import RawPrices, read_price_file, symbol_of
from stockcaster.data.row_checks import MAX_VOLUME, PRICE_RANGE
from stockcaster.data.symbols import spelling
from stockcaster.data.validate import (
    CONTROL_CHARACTERS,
    FillPolicy,
    Tally,
    missing_mask,
    not_a_number,
    not_yet_traded,
    parse_prices,
    to_numbers,
)
from stockcaster.data.written import written_numbers
from stockcaster.errors import StockcasterError, listed, shown


@dataclass(frozen=True)
class Panel:
    """A validated multi-symbol price table and the symbols set aside.

    Attributes:
        prices: the price table of the symbols kept, sorted by symbol and date.
        source: the file, as the user named it.
        broken: symbol -> why its rows were not used ("FILE line N: expected ...").
    """

    prices: pd.DataFrame
    source: str
    broken: dict[str, str] = field(default_factory=dict)

    @property
    def symbols(self) -> list[str]:
        return sorted(self.prices[C.SYMBOL].unique())

    def spelled_as(self, names) -> Panel:
        """This panel with each symbol spelled as `names` spell it where it is one of them
        regardless of case (`msft` of a bundle's MSFT), as `--symbol` reads a symbol."""
        spelled = spelling(names)
        renamed = {s: spelled(s) for s in {*self.prices[C.SYMBOL], *self.broken}}
        renamed = {s: to for s, to in renamed.items() if to != s}
        if not renamed:
            return self
        prices = self.prices.assign(**{C.SYMBOL: self.prices[C.SYMBOL].replace(renamed)})
        prices = prices.sort_values([C.SYMBOL, C.DATE], kind="stable").reset_index(drop=True)
        broken = {renamed.get(s, s): why for s, why in self.broken.items()}
        return dataclasses.replace(self, prices=prices, broken=broken)


def load_panel(
    path: str | Path | pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    fill: FillPolicy | None = None,
    strict: bool = False,
    tally: Tally | None = None,
) -> Panel:
    """Read a long-format price file with many symbols, or a folder of price files (a
    symbol's each, named by its file as a file without a symbol column is: `aapl.us.txt`
    is AAPL, as Kaggle's per-ticker dataset names them).

    Args:
        path: CSV (optionally compressed) or Parquet, one row per (date, symbol); or a
            folder of such files (its other files, and its subfolders, are not read); or a
            DataFrame of prices in memory (`frames.py`).
        columns: canonical name -> the file's column, for other headers.
        fill: policy for rows with missing values, as in `load_prices`.
        strict: stop at the first bad row instead of setting its symbol aside.
        tally: where to count each column's missing cells and the columns not read,
            summed over a folder's files that read (`inspect`: each file read once).

    Raises:
        StockcasterError: an unreadable file, a file without a symbol column, or (with
            `strict`) any bad row.
    """
    if not in_memory(path) and given_path(path).is_dir():
        return _folder(Path(path), columns, fill, strict, tally)
    raw = read_price_file(path, columns)
    if tally is not None:
        tally.add(raw)
    try:
        table, lost = kept_rows(raw, columns, fill)
        return Panel(table, raw.source, lost)
    except StockcasterError:
        if strict:
            raise
    # Only a file with a bad row pays for the row-by-row search.
    broken = broken_symbols(raw, fill)
    keep = ~raw.frame[C.SYMBOL].astype(str).str.strip().isin(list(broken))
    if not broken or not keep.any():
        parse_prices(raw, fill)  # nothing to keep (or nothing found): the first error stands
    kept = raw.rows(keep)  # each row still named by its own line
    table, lost = kept_rows(kept, columns, fill)
    return Panel(table, raw.source, {**broken, **lost})


# What a folder's price files are called; its other files (a README, .DS_Store) are not read.
_PRICE_FILES = (".csv", ".txt", ".tsv", ".parquet", ".pq", ".xlsx", ".xlsm", ".gz", ".bz2",
                ".zip", ".xz", ".zst")  # fmt: skip


def price_files(folder: Path) -> list[Path]:
    """A folder's price files, by name: not its hidden files, other files or subfolders."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                  and p.suffix.lower() in _PRICE_FILES)  # fmt: skip


def _folder(
    path: Path,
    columns: Mapping[str, str] | None,
    fill: FillPolicy | None,
    strict: bool,
    tally: Tally | None,
) -> Panel:
    """A folder's price files as one panel: a file that cannot be read (an empty one, a bad
    row) sets its symbols aside, with its one-line reason, unless `strict`."""
    found = price_files(path)
    if not found:
        raise StockcasterError(
            f"{path}: expected a price file or a folder of them ({', '.join(_PRICE_FILES)}), "
            "received a folder without one"
        )
    tables, broken, seen = [], {}, {}
    for file in found:
        try:
            panel = load_panel(file, columns, fill, strict, tally)
        except StockcasterError as err:
            if strict:
                raise
            broken[symbol_of(file)] = str(err)
            continue
        for symbol in panel.symbols:
            if symbol in seen:
                raise StockcasterError(
                    f"{path}: expected each symbol in one file, received {symbol} in "
                    f"{seen[symbol].name} and {file.name}"
                )
            seen[symbol] = file
        tables.append(panel.prices)
        broken |= panel.broken
    if not tables:
        raise StockcasterError(f"{path}: expected a file of prices to read, received none: "
                               f"{next(iter(broken.values()))}")  # fmt: skip
    prices = pd.concat(tables, ignore_index=True).sort_values([C.SYMBOL, C.DATE], kind="stable")
    order = [c for c in C.PRICE_TABLE_COLUMNS if c in prices] + [
        c for c in prices if c not in C.PRICE_TABLE_COLUMNS
    ]
    return Panel(prices[order].reset_index(drop=True), str(path), broken)


def broken_symbols(raw: RawPrices, fill: FillPolicy | None) -> dict[str, str]:
    """Each symbol with a row `parse_prices` would refuse, and its first bad line.

    Checks the same things: dates, numbers, missing values without a fill policy,
    non-positive prices, negative volumes and repeated dates.
    """
    frame = raw.frame.reset_index(drop=True)
    missing = missing_mask(frame)
    problems = pd.Series(None, index=frame.index, dtype=object)

    def flag(mask: pd.Series, message) -> None:
        new = mask & problems.isna()
        for at in np.flatnonzero(new):
            problems.iloc[at] = message(at)

    text = frame[C.DATE].astype(str).str.strip()
    dates = iso_dates(text.where(~missing[C.DATE]))
    if dates.notna().any():  # a file of another date format is left to parse_prices
        flag(
            dates.isna() & ~missing[C.DATE],
            lambda at: f"expected a date like 2016-12-30, received {shown(frame[C.DATE].iloc[at])}",
        )
    ahead, today = not_yet_traded(dates)
    flag(
        pd.Series(ahead, index=dates.index),
        lambda at: (
            f"expected dates up to today ({today:%Y-%m-%d}), received {shown(text.iloc[at])}"
        ),
    )
    for name in frame.columns.drop([C.DATE, C.SYMBOL]):
        _flag_numbers(frame[name], missing[name], flag, raw.where)
    if fill is None:
        flag(
            missing.any(axis=1),
            lambda at: (
                "expected no missing values, received an empty cell "
                "(choose --fill drop or --fill ffill)"
            ),
        )
    symbols = frame[C.SYMBOL].astype(str).str.strip()
    flag(
        symbols.str.contains(CONTROL_CHARACTERS, regex=True),
        lambda at: (
            f"expected a symbol without control characters, received {shown(symbols.iloc[at])}"
        ),
    )
    flag(
        pd.DataFrame({"s": symbols, "d": dates}).duplicated(keep="first") & dates.notna(),
        lambda at: f"expected one row per date, received a second row for {text.iloc[at]}",
    )
    bad = problems.dropna()
    first = bad.groupby(symbols[bad.index], sort=True).head(1)
    return {symbols.iloc[at]: f"{raw.where(int(at))}: {first[at]}" for at in first.index}


def _flag_numbers(cells: pd.Series, missing: pd.Series, flag, where) -> None:
    """Flag the cells of one numeric column that `parse_prices` would refuse."""
    name = cells.name
    values = written_numbers(to_numbers(cells, missing), cells, missing, where)
    flag(values.isna() & ~missing, lambda at: not_a_number("a number", cells, at))
    flag(np.isinf(values), lambda at: not_a_number("a finite number", cells, at))
    if name in C.PRICE_COLUMNS:
        low, high = PRICE_RANGE
        flag(
            values <= 0,
            lambda at: (
                f"expected a positive price in column {name!r}, received {values.iloc[at]:g}"
            ),
        )
        flag(
            (values < low) | (values > high),
            lambda at: (
                f"expected a price between {low:g} and {high:g} in column {name!r}, "
                f"received {values.iloc[at]:g}"
            ),
        )
    elif name == C.VOLUME:
        flag(
            values < 0,
            lambda at: f"expected a volume of zero or more, received {values.iloc[at]:g}",
        )
        flag(
            values > MAX_VOLUME,
            lambda at: f"expected a volume of at most {MAX_VOLUME:g}, received {values.iloc[at]:g}",
        )


def symbol_rows(prices: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each symbol of a price table sorted by symbol and date, and its rows.

    Returns:
        `(symbols, starts, stops)`: symbol i owns rows `starts[i]:stops[i]`.
    """
    symbols, starts, counts = np.unique(
        prices[C.SYMBOL].to_numpy(), return_index=True, return_counts=True
    )
    return symbols, starts, starts + counts


def select_symbols(panel: Panel, wanted: list[str] | None) -> list[str]:
    """The symbols to run: `wanted` in the given order, or every symbol kept.

    Symbols set aside as broken are allowed (they are reported, not run).

    Raises:
        StockcasterError: symbols that are not in the file, all listed, with near matches.
    """
    present = set(panel.symbols) | set(panel.broken)
    if wanted is None:
        return sorted(present)
    if not wanted or isinstance(wanted, str):  # `--symbols ""` said "... among 0"
        shown = f"{wanted!r}, a string (in Python, a list of them)" if wanted else "none"
        raise StockcasterError(
            f"--symbols: expected at least one symbol of {panel.source}, received {shown}"
        )
    spelled = spelling(present)
    wanted = [spelled(s) for s in wanted]  # `msft` is the file's MSFT
    unknown = [s for s in wanted if s not in present]
    if unknown:
        hints = []
        for name in unknown[:10]:  # near matches for those listed, the rest counted
            near = difflib.get_close_matches(name.upper(), sorted(present), n=1, cutoff=0.6)
            hints.append(f"{name} (did you mean {near[0]}?)" if near else name)
        raise StockcasterError(
            f"{panel.source}: expected symbols in the file, received {len(unknown)} unknown: "
            f"{listed(hints + unknown[10:], 10)}"
        )
    return list(dict.fromkeys(wanted))
