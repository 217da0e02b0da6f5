"""A trial's score on folds of the training days only, for a panel and for one symbol alike.

The folds are `validation.py`'s, counted in trading days up to the cutoff: fold k fits one
model on the rows up to the day before its block, then forecasts each symbol's each day of
the block from the closes before it. One symbol is a panel of one: its model is walked as a
panel model (`SeriesPanel`, the backtest's one-step walk from the fold's cutoff), and its
errors are its own (a panel's are shares of each symbol's last close, so that a $500 stock
does not outweigh a $5 one). The rows after the cutoff (the test period) are cut off before
any trial; only the best configuration's refit reads them, once (`holdout`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.backtest import BacktestConfig, walk_paths
from stockcaster.evaluation.significance import diebold_mariano_losses
from stockcaster.models.base import Forecaster, PanelForecaster
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
    def of_series(cls, series: pd.Series, symbol: str = "series") -> PanelCloses:
        """One symbol's closes (indexed by date) as a panel of one."""
        table = pd.DataFrame({C.SYMBOL: symbol, C.DATE: series.index, C.CLOSE: series.to_numpy()})
        return cls.of(table)

    @property
    def scaled(self) -> bool:
        """Whether errors are shares of the last close: a panel's, not one symbol's."""
        return len(self.symbols) > 1

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


def score_trial(
    closes: PanelCloses,
    make_forecaster: Callable[[], PanelForecaster],
    folds: list[Fold],
    after_fold: AfterFold | None = None,
    cost_bps: float = 5.0,
) -> TrialScore:
    """Fit a fresh model per fold on the days before its block; score the block.

    Args:
        closes: the training days' closes only.
        make_forecaster: builds a fresh, unfitted panel model (`SeriesPanel` for one
            symbol's).
        folds: from `validation_folds(len(closes.days))`.
    """

    def block_of(fold: Fold) -> Block:
        cutoff, until = closes.days[fold.last_fit], closes.days[fold.last_day]
        model = make_forecaster()
        model.fit(closes.until(cutoff), cutoff)
        forecasts = model.predict_after(closes.until(until))
        return closes.block(forecasts[forecasts[C.DATE] > cutoff], fold.last_fit + 1, fold.last_day)

    return walk_folds(folds, block_of, after_fold, cost_bps, scaled=closes.scaled)


def holdout(
    closes: PanelCloses, cutoff, make_forecaster: Callable[[], PanelForecaster], cost_bps: float
) -> dict:
    """A configuration refitted on every day up to `cutoff`, scored once on the days after:
    its loss ratio to naive, rank IC and Diebold-Mariano p-value against naive."""
    model = make_forecaster()
    model.fit(closes.until(cutoff), cutoff)
    forecasts = model.predict_after(closes.prices)
    first = int(np.searchsorted(closes.days, cutoff, side="right"))
    block = closes.block(forecasts[forecasts[C.DATE] > cutoff], first, len(closes.days) - 1)
    score = score_blocks([block], cost_bps, scaled=closes.scaled)
    tested = diebold_mariano_losses(score.losses, score.naive_losses)
    return {"ratio": score.ratio, "ic": score.ic, "dm_pvalue": tested["pvalue"]}


class SeriesPanel:
    """One symbol's model as a panel model of one: fitted at the cutoff, it forecasts each
    later day from the closes before it, without a refit (the backtest's walk).

    The fit is made in `predict_after`, by the walk itself, on the closes up to the cutoff.
    """

    def __init__(self, make_forecaster: Callable[[], Forecaster]):
        self.make_forecaster = make_forecaster
        self.cutoff: np.datetime64 | None = None

    def fit(self, prices: pd.DataFrame, cutoff: np.datetime64) -> None:
        self.cutoff = cutoff

    def predict_after(self, prices: pd.DataFrame) -> pd.DataFrame:
        series = prices.set_index(C.DATE)[C.CLOSE]
        first = int(np.searchsorted(series.index.to_numpy(), self.cutoff, side="right")) - 1
        name, (origins, yhat, _, _), failures = walk_paths(
            series, self.make_forecaster, BacktestConfig(retrain_every=0), first
        )
        for _, _, stage, error in failures:
            if stage == "fit":  # no forecast at all: a failure, as a panel model's fit raises
                raise StockcasterError(
                    f"{name}: expected a model that fits the closes up to "
                    f"{pd.Timestamp(self.cutoff):%Y-%m-%d}, received an error at fit: {error}"
                )
        symbol = prices[C.SYMBOL].iloc[0]
        return pd.DataFrame({C.SYMBOL: symbol, C.DATE: series.index[origins + 1],
                             C.YHAT: yhat[:, 0]})  # fmt: skip
