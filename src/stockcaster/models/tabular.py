"""Tabular models on the networks' features, flattened: ridge regression and LightGBM.

They read exactly the windows the networks read (the same pipeline, fitted on the same
training rows), flattened to one row of numbers per window, and forecast the same scaled
next log-return. Per symbol, h steps are forecast recursively; for a universe, one model
is fitted on every symbol's windows (`GlobalTabular`), refitted from scratch at each cutoff.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster.features import FeatureConfig, FeaturePipeline, Split
from stockcaster.features.feature_sets import FEATURE_SETS
from stockcaster.features.panel import PanelFeatures
from stockcaster.models.base import NotFittedError
from stockcaster.models.config import TabularConfig
from stockcaster.models.global_model import (
    known_features,
    learned_features,
    training_ends,
)
from stockcaster.models.presets import RunConfig, load_preset

RIDGE_ALPHA = 1.0  # on standardised inputs; sklearn's default
# LightGBM: shallow trees, slow learning and row/feature subsampling, as for noisy returns;
# at most 300 rounds, stopped after 30 without gain on the validation days (universe).
LIGHTGBM = {
    "n_estimators": 300,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_child_samples": 100,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "verbose": -1,
}
LIGHTGBM_SMALL = {**LIGHTGBM, "n_estimators": 100, "num_leaves": 7, "min_child_samples": 20}
EARLY_STOP_ROUNDS = 30

Regressor = Callable[[int, bool, TabularConfig], object]
"""`(seed, large, settings) -> an unfitted scikit-learn-style regressor`."""
# TabularConfig's names for LightGBM's (a search space names what a setting means).
_LIGHTGBM_NAMES = {
    "num_leaves": "num_leaves",
    "max_depth": "max_depth",
    "learning_rate": "learning_rate",
    "feature_fraction": "colsample_bytree",
    "rounds": "n_estimators",
}


def ridge(seed: int, large: bool, settings: TabularConfig):
    # Delayed import: scikit-learn's linear models, only when this model is used.
    from sklearn.linear_model import Ridge

    return Ridge(alpha=RIDGE_ALPHA if settings.alpha is None else settings.alpha)


def lightgbm(seed: int, large: bool, settings: TabularConfig):
    # Delayed import: LightGBM is an optional extra, imported only when this model is used.
    from lightgbm import LGBMRegressor

    chosen = {theirs: getattr(settings, ours) for ours, theirs in _LIGHTGBM_NAMES.items()}
    params = {**(LIGHTGBM if large else LIGHTGBM_SMALL)}
    params.update({k: v for k, v in chosen.items() if v is not None})
    return LGBMRegressor(random_state=seed, **params)


REGRESSORS: dict[str, Regressor] = {"linear": ridge, "lightgbm": lightgbm}


def fit_regressor(regressor, x: np.ndarray, y: np.ndarray, validation: tuple | None) -> None:
    """Fit; LightGBM also stops early on the validation windows when it has them."""
    if validation is not None and _is_lightgbm(regressor):
        # Delayed import: LightGBM's callback, only for a LightGBM model.
        from lightgbm import early_stopping

        stop = early_stopping(EARLY_STOP_ROUNDS, verbose=False)
        regressor.fit(x, y, eval_X=(validation[0],), eval_y=(validation[1],), callbacks=[stop])
        return
    if validation is not None:
        x, y = np.concatenate([x, validation[0]]), np.concatenate([y, validation[1]])
    regressor.fit(x, y)


def _is_lightgbm(regressor) -> bool:
    return type(regressor).__module__.startswith("lightgbm")


class TabularForecaster:
    """A tabular model per symbol: the networks' lag windows, flattened, one step at a time.

    Args:
        name: "linear" or "lightgbm".
        features: the preset's features (target, scaler, lookback).
        seed: the regressor's seed.
        settings: the regressor's settings (None: its defaults).
    """

    def __init__(
        self,
        name: str,
        features: FeatureConfig,
        seed: int = 42,
        settings: TabularConfig | None = None,
    ):
        self.name = name
        self.features = features
        self.seed = seed
        self.settings = settings or TabularConfig()
        self.regressor = None
        self.pipeline: FeaturePipeline | None = None

    def fit(self, history: pd.Series) -> None:
        close = history.to_numpy(dtype="float64")
        n = len(close)
        pipeline = FeaturePipeline(self.features).fit(close, Split(n, n, n))
        fit, _, _ = pipeline.parts(close, Split(n, n, n))
        regressor = REGRESSORS[self.name](self.seed, False, self.settings)
        fit_regressor(regressor, fit.x.reshape(len(fit.x), -1), fit.y, None)
        self.regressor, self.pipeline = regressor, pipeline

    def predict(self, history: pd.Series, horizon: int) -> np.ndarray:
        if self.regressor is None or self.pipeline is None:
            raise NotFittedError(self.name)
        prices = history.to_numpy(dtype="float64")
        for _ in range(horizon):
            x = self.pipeline.last_window(prices).reshape(1, -1)
            z = np.asarray(self.regressor.predict(x), dtype="float64")
            nxt = self.pipeline.to_price(z, prices, np.array([len(prices)]))
            prices = np.append(prices, nxt)
        return prices[-horizon:]


def flat_windows(features: PanelFeatures, ends: np.ndarray, lags: int) -> np.ndarray:
    """`[windows, lags * features]`: the `lags` rows ending at each of `ends`, flattened."""
    rows = ends[:, None] - np.arange(lags)[::-1]  # [windows, lags], oldest first
    return features.values[rows].reshape(len(ends), -1)


@dataclass(frozen=True)
class TabularFit:
    regressor: object
    features: PanelFeatures
    seconds: float
    train_windows: int
    validation_windows: int


class GlobalTabular:
    """One tabular model for every symbol of a panel: a `PanelForecaster`.

    Args:
        name: "linear" or "lightgbm".
        config: lookback (the lags of single-column feature sets), feature set, the
            validation share (LightGBM stops early on it; ridge fits on it too), seed and
            the regressor's settings (`config.tabular`).
    """

    def __init__(self, name: str, config: RunConfig | None = None):
        self.name = name
        self.config = config or load_preset("universe")
        given = self.config.features
        self.lags = FEATURE_SETS[given.inputs].lags or given.lookback
        self.fitted: TabularFit | None = None
        self.cutoff: np.datetime64 | None = None

    def fit(self, prices: pd.DataFrame, cutoff: np.datetime64) -> None:
        started = time.perf_counter()
        config = self.config
        features = learned_features(prices, cutoff, config)
        fit_ends, validation_ends = training_ends(features, self.lags, config.features.validation)
        regressor = REGRESSORS[self.name](config.training.seed, True, config.tabular)
        validation = (
            flat_windows(features, validation_ends, self.lags),
            features.target[validation_ends],
        )
        x, y = flat_windows(features, fit_ends, self.lags), features.target[fit_ends]
        fit_regressor(regressor, x, y, validation if len(validation_ends) else None)
        seconds = time.perf_counter() - started
        self.fitted = TabularFit(regressor, features, seconds, len(fit_ends), len(validation_ends))
        self.cutoff = cutoff

    def predict_after(self, prices: pd.DataFrame) -> pd.DataFrame:
        """One-step forecasts of every day after the cutoff, each symbol scaled as in `fit`."""
        if self.fitted is None:
            raise NotFittedError(self.name)
        features = known_features(self.fitted.features, prices, self.cutoff, self.config)
        ends = features.window_ends(self.lags, "test")
        z = self.fitted.regressor.predict(flat_windows(features, ends, self.lags))
        return features.forecast_table(z, ends)

    def record(self) -> dict:
        fit = self.fitted
        return {
            "train_windows": fit.train_windows,
            "validation_windows": fit.validation_windows,
            "seconds": fit.seconds,
        }
