"""Risk's building blocks: range estimators of a day's variance, variance losses and the VaR
backtests, each against a hand-computed value, a closed form or scipy's own test."""

from __future__ import annotations

import math
import re
import statistics

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from stockcaster.errors import StockcasterError
from stockcaster.evaluation.risk import (
    christoffersen,
    exceedances,
    kupiec,
    qlike,
    traffic_light,
    variance_mse,
)
from stockcaster.features.volatility import ESTIMATORS, Prices, daily_variance, yang_zhang

# One day by hand: open 100, high 110, low 95, close 105, the close before 102.
#   ln(H/L) = 0.1466034741918754, ln(C/O) = 0.04879016416943205
#   parkinson       0.1466034741918754^2 / (4 ln 2)                             = 0.0077518092
#   garman_klass    0.5 * 0.1466034741918754^2 - (2 ln 2 - 1) * 0.04879016416943205^2
#                                                                                = 0.0098267233
#   rogers_satchell ln(110/105) ln(110/100) + ln(95/105) ln(95/100)              = 0.0095674414
#   close_to_close  ln(105/102)^2                                                = 0.0008402773
BY_HAND = {"parkinson": 0.0077518092, "garman_klass": 0.0098267233,
           "rogers_satchell": 0.0095674414, "close_to_close": 0.0008402773}  # fmt: skip


def _days(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["open", "high", "low", "close"])


@pytest.mark.parametrize("name", sorted(BY_HAND))
def test_each_range_estimator_gives_the_hand_computed_variance(name):
    table = _days([(101, 103, 99, 102), (100, 110, 95, 105)])
    variance, used = daily_variance(table, name)
    assert used == name and variance[1] == pytest.approx(BY_HAND[name], abs=1e-10)


def test_yang_zhang_is_its_three_parts_over_the_window():
    rng = np.random.default_rng(4)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 30)))
    open_ = close * np.exp(rng.normal(0, 0.004, 30))
    table = _days(np.column_stack([open_, np.maximum(open_, close) * 1.01,
                                   np.minimum(open_, close) * 0.99, close]))  # fmt: skip
    days, last = 5, 29
    got = yang_zhang(Prices.of(table), days)[last]
    window = range(last - days + 1, last + 1)
    overnight = [math.log(open_[t] / close[t - 1]) for t in window]
    intraday = [math.log(close[t] / open_[t]) for t in window]
    h, lo = table["high"].to_numpy(), table["low"].to_numpy()
    rs = [math.log(h[t] / close[t]) * math.log(h[t] / open_[t])
          + math.log(lo[t] / close[t]) * math.log(lo[t] / open_[t]) for t in window]  # fmt: skip
    k = 0.34 / (1.34 + (days + 1) / (days - 1))
    want = statistics.variance(overnight) + k * statistics.variance(intraday)
    assert got == pytest.approx(want + (1 - k) * statistics.fmean(rs), rel=1e-12)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_a_later_price_changes_no_earlier_variance(name):
    rng = np.random.default_rng(7)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, 60)))
    table = _days(np.column_stack([close * 0.999, close * 1.02, close * 0.98, close]))
    before, _ = daily_variance(table, name)
    changed = table.copy()
    changed.loc[40:, "high"] *= 1.05  # a wider range, and a higher close, from day 40 on
    changed.loc[40:, "close"] *= 1.01
    after, _ = daily_variance(changed, name)
    np.testing.assert_array_equal(before[:40], after[:40])
    assert not np.allclose(before[40:], after[40:])


def test_a_file_of_closes_falls_back_to_close_to_close_and_an_unknown_name_is_refused():
    closes = pd.DataFrame({"close": [10.0, 11.0, 10.5]})
    variance, used = daily_variance(closes, "garman_klass")
    assert used == "close_to_close" and variance[2] == pytest.approx(math.log(10.5 / 11) ** 2)
    with pytest.raises(StockcasterError, match="expected one of garman_klass, parkinson"):
        daily_variance(closes, "astrology")


def test_qlike_and_mse_are_zero_only_for_the_perfect_forecast():
    proxy = np.array([1e-4, 4e-4, 2e-4])
    assert np.allclose(qlike(proxy, proxy), 0) and np.allclose(variance_mse(proxy, proxy), 0)
    assert (qlike(proxy, proxy * 1.5) > 0).all() and (qlike(proxy, proxy / 1.5) > 0).all()
    # Under-forecasting costs more than over-forecasting by the same factor (QLIKE's asymmetry).
    assert (qlike(proxy, proxy / 1.5) > qlike(proxy, proxy * 1.5)).all()


def _hits(n: int, rate: float, seed: int, cluster: slice | None = None) -> np.ndarray:
    hits = np.random.default_rng(seed).random(n) < rate
    if cluster is not None:
        hits[cluster] = True
    return hits


@pytest.mark.parametrize(("rate", "level"), [(0.01, 0.01), (0.03, 0.01), (0.04, 0.05)])
def test_kupiec_is_scipys_g_test_of_the_exceedance_count(rate, level):
    hits = _hits(750, rate, 3)
    count, days = int(hits.sum()), len(hits)
    scipy = stats.power_divergence([count, days - count], [days * level, days * (1 - level)],
                                   lambda_="log-likelihood")  # fmt: skip
    ours = kupiec(hits, level)
    assert ours["statistic"] == pytest.approx(scipy.statistic, rel=1e-10)
    assert ours["pvalue"] == pytest.approx(scipy.pvalue, rel=1e-8)
    assert (ours["days"], ours["exceedances"]) == (days, count)


def test_kupiec_with_no_exceedance_is_its_closed_form():
    """Kupiec (1995): with none in T days, LR = 2 T ln(1 / (1 - p)); 5.025 for 250 days at
    1%, which rejects at 5% (a VaR never exceeded is too cautious)."""
    result = kupiec(np.zeros(250, bool), 0.01)
    assert result["statistic"] == pytest.approx(2 * 250 * math.log(1 / 0.99), rel=1e-12)
    assert result["statistic"] == pytest.approx(5.025, abs=5e-4) and result["pvalue"] < 0.05


@pytest.mark.parametrize("cluster", [None, slice(300, 306)])
def test_christoffersen_is_scipys_g_test_of_the_transition_table(cluster):
    hits = _hits(750, 0.02, 5, cluster)
    before, after = hits[:-1], hits[1:]
    table = [[np.sum((before == i) & (after == j)) for j in (0, 1)] for i in (0, 1)]
    scipy = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
    ours = christoffersen(hits, 0.02)
    assert ours["independence"] == pytest.approx(scipy.statistic, rel=1e-10)
    assert ours["independence_pvalue"] == pytest.approx(scipy.pvalue, rel=1e-8)
    total = ours["independence"] + kupiec(hits, 0.02)["statistic"]
    assert ours["conditional"] == pytest.approx(total, rel=1e-12)
    assert ours["conditional_pvalue"] == pytest.approx(stats.chi2.sf(total, 2), rel=1e-10)
    if cluster is not None:  # six hits in a row: not independent
        assert ours["independence_pvalue"] < 0.01


def test_christoffersen_answers_where_scipy_refuses_a_table_with_an_empty_row():
    hits = np.zeros(250, bool)
    hits[-1] = True  # one hit, on the last day: no day follows a hit
    result = christoffersen(hits, 0.01)
    assert result["independence"] == pytest.approx(0, abs=1e-12)
    assert result["conditional"] == pytest.approx(kupiec(hits, 0.01)["statistic"], rel=1e-12)


def test_the_traffic_light_is_basels_table():
    """BCBS (1996), the backtesting framework's table for 250 days at 99%: 0-4 exceedances
    green, 5-9 yellow, 10 or more red."""
    zones = [traffic_light(n) for n in range(16)]
    assert zones == ["green"] * 5 + ["yellow"] * 5 + ["red"] * 6


def test_an_exceedance_is_a_return_below_the_var():
    hits = exceedances(np.array([-0.03, -0.01, 0.02]), np.array([-0.02, -0.02, -0.02]))
    assert hits.tolist() == [True, False, False]


def test_dm_on_qlike_at_one_day_is_scipys_t_test_of_the_loss_differential():
    """At h = 1 the Diebold-Mariano statistic with Harvey's correction is the one-sample t
    statistic of the loss differential, and its p-value the t distribution's (n - 1)."""
    from stockcaster.evaluation.significance import diebold_mariano_losses

    rng = np.random.default_rng(8)
    proxy = rng.gamma(2.0, 1e-4, 400)
    a, b = qlike(proxy, proxy * rng.lognormal(0, 0.3, 400)), qlike(proxy, np.full(400, 2e-4))
    ours = diebold_mariano_losses(a, b)
    scipy = stats.ttest_1samp(a - b, 0.0)
    assert ours["statistic"] == pytest.approx(scipy.statistic, rel=1e-10)
    assert ours["pvalue"] == pytest.approx(scipy.pvalue, rel=1e-8)


def test_mincer_zarnowitz_is_statsmodels_ols_and_its_f_test():
    import statsmodels.api as sm

    from stockcaster.evaluation.risk import mincer_zarnowitz

    rng = np.random.default_rng(9)
    forecast = rng.gamma(3.0, 1e-4, 500)
    proxy = np.exp(0.3 + 0.8 * np.log(forecast) + rng.normal(0, 0.5, 500))
    ours = mincer_zarnowitz(proxy, forecast)
    fitted = sm.OLS(np.log(proxy), sm.add_constant(np.log(forecast))).fit()
    assert (ours["intercept"], ours["slope"]) == pytest.approx(tuple(fitted.params), rel=1e-10)
    assert ours["r2"] == pytest.approx(fitted.rsquared, rel=1e-10)
    joint = fitted.f_test((np.eye(2), np.array([0.0, 1.0])))
    assert ours["pvalue"] == pytest.approx(float(joint.pvalue), rel=1e-8)


def test_a_forecast_that_never_varies_has_no_mincer_zarnowitz_regression():
    """A closes-only file whose every return is the same (a fund growing at a fixed rate)
    has one close-to-close variance every day, which the random walk forecasts: the
    regression on a constant ended `backtest --target variance` in numpy's "Singular
    matrix" traceback. Its figures are NaN, as for a constant proxy (a
    varying forecast still gets statsmodels' figures, above; the backtest:
    test_variance_target.py)."""
    from stockcaster.evaluation.risk import mincer_zarnowitz

    rng = np.random.default_rng(3)
    varying = rng.gamma(3.0, 1e-4, 50)
    for proxy, forecast in ((varying, np.full(50, 2e-4)), (np.full(50, 1e-4), varying),
                            (varying[:2], varying[1:3])):  # fmt: skip
        assert all(np.isnan(v) for v in mincer_zarnowitz(proxy, forecast).values())
    # A perfect forecast: its residuals are rounding, which the F test took for a bias
    # (p 1.5e-07); it has no p-value, and its line is the diagonal.
    perfect = mincer_zarnowitz(varying, varying)
    assert perfect["slope"] == pytest.approx(1) and perfect["r2"] == pytest.approx(1)
    assert abs(perfect["intercept"]) < 1e-9 and np.isnan(perfect["pvalue"])


def test_acerbi_szekely_z2_is_zero_for_the_true_es_and_red_for_one_far_too_small():
    """Z2 by hand on three days, then its published zones: a normal model's own ES on its
    own returns sits near 0 (green); an ES of half the size on Student-t(3) returns is red."""
    from stockcaster.evaluation.risk import acerbi_szekely

    by_hand = acerbi_szekely(np.array([-0.05, 0.01, -0.01]), np.full(3, -0.02),
                             np.full(3, -0.04), 0.1)  # fmt: skip
    assert by_hand["z2"] == pytest.approx(-0.05 / 0.04 / (3 * 0.1) + 1)  # one hit: -3.1667
    rng = np.random.default_rng(10)
    returns = rng.normal(0, 0.01, 200_000)
    z = stats.norm.ppf(0.025)
    var, es = (
        np.full(len(returns), 0.01 * z),
        np.full(len(returns), -0.01 * stats.norm.pdf(z) / 0.025),
    )
    calibrated = acerbi_szekely(returns, var, es, 0.025)
    assert abs(calibrated["z2"]) < 0.05 and calibrated["zone"] == "green"
    heavy = 0.01 * rng.standard_t(3, 200_000) / np.sqrt(3)
    assert acerbi_szekely(heavy, var * 0.5, es * 0.5, 0.025)["zone"] == "red"


def test_a_day_whose_prices_did_not_move_measures_nothing():
    """A flat day (high = low) has a variance, but its range shows none: NaN, not 0, which
    QLIKE could not score; the baselines carry the day before's estimate over it."""
    from stockcaster.models.volatility import forecast

    table = _days([(100, 101, 99, 100.5), (100, 100, 100, 100), (100, 102, 98, 101)])
    variance, _ = daily_variance(table, "parkinson")
    assert np.isnan(variance[1]) and np.isfinite(variance[[0, 2]]).all()
    assert forecast("random_walk", variance, None, np.array([1]))[0, 0] == variance[0]


def test_a_forecast_is_scored_against_the_mean_of_the_days_ahead_that_measured_something():
    from stockcaster.features.volatility import variance_ahead

    v = np.array([1.0, 2.0, np.nan, 4.0, np.nan, np.nan])
    got = variance_ahead(v, np.array([0, 1, 3]), 2)
    np.testing.assert_array_equal(got[:2], [2.0, 4.0])  # (2 + nan) -> 2; (nan + 4) -> 4
    assert np.isnan(got[2])  # two days that measured nothing


def test_the_variance_board_s_ratios_and_tests_are_those_of_its_parts():
    from stockcaster.evaluation.risk_board import variance_board
    from stockcaster.evaluation.significance import diebold_mariano_losses

    rng = np.random.default_rng(9)
    proxy = rng.gamma(2.0, 1e-4, 300)
    forecasts = {"random_walk": np.roll(proxy, 1), "ewma": np.full(300, proxy.mean()),
                 "good": proxy * rng.uniform(0.9, 1.1, 300)}  # fmt: skip
    rows = {r["model"]: r for r in variance_board(forecasts, proxy, 1)}
    losses = {m: qlike(proxy, f) for m, f in forecasts.items()}
    assert rows["good"]["qlike"] == pytest.approx(losses["good"].mean())
    assert rows["good"]["qlike_x_ewma"] == pytest.approx(
        losses["good"].mean() / losses["ewma"].mean()
    )
    test = diebold_mariano_losses(losses["good"], losses["random_walk"], 1)
    assert rows["good"]["dm_pvalue"] == pytest.approx(test["pvalue"]) and test["statistic"] < 0
    assert rows["good"]["in_mcs_90"] and not rows["random_walk"]["in_mcs_90"]


def test_crps_of_a_normal_is_the_closed_form():
    """scoringrules' CRPS of a normal equals Gneiting and Raftery's (2007) closed form,
    sigma (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)), and the FHS ensemble of normal draws
    comes near it."""
    from stockcaster.evaluation.risk_board import crps
    from stockcaster.models.volatility import Shape

    returns, sigma = np.array([-0.03, 0.0, 0.01]), np.array([0.01, 0.02, 0.015])
    z = returns / sigma
    closed = sigma * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi))
    np.testing.assert_allclose(crps(returns, sigma, Shape("normal")), closed, rtol=1e-9)
    draws = Shape.fit("fhs", np.random.default_rng(3).standard_normal(20_000))
    np.testing.assert_allclose(crps(returns, sigma, draws), closed, rtol=0.05)


def test_a_forecast_of_one_variance_every_day_has_empty_terciles_and_no_warning():
    """Equal forecasts every day fill one tercile; the others' coverage is empty (NaN), not
    numpy's "Mean of empty slice" warning in the terminal."""
    import warnings

    from stockcaster.evaluation.risk_board import distribution_row
    from stockcaster.models.volatility import Shape

    returns = np.random.default_rng(0).normal(0, 0.01, 300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row = distribution_row("flat", np.full(300, 1e-4), returns, Shape.fit("normal"))
    thirds = [row[f"coverage_0.8_t{k}"] for k in (1, 2, 3)]
    assert sum(np.isnan(thirds)) == 2 and 0.7 < np.nanmax(thirds) < 0.9, thirds


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        # 5 for 5%: every p-value was NaN; a negative level the same.
        (lambda h: kupiec(h, 5), "level: expected a share in (0, 1), received 5"),
        (lambda h: christoffersen(h, -0.1), "level: expected a share in (0, 1), received -0.1"),
        # returns or forecasts where exceedances belong: 0.3 was counted as a hit.
        (lambda h: kupiec(h * 0.3, 0.05), "hits: expected True or False for each day "
                                          "(exceedances(returns, var)), received 0.3"),
        (lambda h: kupiec(h[:0], 0.05), "hits: expected True or False for each day "
                                        "(exceedances(returns, var)), received none"),  # 1/0
        (lambda h: kupiec(h.reshape(2, -1), 0.05), "received (2, 200)"),
        # a day short: NumPy's "operands could not be broadcast together".
        (lambda h: exceedances(np.zeros(400), np.zeros(399)),
         "var: expected one value for each day of returns (400,), received (399,)"),
        (lambda h: qlike(np.ones(400), np.ones(1)),  # one forecast was broadcast to every day
         "forecast: expected one value for each day of proxy (400,), received (1,)"),
        # a forecast of no variance or less: QLIKE was NaN, without a word.
        (lambda h: qlike(np.ones(3), np.array([1.0, 0.0, 2.0])),
         "forecast: expected variances above 0, received 0 at index 1"),
    ],
)  # fmt: skip
def test_the_var_backtests_refuse_what_they_cannot_score(call, fragment):
    """The Python API's VaR backtests (docs/python-api.md) gave NaN p-values for a level in
    percent, counted any non-zero number as an exceedance, and raised ZeroDivisionError or
    NumPy's broadcast errors; each is one `StockcasterError` naming the argument."""
    hits = _hits(400, 0.05, 0)
    assert np.isfinite(kupiec(hits, 0.05)["pvalue"])  # the control: the same hits at 0.05
    assert np.isfinite(qlike(np.ones(3), np.array([1.0, np.nan, 2.0]))[[0, 2]]).all()
    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        call(hits)


def test_variances_ahead_of_origins_outside_the_days_or_a_table_without_closes_are_refused():
    """`variance_ahead(v, [-3], 1)` scored a forecast from day -3 against day -2 (NumPy's
    last but one, the future of every origin); past the end it was an IndexError, horizon 0
    a ValueError; a table without a close column a KeyError."""
    from stockcaster.features.volatility import log_returns, variance_ahead

    v = np.linspace(1e-4, 2e-4, 10)
    assert variance_ahead(v, np.array([0, 7]), 2).tolist() == pytest.approx(
        [v[1:3].mean(), v[8:].mean()]
    )
    for origins, horizon, fragment in [
        ([-3], 1, "origins: expected days from 0 to 8 (1 ahead of each, of 10), received 1 from"),
        ([8], 2, "origins: expected days from 0 to 7 (2 ahead of each, of 10), received 1 from 8"),
        ([1.0], 1, "received float64 (1,)"),
        ([1], 0, "horizon: expected days ahead of 1 or more, received 0"),
    ]:  # fmt: skip
        with pytest.raises(StockcasterError, match=re.escape(fragment)):
            variance_ahead(v, np.asarray(origins), horizon)
    closes = _days([(100, 101, 99, 100.5), (100, 102, 98, 101)])
    for call in (log_returns, daily_variance):
        with pytest.raises(StockcasterError, match="prices: expected a close column, received "
                                                   "open, high, low$"):  # fmt: skip
            call(closes.drop(columns="close"))
