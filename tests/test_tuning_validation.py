"""A trial's score comes from folds inside the training part, each fitted on its past only."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from conftest import random_walk
from stockcaster.errors import StockcasterError
from stockcaster.models.registry import ModelOptions, forecaster_factory
from stockcaster.tuning.trials import PanelCloses, SeriesPanel, score_trial
from stockcaster.tuning.validation import validation_folds


def closes(n: int = 400, seed: int = 3) -> pd.Series:
    return pd.Series(random_walk(n, seed), index=pd.bdate_range("2012-01-02", periods=n))


def score_series(series: pd.Series, make, folds, after_fold=None):
    """One symbol's trial, as `tune` scores it: a panel of one."""
    panel = functools.partial(SeriesPanel, make)
    return score_trial(PanelCloses.of_series(series), panel, folds, after_fold)


def test_three_folds_tile_the_last_30_percent_of_the_training_days():
    folds = validation_folds(1000)
    assert [(f.last_fit, f.last_day) for f in folds] == [(699, 799), (799, 899), (899, 999)]
    days = np.concatenate([np.arange(f.last_fit + 1, f.last_day + 1) for f in folds])
    np.testing.assert_array_equal(days, np.arange(700, 1000))  # every day once, in order
    # 15 days: their last 30% is 4 days, room for 2 blocks of 2
    said = r"^--folds: expected at most 2 validation blocks of 2 days or more in the last 30% "
    with pytest.raises(StockcasterError, match=said + "of 15 training days, received 3$"):
        validation_folds(15)


def test_naive_scores_one_and_each_fold_is_reported_as_it_ends():
    series = closes()
    seen = []
    naive = forecaster_factory("naive", ModelOptions())
    score = score_series(series, naive, validation_folds(len(series)), lambda *k: seen.append(k))
    assert score.ratio == 1.0 and score.fold_ratios == (1.0, 1.0, 1.0) and score.failed == 0
    assert [k for k, _ in seen] == [0, 1, 2] and len(score.losses) == len(series) - 280
    np.testing.assert_array_equal(score.losses, score.naive_losses)


@pytest.mark.parametrize("model", ["drift", "linear"])
def test_a_fold_never_reads_a_day_after_its_block(model):
    """Changing the closes of the last block changes nothing in the folds before it, and
    the caller gives only the training part, so the test period cannot be read at all."""
    series = closes()
    folds = validation_folds(len(series))
    make = forecaster_factory(model, ModelOptions())
    before = score_series(series, make, folds)
    changed = series.copy()
    changed.iloc[folds[-1].last_fit + 1 :] *= 1.5
    after = score_series(changed, make, folds)
    assert after.fold_ratios[:2] == before.fold_ratios[:2]
    first_two = folds[1].last_day - folds[0].last_fit
    np.testing.assert_array_equal(after.losses[:first_two], before.losses[:first_two])
    assert after.fold_ratios[2] != before.fold_ratios[2]


@pytest.mark.parametrize("model", ["linear", "lightgbm"])
def test_a_universe_fold_never_reads_a_day_after_its_block(model):
    """The panel form of the same check: every symbol's closes of the last block changed."""
    pytest.importorskip("lightgbm")
    from conftest import ohlcv
    from stockcaster.models.registry import MODELS

    table = pd.concat([ohlcv(260, name, seed) for seed, name in enumerate("ABCDE")])
    table = table.reset_index(drop=True)
    days = np.sort(table["date"].unique())
    folds = validation_folds(len(days))
    make = lambda: MODELS[model].make_panel(ModelOptions())  # noqa: E731
    before = score_trial(PanelCloses.of(table), make, folds)
    changed = table.copy()
    later = changed["date"] > days[folds[-1].last_fit]
    changed.loc[later, ["open", "high", "low", "close"]] *= 1.5
    after = score_trial(PanelCloses.of(changed), make, folds)
    assert after.fold_ratios[:2] == before.fold_ratios[:2]
    assert after.fold_ics[:2] == before.fold_ics[:2] and np.isfinite(before.ic)
    assert after.fold_ratios[2] != before.fold_ratios[2]
    assert len(before.losses) == len(days) - folds[0].last_fit - 1 and before.failed == 0
