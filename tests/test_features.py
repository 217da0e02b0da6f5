"""Split, lag windows, targets and the no-leakage guarantee of the feature pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import random_walk
from stockcaster.errors import StockcasterError
from stockcaster.features import FeatureConfig, FeaturePipeline, chronological_split, lag_windows


def test_split_matches_the_reference_three_to_one():
    split = chronological_split(1762, 0.25, None)
    assert (split.fit_end, split.train_end, split.n_test) == (1321, 1321, 441)


def test_split_carves_validation_from_the_end_of_training():
    split = chronological_split(1762, 0.25, 0.15)
    assert split.train_end == 1321
    assert split.fit_end == 1321 - 198  # round(0.15 * 1321) = 198


def test_lag_windows_by_hand():
    series = np.arange(10.0)
    x, y = lag_windows(series, np.array([3, 4, 9]), lookback=3)
    assert x.shape == (3, 3, 1)
    assert x[:, :, 0].tolist() == [[0, 1, 2], [1, 2, 3], [6, 7, 8]]
    assert y.tolist() == [3, 4, 9]


def test_features_layout_puts_lags_side_by_side_like_the_reference():
    x, _ = lag_windows(np.arange(10.0), np.arange(2, 10), lookback=2, layout="features")
    assert x.shape == (8, 1, 2)  # the notebook's input (1, 2)
    assert x[0, 0].tolist() == [0, 1]


def test_lag_windows_refuse_a_day_without_enough_history():
    with pytest.raises(StockcasterError, match="lookback=0"):
        lag_windows(np.arange(5.0), np.array([2]), lookback=0)
    with pytest.raises(StockcasterError, match="3 rows before it"):
        lag_windows(np.arange(5.0), np.array([2]), lookback=3)


def test_log_return_windows_and_prices_by_hand():
    close = np.array([10.0, 11.0, 12.1, 12.1, 11.0, 12.0, 13.0, 12.0, 12.5, 13.0, 14.0, 13.5])
    pipeline = FeaturePipeline(
        FeatureConfig(target="log_return", scaler="none", lookback=2, validation=0.2)
    )
    windows = pipeline.windows(close, np.array([3]))
    # Day 3's inputs are the returns of days 1 and 2, its target the return of day 3.
    np.testing.assert_allclose(windows.x[0, :, 0], np.log([1.1, 1.1]), rtol=1e-6)
    assert windows.y[0] == pytest.approx(0.0)
    # A predicted return of log(1.1) on day 3 means 1.1 x day 2's close.
    price = pipeline.to_price(np.array([np.log(1.1)]), close, np.array([3]))
    assert price[0] == pytest.approx(13.31)


def test_standard_scaler_is_fitted_on_the_fit_rows_only():
    close = random_walk(400)
    pipeline = FeaturePipeline(FeatureConfig(target="close", scaler="standard", lookback=5))
    split = pipeline.split(len(close))
    pipeline.fit(close, split)
    assert pipeline.scaler.mean_[0] == pytest.approx(close[: split.fit_end].mean())


def test_test_period_windows_use_the_last_training_rows_as_lags():
    close = random_walk(400)
    pipeline = FeaturePipeline(FeatureConfig(target="close", scaler="none", lookback=3))
    split = pipeline.split(len(close))
    fit, validation, test = pipeline.parts(close, split)
    assert test.days[0] == split.train_end and len(test.days) == split.n_test
    np.testing.assert_allclose(test.x[0, :, 0], close[split.train_end - 3 : split.train_end])
    assert fit.days[-1] == split.fit_end - 1 and validation.days[0] == split.fit_end


@pytest.mark.parametrize("target", ["close", "log_return"])
@pytest.mark.parametrize("scaler", ["minmax", "standard"])
def test_changing_test_period_prices_changes_no_scaler_and_no_training_window(target, scaler):
    close = random_walk(500)
    config = FeatureConfig(target=target, scaler=scaler, lookback=10)
    split = FeaturePipeline(config).split(len(close))
    future_changed = close.copy()
    future_changed[split.train_end :] *= np.linspace(2.0, 5.0, split.n_test)

    before = FeaturePipeline(config).fit(close, split)
    after = FeaturePipeline(config).fit(future_changed, split)
    for name in ("mean_", "scale_", "min_", "data_min_", "data_max_"):
        if hasattr(before.scaler, name):
            np.testing.assert_array_equal(getattr(before.scaler, name), getattr(after.scaler, name))
    for part_before, part_after in zip(
        before.parts(close, split)[:2], after.parts(future_changed, split)[:2], strict=True
    ):
        np.testing.assert_array_equal(part_before.x, part_after.x)
        np.testing.assert_array_equal(part_before.y, part_after.y)
    # ...while the test windows do see the new prices, so the check above could fail.
    assert not np.array_equal(
        before.parts(close, split)[2].y, after.parts(future_changed, split)[2].y
    )


def test_changing_validation_prices_does_not_change_the_scaler_either():
    close = random_walk(500)
    config = FeatureConfig(target="log_return", scaler="standard", lookback=10)
    split = FeaturePipeline(config).split(len(close))
    changed = close.copy()
    changed[split.fit_end :] *= 3.0
    a = FeaturePipeline(config).fit(close, split).scaler
    b = FeaturePipeline(config).fit(changed, split).scaler
    assert a.mean_[0] == b.mean_[0] and a.scale_[0] == b.scale_[0]


def test_short_series_is_refused_with_the_rows_needed():
    pipeline = FeaturePipeline(FeatureConfig(lookback=20))
    with pytest.raises(StockcasterError, match=r"MSFT: expected at least \d+ rows .* received 30"):
        pipeline.check_length(30, "MSFT")
    pipeline.check_length(200, "MSFT")  # long enough: no error
