"""Metric values against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockcaster.evaluation import compare_with_naive, directional_accuracy, point_metrics


def test_point_metrics_by_hand():
    actual = np.array([10.0, 12.0, 11.0, 13.0])
    previous = np.array([9.0, 10.0, 12.0, 11.0])
    yhat = np.array([11.0, 11.0, 11.0, 12.0])
    m = point_metrics(actual, yhat, previous)
    # errors: -1, 1, 0, 1 -> squared 1, 1, 0, 1
    assert m["mse"] == pytest.approx(0.75)
    assert m["rmse"] == pytest.approx(np.sqrt(0.75))
    assert m["mae"] == pytest.approx(0.75)
    assert m["mape"] == pytest.approx(100 * (1 / 10 + 1 / 12 + 0 + 1 / 13) / 4)
    # predicted moves +2, +1, -1, +1; actual moves +1, +2, -1, +2: all four right
    assert m["directional_accuracy"] == pytest.approx(1.0)


def test_point_metrics_are_scikit_learns():
    from sklearn.metrics import (
        mean_absolute_error,
        mean_absolute_percentage_error,
        mean_squared_error,
    )

    rng = np.random.default_rng(4)
    actual = np.r_[100 + rng.normal(0, 1, 500).cumsum(), 0.0]  # a zero: MAPE's epsilon floor
    yhat = actual + rng.normal(0, 1, 501)
    m = point_metrics(actual, yhat, np.roll(actual, 1))
    assert m["mse"] == pytest.approx(mean_squared_error(actual, yhat), rel=1e-12)
    assert m["mae"] == pytest.approx(mean_absolute_error(actual, yhat), rel=1e-12)
    mape = 100 * mean_absolute_percentage_error(actual, yhat)
    assert m["mape"] == pytest.approx(mape, rel=1e-12)


def test_directional_accuracy_counts_wrong_calls():
    actual = np.array([11.0, 9.0, 10.0])
    previous = np.array([10.0, 10.0, 10.0])
    yhat = np.array([10.5, 10.5, 9.0])  # up (right), up (wrong), down (wrong: no move)
    assert directional_accuracy(actual, yhat, previous) == pytest.approx(1 / 3)


def test_naive_forecast_calls_no_direction():
    previous = np.array([1.0, 2.0])
    assert directional_accuracy(np.array([2.0, 1.0]), previous, previous) is None


def test_compare_with_naive_ratio():
    forecasts = pd.DataFrame(
        {"actual": [10.0, 12.0, 11.0], "yhat": [10.0, 11.0, 11.0], "naive": [9.0, 10.0, 12.0]}
    )
    result = compare_with_naive(forecasts)
    assert result["naive"]["mse"] == pytest.approx((1 + 4 + 1) / 3)
    assert result["model"]["mse"] == pytest.approx(1 / 3)
    assert result["mse_ratio"] == pytest.approx(1 / 6)
