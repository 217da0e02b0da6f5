"""`stockcaster predict`: the next h trading days' closes from a saved bundle, with intervals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data import FillPolicy
from stockcaster.errors import StockcasterError
from stockcaster.provenance import command_line, fingerprint, versions
from stockcaster.reporting import run_folder as files
from stockcaster.series import load_series, price_series
from stockcaster.train import check_matches_bundle


@dataclass(frozen=True)
class Prediction:
    """A forecast of the real future and where it was written."""

    folder: Path
    forecast: pd.DataFrame  # date, symbol, horizon, yhat, lo, hi[, q<level>...]
    history: pd.Series


def predict(
    model: str | Path,
    data: str | Path | None = None,
    symbol: str | None = None,
    horizon: int | None = None,
    out: str | Path = "runs",
    history_days: int = 120,
    columns: Mapping[str, str] | None = None,
    fill: FillPolicy | None = None,
) -> Prediction:
    """Forecast the trading days after the last close of `data` with a saved bundle.

    Args:
        model: the bundle's folder.
        data: prices up to today; None for the embedded MSFT history.
        symbol: defaults to the bundle's symbol.
        horizon: trading days ahead; defaults to (and may not exceed) the bundle's.
        out: parent folder of the output folder.
        history_days: closes shown before the forecast in the fan chart.
        columns, fill: as for `stockcaster run`.

    Raises:
        StockcasterError: a bad bundle, data for another symbol or older than the
            bundle's training, or a horizon the bundle cannot give.
    """
    from stockcaster.data.calendar import next_sessions
    from stockcaster.training.bundle import load_bundle

    bundle = load_bundle(Path(model))
    prices, source = load_series(data, symbol or bundle.symbol, columns, fill)
    history = price_series(prices)
    name = prices[C.SYMBOL].iloc[0]
    check_matches_bundle(bundle, name, history, source, newer=False)
    head = bundle.config.model
    most = head.horizon if head.direct else 30
    horizon = horizon or head.horizon
    if not 1 <= horizon <= most:
        raise StockcasterError(
            f"--horizon: expected 1 to {most} trading days for this bundle, received {horizon}"
        )
    dates = next_sessions(history.index[-1], horizon, bundle.meta["exchange"])
    forecaster = bundle.forecaster
    if forecaster.quantiles:
        paths = forecaster.predict_quantiles(history, horizon)  # [horizon, quantiles]
    else:
        paths = forecaster.predict(history, horizon)[:, None]  # [horizon, 1]
    forecast = forecast_frame(dates, name, paths, forecaster.quantiles)

    from stockcaster.reporting.figures import fan_figure

    with files.RunFolder(Path(out), files.new_run_name(name, "predict")) as folder:
        forecast.to_csv(folder.path / files.PREDICT_FILE, index=False, date_format="%Y-%m-%d")
        meta = {
            "symbol": name,
            "source": source,
            "bundle": str(model),
            "bundle_meta": bundle.meta,
            "quantiles": list(forecaster.quantiles),
            "data": fingerprint(history),
            "reproducibility": {"command": command_line(), "versions": versions()},
        }
        files.write_json(folder.path / files.PREDICT_META, meta)
        band = (
            f"{forecaster.quantiles[0]:.0%}-{forecaster.quantiles[-1]:.0%} interval"
            if forecaster.quantiles
            else None
        )
        fan_figure(history.tail(history_days), forecast, folder.path / files.FAN_FIGURE, name, band)
    return Prediction(folder=folder.final, forecast=forecast, history=history)


def forecast_frame(
    dates: pd.DatetimeIndex, symbol: str, paths: np.ndarray, quantiles: tuple[float, ...]
) -> pd.DataFrame:
    """The forecast table: median as yhat, outermost quantiles as lo and hi, others as q<level>.

    A point model has no interval: lo and hi are empty.
    """
    frame = pd.DataFrame({C.DATE: dates, C.SYMBOL: symbol, C.HORIZON: np.arange(1, len(dates) + 1)})
    if not quantiles:
        frame[C.YHAT], frame[C.LO], frame[C.HI] = paths[:, 0], np.nan, np.nan
        return frame
    levels = np.asarray(quantiles)
    median = int(np.argmin(np.abs(levels - 0.5)))
    frame[C.YHAT], frame[C.LO], frame[C.HI] = paths[:, median], paths[:, 0], paths[:, -1]
    for i, level in enumerate(levels):
        if i not in (0, median, len(levels) - 1):
            frame[f"q{level:g}"] = paths[:, i]
    return frame
