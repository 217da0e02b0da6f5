"""Scoring a trial of a universe's global model on folds of its training days only.

The folds are `validation.py`'s, counted in the panel's trading days up to the universe's
cutoff: fold k fits one model on every symbol's rows up to the day before its block, then
forecasts each symbol's each day of the block from the closes before it. The rows after
the cutoff (the test period) are cut off before any trial, as for one symbol; only the
best configuration's refit reads them, once (`holdout`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.models.base import PanelForecaster
from stockcaster.tuning.validation import (
    AfterFold,
    Block,
    Fold,
    TrialScore,
    score_blocks,
    walk_folds,
)


@dataclass(frozen=True)
class PanelCloses:
    """A universe's closes as `[days, symbols]` matrices (NaN: no close that day).

    Attributes:
        prices: the long table (symbol, date, close, ...) the models read.
        days: its trading days, sorted.
        close: each symbol's close on each day.
        previous: each symbol's close before that day's (its own previous row).
    """

    prices: pd.DataFrame
    days: np.ndarray
    symbols: np.ndarray
    close: np.ndarray
    previous: np.ndarray

    @classmethod
    def of(cls, prices: pd.DataFrame) -> PanelCloses:
        table = prices.sort_values([C.SYMBOL, C.DATE])
        previous = table.groupby(C.SYMBOL, sort=False)[C.CLOSE].shift(1)
        wide = table.assign(previous=previous.to_numpy()).pivot(
            index=C.DATE, columns=C.SYMBOL, values=[C.CLOSE, "previous"]
        )
        days = wide.index.to_numpy(dtype="datetime64[ns]")
        symbols = wide[C.CLOSE].columns.to_numpy()
        close = wide[C.CLOSE].to_numpy(dtype="float64")
        return cls(prices, days, symbols, close, wide["previous"].to_numpy(dtype="float64"))

    def until(self, day) -> pd.DataFrame:
        """The rows up to and including `day`."""
        return self.prices[self.prices[C.DATE] <= day]

    def block(self, forecasts: pd.DataFrame, first: int, last: int) -> Block:
        """Days `first..last` (indices into `days`): forecasts against the closes."""
        wide = forecasts.pivot(index=C.DATE, columns=C.SYMBOL, values=C.YHAT)
        wide = wide.reindex(index=pd.DatetimeIndex(self.days[first : last + 1]))
        yhat = wide.reindex(columns=self.symbols).to_numpy(dtype="float64")
        days = slice(first, last + 1)
        return Block(yhat, self.previous[days], self.close[days])


def score_panel_trial(
    closes: PanelCloses,
    make_forecaster: Callable[[], PanelForecaster],
    folds: list[Fold],
    after_fold: AfterFold | None = None,
    cost_bps: float = 5.0,
) -> TrialScore:
    """Fit a fresh global model per fold on the days before its block; score the block.

    Args:
        closes: the training days' closes only.
        make_forecaster: builds a fresh, unfitted panel model.
        folds: from `validation_folds(len(closes.days))`.
    """

    def block_of(fold: Fold) -> Block:
        cutoff, until = closes.days[fold.last_fit], closes.days[fold.last_day]
        model = make_forecaster()
        model.fit(closes.until(cutoff), cutoff)
        forecasts = model.predict_after(closes.until(until))
        return closes.block(forecasts[forecasts[C.DATE] > cutoff], fold.last_fit + 1, fold.last_day)

    return walk_folds(folds, block_of, after_fold, cost_bps, scaled=True)


def panel_holdout(
    closes: PanelCloses, cutoff, make_forecaster: Callable[[], PanelForecaster], cost_bps: float
) -> dict:
    """A configuration refitted on every day up to `cutoff`, scored once on the days after."""
    model = make_forecaster()
    model.fit(closes.until(cutoff), cutoff)
    forecasts = model.predict_after(closes.prices)
    first = int(np.searchsorted(closes.days, cutoff, side="right"))
    block = closes.block(forecasts[forecasts[C.DATE] > cutoff], first, len(closes.days) - 1)
    score = score_blocks([block], cost_bps, scaled=True)
    return {"ratio": score.ratio, "ic": score.ic}
