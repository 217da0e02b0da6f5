"""One contract test run over every forecaster, and the walk-forward's no-look-ahead proof."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from conftest import random_walk
from stockcaster.backtest import MODEL_NAMES, forecaster_factory, installed_models
from stockcaster.config import load_preset
from stockcaster.evaluation.backtest import BacktestConfig, walk_forward
from stockcaster.models.base import Forecaster


def tiny_preset():
    """The default preset with a small window, 4 units and 1 epoch: fast, same code path."""
    preset = load_preset("default")
    return dataclasses.replace(
        preset,
        features=dataclasses.replace(preset.features, lookback=5),
        model=dataclasses.replace(
            preset.model, recurrent=(dataclasses.replace(preset.model.recurrent[0], units=4),)
        ),
        training=dataclasses.replace(preset.training, epochs=1),
    )


def series(n: int = 160, seed: int = 3) -> pd.Series:
    return pd.Series(random_walk(n, seed), index=pd.bdate_range("2016-01-04", periods=n))


MODELS = [
    pytest.param(name, marks=pytest.mark.skipif(name not in installed_models(), reason="extra"))
    for name in MODEL_NAMES
]


@pytest.mark.parametrize("name", MODELS)
def test_forecaster_contract(name):
    history = series()
    make = forecaster_factory(name, tiny_preset())
    model = make()
    assert isinstance(model, Forecaster) and model.name == name
    train = history.iloc[:120]
    before = history.copy()
    model.fit(train)
    # Forecast from a later origin without refitting.
    later = history.iloc[:140]
    yhat = model.predict(later, 3)
    assert yhat.shape == (3,) and yhat.dtype == np.float64 and np.isfinite(yhat).all()
    assert np.all(np.abs(yhat / later.iloc[-1] - 1) < 0.5)  # a daily-price forecast, in range
    pd.testing.assert_series_equal(history, before)  # the history is not modified
    # Fresh instances, fitted on the same window, agree: forecasts are reproducible.
    again = make()
    again.fit(train)
    np.testing.assert_allclose(again.predict(later, 3), yhat, rtol=1e-6)


def test_naive_forecasts_the_origin_close_at_every_step():
    model = forecaster_factory("naive", tiny_preset())()
    history = series()
    model.fit(history.iloc[:100])
    assert model.predict(history.iloc[:130], 4).tolist() == [history.iloc[129]] * 4


def test_moving_average_is_the_mean_of_the_last_window():
    model = forecaster_factory("ma", tiny_preset(), ma_window=3)()
    history = series()
    model.fit(history.iloc[:100])
    assert model.predict(history.iloc[:130], 1)[0] == pytest.approx(history.iloc[127:130].mean())


@pytest.mark.parametrize("name", ["naive", "drift", "ma", "arima", "lstm"])
def test_changing_prices_after_an_origin_changes_no_forecast_made_at_or_before_it(name):
    prices = series(150)
    config = BacktestConfig(horizon=2, retrain_every=7, test_fraction=0.3)
    make = forecaster_factory(name, tiny_preset())
    cut = prices.index[125]
    changed = prices.copy()
    changed[changed.index > cut] *= np.linspace(1.5, 3.0, int((changed.index > cut).sum()))

    before = walk_forward(prices, "X", make, config).forecasts
    after = walk_forward(changed, "X", make, config).forecasts
    early = before["origin"] <= cut
    assert early.sum() > 10 and (~early).sum() > 10
    pd.testing.assert_frame_equal(
        before[early].drop(columns="actual"), after[after["origin"] <= cut].drop(columns="actual")
    )
    # ...and the later forecasts do change, so the comparison above could fail.
    assert not np.allclose(before[~early]["yhat"], after[~early]["yhat"])


class Flaky:
    """Fails to fit on one window; fine otherwise."""

    name = "flaky"

    def __init__(self):
        self.fits = 0

    def fit(self, history):
        self.fits += 1
        if self.fits == 2:
            raise ValueError("singular matrix")

    def predict(self, history, horizon):
        return np.repeat(history.iloc[-1], horizon)


def test_a_model_that_fails_on_one_window_is_recorded_and_the_rest_completes():
    prices = series(150)
    result = walk_forward(prices, "X", Flaky, BacktestConfig(retrain_every=10, test_fraction=0.3))
    assert result.failures[["stage", "error"]].values.tolist() == [
        ["fit", "ValueError: singular matrix"]
    ]
    # 45 test days; the 10 origins of the failed window have no forecast.
    assert len(result.forecasts) == 45 - 10


def test_arima_one_pass_gives_the_forecasts_of_the_origin_loop():
    prices = series(220)
    config = BacktestConfig(retrain_every=0, test_fraction=0.3)
    fast = walk_forward(prices, "X", forecaster_factory("arima", tiny_preset()), config)

    class OriginLoop:  # the same model, without the one-pass path
        name = "arima"

        def __init__(self):
            self.inner = forecaster_factory("arima", tiny_preset())()

        def fit(self, history):
            self.inner.fit(history)

        def predict(self, history, horizon):
            return self.inner.predict(history, horizon)

    slow = walk_forward(prices, "X", OriginLoop, config)
    assert len(fast.forecasts) == len(slow.forecasts) == 66
    pd.testing.assert_frame_equal(
        fast.forecasts.drop(columns="yhat"), slow.forecasts.drop(columns="yhat"), check_dtype=False
    )
    np.testing.assert_allclose(fast.forecasts["yhat"], slow.forecasts["yhat"], rtol=1e-5)


def test_arima_one_pass_never_reads_a_later_close():
    prices = series(220)
    config = BacktestConfig(retrain_every=0, test_fraction=0.3)
    make = forecaster_factory("arima", tiny_preset())
    cut = prices.index[190]
    changed = prices.copy()
    changed[changed.index > cut] *= 1.7
    before = walk_forward(prices, "X", make, config).forecasts
    after = walk_forward(changed, "X", make, config).forecasts
    early = before["date"] <= cut  # forecasts of days up to the cut read closes before it
    pd.testing.assert_series_equal(before[early]["yhat"], after[early]["yhat"])
    assert not np.allclose(before[~early]["yhat"], after[~early]["yhat"])
