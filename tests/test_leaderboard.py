"""Leaderboard figures (MASE, Theil's U, ratio to naive) against hand computations."""

from __future__ import annotations

import pandas as pd
import pytest

from stockcaster.evaluation.leaderboard import leaderboard


def test_leaderboard_by_hand():
    dates = pd.bdate_range("2020-01-01", periods=6)
    # Training window: the first 3 closes, mean absolute change (|2| + |-1|) / 2 = 1.5
    series = pd.Series([10.0, 12.0, 11.0, 13.0, 12.0, 14.0], index=dates)
    forecasts = pd.DataFrame(
        {
            "date": dates[3:],
            "symbol": "X",
            "model": "m",
            "origin": dates[2:5],
            "horizon": 1,
            "yhat": [12.0, 12.5, 13.0],
            "actual": [13.0, 12.0, 14.0],
        }
    )
    row = leaderboard(forecasts, series, train_size=3, cost_bps=0).iloc[0]
    # errors -1, 0.5, -1: MSE 0.75, MAE 2.5 / 3; naive (origin closes 11, 13, 12) errors
    # -2, 1, -2: MSE 3
    assert row["mse"] == pytest.approx(0.75)
    assert row["mase"] == pytest.approx((2.5 / 3) / 1.5)
    assert row["mse_ratio"] == pytest.approx(0.25)
    assert row["theil_u"] == pytest.approx(0.5)
    # predicted moves from the origin +1, -0.5, +1 match the actual +2, -1, +2
    assert row["directional_accuracy"] == pytest.approx(1.0)
    assert not row["lag_flag"]  # closer to today's close than to yesterday's
    # long/flat: in, out, in -> +2/11, 0, +2/12
    assert row["long_flat_total_return"] == pytest.approx((13 / 11) * (14 / 12) - 1)
