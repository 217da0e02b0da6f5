"""The direct multi-step head: its targets by hand, no target past the fit rows, pinball loss."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import random_walk
from stockcaster.evaluation.leaderboard import interval_score
from stockcaster.features import FeatureConfig, FeaturePipeline


def _pipeline(close):
    pipeline = FeaturePipeline(FeatureConfig(lookback=3, validation=0.2))
    split = pipeline.split(len(close))
    return pipeline.fit(close, split), split


def test_direct_targets_by_hand_and_back_to_prices():
    close = random_walk(200)
    pipeline, _ = _pipeline(close)
    mean, scale = pipeline.scaler.mean_[0], pipeline.scaler.scale_[0]
    windows = pipeline.direct_windows(close, np.array([50]), horizon=3)
    # target k: log(close[49 + k] / close[49]), centred by k * mean, scaled by sqrt(k) * scale
    for k in (1, 2, 3):
        expected = (np.log(close[49 + k] / close[49]) - k * mean) / (np.sqrt(k) * scale)
        assert windows.y[0, k - 1] == pytest.approx(expected, rel=1e-5)
    prices = pipeline.direct_to_prices(windows.y, close, windows.days)
    np.testing.assert_allclose(prices[0], close[50:53], rtol=1e-5)


def test_no_direct_training_target_reaches_past_its_part():
    close = random_walk(300)
    pipeline, split = _pipeline(close)
    fit, validation, test = pipeline.parts(close, split, horizon=5)
    assert fit.days.max() + 5 - 1 < split.fit_end
    assert validation.days.min() >= split.fit_end
    assert validation.days.max() + 5 - 1 < split.train_end
    assert fit.y.shape == (len(fit.days), 5)


def test_pinball_loss_by_hand():
    import keras

    from stockcaster.models.losses import PinballLoss

    loss = PinballLoss([0.1, 0.9])
    y_true = np.array([[1.0]], dtype="float32")  # [batch 1, horizon 1]
    y_pred = np.array([[[0.0, 2.0]]], dtype="float32")  # [1, 1, 2 quantiles]
    # q=0.1, error +1 -> 0.1; q=0.9, error -1 -> (0.9 - 1) * -1 = 0.1; mean 0.1
    value = keras.ops.convert_to_numpy(loss(y_true, y_pred))
    assert float(value) == pytest.approx(0.1)


def test_interval_score_by_hand():
    actual = np.array([1.0, 5.0, 0.0])
    lo, hi = np.array([0.0, 0.0, 1.0]), np.array([2.0, 2.0, 3.0])
    # widths 2, 2, 2; misses: 5 above 2 by 3, 0 below 1 by 1; alpha = 0.2 -> 2 / alpha = 10
    assert interval_score(actual, lo, hi, 0.8) == pytest.approx((6 + 10 * 3 + 10 * 1) / 3)
