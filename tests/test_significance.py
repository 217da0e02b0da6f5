"""Diebold-Mariano and the lag check against hand computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from stockcaster.evaluation.significance import diebold_mariano, lag_check


def test_dm_one_step_by_hand():
    # d = e_a^2 - e_b^2 = [0, 3, 8, 15]; mean 6.5; centred [-6.5, -3.5, 1.5, 8.5]
    # gamma0 = (42.25 + 12.25 + 2.25 + 72.25) / 4 = 32.25; var(mean) = 32.25 / 4
    # DM = 6.5 / sqrt(8.0625) = 2.28919...; HLN factor sqrt((4 + 1 - 2) / 4) = sqrt(0.75)
    result = diebold_mariano(np.array([1.0, 2, 3, 4]), np.array([1.0, 1, 1, 1]), horizon=1)
    statistic = 6.5 / np.sqrt(8.0625) * np.sqrt(0.75)
    assert result["statistic"] == pytest.approx(1.98249, abs=1e-5)
    assert result["statistic"] == pytest.approx(statistic)
    assert result["pvalue"] == pytest.approx(2 * stats.t.sf(statistic, df=3))


def test_dm_two_step_adds_the_first_autocovariance():
    e_a = np.array([1.0, 2, 3, 2, 3, 4])
    e_b = np.zeros(6)
    d = e_a**2  # [1, 4, 9, 4, 9, 16], mean 43/6
    c = d - d.mean()
    gamma0, gamma1 = np.sum(c * c) / 6, np.sum(c[1:] * c[:-1]) / 6
    statistic = d.mean() / np.sqrt((gamma0 + 2 * gamma1) / 6)
    statistic *= np.sqrt((6 + 1 - 4 + 2 * 1 / 6) / 6)
    result = diebold_mariano(e_a, e_b, horizon=2)
    assert result["statistic"] == pytest.approx(statistic)
    assert result["pvalue"] == pytest.approx(2 * stats.t.sf(abs(statistic), df=5))


def test_dm_of_equal_losses_has_no_verdict():
    e = np.array([1.0, -1.0, 2.0])
    assert diebold_mariano(e, -e) == {"statistic": None, "pvalue": None}


def test_dm_says_nothing_about_a_coin_flip_and_much_about_a_real_gap():
    rng = np.random.default_rng(0)
    base = rng.normal(size=400)
    assert diebold_mariano(base, rng.normal(size=400))["pvalue"] > 0.05
    assert diebold_mariano(base * 2, base)["pvalue"] < 1e-6


def test_lag_check_flags_yesterdays_price_and_spares_a_good_forecast():
    actual = np.array([10.0, 11.0, 10.5, 12.0, 11.0])
    previous = np.array([9.5, 10.0, 11.0, 10.5, 12.0])
    assert lag_check(actual, previous, previous)["lag_flag"] is True
    assert lag_check(actual, actual + 0.1, previous)["lag_flag"] is False
