"""A fitted global model's held-out windows, for `explain`: what it saw, and how it forecasts.

The held-out windows are the model's own validation windows: the last training days, kept
out of its fit (the early-stopping days), before the test period. A window is `[lags,
features]`, its features the feature set's columns on the panel, oldest row first; the
forecast is the model's standardised return of the next day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.features.feature_sets import feature_set_spec
from stockcaster.features.panel import panel_features
from stockcaster.models.global_forecast import point_and_band
from stockcaster.models.global_model import GlobalNetwork, training_ends
from stockcaster.models.presets import RunConfig
from stockcaster.models.tabular import GlobalTabular, flat_windows


@dataclass(frozen=True)
class HeldOut:
    """A fitted global model's validation windows and how it forecasts them.

    Attributes:
        x: `[windows, lags, features]` inputs.
        y: `[windows]` targets (the next day's standardised return).
        names: the features, in the last axis' order.
        predict: `x -> [windows]` forecasts.
        regressor: a tabular model's regressor (it reads the windows flattened, oldest
            row first), for SHAP; None for a network.
    """

    x: np.ndarray
    y: np.ndarray
    names: tuple[str, ...]
    predict: Callable[[np.ndarray], np.ndarray]
    regressor: object | None = None

    def flat(self, x: np.ndarray | None = None) -> np.ndarray:
        """The windows as a tabular model reads them: `[windows, lags * features]`."""
        x = self.x if x is None else x
        return x.reshape(len(x), -1)


def held_out(model, prices: pd.DataFrame) -> HeldOut:
    """The validation windows of a fitted global model (tabular or network).

    Raises:
        TypeError: a model that is neither.
    """
    config = model.config
    features = model.fitted.features
    names = feature_set_spec(config.features.inputs).feature_names(prices)
    lags = model.lags if isinstance(model, GlobalTabular) else config.features.lookback
    _, ends = training_ends(features, lags, config.features.validation)
    x = flat_windows(features, ends, lags).reshape(len(ends), lags, -1).astype("float32")
    y = features.target[ends].astype("float64")
    if isinstance(model, GlobalTabular):
        regressor = model.fitted.regressor
        return HeldOut(x, y, names, lambda w: regressor.predict(w.reshape(len(w), -1)), regressor)
    if isinstance(model, GlobalNetwork):
        return HeldOut(
            x, y, names, _network(model.fitted.network, config, features.symbol_id[ends])
        )
    raise TypeError(f"expected a global tabular model or network, received {type(model)}")


def bundle_held_out(network, config: RunConfig, scales: dict, prices: pd.DataFrame, cutoff):
    """The validation windows of a universe bundle's network on `prices` (the bundle's
    symbols, up to its last training day `cutoff`), scaled with the bundle's statistics."""
    symbols = tuple(scales["symbols"])
    given = config.features
    features = panel_features(
        prices[prices[C.SYMBOL].isin(symbols)], cutoff, given.inputs, given.center_returns,
        scale=(symbols, scales["mean"], scales["std"], tuple(scales["moments"])),
        target=given.target, normalise=given.normalise,
        horizon=given.horizon,
    )  # fmt: skip
    _, ends = training_ends(features, given.lookback, given.validation)
    x = flat_windows(features, ends, given.lookback).reshape(len(ends), given.lookback, -1)
    x = x.astype("float32")
    names = feature_set_spec(given.inputs).feature_names(prices)
    predict = _network(network, config, features.symbol_id[ends])
    return HeldOut(x, features.target[ends].astype("float64"), names, predict)


def _network(network, config: RunConfig, ids: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A network's point forecasts of windows (with their symbols, for an embedding)."""
    embedded = config.model.embedding_dim > 0

    def predict(w: np.ndarray) -> np.ndarray:
        out = network.predict([w, ids] if embedded else w, batch_size=4096, verbose=0)
        return point_and_band(out, config.model.quantiles)[0]

    return predict
