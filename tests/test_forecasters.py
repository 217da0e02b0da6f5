"""The contract test run over every registry entry, and the walk-forward's no-look-ahead proof.

As scikit-learn's estimator checks and Darts' model tests do: one battery of checks over
every model the registry knows, so a new entry is tested the moment it is registered.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd
import pytest

from conftest import ohlcv, random_walk, tiny_forecast_preset, tiny_global
from stockcaster.evaluation.backtest import BacktestConfig, walk_forward
from stockcaster.models.base import (
    ClosedForm,
    Forecaster,
    NotFittedError,
    OneStepPath,
    PanelForecaster,
    QuantileForecaster,
    Saveable,
)
from stockcaster.models.families import (
    NEURAL,
    MLPSettings,
    SeedSettings,
    TCNSettings,
    TransformerSettings,
)
from stockcaster.models.presets import load_preset
from stockcaster.models.registry import MODELS, Capability, ModelOptions, forecaster_factory


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


def tiny_options(quantiles: bool = False, tmp_path=None) -> ModelOptions:
    preset = load_preset(tiny_forecast_preset(tmp_path)) if quantiles else tiny_preset()
    panel = tiny_global()
    # Each family's own settings at their smallest: the seed's network at 4 units instead
    # of the post's 256, one block of the others (the same layers, a third to a half of
    # the operations an eager training step runs).
    own = (
        ("seed", SeedSettings(units=4, dense=4)),
        ("tcn", TCNSettings(width=4, blocks=1)),
        ("transformer", TransformerSettings(width=4, blocks=1, heads=1)),
        ("mlp", MLPSettings(width=8, blocks=1)),
    )
    return ModelOptions(preset=preset, global_model=panel, settings=own)


def series(n: int = 160, seed: int = 3) -> pd.Series:
    return pd.Series(random_walk(n, seed), index=pd.bdate_range("2016-01-04", periods=n))


def entries(capability: Capability | None = None):
    return [
        pytest.param(name, marks=pytest.mark.skipif(not spec.installed(), reason="extra"))
        for name, spec in MODELS.items()
        if capability is None or capability in spec.capabilities
    ]


_FITTED: dict[str, Forecaster] = {}


def fitted(name: str) -> Forecaster:
    """Model `name` fitted on the first 120 days of `series()`: trained once per process and
    shared by the tests that only read it (the contract and the one-step path)."""
    if name not in _FITTED:
        model = forecaster_factory(name, tiny_options())()
        model.fit(series().iloc[:120])
        _FITTED[name] = model
    return _FITTED[name]


@pytest.mark.parametrize("name", entries())
def test_forecaster_contract(name):
    history = series()
    make = forecaster_factory(name, tiny_options())
    fresh = make()
    assert isinstance(fresh, Forecaster) and fresh.name == name
    with pytest.raises(NotFittedError):
        fresh.predict(history.iloc[:120], 1)  # forecasting before fit is refused clearly
    train = history.iloc[:120]
    before = history.copy()
    model = fitted(name)  # `fresh`, fitted on `train` (shared with the one-step test)
    assert type(model) is type(fresh)
    # Forecast from a later origin without refitting.
    later = history.iloc[:140]
    yhat = model.predict(later, 3)
    assert yhat.shape == (3,) and yhat.dtype == np.float64 and np.isfinite(yhat).all()
    assert np.all(np.abs(yhat / later.iloc[-1] - 1) < 0.5)  # a daily-price forecast, in range
    # Fresh instances, fitted on the same window, agree: forecasts are reproducible.
    again = make()
    again.fit(train)
    np.testing.assert_allclose(again.predict(later, 3), yhat, rtol=1e-6)
    pd.testing.assert_series_equal(history, before)  # fit and predict left the history as is
    # A second fit on other data works.
    other = series(160, seed=11) * 3
    again.fit(other.iloc[:120])
    refit = again.predict(other.iloc[:130], 2)
    assert np.isfinite(refit).all() and np.all(np.abs(refit / other.iloc[129] - 1) < 0.5)
    # The capabilities the entry reads from its forecaster class are the protocols the
    # model it builds keeps.
    spec = MODELS[name]
    assert type(model) is spec.forecaster
    assert isinstance(model, OneStepPath) == (Capability.ONE_STEP_PATH in spec.capabilities)
    assert isinstance(model, ClosedForm) == (Capability.CLOSED_FORM in spec.capabilities)
    assert isinstance(model, Saveable) == (Capability.BUNDLE in spec.capabilities)
    has_quantiles = callable(getattr(model, "predict_quantiles", None))
    assert has_quantiles == (Capability.QUANTILES in spec.capabilities)
    assert (spec.make_panel is not None) == (Capability.PANEL in spec.capabilities)


@pytest.mark.parametrize("name", entries(Capability.QUANTILES))
def test_quantiles_come_out_ordered(name, tmp_path):
    model = forecaster_factory(name, tiny_options(quantiles=True, tmp_path=tmp_path))()
    assert isinstance(model, QuantileForecaster) and model.quantiles
    history = series()
    model.fit(history.iloc[:120])
    paths = model.predict_quantiles(history.iloc[:140], 3)  # [horizon, quantiles]
    assert paths.shape == (3, len(model.quantiles))
    assert np.all(np.diff(paths, axis=1) >= 0)


@pytest.mark.parametrize("name", entries(Capability.ONE_STEP_PATH))
def test_the_one_step_path_equals_the_origin_loop(name):
    history = series(220)  # its first 160 days are `series()`
    model = fitted(name)  # on days 0-119; forecasting from later origins needs no refit
    path = model.one_step_path(history, 149)  # forecasts of days 150 ..
    loop = [model.predict(history.iloc[:day], 1)[0] for day in range(150, 220)]
    np.testing.assert_allclose(path, loop, rtol=1e-5)


def test_a_direct_quantile_head_s_one_step_path_equals_the_origin_loop(tmp_path):
    history = series(220)
    model = forecaster_factory("lstm", tiny_options(quantiles=True, tmp_path=tmp_path))()
    model.fit(history.iloc[:150])
    path = model.one_step_path(history, 149)  # the median's first step, from each day
    loop = [model.predict(history.iloc[:day], 1)[0] for day in range(150, 220)]
    np.testing.assert_allclose(path, loop, rtol=1e-5)


@pytest.mark.parametrize("name", entries(Capability.CLOSED_FORM))
def test_closed_form_paths_equal_the_origin_loop_at_every_horizon(name):
    history = series(220)
    model = forecaster_factory(name, tiny_options())()
    with pytest.raises(NotFittedError):
        model.forecast_paths(history.to_numpy(), np.array([150]), 1)
    model.fit(history.iloc[:150])
    origins = np.arange(149, 219, 3)
    paths = model.forecast_paths(history.to_numpy(), origins, 4)  # [origins, horizon]
    loop = np.stack([model.predict(history.iloc[: o + 1], 4) for o in origins])
    np.testing.assert_array_equal(paths, loop)
    # A refit on another window changes nothing: the formula reads only the closes.
    model.fit(history.iloc[100:130])
    np.testing.assert_array_equal(model.forecast_paths(history.to_numpy(), origins, 4), paths)


def panel(n: int = 120, scale: float = 1.0) -> pd.DataFrame:
    tables = [ohlcv(n, name, seed) for seed, name in enumerate(["AA", "BB", "CC"])]
    table = pd.concat(tables, ignore_index=True)
    table[["open", "high", "low", "close"]] *= scale
    return table.sort_values(["symbol", "date"], ignore_index=True)


@pytest.mark.parametrize("name", entries(Capability.PANEL))
def test_panel_form_contract(name):
    make = MODELS[name].make_panel
    table = panel()
    days = np.sort(table["date"].unique())
    cutoff = days[89]
    model = make(tiny_options())
    assert isinstance(model, PanelForecaster)
    with pytest.raises(NotFittedError):
        model.predict_after(table)
    before = table.copy()
    model.fit(table, cutoff)
    forecasts = model.predict_after(table)
    pd.testing.assert_frame_equal(table, before)  # its input is not modified
    assert len(forecasts) == 3 * 30 and np.isfinite(forecasts["yhat"]).all()
    # The one pass equals forecasting from each origin in turn (data up to that day only).
    for day in days[[90, 100, 119]]:
        upto = table[table["date"] <= day].reset_index(drop=True)
        one = model.predict_after(upto).query("date == @day").reset_index(drop=True)
        all_ = forecasts.query("date == @day").reset_index(drop=True)
        pd.testing.assert_frame_equal(one, all_, rtol=1e-5)
    # Changing prices after a day changes no forecast of that day or before, but later ones.
    changed = table.copy()
    day = days[104]
    changed.loc[changed["date"] > day, ["open", "high", "low", "close"]] *= 1.8
    after = model.predict_after(changed)
    early = forecasts["date"] <= day
    pd.testing.assert_frame_equal(forecasts[early], after[early])
    assert not np.allclose(forecasts.loc[~early, "yhat"], after.loc[~early, "yhat"])
    # A second fit on other data works.
    other = make(tiny_options())
    other.fit(panel(scale=2.0), cutoff)
    assert np.isfinite(other.predict_after(panel(scale=2.0))["yhat"]).all()


def test_naive_forecasts_the_origin_close_at_every_step():
    model = forecaster_factory("naive", tiny_options())()
    history = series()
    model.fit(history.iloc[:100])
    assert model.predict(history.iloc[:130], 4).tolist() == [history.iloc[129]] * 4


def test_moving_average_is_the_mean_of_the_last_window():
    model = forecaster_factory("ma", ModelOptions(tiny_preset(), ma_window=3))()
    history = series()
    model.fit(history.iloc[:100])
    assert model.predict(history.iloc[:130], 1)[0] == pytest.approx(history.iloc[127:130].mean())


@pytest.mark.parametrize("name", entries())
def test_changing_prices_after_an_origin_changes_no_forecast_made_at_or_before_it(name):
    prices = series(150)
    # Refits (2 fits) and 2-step recursive forecasts for every model but the networks other
    # than lstm: their refit and recursion are the same code as lstm's (`neural.py`), and
    # each costs seconds; they are fitted once and walked one step ahead, through the
    # batched path (`one_step_path`) every one-step walk of theirs takes.
    neural = name in NEURAL and name != "lstm"
    config = BacktestConfig(horizon=1 if neural else 2, retrain_every=0 if neural else 25,
                            test_fraction=0.3)  # fmt: skip
    make = forecaster_factory(name, tiny_options())
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
    fast = walk_forward(prices, "X", forecaster_factory("arima", tiny_options()), config)

    class OriginLoop:  # the same model, without the one-pass path
        name = "arima"

        def __init__(self):
            self.inner = forecaster_factory("arima", tiny_options())()

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
    make = forecaster_factory("arima", tiny_options())
    cut = prices.index[190]
    changed = prices.copy()
    changed[changed.index > cut] *= 1.7
    before = walk_forward(prices, "X", make, config).forecasts
    after = walk_forward(changed, "X", make, config).forecasts
    early = before["date"] <= cut  # forecasts of days up to the cut read closes before it
    pd.testing.assert_series_equal(before[early]["yhat"], after[early]["yhat"])
    assert not np.allclose(before[~early]["yhat"], after[~early]["yhat"])


@pytest.mark.skipif(not MODELS["prophet"].installed(), reason="extra")
def test_prophet_forecasts_the_exchange_sessions_across_a_holiday(capfd, monkeypatch):
    """From Christmas Eve 2015 the next NYSE sessions are Dec 28 and 29, not Dec 25 (a
    holiday) and Dec 28, which business days would give. Its fits print nothing, even the
    first of a process (where cmdstanpy sets up its logger, at INFO)."""
    from cmdstanpy.utils import get_logger

    for name in ("cmdstanpy", None):  # pytest's own handler on the root logger, too
        monkeypatch.setattr(logging.getLogger(name), "handlers", [])
    get_logger.cache_clear()  # as in a process that has not fitted Prophet yet
    history = pd.Series(random_walk(200, 5), index=pd.bdate_range(end="2015-12-24", periods=200))
    model = forecaster_factory("prophet", tiny_options())()
    model.fit(history)
    assert "cmdstanpy" not in capfd.readouterr().err
    yhat = model.predict(history, 2)
    sessions = pd.DataFrame({"ds": pd.to_datetime(["2015-12-28", "2015-12-29"])})
    expected = model._model.predict(sessions)["yhat"].to_numpy()
    np.testing.assert_allclose(yhat, expected)
    business = pd.DataFrame({"ds": pd.to_datetime(["2015-12-25", "2015-12-28"])})
    assert not np.allclose(yhat, model._model.predict(business)["yhat"].to_numpy())


@pytest.mark.skipif(not MODELS["prophet"].installed(), reason="extra")
def test_prophet_forecasts_a_series_of_every_day_one_day_at_a_time():
    """Prices that trade every day (weekends too) are scored on the next days, Saturday and
    Sunday among them: Prophet forecasts those, not the next NYSE sessions."""
    history = pd.Series(random_walk(200, 5), index=pd.date_range(end="2015-12-24", periods=200))
    model = forecaster_factory("prophet", tiny_options())()
    model.fit(history)
    yhat = model.predict(history, 3)
    days = pd.DataFrame({"ds": pd.to_datetime(["2015-12-25", "2015-12-26", "2015-12-27"])})
    np.testing.assert_allclose(yhat, model._model.predict(days)["yhat"].to_numpy())
