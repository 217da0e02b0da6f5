"""A synthetic panel for the return-signal tests: with or without a planted weekly reversal.

Each symbol's daily log-return is `-load * (its last 5 returns' sum) / 5 + noise`: the next
week's return loads on minus the past week's, the signal `reversal_5` reads. With `load=0`
the returns are independent noise, and no signal should be found.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def reversal_panel(
    symbols: int = 40, days: int = 400, load: float = 0.5, seed: int = 0
) -> pd.DataFrame:
    """A long price table (date, symbol, open, high, low, close, volume)."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, 0.015, (days, symbols))
    r = np.zeros((days, symbols))
    for t in range(days):
        past = r[max(0, t - 5) : t].sum(axis=0)
        r[t] = -load * past / 5 + noise[t]
    close = 50 * np.exp(np.cumsum(r, axis=0))
    dates = pd.bdate_range("2012-01-02", periods=days)
    names = [f"S{i:02d}" for i in range(symbols)]
    volume = rng.lognormal(13, 0.3, (days, symbols))
    frame = pd.DataFrame(
        {
            "date": np.repeat(dates, symbols),
            "symbol": np.tile(names, days),
            "close": close.ravel(),
            "volume": volume.ravel(),
        }
    )
    frame["open"] = frame["close"] * 0.999
    frame["high"] = frame["close"] * 1.01
    frame["low"] = frame["close"] * 0.99
    columns = ["date", "symbol", "open", "high", "low", "close", "volume"]
    return frame[columns].sort_values(["symbol", "date"]).reset_index(drop=True)


def wide(prices: pd.DataFrame, column: str = "close") -> pd.DataFrame:
    """`[days, symbols]` of one column."""
    return prices.pivot(index="date", columns="symbol", values=column)
