"""The global model's features, windows and forecasts: per-symbol scaling, no look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import ohlcv, tiny_global
from stockcaster.features.panel import panel_features
from stockcaster.models.global_model import (
    datasets,
    forecast_test_days,
    train_global,
)
from stockcaster.training.panel_dataset import WindowDataset


def toy_universe(n: int = 120) -> pd.DataFrame:
    """Three symbols; C starts 20 days later than A and B."""
    c = ohlcv(n - 20, "C", 2)
    c["date"] = pd.bdate_range("2015-01-02", periods=n)[20:]
    table = pd.concat([ohlcv(n, "A", 0), ohlcv(n, "B", 1), c], ignore_index=True)
    return table.sort_values(["symbol", "date"], ignore_index=True)


def cutoff_of(table: pd.DataFrame) -> np.datetime64:
    return np.sort(table["date"].unique())[89]


def test_each_symbol_is_scaled_by_its_own_training_rows_only():
    table = toy_universe()
    cutoff = cutoff_of(table)
    features = panel_features(table, cutoff, "ohlcv")
    # By hand: B's log-returns on its rows up to the cutoff (its first row has none).
    b = table[(table["symbol"] == "B") & (table["date"] <= cutoff)]["close"].to_numpy()
    returns = np.diff(np.log(b))
    i = features.symbols.index("B")
    assert features.mean[i, 0] == pytest.approx(returns.mean())
    assert features.std[i, 0] == pytest.approx(returns.std())

    # B's later prices, and all of A's, do not move B's statistics; C's are its own too.
    changed = table.copy()
    later_b = (changed["symbol"] == "B") & (changed["date"] > cutoff)
    changed.loc[later_b, ["open", "high", "low", "close"]] *= 3.0
    changed.loc[changed["symbol"] == "A", ["open", "high", "low", "close"]] *= 0.5
    changed.loc[changed["symbol"] == "A", "volume"] *= 7
    again = panel_features(changed, cutoff, "ohlcv")
    for name in ("B", "C"):
        j = features.symbols.index(name)
        np.testing.assert_allclose(again.mean[j], features.mean[j])
        np.testing.assert_allclose(again.std[j], features.std[j])
    # ...and the check could fail: B's own training prices do move them.
    earlier_b = (changed["symbol"] == "B") & (changed["date"] <= cutoff)
    changed.loc[earlier_b.to_numpy().nonzero()[0][::2], "close"] *= 1.05
    assert not np.allclose(panel_features(changed, cutoff, "ohlcv").std[i], features.std[i])


def test_windows_are_gathered_within_one_symbol_and_end_before_their_target():
    table = toy_universe()
    cutoff = cutoff_of(table)
    features = panel_features(table, cutoff, "returns")
    lookback = 5
    train = features.window_ends(lookback, "train")
    test = features.window_ends(lookback, "test")
    for ends in (train, test):
        window_symbols = features.symbol_id[ends[:, None] + np.arange(1 - lookback, 2)]
        assert (window_symbols == window_symbols[:, :1]).all()  # window and target: one symbol
        assert np.isfinite(features.values[ends[:, None] + np.arange(1 - lookback, 1)]).all()
    assert (features.dates[train + 1] <= cutoff).all()
    assert (features.dates[test + 1] > cutoff).all()
    # Every test day of every symbol is forecast exactly once.
    expected = int((table["date"] > cutoff).sum())
    assert len(test) == expected

    data = WindowDataset(features, train[:7], lookback, batch_size=4)
    window, target = data[1]  # windows 4..6
    for row, end in enumerate(train[4:7]):
        np.testing.assert_array_equal(window[row, :, 0], features.values[end - 4 : end + 1, 0])
        assert target[row, 0] == features.values[end + 1, 0]


def tiny_config(embedding_dim: int = 0):
    return tiny_global(epochs=2, embedding_dim=embedding_dim)


@pytest.mark.parametrize("embedding_dim", [0, 3])
def test_changing_later_prices_changes_no_earlier_forecast(embedding_dim):
    table = toy_universe()
    cutoff = cutoff_of(table)
    config = tiny_config(embedding_dim)
    before = forecast_test_days(train_global(table, cutoff, config), config)
    changed = table.copy()
    day = np.sort(table["date"].unique())[105]
    changed.loc[changed["date"] > day, ["open", "high", "low", "close"]] *= 1.8
    after = forecast_test_days(train_global(changed, cutoff, config), config)
    early = before["date"] <= day  # forecasts made from windows ending before `day`
    assert early.sum() > 20 and (~early).sum() > 20
    pd.testing.assert_frame_equal(before[early], after[early])
    assert not np.allclose(before.loc[~early, "yhat"], after.loc[~early, "yhat"])


def test_validation_windows_are_the_last_training_days():
    table = toy_universe()
    features = panel_features(table, cutoff_of(table), "returns")
    fit, validation = datasets(features, tiny_config())
    assert features.dates[fit.ends + 1].max() < features.dates[validation.ends + 1].min()
    assert len(validation.ends) > 0
