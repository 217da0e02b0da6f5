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

from stockcaster.models.base import NotFittedError


class StatsforecastForecaster:
    """Adapter from a statsforecast model without fitted parameters to `Forecaster`.

    Naive, drift and moving average read the later history itself at every origin.

    Args:
        name: the name shown in leaderboards.
        make_model: builds a fresh statsforecast model, e.g. `Naive`.
    """

    def __init__(self, name: str, make_model):
        self.name = name
        self._make_model = make_model
        self._model = None

    def fit(self, history: pd.Series) -> None:
        self._model = self._make_model()
        self._model.fit(_values(history))

    def predict(self, history: pd.Series, horizon: int) -> np.ndarray:
        self._check_fitted()
        forecast = self._model.forecast(y=_values(history), h=horizon)["mean"]
        return np.asarray(forecast, dtype="float64")

    def _check_fitted(self) -> None:
        if self._model is None:
            raise NotFittedError(self.name)


class FittedStatsforecast(StatsforecastForecaster):
    """A statsforecast model whose fitted parameters are kept and applied `forward` (ARIMA).

    It also has a `OneStepPath`: the Kalman filter's in-sample one-step predictions.
    """

    def predict(self, history: pd.Series, horizon: int) -> np.ndarray:
        self._check_fitted()
        forecast = self._model.forward(y=_values(history), h=horizon)["mean"]
        return np.asarray(forecast, dtype="float64")

    def one_step_path(self, series: pd.Series, first: int) -> np.ndarray:
        """One-step forecasts of days `first + 1 ..` of `series`, each from the days before it.

        The fitted parameters are kept; the forecast of day t reads days up to t - 1 only.

        Returns:
            `[len(series) - first - 1]` forecast closes.
        """
        self._check_fitted()
        fitted = self._model.forward(y=_values(series), h=1, fitted=True)["fitted"]
        return np.asarray(fitted[first + 1 :], dtype="float64")


def _values(history: pd.Series) -> np.ndarray:
    return history.to_numpy(dtype="float64")


def naive() -> StatsforecastForecaster:
    """Tomorrow's close = today's close (every later day too)."""
    # Delayed import: statsforecast compiles its models with numba when imported (seconds).
    from statsforecast.models import Naive

    return StatsforecastForecaster("naive", Naive)


def drift() -> StatsforecastForecaster:
    """Random walk with drift: the last close plus h times the mean daily change."""
    # Delayed import: statsforecast compiles its models with numba when imported (seconds).
    from statsforecast.models import RandomWalkWithDrift

    return StatsforecastForecaster("drift", RandomWalkWithDrift)


def moving_average(window: int = 5) -> StatsforecastForecaster:
    """The mean of the last `window` closes, for every step ahead."""
    # Delayed import: statsforecast compiles its models with numba when imported (seconds).
    from statsforecast.models import WindowAverage

    return StatsforecastForecaster("ma", lambda: WindowAverage(window_size=window))


def arima() -> FittedStatsforecast:
    """AutoARIMA (order chosen by AICc on the training window), applied forward."""
    # Delayed import: statsforecast compiles its models with numba when imported (seconds).
    from statsforecast.models import AutoARIMA

    return FittedStatsforecast("arima", AutoARIMA)
