"""The factor baselines by hand, and no look-ahead in a factor, a target or a book."""

import numpy as np
import pandas as pd
import pytest
from reversal_panel import reversal_panel, wide

from stockcaster.errors import StockcasterError
from stockcaster.evaluation.tear_sheet import book, quantiles
from stockcaster.features.factors import FACTORS, available, factor_scores
from stockcaster.features.panel import ahead, panel_features


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return reversal_panel(symbols=6, days=300, seed=3)


def by_hand(prices: pd.DataFrame) -> pd.DataFrame:
    """Each factor with pandas' grouped shifts and rolling windows, one symbol at a time."""
    out = []
    for _, rows in prices.groupby("symbol", sort=False):
        log_close = np.log(rows["close"])
        r = log_close.diff()
        volume = rows["volume"]
        month = log_close - log_close.shift(21)
        turnover = np.log(volume.rolling(21).mean() / volume.rolling(252).mean())
        out.append(
            pd.DataFrame(
                {
                    "reversal_1": -(log_close - log_close.shift(1)),
                    "reversal_5": -(log_close - log_close.shift(5)),
                    "reversal_21": -month,
                    "momentum_12_1": log_close.shift(21) - log_close.shift(252),
                    "st_momentum": month * turnover,
                    "low_volatility": -r.rolling(22).std(ddof=0),
                }
            )
        )
    return pd.concat(out)


def test_each_factor_equals_its_closed_form_by_hand(panel):
    expected = by_hand(panel)
    got = factor_scores(panel)
    assert available(panel) == tuple(FACTORS)
    for j, name in enumerate(FACTORS):
        want = expected[name].to_numpy()
        assert np.array_equal(np.isnan(got[:, j]), np.isnan(want)), name
        np.testing.assert_allclose(got[:, j], want, rtol=1e-10, atol=1e-12, err_msg=name)
        assert np.isfinite(got[:, j]).any(), name


def test_a_factor_without_its_column_is_refused_in_one_line(panel):
    closes = panel.drop(columns=["volume"])
    assert "st_momentum" not in available(closes)
    with pytest.raises(StockcasterError, match="factor st_momentum: expected a volume column"):
        factor_scores(closes, ("st_momentum",))


def test_the_target_h_days_ahead_is_the_sum_of_the_next_h_returns():
    x = np.array([np.nan, 1.0, 2.0, 3.0, 4.0, np.nan, 10.0, 20.0, 30.0])
    stops = np.array([5, 9])  # two symbols: rows 0-4 and 5-8
    got = ahead(x, stops, 2)
    want = [3.0, 5.0, 7.0, np.nan, np.nan, 30.0, 50.0, np.nan, np.nan]
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(ahead(x, stops, 1), [1, 2, 3, 4, np.nan, 10, 20, 30, np.nan])


def test_changing_prices_after_a_day_changes_no_factor_target_or_book_before_it(panel):
    days = np.sort(panel["date"].unique())
    day, h = days[200], 5
    later = panel.copy()
    after = later["date"] > day
    later.loc[after, ["open", "high", "low", "close"]] *= np.exp(
        np.random.default_rng(9).normal(0, 0.05, (after.sum(), 1))
    )
    later.loc[after, "volume"] *= 3
    before = (panel["date"] <= day).to_numpy()
    np.testing.assert_array_equal(factor_scores(panel)[before], factor_scores(later)[before])
    cutoff = days[150]
    known = panel["date"].to_numpy() <= days[200 - h]  # targets that end on or before `day`
    for prices in (panel, later):
        labels = panel_features(prices, cutoff, "returns", horizon=h).target
        if prices is panel:
            first = labels[known]
        else:
            np.testing.assert_array_equal(first, labels[known])
    books = []
    for prices in (panel, later):
        score = wide(prices.assign(close=factor_scores(prices, ("reversal_5",))[:, 0]))
        gross, turnover = book(quantiles(score.iloc[30:], 3), wide(prices).iloc[30:], h, 3, 0.4)
        books.append((gross[gross.index < day], turnover[turnover.index <= day]))
    pd.testing.assert_series_equal(books[0][0], books[1][0])
    pd.testing.assert_series_equal(books[0][1], books[1][1])
