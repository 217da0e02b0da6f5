"""Aggregates across symbols, checked against sums done by hand on a 3-symbol toy universe."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockcaster.evaluation.cross_section import (
    benjamini_hochberg,
    cross_section,
    information_coefficients,
    portfolio,
    returns_panel,
    score_summary,
    top_k_weights,
)

DAYS = pd.to_datetime(["2016-01-04", "2016-01-05", "2016-01-06"])


def toy_forecasts() -> pd.DataFrame:
    """Model "m" on symbols A, B, C over 3 days; every last close (naive) is 100.

    Predicted returns (yhat / 100 - 1) and realised ones (actual / 100 - 1), in percent:
        day 1: A +1 / +2,  B  0 / +1,  C -1 /  0
        day 2: A -1 / +1,  B +2 / -1,  C  0 / +3
        day 3: A  0 /  0,  B +1 / +2,  C +3 / +1
    """
    predicted = {"A": [1, -1, 0], "B": [0, 2, 1], "C": [-1, 0, 3]}
    realised = {"A": [2, 1, 0], "B": [1, -1, 2], "C": [0, 3, 1]}
    rows = [
        {"symbol": s, "model": "m", "date": DAYS[d], "naive": 100.0,
         "yhat": 100.0 + predicted[s][d], "actual": 100.0 + realised[s][d]}
        for s in "ABC" for d in range(3)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_ic_and_rank_ic_per_day_by_hand():
    predicted, realised = returns_panel(toy_forecasts(), "m")
    daily = information_coefficients(predicted, realised)
    # Day 1: predicted (1, 0, -1), realised (2, 1, 0): perfectly aligned.
    assert daily["ic"].iloc[0] == pytest.approx(1.0)
    assert daily["rank_ic"].iloc[0] == pytest.approx(1.0)
    # Day 2: p = (-1, 2, 0), r = (1, -1, 3). Deviations from the means (1/3, 1):
    # p - 1/3 = (-4/3, 5/3, -1/3), r - 1 = (0, -2, 2); sum of products = -10/3 - 2/3 = -4;
    # sum p^2 = (16 + 25 + 1)/9 = 14/3, sum r^2 = 8; IC = -4 / sqrt(14/3 * 8).
    assert daily["ic"].iloc[1] == pytest.approx(-4 / np.sqrt(14 / 3 * 8))
    # Ranks: p -> (1, 3, 2), r -> (2, 1, 3); centred (-1, 1, 0) and (0, -1, 1): -1 / 2.
    assert daily["rank_ic"].iloc[1] == pytest.approx(-0.5)
    # Day 3: p = (0, 1, 3), r = (0, 2, 1); ranks (1, 2, 3) and (1, 3, 2): rank IC 0.5.
    assert daily["rank_ic"].iloc[2] == pytest.approx(0.5)
    assert daily["symbols"].tolist() == [3, 3, 3]


def test_top_1_long_short_book_by_hand():
    predicted, realised = returns_panel(toy_forecasts(), "m")
    summary, daily = portfolio(predicted, realised, k=1, cost_bps=10.0)
    # Long the highest prediction, short the lowest, each day:
    # day 1: long A (+2%), short C (0%): +2%; the book is built: turnover 2.
    # day 2: long B (-1%), short A (+1%): -2%; A goes -1 -> ... weights change:
    #        A +1 -> -1 (2), B 0 -> +1 (1), C -1 -> 0 (1): turnover 4.
    # day 3: long C (+1%), short A (0%): +1%; B +1 -> 0 (1), C 0 -> +1 (1): turnover 2.
    cost = 10.0 / 1e4
    expected = np.array([0.02 - 2 * cost, -0.02 - 4 * cost, 0.01 - 2 * cost])
    np.testing.assert_allclose(daily["portfolio"], expected)
    # The benchmark holds A, B and C equally: mean realised returns, no costs.
    np.testing.assert_allclose(daily["benchmark"], [0.01, 0.01, 0.01])
    assert summary["mean_turnover"] == pytest.approx(8 / 3)
    growth = np.prod(1 + expected)
    assert summary["annual_return"] == pytest.approx(growth ** (252 / 3) - 1)
    active = expected - 0.01
    assert summary["information_ratio"] == pytest.approx(
        active.mean() / active.std(ddof=1) * np.sqrt(252)
    )
    equity = np.cumprod(1 + expected)
    peak = np.maximum.accumulate(np.maximum(equity, 1.0))
    assert summary["max_drawdown"] == pytest.approx((equity / peak - 1).min())


def test_score_summary_by_hand():
    metrics = pd.DataFrame(
        {
            "symbol": ["A", "B", "C", "A", "B", "C"],
            "model": ["m"] * 3 + ["naive"] * 3,
            "mse_ratio": [0.9, 1.2, 0.99, 1.0, 1.0, 1.0],
            "dm_statistic": [-2.5, 3.0, -0.5, None, None, None],
            "dm_pvalue": [0.01, 0.003, 0.6, None, None, None],
            "directional_accuracy": [0.6, 0.4, 0.5, None, None, None],
        }
    )
    row = score_summary(metrics).set_index("model").loc["m"]
    assert row["symbols"] == 3
    assert row["median_mse_ratio"] == pytest.approx(0.99)
    assert row["share_beating_naive"] == pytest.approx(2 / 3)
    assert (row["dm_wins"], row["dm_losses"]) == (1, 1)
    assert row["mean_directional_accuracy"] == pytest.approx(0.5)


def test_naive_has_no_ic_and_holds_no_book():
    forecasts = toy_forecasts().assign(model="naive", yhat=100.0)
    result = cross_section(pd.DataFrame(columns=["model", "mse_ratio", "dm_statistic",
                                                 "dm_pvalue", "directional_accuracy"]),
                           forecasts, k=1, cost_bps=5.0)  # fmt: skip
    assert result["models"]["naive"]["ic"]["mean_ic"] is None
    book = result["models"]["naive"]["portfolio"]
    assert book["mean_turnover"] == 0.0
    # it held nothing: no return, no ratio (it showed 0.0% and the benchmark's ratio negated)
    assert book["annual_return"] is None and book["information_ratio"] is None


def loop_information_coefficients(predicted: pd.DataFrame, realised: pd.DataFrame):
    """The per-day loop the vectorised IC replaced: the reference it must equal."""
    both = predicted.notna() & realised.notna()
    records = {}
    for day in predicted.index:
        used = both.loc[day]
        p, r = predicted.loc[day, used], realised.loc[day, used]
        if used.sum() < 3 or p.nunique() < 2 or r.nunique() < 2:
            continue
        records[day] = {
            "ic": float(np.corrcoef(p, r)[0, 1]),
            "rank_ic": float(np.corrcoef(p.rank(), r.rank())[0, 1]),
            "symbols": int(used.sum()),
        }
    return pd.DataFrame.from_dict(records, orient="index", columns=["ic", "rank_ic", "symbols"])


def loop_top_k_weights(predicted: pd.DataFrame, k: int) -> pd.DataFrame:
    """The per-day loop the vectorised book replaced: the reference it must equal."""
    weights = pd.DataFrame(0.0, index=predicted.index, columns=predicted.columns)
    for day in predicted.index:
        row = predicted.loc[day].dropna()
        if len(row) < 2 * k or row.nunique() < 2:
            continue
        ranked = row.sort_index(kind="stable").sort_values(kind="stable")
        weights.loc[day, ranked.index[-k:]] = 1.0 / k
        weights.loc[day, ranked.index[:k]] = -1.0 / k
    return weights


def awkward_panel(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns with gaps, ties, rounded values, constant days and days with 1-4 symbols."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2016-01-04", periods=120, name="date")
    names = pd.Index([f"S{i:02d}" for i in rng.permutation(23)], name="symbol")  # not sorted
    predicted = pd.DataFrame(rng.normal(0, 0.01, (120, 23)).round(3), days, names)
    realised = pd.DataFrame(rng.normal(0, 0.02, (120, 23)), days, names)
    predicted = predicted.mask(rng.random((120, 23)) < 0.2)
    realised = realised.mask(rng.random((120, 23)) < 0.1)
    predicted.iloc[5] = 0.001  # every prediction equal: no IC, no book
    realised.iloc[6] = 0.0
    predicted.iloc[7, 3:] = np.nan  # 3 symbols left
    predicted.iloc[8, 2:] = np.nan  # 2 symbols left
    predicted.iloc[9] = np.nan
    return predicted, realised


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorised_aggregates_equal_the_per_day_loops(seed):
    predicted, realised = awkward_panel(seed)
    fast = information_coefficients(predicted, realised)
    slow = loop_information_coefficients(predicted, realised)
    pd.testing.assert_index_equal(fast.index, slow.index)
    np.testing.assert_allclose(fast[["ic", "rank_ic"]], slow[["ic", "rank_ic"]], rtol=1e-12)
    assert fast["symbols"].tolist() == slow["symbols"].tolist()
    for k in (1, 3, 10):
        pd.testing.assert_frame_equal(
            top_k_weights(predicted, k), loop_top_k_weights(predicted, k), check_names=False
        )


def test_benjamini_hochberg_equals_statsmodels():
    """The step-up rule against statsmodels' `multipletests(method="fdr_bh")`: uniform
    p-values, a few planted discoveries, ties, values exactly on a threshold, NaNs."""
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(3)
    cases = [rng.uniform(size=50), np.r_[rng.uniform(size=40), rng.uniform(0, 1e-3, size=10)]]
    cases += [np.array([0.01, 0.01, 0.02, 0.02, 0.5]), np.arange(1, 11) / 10 * 0.05]
    cases += [np.array([0.2, 0.3]), np.array([])]
    for pvalues in cases:
        expected = multipletests(pvalues, alpha=0.05, method="fdr_bh")[0] if len(pvalues) else []
        np.testing.assert_array_equal(benjamini_hochberg(pvalues, 0.05), expected)
        with_nan = np.r_[np.nan, pvalues, np.nan]
        np.testing.assert_array_equal(
            benjamini_hochberg(with_nan, 0.05), np.r_[False, expected, False]
        )
    assert benjamini_hochberg(np.r_[rng.uniform(0, 1e-3, size=10)], 0.05).all()
