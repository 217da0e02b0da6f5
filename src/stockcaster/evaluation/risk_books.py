"""A universe's top-k book weighted by inverse predicted volatility, and its predicted risk.

Each symbol's deviation of tomorrow's return is forecast as HAR on its log range forecasts
it (`models/volatility.py`, walked over the test period from each day before, refitted
every 21 days on the days before only). With `--weights inverse-vol`, each leg of the book
(the k longs, the k shorts) keeps its total weight (+1, -1) and splits it in proportion to
1 / deviation, so a calm symbol holds more than a wild one and each name brings about the
same risk; a name without a forecast takes its leg's mean. The book's predicted volatility
is `sqrt(sum of w^2 sigma^2)` each day (the names' correlations left out, so it is a lower
bound of the truth for a long leg), annualised, to compare with the volatility it realised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.trading import TRADING_DAYS
from stockcaster.features.volatility import daily_variance, log_returns
from stockcaster.models.volatility import forecast

WEIGHTINGS = ("equal", "inverse-vol")


def predicted_deviation(prices: pd.DataFrame, cutoff: np.datetime64) -> pd.DataFrame:
    """`[days, symbols]`: each test day's forecast deviation of each symbol's log-return,
    from the day before (NaN where a symbol has too little history for HAR)."""
    columns = {}
    for symbol, table in prices.groupby(C.SYMBOL, sort=True):
        table = table.reset_index(drop=True)
        dates = table[C.DATE].to_numpy()
        first = int(np.searchsorted(dates, cutoff, side="right")) - 1
        origins = np.arange(max(first, 0), len(table) - 1)
        if not len(origins):
            continue
        v, _ = daily_variance(table)
        try:
            variance = forecast("har", v, log_returns(table), origins)[:, 0]
        except StockcasterError:  # too short a history: no forecast, the leg's mean
            continue
        columns[symbol] = pd.Series(np.sqrt(variance), index=pd.DatetimeIndex(dates[origins + 1]))
    return pd.DataFrame(columns)


def inverse_vol(weights: pd.DataFrame, sigma: pd.DataFrame) -> pd.DataFrame:
    """Each day's long and short legs of `weights` split by 1 / `sigma`, each leg's total
    kept."""
    scale = 1.0 / sigma.reindex_like(weights)
    out = weights.copy()
    for sign in (1.0, -1.0):
        held = np.sign(weights.to_numpy()) == sign
        inverse = np.where(held, scale.to_numpy(), np.nan)
        finite = np.isfinite(inverse)
        count = finite.sum(axis=1, keepdims=True)
        total_inverse = np.where(finite, inverse, 0.0).sum(axis=1, keepdims=True)
        mean = np.where(count > 0, total_inverse / np.maximum(count, 1), np.nan)  # no nanmean:
        # a day that holds nothing has no mean, and says so with NaN, not a warning
        inverse = np.where(held & ~np.isfinite(inverse), mean, inverse)
        inverse = np.where(held & ~np.isfinite(inverse), 1.0, inverse)  # no forecast at all
        total = np.nansum(np.where(held, weights.to_numpy(), 0.0), axis=1, keepdims=True)
        share = np.nansum(np.where(held, inverse, 0.0), axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            split = np.where(held, total * inverse / share, 0.0)
        out = out.where(~held, split)
    return out


def predicted_volatility(
    weights: pd.DataFrame, sigma: pd.DataFrame, year: float = TRADING_DAYS
) -> float | None:
    """The book's predicted volatility, annualised over `year` days (`trading.sessions_a_year`),
    correlations left out (see above)."""
    held = weights.to_numpy() != 0
    deviation = sigma.reindex_like(weights).to_numpy()
    daily = np.sqrt(np.nansum(np.where(held, (weights.to_numpy() * deviation) ** 2, 0.0), axis=1))
    days = held.any(axis=1)
    return float(np.mean(daily[days]) * np.sqrt(year)) if days.any() else None
