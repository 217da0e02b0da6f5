"""The tear sheet against the tools people know: statsmodels' HAC and alphalens-reloaded."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from reversal_panel import reversal_panel, wide

from stockcaster.evaluation.tear_sheet import (
    against_best,
    book,
    book_summary,
    hac_lags,
    judge,
    newey_west_t,
    quantile_turnover,
    quantiles,
    t_needed,
)
from stockcaster.features.factors import factor_scores


@pytest.mark.parametrize("lags", [0, 4, 20])
def test_newey_west_t_equals_statsmodels_hac(lags):
    rng = np.random.default_rng(lags)
    x = np.convolve(rng.normal(0.01, 0.1, 500), np.ones(5) / 5, mode="same")  # overlapping
    fit = sm.OLS(x, np.ones(len(x))).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False}
    )
    assert newey_west_t(x, lags) == pytest.approx(fit.tvalues[0], rel=1e-10)
    if lags:  # overlap: the HAC t is smaller than the plain one
        assert abs(newey_west_t(x, lags)) < abs(newey_west_t(x, 0))


def test_newey_west_t_needs_many_more_days_than_lags():
    """A 300-session horizon judged on 141 days had lags 299: every autocovariance weighted
    near 1 sums the demeaned series to about 0, and statsmodels' t, equal to ours, is huge."""
    x = np.cumsum(np.random.default_rng(0).normal(0, 0.01, 141)) + 0.05  # overlapping ICs
    fit = sm.OLS(x, np.ones(len(x))).fit(
        cov_type="HAC", cov_kwds={"maxlags": 299, "use_correction": False}
    )
    assert abs(fit.tvalues[0]) > 5 and newey_west_t(x, 299) is None
    assert newey_west_t(x[:140], 27) is not None and newey_west_t(x[:139], 27) is None  # 5 x 28


@pytest.mark.parametrize(("horizon", "days"), [(1, 441), (5, 250), (21, 441)])
def test_on_noise_a_mean_ic_reaches_the_t_it_needs_about_5_percent_of_the_time(horizon, days):
    """h-day returns overlap, so noise's daily ICs are a moving sum over h days: with h - 1
    lags and |t| >= 2, 11.1% of these series (h = 5, 250 days) and 12.8% (h = 21, 441 days)
    read as a signal, as 8-17% of `bench/ic_t_size.py`'s panels did; with the lags and the
    bar `signals` uses, 6.7% and 7.9%."""
    rng = np.random.default_rng(horizon)
    reached = [
        abs(newey_west_t(x, hac_lags(days, horizon))) >= t_needed(days, horizon)
        for x in (np.convolve(rng.normal(size=days + horizon - 1), np.ones(horizon), "valid")
                  for _ in range(1000))
    ]  # fmt: skip
    assert 0.025 < np.mean(reached) < 0.09, np.mean(reached)
    assert t_needed(days, horizon) == 2 if horizon == 1 else t_needed(days, horizon) > 2


@pytest.fixture(scope="module")
def reversal():
    prices = reversal_panel(symbols=30, days=200, seed=1)
    score = wide(prices.assign(close=factor_scores(prices, ("reversal_5",))[:, 0]))
    return score.iloc[120:], wide(prices)


def test_ic_quantile_returns_and_turnover_equal_alphalens(reversal):
    alphalens = pytest.importorskip("alphalens", reason="alphalens-reloaded is in the dev extra")
    score, close = reversal
    h = 5
    factor = score.stack()
    factor.index.names = ["date", "asset"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = alphalens.utils.get_clean_factor_and_forward_returns(
            factor, close, quantiles=10, periods=(h,), max_loss=1.0
        )
        theirs_ic = alphalens.performance.factor_information_coefficient(data).iloc[:, 0]
        theirs_q, _ = alphalens.performance.mean_return_by_quantile(
            data, by_date=False, demeaned=False
        )
        days = data.index.get_level_values("date").unique()
        ours_bucket = quantiles(score.loc[days], 10)
        theirs_bucket = data["factor_quantile"].unstack().reindex_like(ours_bucket)
        turnover = {q: alphalens.performance.quantile_turnover(data["factor_quantile"], q, h)
                    for q in (1, 10)}  # fmt: skip
    row, ours_ic = judge(score, close, h)
    both = pd.concat([theirs_ic, ours_ic], axis=1, join="inner")
    assert len(both) == len(theirs_ic) > 60
    np.testing.assert_allclose(both.iloc[:, 0], both.iloc[:, 1], atol=1e-12)
    np.testing.assert_allclose(row["mean_return"], theirs_q.iloc[:, 0].to_numpy(), rtol=1e-10)
    pd.testing.assert_frame_equal(ours_bucket, theirs_bucket.astype("float64"),
                                  check_names=False)  # fmt: skip
    for q, theirs in turnover.items():
        assert quantile_turnover(ours_bucket, q, h) == pytest.approx(theirs.mean(), rel=1e-12)
    assert row["top_turnover"] == pytest.approx(turnover[10].mean(), rel=1e-12)


def test_a_mean_ic_without_a_t_has_no_bar_to_reach(reversal):
    """80 days judged 21 sessions ahead are too few for the t's 42 lags: the table's title
    gave a bar of 3.50 that no t was there to reach."""
    score, close = reversal
    (week, _), (month, _) = judge(score, close, 5), judge(score, close, 21)
    assert week["rank_ic_t"] is not None and week["t_needed"] == t_needed(week["days"], 5) > 2
    assert month["days"] > 0 and month["rank_ic_t"] is None and month["t_needed"] is None


def test_a_two_name_book_by_hand():
    days = pd.bdate_range("2020-01-01", periods=4)
    close = pd.DataFrame({"A": [10, 11, 11, 12.1], "B": [10, 9, 9, 9.9], "C": [10, 10, 10, 10]},
                         index=days, dtype="float64")  # fmt: skip
    bucket = pd.DataFrame({"A": [2, 1, 1, 1], "B": [1, 2, 2, 2], "C": [np.nan] * 4},
                          index=days, dtype="float64")  # fmt: skip
    gross, turnover = book(bucket, close, horizon=2, bins=2)
    # Days 0-1 hold +A -B; day 2 turns to +B -A; the last day's return is unknown (0).
    np.testing.assert_allclose(gross, [0.1 + 0.1, 0.0, 0.1 - 0.1, 0.0], atol=1e-12)
    np.testing.assert_allclose(turnover, [2, 0, 4, 0])
    summary = book_summary(gross, turnover, cost_bps=10)
    assert summary["daily_turnover"] == pytest.approx(1.5)
    assert summary["break_even_bps"] == pytest.approx(gross.mean() / 1.5 * 1e4)
    net = gross - turnover * 10 / 1e4
    assert summary["annual_return_net"] == pytest.approx(net.mean() * 252)
    # With 3 quantiles and a buffer of 2/3, A stays long on day 2 in the middle quantile.
    bucket = pd.DataFrame({"A": [3, 3, 2, 2], "B": [2, 2, 3, 3], "C": [1, 1, 1, 1]},
                          index=days, dtype="float64")  # fmt: skip
    _, plain = book(bucket, close, horizon=2, bins=3)
    held, buffered = book(bucket, close, horizon=2, bins=3, buffer=2 / 3)
    np.testing.assert_allclose(plain, [2, 0, 2, 0])  # A out, B in
    np.testing.assert_allclose(buffered, [2, 0, 1, 0])  # A halved, B half in
    assert held.iloc[2] == pytest.approx(0.5 * 0.1 + 0.5 * 0.1)  # A and B each rise 10%


def test_the_best_factor_is_one_with_the_days_spa_needs_and_the_verdict_names_it():
    """On a panel one year and three days long, momentum_12_1 scored 2 days: their mean
    rank IC (0.25) beat reversal_5's over 200 days (t 3.7), so it was "the best factor",
    every model's SPA against it had under 10 common days, and no model had a p-value."""
    from stockcaster.reporting.signal_tables import verdict_lines

    days = pd.bdate_range("2020-01-01", periods=200)
    rng = np.random.default_rng(0)
    daily = {
        "momentum_12_1": pd.Series([0.5, 0.4], index=days[-2:]),
        "reversal_5": pd.Series(0.1 + 0.2 * rng.standard_normal(200), index=days),
        "linear": pd.Series(0.1 + 0.2 * rng.standard_normal(200), index=days),
    }
    spa = against_best(daily, ["momentum_12_1", "reversal_5"])
    assert spa["best"] == "reversal_5" and spa["pvalues"]["linear"] is not None
    board = pd.DataFrame({
        "signal": list(daily), "kind": ["factor", "factor", "model"], "horizon": 1,
        "mean_rank_ic": [s.mean() for s in daily.values()], "rank_ic_t": [np.nan, 3.7, 3.5],
        "t_needed": 2.0, "best_factor": spa["best"],
        "spa_p_vs_best_factor": [spa["pvalues"].get(n) for n in daily],
    })  # fmt: skip
    (line,) = verdict_lines(board)
    assert line.startswith("h = 1: the best factor is reversal_5 (rank IC 0."), line
    assert "the best model, linear, does not beat it (SPA p = " in line, line
    # With no factor of 10 days, the best mean is the best there is.
    assert against_best({"a": daily["momentum_12_1"]}, ["a"])["best"] == "a"
