"""Trading rules on a hand-made price path with a known result."""

from __future__ import annotations

import numpy as np
import pytest

from stockcaster.evaluation.trading import buy_and_hold, evaluate_rules

# Closes 100 -> 110 -> 99 -> 99 -> 108.9: daily returns +10%, -10%, 0%, +10%.
RETURNS = np.array([0.10, -0.10, 0.0, 0.10])
# The model predicted up, down, up, up.
MOVES = np.array([1.0, -2.0, 0.5, 3.0])


def test_rules_without_costs():
    result = evaluate_rules(MOVES, RETURNS, cost_bps=0)
    flat, short = result["long_flat"], result["long_short"]
    # long/flat holds 1, 0, 1, 1: +10%, 0, 0, +10%
    assert flat["total_return"] == pytest.approx(1.1 * 1.1 - 1)
    assert flat["turnover"] == 3  # in, out, in
    assert flat["hit_rate"] == pytest.approx(2 / 3)  # 3 days in the market, 2 gained
    assert flat["max_drawdown"] == pytest.approx(0.0)
    # long/short holds 1, -1, 1, 1: +10%, +10%, 0, +10%
    assert short["total_return"] == pytest.approx(1.1**3 - 1)
    assert short["turnover"] == 5  # in (1), flip to short (2), flip to long (2)
    assert short["annual_return"] == pytest.approx(1.331 ** (252 / 4) - 1)


def test_costs_are_paid_on_every_position_change():
    flat = evaluate_rules(MOVES, RETURNS, cost_bps=10)["long_flat"]
    # 10 bp = 0.001 per unit of change on days 1, 2 and 3
    equity = np.cumprod([1.099, 0.999, 0.999, 1.1])
    assert flat["total_return"] == pytest.approx(equity[-1] - 1)
    assert flat["max_drawdown"] == pytest.approx(equity[2] / equity[0] - 1)


def test_sharpe_and_volatility_by_hand():
    flat = evaluate_rules(MOVES, RETURNS, cost_bps=0)["long_flat"]
    daily = np.array([0.1, 0.0, 0.0, 0.1])
    sd = np.std(daily, ddof=1)
    assert flat["volatility"] == pytest.approx(sd * np.sqrt(252))
    assert flat["sharpe"] == pytest.approx(daily.mean() / sd * np.sqrt(252))


def test_buy_and_hold_rides_the_path():
    hold = buy_and_hold(RETURNS, cost_bps=0)
    assert hold["total_return"] == pytest.approx(108.9 / 100 - 1)
    assert hold["max_drawdown"] == pytest.approx(99 / 110 - 1)
    assert hold["turnover"] == 1
