"""Prophet, as the reference article names it; an optional extra.

Prophet models the calendar, not the last price, so a later history only sets the dates
to forecast: the exchange's next trading days (no weekends, no holidays), as for every
other model.
"""

from __future__ import annotations

import importlib.util
import logging

import numpy as np
import pandas as pd

from stockcaster.data.calendar import DEFAULT_EXCHANGE, next_sessions, off_sessions
from stockcaster.models.base import NotFittedError
from stockcaster.process import logger_levels

INSTALL_HINT = "pip install 'stockcaster[prophet]'"
_QUIET = {"prophet.plot": logging.CRITICAL, "cmdstanpy": logging.WARNING}


def prophet_installed() -> bool:
    """Whether the `prophet` package is installed (found without importing it)."""
    return importlib.util.find_spec("prophet") is not None


class ProphetForecaster:
    """Prophet fitted on the training window; forecasts the exchange's next trading days, or,
    for prices that do not trade on them (every day, or weekly), the next days at the
    history's own most common spacing, as the steps it is scored on.

    Args:
        exchange: the trading calendar whose sessions are forecast.
    """

    name = "prophet"

    def __init__(self, exchange: str = DEFAULT_EXCHANGE):
        self.exchange = exchange
        self._model = None
        self._since: pd.Timestamp | None = None
        self._step: pd.Timedelta | None = None  # None: the exchange's sessions

    def fit(self, history: pd.Series) -> None:
        frame = pd.DataFrame({"ds": history.index, "y": history.to_numpy(dtype="float64")})
        # Prophet logs an error at import without plotly (its interactive plots) and
        # cmdstanpy logs every fit; stockcaster draws its own figures and reports fits.
        with logger_levels(_QUIET):
            # Delayed import: Prophet (and its Stan backend) is heavy and an optional extra.
            from cmdstanpy.utils import get_logger
            from prophet import Prophet

            # The first time it is asked for (once a process), cmdstanpy's logger sets its
            # own level to DEBUG over the one set here: asked for first, it keeps ours.
            get_logger().setLevel(_QUIET["cmdstanpy"])
            self._model = Prophet(daily_seasonality=False)
            self._model.fit(frame)
        self._since = history.index[0]
        self._step = None
        if len(history) > 2 and off_sessions(history.index, self.exchange, self.name):
            self._step = pd.Series(history.index).diff().mode().iloc[0]

    def predict(self, history: pd.Series, horizon: int) -> np.ndarray:
        if self._model is None:
            raise NotFittedError(self.name)
        last = history.index[-1]
        if self._step is None:
            dates = next_sessions(last, horizon, self.exchange, since=self._since)
        else:
            dates = pd.date_range(last + self._step, periods=horizon, freq=self._step)
        forecast = self._model.predict(pd.DataFrame({"ds": dates}))
        return forecast["yhat"].to_numpy(dtype="float64")
