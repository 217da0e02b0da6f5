"""`stockcaster predict`: the next h trading days' closes from a saved bundle, with intervals."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.calendar import check_sessions, next_sessions
from stockcaster.data.embedded import MSFT_SOURCE
from stockcaster.data.frames import FRAME_SOURCE
from stockcaster.data.quality import price_notes
from stockcaster.errors import StockcasterError
from stockcaster.jobs.envelope import (
    Prices,
    Source,
    check_forecast,
    check_horizon,
    check_output,
    job,
    output_folder,
    read_source,
    reproducibility,
)
from stockcaster.models.variance import BAND, banded, risk_ahead
from stockcaster.provenance import fingerprint
from stockcaster.reporting.figures import fan_figure
from stockcaster.settings import whole_number
from stockcaster.store import files
from stockcaster.store.bundle import open_bundle

MOST_RECURSIVE_STEPS = 30  # a one-step network fed back on itself, at most this far


@dataclass(frozen=True)
class Prediction:
    """A forecast of the real future and where it was written."""

    folder: Path
    forecast: pd.DataFrame  # C.FUTURE_FORECAST_COLUMNS [+ q<level>...]
    history: pd.Series
    meta: dict  # prediction.json's contents


@job
def predict(
    model: str | Path,
    source: Source | None = None,
    horizon: int | None = None,
    *,
    out: str | Path = "runs",
    history_days: int = 120,
) -> Prediction:
    """Forecast the trading days after the last close of the source with a saved bundle.

    Args:
        model: the bundle's folder.
        source: prices up to today; the embedded MSFT history by default; the symbol
            defaults to the bundle's.
        horizon: trading days ahead; defaults to (and may not exceed) the bundle's.
        out: parent folder of the output folder.
        history_days: closes shown before the forecast in the fan chart.

    Raises:
        StockcasterError: a bad bundle, data for another symbol or older than the
            bundle's training, or a horizon the bundle cannot give.
    """
    if not whole_number(history_days) or history_days < 1:  # tail(0) failed the chart
        raise StockcasterError(
            f"history_days: expected 1 or more closes before the forecast, received "
            f"{history_days!r}"
        )
    bundle = open_bundle(Path(model), panel=False)
    prices = read_source(source or Source(), bundle.symbol, bundle)
    history = prices.series
    bundle.check_data(prices.symbol, history, prices.source, newer=False)
    head = bundle.config.model
    most = head.horizon if head.direct else MOST_RECURSIVE_STEPS
    horizon = check_horizon(head.horizon if horizon is None else horizon, most)
    check_sessions(history.index, bundle.meta["exchange"], prices.where, of_bundle=True)
    dates = next_sessions(history.index[-1], horizon, bundle.meta["exchange"])
    check_output(out)
    forecaster = bundle.forecaster
    quantiles = tuple(getattr(forecaster, "quantiles", ()))  # a model of its own may have none
    paths = _paths(forecaster, quantiles, history, horizon, prices.where)
    forecast = forecast_frame(dates, prices.symbol, paths, quantiles)
    ahead = risk_ahead(prices.table, horizon)  # each session's volatility, VaR and ES
    interval = with_risk_band(forecast, ahead) if not quantiles else "quantile head"
    check_forecast(forecast, model)
    meta = {
        "symbol": prices.symbol, "source": prices.source, "bundle": str(model),
        "bundle_meta": bundle.meta, "quantiles": list(quantiles), "interval": interval,
        "caveat": untested(bundle.meta["model"], prices.source),
        "notes": price_notes(prices.table),  # a split or a halt in the days it reads
        "risk": None if ahead is None else files.records(ahead),
        "data": fingerprint(history), "reproducibility": reproducibility(),
    }  # fmt: skip
    folder = _write(out, prices, forecast, meta, history_days)
    return Prediction(folder=folder, forecast=forecast, history=history, meta=meta)


def _paths(
    forecaster, quantiles: tuple, history: pd.Series, horizon: int, where: str
) -> np.ndarray:
    """`[horizon, quantiles or 1]` the forecaster's paths from `history` (at its `quantiles`,
    or its point forecast where it has none).

    Raises:
        StockcasterError: what the forecaster refused (too few closes for its window, say),
            naming the file and symbol (`where`) it read them from.
    """
    try:
        with np.errstate(all="ignore"):  # what overflows is no price: check_forecast says so
            if quantiles:
                return forecaster.predict_quantiles(history, horizon)  # [horizon, quantiles]
            return forecaster.predict(history, horizon)[:, None]  # [horizon, 1]
    except StockcasterError as err:
        raise StockcasterError(f"{where}: {err}") from None


def band_label(meta: dict) -> str | None:
    """What lo and hi of a prediction (`meta`: its prediction.json) are; None: no interval."""
    quantiles = meta["quantiles"]
    if quantiles:
        return f"{quantiles[0]:.0%}-{quantiles[-1]:.0%} interval (the quantile head)"
    return meta["interval"]


def untested(model: str, source: str, variance: bool = False) -> str:
    """What a bundle's forecast is not: tested. It was trained on every day it was given, so
    it has no test period; a backtest walks its model forward against naive (a variance's,
    the random walk) on the same prices (`source`: a file's is named)."""
    data = "" if source in (MSFT_SOURCE, FRAME_SOURCE) else f"--data {shlex.quote(source)} "
    command, baseline, words = (
        ("backtest --target variance", "random_walk", "the random walk, yesterday's variance")
        if variance
        else ("backtest", "naive", "naive, yesterday's close")
    )
    return (f"a bundle has no test score (it was trained on every day it was given): "
            f"`stockcaster {command} {data}--models {model},{baseline}` walks {model} forward "
            f"against {words}, on these prices")  # fmt: skip


def source_note(meta: dict) -> str | None:
    """A line when a prediction's prices (`meta`: its prediction.json) are not the file the
    bundle was trained on: without --data, the embedded history, whatever the bundle's."""
    trained_on = meta["bundle_meta"].get("source")
    if trained_on is None or meta["source"] == trained_on:
        return None
    return f"prices from {meta['source']}; the bundle was trained on {trained_on}"


def _write(out, prices: Prices, forecast: pd.DataFrame, meta: dict, history_days: int) -> Path:
    band = band_label(meta)
    with output_folder(out, prices.symbol, "predict") as folder:
        path = folder.path
        files.write_csv(forecast, path / files.PREDICT_FILE, date_format="%Y-%m-%d")
        files.write_json(path / files.PREDICT_META, meta)
        recent = prices.series.tail(history_days)
        fan_figure(recent, forecast, path / files.FAN_FIGURE, prices.symbol, band)
    return folder.final


def with_risk_band(forecast: pd.DataFrame, ahead: pd.DataFrame | None) -> str | None:
    """Give a point forecast the central interval its symbol's volatility implies
    (`ahead`: `models/variance.risk_ahead`), around its own path; say where it came from
    (None: too short a history for one, and lo and hi stay empty)."""
    if ahead is None:
        return None
    yhat = forecast[C.YHAT].to_numpy(dtype="float64")
    forecast[C.LO], forecast[C.HI] = banded(yhat, ahead["sigma"].to_numpy())
    return f"{BAND:.0%} interval from the volatility (HAR on the log range)"


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
