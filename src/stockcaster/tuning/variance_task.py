"""Trials on the volatility target (`tune --target variance`): a family on one symbol's log
variance, scored by QLIKE against the random walk on folds of the training days.

Fold k fits the family once on the days up to its block (models/variance.py's walk, the
past only) and forecasts each day of the block from the day before; a trial's score is its
mean QLIKE over the validation days divided by the random walk's (yesterday's variance;
below 1: better). A day whose prices did not move measures no variance and is scored by
no trial; a day the model gave no forecast for is scored as the random walk's, and counted.
The per-day losses feed the same data-snooping verdict as a price search's (SPA, the
confidence set); a variance model has no trading rule, so no deflated Sharpe ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from stockcaster.evaluation.risk import qlike
from stockcaster.evaluation.significance import diebold_mariano_losses
from stockcaster.features.volatility import daily_variance, log_returns
from stockcaster.models.variance import FamilyWalk, walk_variance
from stockcaster.models.volatility import BASELINES
from stockcaster.tuning.tasks import SymbolTask
from stockcaster.tuning.validation import AfterFold, TrialScore, loss_ratio


@dataclass(frozen=True)
class VarianceTask(SymbolTask):
    """Trials of one symbol's `family` on its log variance; `table` holds the training
    rows' prices (`training` their closes, for the bundle's record)."""

    BASELINE: ClassVar[str] = "random_walk"  # a trial's `naive_losses` are the random walk's
    table: pd.DataFrame | None = None

    def walk(self, params: dict) -> FamilyWalk:
        """A trial's model: the family with its parameters, on log variance."""
        return FamilyWalk(self.family, self.options(params))

    def __call__(self, params: dict, after_fold: AfterFold | None = None) -> TrialScore:
        v, r = _measures(self.table, self.preset.features.estimator)
        parts = []
        for k, fold in enumerate(self.folds):
            origins = np.arange(fold.last_fit, fold.last_day)  # forecasting the next day
            walk = self.walk(params)  # a fresh fit per fold, on the days to its block
            parts.append(_day_losses(walk, v, r, origins))
            losses, naive, failed = (np.concatenate(p) for p in zip(*parts, strict=True))
            if after_fold is not None:
                after_fold(k, loss_ratio(losses, naive))
        return TrialScore(
            fold_ratios=tuple(loss_ratio(p[0], p[1]) for p in parts),
            ratio=loss_ratio(losses, naive),
            losses=losses,
            naive_losses=naive,
            rule=np.empty(0),
            failed=int(failed.sum()),
        )

    def holdout(self, table: pd.DataFrame, params: dict) -> tuple[dict, FamilyWalk]:
        """The configuration fitted once on the training days, scored once on the rest;
        and the fitted walk (its model a bundle can hold)."""
        v, r = _measures(table, self.preset.features.estimator)
        walk = self.walk(params)
        losses, naive, _ = _day_losses(walk, v, r, np.arange(len(self.table) - 1, len(v) - 1))
        tested = diebold_mariano_losses(losses, naive)["pvalue"]  # QLIKE, vs the random walk
        return {"ratio": loss_ratio(losses, naive), "ic": None, "dm_pvalue": tested}, walk


def _measures(table: pd.DataFrame, estimator: str) -> tuple[np.ndarray, np.ndarray]:
    return daily_variance(table, estimator)[0], log_returns(table)


def _day_losses(walk: FamilyWalk, v: np.ndarray, r: np.ndarray, origins: np.ndarray) -> tuple:
    """The QLIKE of the walk, fitted once at the first origin, and of the random walk on
    each measured day after an origin; and whether the model gave no forecast that day."""
    forecast = walk_variance(walk, v, r, origins, (1,), every=0)[:, 0]
    yesterday = walk_variance(BASELINES["random_walk"], v, r, origins, (1,), every=0)[:, 0]
    actual = v[origins + 1]
    measured = np.isfinite(actual) & np.isfinite(yesterday)
    missing = ~(np.isfinite(forecast) & (forecast > 0))
    forecast = np.where(missing, yesterday, forecast)
    return (qlike(actual, forecast)[measured], qlike(actual, yesterday)[measured],
            (missing & measured)[measured])  # fmt: skip
