"""Baselines: naive, random walk with drift, moving average, and AutoARIMA from statsforecast.

statsforecast's ARIMA can be fitted once and then applied to a longer series with
`forward`, which is exactly "predict h steps from any later origin without refitting".
Its one-step forecasts from every origin at once are the Kalman filter's in-sample
predictions with those parameters (`fitted`), each of which uses only the closes before
its day: one pass instead of one `forward` per origin, used by the h=1 walk-forward.
The naive, drift and moving-average forecasts read the later history directly (the drift
is re-estimated from all closes up to the origin, which are all past): each is a formula of
the closes (`ClosedForm`), so the forecasts from every origin of a walk-forward are one
NumPy expression, the same numbers statsforecast's models give origin by origin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster.models.base import NotFittedError


class FittedStatsforecast:
    """A statsforecast model whose fitted parameters are kept and applied `forward` (ARIMA).

    It also has a `OneStepPath`: the Kalman filter's in-sample one-step predictions.

    Args:
        name: the name shown in leaderboards.
        make_model: builds a fresh statsforecast model, e.g. `AutoARIMA`.
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

    def _check_fitted(self) -> None:
        if self._model is None:
            raise NotFittedError(self.name)


class ClosedFormForecaster:
    """Naive, drift or moving average: a formula of the closes up to the origin (`ClosedForm`).

    Written in NumPy rather than called from statsforecast: its `Naive`,
    `RandomWalkWithDrift` and `WindowAverage` forecast one origin a call, and importing it
    compiles numba code for seconds, many times the cost of the formulas over a whole
    universe. `tests/test_baselines.py` checks that every forecast equals statsforecast's.

    Args:
        name: the name shown in leaderboards.
        formula: `(values, origins, horizon) -> [origins, horizon]` forecasts.
    """

    def __init__(self, name: str, formula):
        self.name = name
        self._formula = formula
        self._fitted = False

    def fit(self, history: pd.Series) -> None:
        """Nothing to estimate: the formula reads the closes up to each origin."""
        self._fitted = True

    def predict(self, history: pd.Series, horizon: int) -> np.ndarray:
        values = _values(history)
        return self.forecast_paths(values, np.array([len(values) - 1]), horizon)[0]

    def forecast_paths(self, values: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
        if not self._fitted:
            raise NotFittedError(self.name)
        values = np.asarray(values, dtype="float64")
        return self._formula(values, np.asarray(origins, dtype="int64"), horizon)

    def one_step_path(self, series: pd.Series, first: int) -> np.ndarray:
        """One-step forecasts of days `first + 1 ..` of `series`, each from the days before it."""
        origins = np.arange(first, len(series) - 1)
        return self.forecast_paths(_values(series), origins, 1)[:, 0]


def _last(values: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """The close at each origin, for every step: statsforecast's `Naive`."""
    return np.repeat(values[origins, None], horizon, axis=1)  # [origins, horizon]


def _drift(values: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """The close at each origin plus h times the mean daily change up to it: `RandomWalkWithDrift`.

    Written in statsforecast's order of operations, so the numbers are the same to the bit.
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # an origin at row 0: no slope
        slope = (values[origins] - values[0]) / origins  # [origins]
    steps = 1 + np.arange(horizon, dtype="float64")  # [horizon]
    return slope[:, None] * steps[None, :] + values[origins, None]


def _window_mean(window: int):
    """The mean of the last `window` closes, for every step: `WindowAverage`."""

    def formula(values: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
        means = np.full(len(origins), np.nan)
        known = origins >= window - 1  # fewer closes than the window: NaN, as statsforecast
        if len(values) >= window:
            # Window i holds rows i .. i + window - 1, so origin o's is window o - window + 1.
            windows = np.lib.stride_tricks.sliding_window_view(values, window)
            means[known] = windows[origins[known] - window + 1].mean(axis=1)
        return np.repeat(means[:, None], horizon, axis=1)  # [origins, horizon]

    return formula


def _values(history: pd.Series) -> np.ndarray:
    return history.to_numpy(dtype="float64")


def naive() -> ClosedFormForecaster:
    """Tomorrow's close = today's close (every later day too)."""
    return ClosedFormForecaster("naive", _last)


def drift() -> ClosedFormForecaster:
    """Random walk with drift: the last close plus h times the mean daily change."""
    return ClosedFormForecaster("drift", _drift)


def moving_average(window: int = 5) -> ClosedFormForecaster:
    """The mean of the last `window` closes, for every step ahead."""
    return ClosedFormForecaster("ma", _window_mean(window))


def arima() -> FittedStatsforecast:
    """AutoARIMA (order chosen by AICc on the training window), applied forward."""
    # Delayed import: statsforecast compiles its models with numba when imported (seconds).
    from statsforecast.models import AutoARIMA

    return FittedStatsforecast("arima", AutoARIMA)
