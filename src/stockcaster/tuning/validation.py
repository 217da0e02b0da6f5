"""Scoring a trial without reading the test period: walk-forward folds inside the training part.

The training part's last `share` of days is cut into `folds` blocks of validation days,
oldest first. Fold k fits the model on every day before its block (an expanding window)
and forecasts each day of the block one step ahead, from the closes before it. A trial's
score is its MSE over all validation days divided by naive's (below 1: better than
repeating the last close); its per-day squared errors are kept for the data-snooping tests
(`evaluation/snooping.py`). The test period is cut off before any of this, so no trial can
see it (a test changes its prices and finds every score the same).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError
from stockcaster.evaluation.backtest import BacktestConfig, walk_paths
from stockcaster.models.base import Forecaster


@dataclass(frozen=True)
class Fold:
    """Rows of one fold: fit on `[0, last_fit]`, forecast rows `last_fit + 1 .. last_day`."""

    last_fit: int
    last_day: int


@dataclass(frozen=True)
class TrialScore:
    """A trial's validation: per fold and over all validation days.

    Attributes:
        fold_ratios: each fold's MSE ratio to naive.
        ratio: the MSE ratio to naive over every validation day.
        yhat: `[days]` the trial's forecast of each validation day, fold after fold.
        losses: `[days]` its squared error on each validation day.
        naive_losses: naive's squared error on the same days.
        failed: days the model made no forecast on (scored as naive's forecast, so a
            failing trial cannot look better by forecasting less).
    """

    fold_ratios: tuple[float, ...]
    ratio: float
    yhat: np.ndarray
    losses: np.ndarray
    naive_losses: np.ndarray
    failed: int


def validation_folds(train_days: int, folds: int = 3, share: float = 0.3) -> list[Fold]:
    """Folds whose validation blocks tile the last `share` of `train_days` training rows.

    Raises:
        StockcasterError: too few training days for `folds` blocks of at least 2 days.
    """
    if not 0 < share < 1 or folds < 1:
        raise StockcasterError(
            f"--folds: expected at least 1 fold over a share in (0, 1), received {folds} "
            f"folds over {share}"
        )
    first = train_days - int(share * train_days)  # the first validation row
    if train_days - first < 2 * folds or first < 2:
        raise StockcasterError(
            f"expected enough training days for {folds} validation blocks of 2 days or more, "
            f"received {train_days}"
        )
    edges = np.linspace(first, train_days, folds + 1).round().astype(int)  # block starts
    return [Fold(int(a) - 1, int(b) - 1) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def score_trial(
    training: pd.Series,
    make_forecaster: Callable[[], Forecaster],
    folds: list[Fold],
    after_fold: Callable[[int, float], None] | None = None,
) -> TrialScore:
    """Walk the model over each fold's validation block of the training closes.

    Args:
        training: the training part's closes only, indexed by date.
        make_forecaster: builds a fresh, unfitted model (one per fold).
        folds: from `validation_folds(len(training))`.
        after_fold: called with the fold's number and the ratio so far, e.g. for a pruner
            (which may raise to stop the trial).
    """
    made, losses, naive_losses, ratios, failed = [], [], [], [], 0
    values = training.to_numpy(dtype="float64")
    for k, fold in enumerate(folds):
        window = training.iloc[: fold.last_day + 1]
        _, (origins, yhat, _, _), _ = walk_paths(
            window, make_forecaster, BacktestConfig(retrain_every=0), fold.last_fit
        )
        days = np.arange(fold.last_fit + 1, fold.last_day + 1)
        forecast = values[days - 1].copy()  # naive where the model made none
        forecast[np.searchsorted(days, origins + 1)] = yhat[:, 0]
        failed += len(days) - len(origins)
        made.append(forecast)
        losses.append((forecast - values[days]) ** 2)
        naive_losses.append((values[days - 1] - values[days]) ** 2)
        ratios.append(_ratio(losses[-1], naive_losses[-1]))
        if after_fold is not None:
            after_fold(k, _ratio(np.concatenate(losses), np.concatenate(naive_losses)))
    losses, naive_losses = np.concatenate(losses), np.concatenate(naive_losses)
    ratio = _ratio(losses, naive_losses)
    return TrialScore(tuple(ratios), ratio, np.concatenate(made), losses, naive_losses, failed)


def _ratio(losses: np.ndarray, naive_losses: np.ndarray) -> float:
    naive = float(naive_losses.mean())
    return float(losses.mean() / naive) if naive > 0 else float("nan")
