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


def _by_hand(e_a: np.ndarray, e_b: np.ndarray, horizon: int, weights: bool) -> float:
    """The statistic with autocovariances up to lag h - 1, weighted 1 - k / h (Newey-West,
    statsmodels) or unweighted (stockcaster's hand-written test before statsmodels)."""
    d = e_a**2 - e_b**2
    n, c = len(d), d - d.mean()
    gamma = [np.sum(c[k:] * c[: n - k]) / n for k in range(horizon)]
    weight = [1 - k / horizon if weights else 1.0 for k in range(horizon)]
    variance = (gamma[0] + 2 * sum(w * g for w, g in zip(weight[1:], gamma[1:], strict=True))) / n
    factor = np.sqrt((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n)
    return d.mean() / np.sqrt(variance) * factor


def test_dm_two_step_weighs_the_first_autocovariance_as_newey_west():
    e_a = np.array([1.0, 2, 3, 2, 3, 4, 1, 2])
    e_b = np.zeros(8)
    statistic = _by_hand(e_a, e_b, 2, weights=True)
    result = diebold_mariano(e_a, e_b, horizon=2)
    assert result["statistic"] == pytest.approx(statistic)
    assert result["pvalue"] == pytest.approx(2 * stats.t.sf(abs(statistic), df=7))


def test_statsmodels_agrees_with_the_old_hand_written_test_at_one_step_only():
    """At h = 1 there is no autocovariance to weigh: the same number. At h > 1 Newey-West's
    weights (1 - k / h) make the variance smaller than the old unweighted sum when the loss
    differential is positively autocorrelated, and the statistic larger."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=300)
    e_a, e_b = rng.normal(size=300), 1.05 * rng.normal(size=300)
    one = diebold_mariano(e_a, e_b, horizon=1)["statistic"]
    assert one == pytest.approx(_by_hand(e_a, e_b, 1, weights=False), rel=1e-12)
    smooth_a = np.convolve(e_a + 0.3 * y, np.ones(5) / 5, mode="same")  # overlapping errors
    five = diebold_mariano(smooth_a, e_b, horizon=5)["statistic"]
    assert five == pytest.approx(_by_hand(smooth_a, e_b, 5, weights=True), rel=1e-12)
    assert five != pytest.approx(_by_hand(smooth_a, e_b, 5, weights=False), rel=1e-3)


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


@pytest.mark.parametrize("horizon", [1, 2, 3, 5])
def test_dm_equals_statsmodels_test(horizon):
    """The NumPy test is statsmodels' `diebold_mariano_test` with h - 1 Newey-West lags and
    the HLN correction, on serially correlated errors of unequal size."""
    from statsmodels.tsa.stattools import diebold_mariano_test

    rng = np.random.default_rng(horizon)
    for n in (2 * horizon + 1, 40, 441):
        e_a = np.convolve(rng.normal(size=n + 4), np.ones(5) / 5, mode="valid")
        e_b = 1.1 * rng.normal(size=n)
        theirs = diebold_mariano_test(
            np.zeros(n), e_a, e_b, lags=horizon - 1, harvey_adj=True, horizon=horizon
        )
        ours = diebold_mariano(e_a, e_b, horizon)
        assert ours["statistic"] == pytest.approx(theirs.statistic, rel=1e-12)
        assert ours["pvalue"] == pytest.approx(theirs.pvalue, rel=1e-10)
