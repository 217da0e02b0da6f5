"""Prophet, as the reference article names it; an optional extra."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError

INSTALL_HINT = "pip install 'stockcaster[prophet]'"


def prophet_installed() -> bool:
    """Whether the `prophet` package can be imported."""
    # Prophet logs an error at import when plotly (for its interactive plots) is absent;
    # stockcaster draws its own figures, so that line would only alarm.
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
    try:
        import prophet  # noqa: F401
    except ImportError:
        return False
    return True


class ProphetForecaster:
    """Prophet fitted on the training window; forecasts the next business days' closes.

    Prophet models the calendar, not the last price, so a later history only sets the
    dates to forecast: its forecasts do not follow the latest closes.
    """

    name = "prophet"

    def __init__(self):
        if not prophet_installed():
            raise StockcasterError(
                f"--models: expected an installed model, received 'prophet', which needs the "
                f"prophet package ({INSTALL_HINT})"
            )
        self._model = None

    def fit(self, history: pd.Series) -> None:
        from prophet import Prophet

        logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
        frame = pd.DataFrame({"ds": history.index, "y": history.to_numpy(dtype="float64")})
        self._model = Prophet(daily_seasonality=False)
        self._model.fit(frame)

    def predict(self, history: pd.Series, horizon: int) -> np.ndarray:
        if self._model is None:
            raise RuntimeError("prophet: predict called before fit")
        dates = pd.bdate_range(history.index[-1], periods=horizon + 1)[1:]
        forecast = self._model.predict(pd.DataFrame({"ds": dates}))
        return forecast["yhat"].to_numpy(dtype="float64")
