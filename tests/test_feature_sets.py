"""Feature sets: no feature reads a later day, and the technical formulas are the stated ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockcaster.features.feature_sets import FEATURE_SETS
from stockcaster.features.panel import panel_features
from stockcaster.features.technical import market, technical


def random_ohlcv(n: int, symbol: str, seed: int) -> pd.DataFrame:
    """Random candles: open, high and low move independently of the close."""
    rng = np.random.default_rng(seed)
    close = 40 * np.exp(np.cumsum(rng.normal(0.0003, 0.015, n)))
    open_ = close * np.exp(rng.normal(0, 0.006, n))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.006, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.006, n)))
    return pd.DataFrame(
        {
            "date": pd.bdate_range("2014-01-02", periods=n),
            "symbol": symbol,
            "open": open_,
            "high": high,
            "low": low,
            "close": close,
            "volume": rng.integers(1_000, 50_000, n).astype(float),
        }
    )


def panel(n: int = 200) -> pd.DataFrame:
    """Three symbols' candles, each with a covariate of its own (for the `columns` set)."""
    tables = [random_ohlcv(n, name, seed) for seed, name in enumerate(["AA", "BB", "CC"])]
    table = pd.concat(tables, ignore_index=True)
    table["covariate:signal"] = np.random.default_rng(5).normal(0, 1, len(table))
    return table


@pytest.mark.parametrize("name", list(FEATURE_SETS))
def test_changing_prices_after_a_day_changes_no_feature_at_or_before_it(name):
    table = panel(420 if name == "factors" else 200)  # factors: a year of warm-up
    days = np.sort(table["date"].unique())
    cutoff, day = days[-80], days[-50]
    before = panel_features(table, cutoff, name)
    changed = table.copy()
    later = changed["date"] > day
    rng = np.random.default_rng(9)
    for column in ("open", "high", "low", "close", "volume", "covariate:signal"):
        changed.loc[later, column] *= rng.uniform(0.5, 1.5, later.sum())
    after = panel_features(changed, cutoff, name)
    upto = (before.dates <= day)[:, None]
    np.testing.assert_array_equal(np.where(upto, before.values, 0), np.where(upto, after.values, 0))
    # The target of a row is the next day's return: known only up to the day before `day`.
    known = before.dates < day
    np.testing.assert_array_equal(before.target[known], after.target[known])
    np.testing.assert_array_equal(before.mean, after.mean)  # statistics: training rows only
    np.testing.assert_array_equal(before.std, after.std)
    assert not np.allclose(before.values[~upto[:, 0]], after.values[~upto[:, 0]], equal_nan=True)


@pytest.mark.parametrize("name", ["returns", "ohlcv", "technical"])
def test_a_symbol_s_own_features_never_read_another_symbol(name):
    table = panel()
    days = np.sort(table["date"].unique())
    changed = table.copy()
    other = changed["symbol"] == "CC"
    changed.loc[other, ["open", "high", "low", "close"]] *= 1.7
    a = panel_features(table, days[120], name)
    b = panel_features(changed, days[120], name)
    mine = a.symbol_id < 2
    np.testing.assert_array_equal(a.values[mine], b.values[mine])


def test_the_market_set_reads_the_other_symbols_of_the_same_day():
    table = panel()
    days = np.sort(table["date"].unique())
    changed = table.copy()
    changed.loc[changed["symbol"] == "CC", "close"] *= np.linspace(1, 2, 200)
    a = panel_features(table, days[120], "market")
    b = panel_features(changed, days[120], "market")
    assert not np.allclose(a.values[a.symbol_id == 0], b.values[b.symbol_id == 0], equal_nan=True)


def test_technical_features_are_the_stated_formulas():
    table = random_ohlcv(200, "AA", 4)
    log_close = np.log(table["close"].to_numpy())
    names = FEATURE_SETS["technical"].features
    values = dict(zip(names, technical(table, log_close), strict=True))
    c, o, h, low, v = (table[k] for k in ("close", "open", "high", "low", "volume"))
    expected = {
        "kmid": (c - o) / o,
        "kup2": (h - np.maximum(o, c)) / (h - low + 1e-12),
        "ksft": (2 * c - h - low) / o,
        "low0": low / c,
        "roc10": c.shift(10) / c,
        "ma20": c.rolling(20).mean() / c,
        "std30": c.rolling(30).std(ddof=0) / c,
        "max60": h.rolling(60).max() / c,
        "min5": low.rolling(5).min() / c,
        "rsv20": (c - low.rolling(20).min()) / (h.rolling(20).max() - low.rolling(20).min()),
        "corr10": c.rolling(10).corr(np.log1p(v)),
        "cntp20": (c > c.shift(1)).astype(float).rolling(20).mean(),
        "vma5": v.rolling(5).mean() / (v + 1),
        "vstd10": v.rolling(10).std(ddof=0) / (v.rolling(10).mean() + 1),
    }
    for name, series in expected.items():
        np.testing.assert_allclose(values[name], series.to_numpy(), rtol=1e-7, err_msg=name)
    # Slope and R-squared of the least-squares line over the last 10 closes, at row 150.
    window = c.to_numpy()[141:151]
    slope, intercept = np.polyfit(np.arange(10), window, 1)
    fitted = intercept + slope * np.arange(10)
    r2 = 1 - ((window - fitted) ** 2).sum() / ((window - window.mean()) ** 2).sum()
    assert values["beta10"][150] == pytest.approx(slope / c[150], rel=1e-7)
    assert values["rsqr10"][150] == pytest.approx(r2, rel=1e-7)


def test_market_features_are_the_stated_formulas():
    table = panel()
    log_close = np.log(table["close"].to_numpy())
    names = FEATURE_SETS["market"].features
    values = dict(zip(names, market(table, log_close), strict=True))
    returns = table.assign(r=np.log(table["close"])).pivot(
        index="date", columns="symbol", values="r"
    )
    returns = returns.diff()
    universe = returns.mean(axis=1)  # equal-weight, that day's symbols
    aa = table["symbol"] == "AA"
    np.testing.assert_allclose(
        values["mkt_ret5"][aa], universe.rolling(5).sum().to_numpy(), rtol=1e-9
    )
    beta = returns["AA"].rolling(20).cov(universe) / universe.rolling(20).var()
    np.testing.assert_allclose(values["mkt_beta20"][aa], beta.to_numpy(), rtol=1e-7)
    rank = returns.rolling(10).sum().rank(axis=1, pct=True)["BB"].to_numpy()
    np.testing.assert_allclose(values["ret_rank10"][(table["symbol"] == "BB")], rank)


def test_technical_warm_up_and_missing_columns():
    table = panel()
    days = np.sort(table["date"].unique())
    features = panel_features(table, days[120], "technical")
    first = features.starts[0]
    assert np.isnan(features.values[first : first + features.warmup]).all()
    assert np.isfinite(features.values[first + features.warmup :][:100]).all()
    ends = features.window_ends(5, "train")
    rows = ends[:, None] - np.arange(5)
    assert np.isfinite(features.values[rows]).all()  # no training window holds a gap
    with pytest.raises(Exception, match="--features technical: expected columns"):
        panel_features(table.drop(columns=["volume"]), days[120], "technical")


def test_cross_section_normalisation_reads_only_each_day_s_values():
    table = panel()
    days = np.sort(table["date"].unique())
    a = panel_features(table, days[120], "technical", normalise="cross-section")
    for day in days[[70, 130]]:
        rows = a.dates == day
        np.testing.assert_allclose(a.values[rows].mean(axis=0), 0, atol=1e-5)
    changed = table.copy()
    changed.loc[changed["date"] > days[150], ["open", "high", "low", "close"]] *= 1.4
    b = panel_features(changed, days[120], "technical", normalise="cross-section")
    upto = a.dates <= days[150]
    np.testing.assert_array_equal(a.values[upto], b.values[upto])
    plain = panel_features(table, days[120], "technical")
    np.testing.assert_array_equal(a.target, plain.target)  # the labels stay the symbol's
