"""Leaderboard figures (MASE, Theil's U, ratio to naive) against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockcaster.evaluation.leaderboard import benchmark, leaderboard


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


def test_with_origins_a_week_apart_a_position_is_held_until_the_next_origin():
    """`backtest --step 5`: the trading rules and buy-and-hold ride every day of the test
    period, each position held from its origin to the next (buy-and-hold once read -3.8%
    for MSFT's +61.5%: one day in five, annualised as if every day)."""
    dates = pd.bdate_range("2020-01-01", periods=23)
    closes = 100 * np.cumprod(1 + np.random.default_rng(3).normal(0.002, 0.02, 23))
    series = pd.Series(closes, index=dates)
    days = np.arange(8, 23, 5)  # one-step forecasts of rows 8, 13, 18, from the close before
    up = pd.DataFrame({"date": dates[days], "symbol": "X", "model": "up", "horizon": 1,
                       "origin": dates[days - 1], "yhat": closes[days - 1] * 1.01,
                       "actual": closes[days]})  # fmt: skip
    cost = 10.0
    hold = benchmark(up, series, cost, step=5)

    # held 5, 5 and the 5 days to the last close (rows 8 .. 22): the period's whole return
    def rode(last: int) -> float:  # entering at the close of row 7 costs once, then held
        daily = closes[8 : last + 1] / closes[7:last] - 1  # marked every day held
        daily[0] -= cost / 1e4
        return float(np.prod(1 + daily)) - 1

    whole = rode(22)
    assert hold["total_return"] == pytest.approx(whole, rel=1e-12)
    assert hold["annual_return"] == pytest.approx((1 + whole) ** (252 / 15) - 1)
    row = leaderboard(up, series, train_size=8, cost_bps=cost, step=5).iloc[0]
    assert row["long_flat_total_return"] == pytest.approx(whole, rel=1e-12)  # always long
    assert row["long_flat_sharpe"] == pytest.approx(hold["sharpe"])
    last = up.iloc[:2].copy()  # the last forecast missing: the second position ends at its 5th day
    short = benchmark(last, series, cost, step=5)
    assert short["total_return"] == pytest.approx(rode(17), rel=1e-12)
    # Marked every day held: the volatility and drawdown are the days', not the origins'
    # alone (one position held for all 15 days read a drawdown of 0 and a Sharpe of 0).
    daily = closes[8:23] / closes[7:22] - 1
    daily[0] -= cost / 1e4
    equity = np.cumprod(1 + daily)  # rode(22) at its end
    drawdown = (equity / np.maximum.accumulate(np.maximum(equity, 1)) - 1).min()
    once = benchmark(up.iloc[:1], series, cost, step=100)
    assert once["total_return"] == pytest.approx(whole, rel=1e-12) and drawdown < -0.01
    assert once["max_drawdown"] == pytest.approx(drawdown, rel=1e-12)
    assert hold["max_drawdown"] == pytest.approx(drawdown, rel=1e-12)
    assert once["volatility"] == pytest.approx(np.std(daily, ddof=1) * np.sqrt(252))
