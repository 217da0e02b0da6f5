"""The closed-form baselines: statsforecast's numbers, from every origin at once.

naive, drift and the moving average are NumPy formulas (`models/baselines.py` says why);
statsforecast's `Naive`, `RandomWalkWithDrift` and `WindowAverage` are the reference they
must equal, origin by origin and step by step, and the walk-forward's one-array pass must
give the forecast table the origin loop gives.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import ohlcv, random_walk
from stockcaster.evaluation.backtest import BacktestConfig, walk_forward
from stockcaster.evaluation.symbol_work import (
    PanelArrays,
    SymbolJob,
    evaluate_symbol,
    evaluate_symbols,
)
from stockcaster.models import baselines


def statsforecast_reference(name: str):
    from statsforecast.models import Naive, RandomWalkWithDrift, WindowAverage

    return {
        "naive": Naive,
        "drift": RandomWalkWithDrift,
        "ma": lambda: WindowAverage(window_size=5),
        "ma12": lambda: WindowAverage(window_size=12),
    }[name]()


def closed_form(name: str):
    return {
        "naive": baselines.naive,
        "drift": baselines.drift,
        "ma": baselines.moving_average,
        "ma12": lambda: baselines.moving_average(12),
    }[name]()


@pytest.mark.parametrize("name", ["naive", "drift", "ma", "ma12"])
def test_every_origin_and_step_equals_statsforecast(name):
    values = random_walk(300, seed=5)
    model = closed_form(name)
    model.fit(pd.Series(values[:100]))
    origins = np.arange(1, 299)
    paths = model.forecast_paths(values, origins, 5)  # [origins, horizon]
    reference = statsforecast_reference(name)
    expected = np.stack([reference.forecast(y=values[: o + 1], h=5)["mean"] for o in origins])
    np.testing.assert_array_equal(paths, expected)  # the same numbers, to the last bit


def test_a_window_longer_than_the_history_is_nan_as_in_statsforecast():
    values = random_walk(30, seed=1)
    model = baselines.moving_average(12)
    model.fit(pd.Series(values))
    paths = model.forecast_paths(values, np.array([0, 10, 11, 29]), 2)
    assert np.isnan(paths[:2]).all() and np.isfinite(paths[2:]).all()
    assert np.isnan(statsforecast_reference("ma12").forecast(y=values[:11], h=2)["mean"]).all()
    short = baselines.moving_average(40)
    short.fit(pd.Series(values))
    assert np.isnan(short.forecast_paths(values, np.array([29]), 1)).all()


class OriginByOrigin:
    """A closed form hidden behind the bare contract, so the walk takes its origin loop."""

    def __init__(self, model):
        self._model = model
        self.name = model.name

    def fit(self, history):
        self._model.fit(history)

    def predict(self, history, horizon):
        return self._model.predict(history, horizon)


@pytest.mark.parametrize("name", ["naive", "drift", "ma"])
@pytest.mark.parametrize(
    "config",
    [
        BacktestConfig(),
        BacktestConfig(horizon=4, step=3, retrain_every=5, window="sliding"),
        BacktestConfig(retrain_every=0),
    ],
    ids=["h1-refit21", "h4-step3-sliding", "fit-once"],
)
def test_the_one_array_walk_equals_the_origin_loop(name, config):
    series = pd.Series(random_walk(260, seed=2), index=pd.bdate_range("2016-01-04", periods=260))
    fast = walk_forward(series, "AA", lambda: closed_form(name), config)
    loop = walk_forward(series, "AA", lambda: OriginByOrigin(closed_form(name)), config)
    pd.testing.assert_frame_equal(fast.forecasts, loop.forecasts)
    assert fast.failures.empty and loop.failures.empty and fast.train_size == loop.train_size
    ticks = []
    walk_forward(series, "AA", lambda: closed_form(name), config, advance=lambda: ticks.append(1))
    assert len(ticks) == len(range(fast.train_size - 1, len(series) - 1, config.step))


def test_symbols_scored_in_one_batch_get_the_records_they_get_alone():
    """The grouped pass pads every (symbol, model) to the longest: padding must not leak.
    Symbols of unequal lengths (one ends early, one starts late, one too short), a model
    with too short a window to forecast some days, a symbol flat on its test days whose naive
    MSE is 0, and one flat up to the cutoff (skipped: nothing to learn its scale from)."""
    tables = [ohlcv(200, "AA", 1), ohlcv(200, "BB", 2).iloc[:150], ohlcv(200, "CC", 3).iloc[60:]]
    still = ohlcv(200, "EE", 5)
    still.loc[still["date"] >= "2015-06-30", "close"] = 10.0  # from the cutoff day on
    tables += [ohlcv(200, "DD", 4).iloc[:20], still, ohlcv(200, "FF", 6).assign(close=10.0)]
    prices = pd.concat(tables, ignore_index=True)[["date", "symbol", "close"]]
    panel = PanelArrays.from_prices(prices.sort_values(["symbol", "date"], ignore_index=True))
    job = SymbolJob(cutoff=np.datetime64("2015-06-30"), models=("naive", "drift", "ma"))
    symbols = ["AA", "BB", "CC", "DD", "EE", "FF"]
    batch = evaluate_symbols(panel, job, symbols)
    assert [r.status for r in batch] == ["done", "done", "done", "skipped", "done", "skipped"]
    assert batch[4].metrics.set_index("model").loc["naive", "mse"] == 0
    alone_each = [evaluate_symbol(panel, job, s) for s in symbols]
    for together, alone in zip(batch, alone_each, strict=True):
        assert (together.symbol, together.status, together.reason) == (
            alone.symbol, alone.status, alone.reason,
        )  # fmt: skip
        for part in ("forecasts", "metrics", "failures"):
            ours, theirs = getattr(together, part), getattr(alone, part)
            if theirs is None:
                assert ours is None
                continue
            pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-12)
    scores = batch[0].metrics.set_index("model")
    assert scores.loc["naive", "mse_ratio"] == 1.0 and scores.loc["drift", "n"] == len(
        batch[0].forecasts.query("model == 'drift'")
    )
