"""Trading rules on a hand-made price path with a known result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockcaster.evaluation.trading import buy_and_hold, evaluate_rules, sessions_a_year

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


@pytest.mark.parametrize(
    "dates, year",
    [
        (pd.bdate_range("2010-01-04", periods=1762), 252),  # holidays and all: the convention
        (pd.date_range("2020-01-01", periods=900), 365),  # every day, weekends too
        (pd.date_range("2012-01-06", periods=100, freq="W-FRI"), 52),  # weekly prices
        (pd.date_range("2020-01-01", periods=40), 252),  # 40 days tell no year: the convention
    ],
)
def test_the_rows_a_year_of_prices_are_252_unless_their_own_count_differs(dates, year):
    assert sessions_a_year(dates) == year
    assert sessions_a_year(dates[::-1]) == year  # in any order


def test_the_figures_of_prices_of_every_day_are_annualised_over_365_days(tmp_path):
    """A backtest of a 7-day series: buy-and-hold's annual return compounds its test days
    as 365 a year, not 252; the same closes on business days keep 252."""
    import json

    from typer.testing import CliRunner

    from conftest import ohlcv, write_kaggle
    from stockcaster.cli import app

    found = {}
    for name, dates in (("days", pd.date_range("2015-01-02", periods=600)),
                        ("business", pd.bdate_range("2015-01-02", periods=600))):  # fmt: skip
        data = write_kaggle(tmp_path / f"{name}.csv", ohlcv(600).assign(date=dates))
        result = CliRunner().invoke(app, ["backtest", "--data", str(data), "--models", "naive",
                                          "--out", str(tmp_path / name), "--json"])  # fmt: skip
        assert result.exit_code == 0, result.output
        found[name] = json.loads(result.stdout)["buy_and_hold"]
    for name, year in (("days", 365), ("business", 252)):
        hold = found[name]
        n = 150  # the test period: a quarter of 600 closes
        assert hold["annual_return"] == pytest.approx((1 + hold["total_return"]) ** (year / n) - 1)
    ratio = found["days"]["sharpe"] / found["business"]["sharpe"]  # the same daily returns
    assert ratio == pytest.approx(np.sqrt(365 / 252))


def test_a_book_of_every_day_is_annualised_over_365_days():
    """The universe's book on days that include weekends."""
    from stockcaster.evaluation.cross_section import portfolio

    days = pd.date_range("2016-01-01", periods=120)
    rng = np.random.default_rng(0)
    realised = pd.DataFrame(rng.normal(0, 0.01, (120, 4)), index=days, columns=list("ABCD"))
    predicted = realised + rng.normal(0, 0.01, realised.shape)
    summary, daily = portfolio(predicted, realised, k=1, cost_bps=0.0)
    book = daily["portfolio"].to_numpy()
    assert summary["sharpe"] == pytest.approx(book.mean() / book.std(ddof=1) * np.sqrt(365))


def test_each_symbol_of_a_universe_is_annualised_over_its_own_year():
    """One scoring of many symbols: the same closes and forecasts, dated on business days
    and on every day, give Sharpe ratios sqrt(365/252) apart, in one call."""
    from stockcaster.evaluation.symbol_scores import SymbolWalk, score_walks

    values = 100 * np.exp(np.cumsum(np.random.default_rng(1).normal(0, 0.01, 400)))
    origins = np.arange(299, 399)
    yhat = (values[origins] * (1 + np.sin(origins)))[:, None]  # up and down, by turns
    walks = [SymbolWalk(name, values, dates.to_numpy(), 299,
                        [("m", (origins, yhat, yhat, yhat))], [], 0.0)
             for name, dates in (("BIZ", pd.bdate_range("2015-01-02", periods=400)),
                                 ("DAY", pd.date_range("2015-01-02", periods=400)))]  # fmt: skip
    biz, day = (r.metrics.set_index("model").loc["m"] for r in score_walks(walks, 0.0))
    assert biz["long_flat_sharpe"] != 0
    assert day["long_flat_sharpe"] / biz["long_flat_sharpe"] == pytest.approx(np.sqrt(365 / 252))
