"""`stockcaster inspect`: a price file read as every command reads it, missing values
counted instead of refused, and its closes drawn if asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.data import (
    missing_counts,
    parse_column_mapping,
    parse_prices,
    read_price_file,
    select_symbol,
)
from stockcaster.data.calendar import DEFAULT_EXCHANGE, advised, off_sessions
from stockcaster.data.panel import load_panel
from stockcaster.data.quality import price_notes, symbol_summary
from stockcaster.data.series import symbol_rows
from stockcaster.data.validate import Tally
from stockcaster.errors import StockcasterError, listed
from stockcaster.jobs.envelope import check_output, job
from stockcaster.reporting.figures import price_figure
from stockcaster.store.files import safe_name, write_atomic


@dataclass(frozen=True)
class Inspection:
    """A price file's validated table (of one symbol, if one was named) and the missing
    values per column before they were dropped or filled."""

    table: pd.DataFrame
    missing: dict
    chart: Path | None = None
    source: str = "the prices"
    set_aside: dict = field(default_factory=dict)  # a folder's symbols it could not read
    unread: tuple[str, ...] = ()  # the file's columns no name took (`RawPrices.unread`)

    @property
    def per_symbol(self) -> pd.DataFrame:
        """Each symbol's days, rows, closes, returns, largest move and longest gap
        (`data/quality.symbol_summary`)."""
        return symbol_summary(self.table)

    def record(self) -> dict:
        """What `inspect --json` prints: the table's range, size, columns and missing
        values, each symbol's summary, the notes and the chart."""
        t = self.table
        per_symbol = self.per_symbol.astype({"first": str, "last": str}).astype(object)
        per_symbol = per_symbol.where(per_symbol.notna(), None).to_dict(orient="records")
        for row in per_symbol:  # calendar days: a whole number
            row["longest_gap"] = None if row["longest_gap"] is None else int(row["longest_gap"])
        return {
            "source": self.source, "first": f"{t[C.DATE].min():%Y-%m-%d}",
            "last": f"{t[C.DATE].max():%Y-%m-%d}", "rows": len(t),
            "symbols": int(t[C.SYMBOL].nunique()), "columns": list(t.columns),
            "unread": list(self.unread),
            "missing": self.missing, "per_symbol": per_symbol,
            "set_aside": self.set_aside, "notes": self.notes,
            "chart": None if self.chart is None else str(self.chart),
        }  # fmt: skip

    @property
    def notes(self) -> list[str]:
        """Columns not read, days whose close moved as a split would, long gaps
        (`data/quality.py`), and days off XNYS's, the default calendar of a bundle
        (`data/calendar.py`)."""
        aside = [f"{symbol} set aside: {why}" for symbol, why in self.set_aside.items()]
        unread = [f"columns not read: {listed(self.unread)} (--covariates NAME,... reads "
                  "numeric ones as covariates)"] if self.unread else []  # fmt: skip
        return unread + aside + price_notes(self.table) + self._calendar_note()

    def _calendar_note(self) -> list[str]:
        t = self.table
        try:
            off = off_sessions(t[C.DATE], DEFAULT_EXCHANGE, self.source, t[C.SYMBOL])
        except StockcasterError:  # a calendar that does not reach them: nothing to judge
            return []
        return [] if off is None else [advised(off, "a bundle of them needs train --exchange")]


@job
def inspect_prices(
    data: Path,
    symbol: str | None,
    columns: str | None,
    fill: str | None,
    chart_in: Path | None = None,
) -> Inspection:
    """Read `data` (`fill` None drops the rows with missing values, which are counted);
    with `chart_in`, draw the closes into `<data's name>_prices.png` there (of `symbol`:
    `<data's name>_<symbol>_prices.png`), whole or not at all (the folder checked before
    the file is read).

    Raises:
        StockcasterError: bad input, or a `chart_in` that cannot be created and written,
            before anything is drawn.
    """
    if chart_in is not None:
        check_output(chart_in)
    mapping = parse_column_mapping(columns) if columns else None
    aside = {}
    if Path(data).is_dir() or symbol is None:  # a panel's broken symbols set aside, named
        counted = Tally()  # each file read once: its missing cells counted then
        panel = load_panel(data, mapping, fill or "drop", tally=counted)
        table, aside, missing = panel.prices, panel.broken, dict(counted.missing)
        unread = tuple(counted.unread)
    else:  # the symbol's rows alone, as a command of one symbol reads them
        raw = symbol_rows(read_price_file(data, mapping, symbol), (symbol, str(data)))
        missing, unread = missing_counts(raw), raw.unread
        table = parse_prices(raw, fill or "drop")
    if symbol is not None:
        table = select_symbol(table, symbol, str(data))
    if chart_in is None:
        return Inspection(table, missing, source=str(data), set_aside=aside, unread=unread)
    Path(chart_in).mkdir(parents=True, exist_ok=True)
    name = Path(data).name.split(".")[0]
    if symbol is not None:  # its own chart, beside the whole file's: `prices_AAPL_prices.png`
        shown = table[C.SYMBOL].iloc[0] if C.SYMBOL in table and len(table) else symbol
        name = f"{name}_{safe_name(str(shown))}"
    chart = Path(chart_in) / f"{name}_prices.png"
    write_atomic(chart, lambda scratch: price_figure(table, scratch))
    return Inspection(table, missing, chart, str(data), aside, unread)
