"""Scoring a trial without reading the test period: walk-forward folds inside the training part.

The training part's last `share` of days is cut into `folds` blocks of validation days,
oldest first. Fold k fits the model on every day before its block (an expanding window)
and forecasts each day of the block one step ahead, from the closes before it. A trial's
score is its MSE over all validation days divided by naive's (below 1: better than
repeating the last close); its per-day squared errors and the per-day returns of its
long/flat rule are kept for the data-snooping tests (`evaluation/snooping.py`). The test
period is cut off before any of this, so no trial can see it (a test changes its prices
and finds every score the same).

One symbol is scored on its closes; a universe on each day's mean over its symbols of the
squared error as a share of the last close (so a $500 stock does not outweigh a $5 one),
and also by its rank IC: the day's Spearman correlation across symbols between forecast and
actual returns, averaged over the days. Both walk their trials the one way `trials.py`
says, a symbol as a panel of one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError
from stockcaster.evaluation.trading import positions, strategy_returns

AfterFold = Callable[[int, float], None]
"""Called with a fold's number and the ratio so far, e.g. for a pruner (which may raise)."""


@dataclass(frozen=True)
class Fold:
    """Rows (or trading days) of one fold: fit on `[0, last_fit]`, forecast
    `last_fit + 1 .. last_day`."""

    last_fit: int
    last_day: int


@dataclass(frozen=True)
class TrialScore:
    """A trial's validation: per fold and over all validation days.

    Attributes:
        fold_ratios: each fold's MSE ratio to naive.
        ratio: the MSE ratio to naive over every validation day.
        losses: `[days]` its squared error on each validation day (a universe's: the
            mean over the day's symbols, as a share of the last close).
        naive_losses: naive's on the same days.
        rule: `[days]` the daily return of its long/flat rule, net of costs (a
            universe's: the mean over the day's symbols).
        failed: symbol-days the model made no forecast on (scored as naive's forecast,
            so a failing trial cannot look better by forecasting less).
        ic: the mean daily rank IC (None for one symbol).
        fold_ics: each fold's mean daily rank IC (empty for one symbol).
    """

    fold_ratios: tuple[float, ...]
    ratio: float
    losses: np.ndarray
    naive_losses: np.ndarray
    rule: np.ndarray
    failed: int
    ic: float | None = None
    fold_ics: tuple[float, ...] = ()


def with_ratio(score: TrialScore) -> TrialScore:
    """`score`, where its validation ratio is a number; else the reason it is none.

    Optuna fails a trial whose value is NaN and keeps no reason (a search of such trials
    said "every trial failed (no reason kept)"); Ray would rank it as finished.

    Raises:
        StockcasterError: the ratio is not a number, and why.
    """
    if np.isfinite(score.ratio):
        return score
    if not np.any(score.naive_losses):  # 0 / 0: the baseline's loss is 0 on every day
        raise StockcasterError(
            "expected a validation ratio to the baseline, received none: the baseline "
            "forecasts every validation day exactly (its loss is 0 on each)"
        )
    raise StockcasterError(
        f"expected a validation ratio to the baseline, received {score.ratio} (its losses "
        "on the validation days are not all numbers)"
    )


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
    most = (train_days - first) // 2 if first >= 2 else 0  # a fold fits on 2 days or more
    if folds > most:
        raise StockcasterError(
            f"--folds: expected at most {most} validation blocks of 2 days or more in the last "
            f"{share:.0%} of {train_days} training days, received {folds}"
        )
    edges = np.linspace(first, train_days, folds + 1).round().astype(int)  # block starts
    return [Fold(int(a) - 1, int(b) - 1) for a, b in zip(edges[:-1], edges[1:], strict=True)]


@dataclass(frozen=True)
class Block:
    """One fold's validation days: `[days, symbols]` forecasts, last closes and closes
    (NaN where a symbol has no close that day; a missing forecast is NaN too)."""

    yhat: np.ndarray
    previous: np.ndarray
    actual: np.ndarray


def score_blocks(blocks: list[Block], cost_bps: float, scaled: bool) -> TrialScore:
    """A trial's score from its folds' blocks (`scaled`: errors as a share of the last close)."""
    return _score([_day_scores(b, cost_bps, scaled) for b in blocks], blocks)


def walk_folds(
    folds: list[Fold],
    block_of: Callable[[Fold], Block],
    after_fold: AfterFold | None,
    cost_bps: float,
    scaled: bool,
) -> TrialScore:
    """Score each fold's block as it is made (`block_of`), telling `after_fold` the ratio
    over the blocks so far; each block's day scores are computed once."""
    blocks, parts = [], []
    for k, fold in enumerate(folds):
        blocks.append(block_of(fold))
        parts.append(_day_scores(blocks[-1], cost_bps, scaled))
        if after_fold is not None:
            after_fold(k, loss_ratio(*(np.concatenate([p[i] for p in parts]) for i in (0, 1))))
    return _score(parts, blocks)


def _score(parts: list[tuple], blocks: list[Block]) -> TrialScore:
    losses, naive, rule, ic = (np.concatenate([p[i] for p in parts]) for i in range(4))
    wide = blocks[0].yhat.shape[1] > 1
    failed = sum(int((np.isnan(b.yhat) & np.isfinite(b.actual * b.previous)).sum()) for b in blocks)
    return TrialScore(
        fold_ratios=tuple(loss_ratio(p[0], p[1]) for p in parts),
        ratio=loss_ratio(losses, naive),
        losses=losses,
        naive_losses=naive,
        rule=rule,
        failed=failed,
        ic=_mean(ic) if wide else None,
        fold_ics=tuple(_mean(p[3]) for p in parts) if wide else (),
    )


def _day_scores(block: Block, cost_bps: float, scaled: bool) -> tuple[np.ndarray, ...]:
    """Per day: the model's and naive's squared errors, the rule's return and the rank IC."""
    present = np.isfinite(block.actual) & np.isfinite(block.previous)
    yhat = np.where(np.isfinite(block.yhat), block.yhat, block.previous)  # naive if none
    scale = block.previous if scaled else 1.0
    error = np.where(present, (yhat - block.actual) / scale, np.nan) ** 2
    naive = np.where(present, (block.previous - block.actual) / scale, np.nan) ** 2
    held = np.where(present, positions(yhat - block.previous, "long_flat"), 0.0)
    moved = np.where(present, block.actual / block.previous - 1, 0.0)
    returns = strategy_returns(held.T, moved.T, cost_bps).T  # along each symbol's days
    counted = np.maximum(present.sum(axis=1), 1)
    with np.errstate(invalid="ignore"):
        return (
            np.nanmean(error, axis=1),
            np.nanmean(naive, axis=1),
            returns.sum(axis=1) / counted,
            _rank_ic(yhat / block.previous - 1, moved, present),
        )


def _rank_ic(predicted: np.ndarray, actual: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Each day's Spearman correlation across symbols (NaN with fewer than 3 symbols)."""
    ranks = [
        pd.DataFrame(np.where(present, v, np.nan)).rank(axis=1).to_numpy()
        for v in (predicted, actual)
    ]
    p, a = (r - np.nanmean(r, axis=1, keepdims=True) for r in ranks)
    with np.errstate(invalid="ignore", divide="ignore"):
        ic = np.nansum(p * a, axis=1) / np.sqrt(np.nansum(p * p, axis=1) * np.nansum(a * a, 1))
    ic[present.sum(axis=1) < 3] = np.nan
    return ic


def loss_ratio(losses: np.ndarray, naive_losses: np.ndarray) -> float:
    """The mean loss over the benchmark's (NaN days left out; NaN when the benchmark's is 0)."""
    naive = float(np.nanmean(naive_losses)) if len(naive_losses) else 0.0
    return float(np.nanmean(losses) / naive) if naive > 0 else float("nan")


def _mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else float("nan")
