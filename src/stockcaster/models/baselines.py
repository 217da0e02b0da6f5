"""Baselines: naive, random walk with drift, moving average and AutoARIMA, from statsforecast.

statsforecast's ARIMA can be fitted once and then applied to a longer series with
`forward`, which is exactly "predict h steps from any later origin without refitting".
Its one-step forecasts from every origin at once are the Kalman filter's in-sample
predictions with those parameters (`fitted`), each of which uses only the closes before
its day: one pass instead of one `forward` per origin, used by the h=1 walk-forward.
The naive, drift and moving-average forecasts read the later history directly (the drift
is re-estimated from all closes up to the origin, which are all past).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class StatsforecastForecaster:
    """Adapter from a statsforecast model to the `Forecaster` contract.

    Args:
        name: the name shown in leaderboards.
        make_model: builds a fresh statsforecast model, e.g. `lambda: AutoARIMA()`.
    """

    def __init__(self, name: str, make_model):
        self.name = name
        self._make_model = make_model
        self._model = None
        self._keeps_parameters = hasattr(make_model(), "forward")

    def fit(self, history: pd.Series) -> None:
        self._model = self._make_model()
        self._model.fit(_values(history))

    def predict(self, history: pd.Series, horizon: int) -> np.ndarray:
        if self._model is None:
            raise RuntimeError(f"{self.name}: predict called before fit")
        y = _values(history)
        if self._keeps_parameters:  # keeps the fitted parameters (ARIMA)
            forecast = self._model.forward(y=y, h=horizon)["mean"]
        else:  # the simple baselines have nothing to keep: they read the history itself
            forecast = self._model.forecast(y=y, h=horizon)["mean"]
        return np.asarray(forecast, dtype="float64")

    @property
    def has_one_step_path(self) -> bool:
        """Whether `one_step_path` is available (models with fitted parameters)."""
        return self._keeps_parameters

    def one_step_path(self, series: pd.Series, first: int) -> np.ndarray:
        """One-step forecasts of days `first + 1 ..` of `series`, each from the days before it.

        The fitted parameters are kept; the forecast of day t reads days up to t - 1 only.

        Returns:
            `[len(series) - first - 1]` forecast closes.
        """
        if self._model is None:
            raise RuntimeError(f"{self.name}: predict called before fit")
        fitted = self._model.forward(y=_values(series), h=1, fitted=True)["fitted"]
        return np.asarray(fitted[first + 1 :], dtype="float64")


def _values(history: pd.Series) -> np.ndarray:
    return history.to_numpy(dtype="float64")


def naive() -> StatsforecastForecaster:
    """Tomorrow's close = today's close (every later day too)."""
    from statsforecast.models import Naive

    return StatsforecastForecaster("naive", Naive)


def drift() -> StatsforecastForecaster:
    """Random walk with drift: the last close plus h times the mean daily change."""
    from statsforecast.models import RandomWalkWithDrift

    return StatsforecastForecaster("drift", RandomWalkWithDrift)


def moving_average(window: int = 5) -> StatsforecastForecaster:
    """The mean of the last `window` closes, for every step ahead."""
    from statsforecast.models import WindowAverage

    return StatsforecastForecaster("ma", lambda: WindowAverage(window_size=window))


def arima() -> StatsforecastForecaster:
    """AutoARIMA (order chosen by AICc on the training window), applied forward."""
    from statsforecast.models import AutoARIMA

    return StatsforecastForecaster("arima", AutoARIMA)
