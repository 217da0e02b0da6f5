"""A universe bundle's forecasts in the terminal: the book it picks for the next session."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape

from stockcaster import columns as C
from stockcaster.reporting import verdicts
from stockcaster.reporting.lines import reasons
from stockcaster.reporting.tables import fitted_table, price_cell

UNMEASURED = (
    "whether such picks beat chance is not measured here: `stockcaster universe` walks a "
    "model of these settings over a test period (rank IC, its t, the book after costs)"
)
"""Said under every book: a ranking of forecasts reads as advice, and nothing in `predict`
says whether it is worth more than a coin."""


def picks_table(console: Console, picks: pd.DataFrame, forecast: pd.DataFrame, meta: dict) -> None:
    """Print a universe bundle's book for the next session: each long and short pick's last
    close, forecast and predicted return (with its interval); with too few symbols for a
    book, the forecasts themselves. Then the symbols set aside, and why."""
    last = ", ".join(meta["last_dates"])
    if len(picks):
        rows = [
            [row["side"], str(row["rank"]), escape(str(row[C.SYMBOL])), price_cell(row[C.CLOSE]),
             price_cell(row[C.YHAT]), f"{row['predicted_return']:+.2%}", _band(row)]
            for _, row in picks.iterrows()
        ]  # fmt: skip
        columns = [("side", 0), ("rank", 0), ("symbol", 0), ("close", 0), ("forecast", 0),
                   ("return", 0), ("interval", 1)]  # fmt: skip
        days = forecast.loc[forecast[C.HORIZON] == 1, C.DATE].dt.strftime("%Y-%m-%d")
        title = (f"top {len(picks) // 2} long and short for {', '.join(sorted(set(days)))}, "
                 f"from the closes of {last}")  # fmt: skip
    else:  # one symbol: no book
        rows = [[f"{row[C.DATE]:%Y-%m-%d}", escape(str(row[C.SYMBOL])), str(row[C.HORIZON]),
                 price_cell(row[C.YHAT]), price_cell(row[C.LO]), price_cell(row[C.HI])]
                for _, row in forecast.iterrows()]  # fmt: skip
        columns = [(C.DATE, 0), (C.SYMBOL, 0), (C.HORIZON, 0), ("forecast", 0), (C.LO, 1),
                   (C.HI, 1)]  # fmt: skip
        title = f"forecast from the closes of {last} (too few symbols for a long and short book)"
    if rows:
        fitted_table(console, title, columns, rows)
        console.print(f"interval: {escape(meta['interval'])}")
    if len(picks):
        console.print(UNMEASURED, style="dim")
    held = book_held(picks, meta)
    if held and len(picks):  # none: the table's title says so
        console.print(held)
    reasons(console, "set aside", meta["set_aside"], "universe_prediction.json")


def book_held(picks: pd.DataFrame, meta: dict) -> str | None:
    """The book a prediction picked (`picks`, its longs then its shorts) when it holds fewer
    than `--top-k` asked, in words."""
    k = len(picks) // 2
    return verdicts.book_held(k, meta["top_k"], meta["symbols"]["forecast"], "forecast")


def _band(pick: pd.Series) -> str:
    """A pick's interval as returns, or nothing for a point model's."""
    if pd.isna(pick["lo_return"]):
        return ""
    return f"{pick['lo_return']:+.2%} .. {pick['hi_return']:+.2%}"
