"""The volatility baselines: EWMA and GARCH equal `arch`'s own, no forecast reads a later day,
the Student-t and FHS VaR are what they say, and on simulated GARCH data the GARCH family
beats the random walk (a positive control)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from stockcaster.evaluation.risk import qlike
from stockcaster.models.volatility import (
    BASELINES,
    REFIT_EVERY,
    ewma_variance,
    forecast,
    training_residuals,
    value_at_risk,
)

arch = pytest.importorskip("arch")


def _simulated(n: int = 900, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Daily log-returns of a GJR-GARCH(1,1,1) with Student-t(6) innovations, and their
    squares as the variance estimate (day 0: no return, NaN)."""
    from arch.univariate import GARCH, StudentsT, ZeroMean

    model = ZeroMean(None, volatility=GARCH(1, 1, 1), distribution=StudentsT(seed=seed))
    params = [0.02, 0.04, 0.10, 0.88, 6.0]  # omega, alpha, gamma, beta, nu (percent units)
    simulated = model.simulate(params, n, burn=300)
    r = np.concatenate([[np.nan], simulated["data"].to_numpy()[1:] / 100])
    return r, r**2


def test_ewma_is_arch_s_ewma_variance():
    from arch.univariate import EWMAVariance, ZeroMean

    r = np.random.default_rng(2).standard_t(5, 400) / 100
    fitted = ZeroMean(100 * r, volatility=EWMAVariance(0.94)).fit(disp="off")
    ours = ewma_variance(100 * r)
    np.testing.assert_allclose(ours[:-1], fitted.conditional_volatility**2, rtol=1e-10)
    following = fitted.forecast(horizon=1, reindex=False).variance.to_numpy()[-1, 0]
    assert ours[-1] == pytest.approx(following, rel=1e-10)


def test_the_garch_walk_forecasts_what_arch_fits_and_forecasts_at_each_origin():
    from arch import arch_model

    r, v = _simulated(500, 1)
    origins = np.arange(300, 360)
    walked = forecast("gjr", v, r, origins, (3,))[:, 0]
    model = arch_model(100 * r[1:], mean="Zero", vol="GARCH", p=1, o=1, q=1, dist="t")
    for origin, fit_at in ((300, 300), (310, 300), (300 + REFIT_EVERY, 300 + REFIT_EVERY)):
        fitted = model.fit(last_obs=fit_at, disp="off", show_warning=False)
        path = fitted.forecast(start=origin - 1, horizon=3, reindex=False).variance.to_numpy()[0]
        assert walked[origin - 300] == pytest.approx(path.mean() / 1e4, rel=1e-9)


def test_a_calm_series_gets_arch_s_own_forecasts_without_its_scale_warning():
    """A bond fund's returns (a tenth of a percent a day) printed arch's multi-line
    DataScaleWarning on every GARCH refit of a variance backtest. It is gone, and the
    forecasts are those of arch's default, which warns but does not rescale."""
    import warnings

    from arch import arch_model

    r, v = _simulated(400, 2)
    r, v = r / 10, v / 100
    origins = np.arange(300, 320)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        walked = forecast("garch", v, r, origins, (1,))[:, 0]
    default = arch_model(100 * r[1:], mean="Zero", vol="GARCH", p=1, q=1, dist="t")
    with pytest.warns(arch.utility.exceptions.DataScaleWarning):  # the warning it printed
        fitted = default.fit(last_obs=300, disp="off", show_warning=False)
    path = fitted.forecast(start=299, horizon=1, reindex=False).variance.to_numpy()[:, 0]
    np.testing.assert_allclose(walked, path[:20] / 1e4, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_a_later_day_changes_no_forecast_made_at_or_before_it(name):
    r, v = _simulated(420, 3)
    origins = np.arange(300, 419)
    before = forecast(name, v, r, origins, (1, 2))
    r2, v2 = r.copy(), v.copy()
    r2[351:] *= 3
    v2[351:] *= 9
    after = forecast(name, v2, r2, origins, (1, 2))
    np.testing.assert_array_equal(before[: 351 - 300], after[: 351 - 300])
    assert not np.allclose(before[-20:], after[-20:])


@pytest.mark.parametrize(
    ("origins", "horizons", "fragment"),
    [
        # NumPy reads -5 as day 415: a forecast "from day -5" read the days after it.
        ([-5, -4], (1,), "origins: expected consecutive days from 1 to 419 (the last of 420), "
                         "received 2 from -5 to -4"),
        ([300, 250], (1,), "received 2 from 300 to 250"),  # the walk's fit read day 300 first
        (list(range(400, 425)), (1,), "received 25 from 400 to 424"),  # an IndexError
        ([300.0, 301.0], (1,), "received float64 (2,)"),
        ([], (1,), "origins: expected at least one day to forecast from, received none"),
        ([300, 301], (0,), "horizons: expected days ahead of 1 or more, received (0,)"),
    ],
)  # fmt: skip
def test_a_walk_from_origins_it_cannot_take_is_refused(origins, horizons, fragment):
    """The Python API's `forecast` (docs/python-api.md) forecast from origin -5 with a model
    fitted on the days after it, and from unsorted or fractional origins without a word."""
    from stockcaster.errors import StockcasterError

    r, v = _simulated(420, 3)
    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        forecast("ewma", v, r, np.asarray(origins), horizons)


def test_an_unknown_baseline_or_a_level_in_percent_is_refused():
    """`forecast("foo", ...)` raised KeyError 'foo'; `value_at_risk(s2, 5)` (5 for 5%) gave
    NaN for every day."""
    from stockcaster.errors import StockcasterError

    r, v = _simulated(420, 3)
    with pytest.raises(StockcasterError, match="expected a baseline \\(random_walk, mean_22, "):
        forecast("foo", v, r, np.arange(300, 310))
    with pytest.raises(StockcasterError, match="level: expected a share in \\(0, 1\\)"):
        value_at_risk(np.full(3, 1e-4), 5)
    assert np.isfinite(value_at_risk(np.full(3, 1e-4), 0.05)[0]).all()  # the control


def test_returns_of_other_days_or_a_negative_variance_are_refused():
    """`forecast("ewma", v[:-5], r, ...)` walked returns that were not the variances' days,
    shifted by 5, without a word; `value_at_risk` of a negative variance gave NaN."""
    from stockcaster.errors import StockcasterError

    r, v = _simulated(420, 3)
    shifted = "r: expected one return for each day of v (415), received 420"
    with pytest.raises(StockcasterError, match=re.escape(shifted)):
        forecast("ewma", v[:-5], r, np.arange(300, 310))
    negative = "variance: expected variances of 0 or more, received -0.0001 at index 2"
    with pytest.raises(StockcasterError, match=re.escape(negative)):
        value_at_risk(np.array([1e-4, np.nan, -1e-4]), 0.05)
    assert np.isnan(value_at_risk(np.array([1e-4, np.nan]), 0.05)[0][1])  # a day without one


def test_on_garch_data_the_garch_family_beats_the_random_walk():
    """A positive control: where tomorrow's variance is forecastable, the baselines find it."""
    r, v = _simulated(1200, 4)
    origins = np.arange(700, 1199)
    losses = {name: float(np.mean(qlike(v[origins + 1], forecast(name, v, r, origins)[:, 0])))
              for name in ("random_walk", "ewma", "gjr")}  # fmt: skip
    assert losses["gjr"] < 0.8 * losses["random_walk"] and losses["ewma"] < losses["random_walk"]


def test_var_and_es_of_each_kind():
    from scipy import stats

    variance = np.array([1e-4, 4e-4])
    var, es = value_at_risk(variance, 0.01)
    np.testing.assert_allclose(var, np.sqrt(variance) * stats.norm.ppf(0.01))
    assert (es < var).all()  # the tail's mean lies beyond its edge
    z = np.random.default_rng(5).standard_t(4, 20000) / np.sqrt(2)  # unit variance, nu = 4
    var_t, es_t = value_at_risk(variance, 0.01, "t", z)
    var_h, es_h = value_at_risk(variance, 0.01, "fhs", z)
    np.testing.assert_allclose(var_h, np.sqrt(variance) * np.quantile(z, 0.01))
    assert var_t == pytest.approx(var_h, rel=0.1) and es_t == pytest.approx(es_h, rel=0.15)
    assert (var_t < var).all()  # fat tails: a deeper 1% VaR than the normal's


def test_on_a_known_gjr_garch_the_gjr_baseline_recovers_it_and_its_qlike():
    """The issue's positive control: returns simulated from a known GJR-GARCH-t; the GJR
    baseline's parameters come back near the truth, and its QLIKE (against the squared
    return) is within 2% of the true conditional variance's."""
    from arch import arch_model
    from arch.univariate import GARCH, StudentsT, ZeroMean

    truth = [0.02, 0.04, 0.10, 0.88, 6.0]  # omega, alpha, gamma, beta, nu (percent units)
    model = ZeroMean(None, volatility=GARCH(1, 1, 1), distribution=StudentsT(seed=12))
    simulated = model.simulate(truth, 4000, burn=500)
    r = np.concatenate([[np.nan], simulated["data"].to_numpy()[1:] / 100])
    true_variance = (simulated["volatility"].to_numpy() / 100) ** 2  # of each day, known before
    fitted = arch_model(100 * r[1:3500], mean="Zero", p=1, o=1, q=1, dist="t").fit(disp="off")
    np.testing.assert_allclose(fitted.params.to_numpy()[1:4], truth[1:4], atol=0.04)
    origins = np.arange(3500, 3999)
    walked = forecast("gjr", r**2, r, origins)[:, 0]
    proxy = r[origins + 1] ** 2
    ours, best = qlike(proxy, walked).mean(), qlike(proxy, true_variance[origins + 1]).mean()
    assert ours <= 1.02 * best


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_one_walk_over_several_horizons_equals_a_walk_for_each(name):
    r, v = _simulated(420, 6)
    origins = np.arange(300, 400)
    both = forecast(name, v, r, origins, (1, 5))
    np.testing.assert_allclose(both[:, 0], forecast(name, v, r, origins, (1,))[:, 0], rtol=1e-12)
    np.testing.assert_allclose(both[:, 1], forecast(name, v, r, origins, (5,))[:, 0], rtol=1e-12)


def test_garch_training_residuals_are_arch_s_standardised_residuals_of_one_fit():
    from arch import arch_model

    r, v = _simulated(500, 7)
    got = training_residuals("garch", v, r, 400, start=100)
    model = arch_model(100 * r[1:], mean="Zero", vol="GARCH", p=1, o=0, q=1, dist="t")
    fitted = model.fit(last_obs=400, disp="off", show_warning=False)
    np.testing.assert_allclose(got, fitted.std_resid[100:400], rtol=1e-8)
