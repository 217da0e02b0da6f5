"""`train --target variance` and `predict` of its bundle: one symbol's volatility model,
saved, then forecasting the sessions after the data's last day.

The steps: read the prices (data/), measure each day's variance with the preset's range
estimator (features/volatility.py), fit the model on every day (models/variance.py: a
network on log variance; a baseline is fitted by `predict`, on the days it reads), and save
it (store/variance_bundle.py). `predict` measures the variance of its data the same way,
forecasts the mean variance of the next 1..h sessions, and gives each horizon's deviation
of the log-return from the last close with its 1% and 5% VaR and ES (a normal shape: a sum
of days' returns is nearer normal than one day's), in forecast.csv, prediction.json and
volatility.png.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.calendar import (
    DEFAULT_EXCHANGE,
    check_sessions,
    next_sessions,
)
from stockcaster.data.quality import price_notes
from stockcaster.errors import StockcasterError, failing_fit
from stockcaster.features.volatility import daily_variance, log_returns
from stockcaster.jobs.envelope import (
    Source,
    check_horizon,
    check_new_folder,
    check_output,
    job,
    output_folder,
    read_source,
    reproducibility,
)
from stockcaster.jobs.predict import MOST_RECURSIVE_STEPS, Prediction, untested
from stockcaster.models.options import ModelOptions, check_settings_run
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import DEFAULT_MODEL
from stockcaster.models.variance import BAND_HISTORY, FamilyWalk, risk_columns
from stockcaster.provenance import fingerprint
from stockcaster.reporting.risk_figures import volatility_ahead_figure
from stockcaster.store import files
from stockcaster.store.variance_bundle import (
    open_variance_bundle,
    save_variance_bundle,
    saveable_walk,
    variance_from,
)

SPREAD_ERRORS = 30  # one-step errors, at least, that a family's s^2 is measured on


@job
def train_variance(
    preset: RunConfig,
    save: str | Path,
    source: Source | None = None,
    *,
    model: str | None = None,
    settings: tuple[tuple[str, object], ...] = (),
    exchange: str = DEFAULT_EXCHANGE,
) -> Path:
    """Fit a volatility model on every day of one symbol and save it as a bundle.

    Args:
        preset: the network's windows, scaler, training, and the range estimator.
        model: a baseline or a network family (default: the preset's network).

    Raises:
        StockcasterError: bad input, before anything is fitted or written.
    """
    save = Path(save)
    check_new_folder(save)
    name = model or DEFAULT_MODEL
    check_settings_run(settings, [name])
    options = ModelOptions(preset=preset, settings=settings)
    walk = saveable_walk(name, options)
    prices = read_source(source or Source())
    check_sessions(prices.series.index, exchange, prices.where)  # before any training
    table = prices.table
    need = BAND_HISTORY
    if isinstance(walk, FamilyWalk):
        need = max(need, walk.history() + SPREAD_ERRORS)
    if len(table) < need:
        raise StockcasterError(
            f"{prices.where}: expected at least {need} rows to train {name} on, received "
            f"{len(table)}"
        )
    v, estimator = daily_variance(table, preset.features.estimator)
    if isinstance(walk, FamilyWalk):
        with failing_fit(f"--model {name}: expected a model that fits {prices.where}"):
            walk.fit_all(v)
    where = {"model": name, "estimator": estimator, "history": prices.series,
             "notes": price_notes(prices.table),
             "symbol": prices.symbol, "source": prices.source, "exchange": exchange}  # fmt: skip
    save_variance_bundle(save, walk, options, where)
    return save


@job
def predict_variance(
    model: str | Path,
    source: Source | None = None,
    horizon: int | None = None,
    *,
    out: str | Path = "runs",
    history_days: int = 120,
) -> Prediction:
    """Forecast the risk of the sessions after the data's last day with a volatility bundle.

    Args:
        horizon: sessions ahead (default: the bundle's preset's horizon), at most 30.

    Raises:
        StockcasterError: a bad bundle, data for another symbol, older than the bundle's
            training or without the prices its estimator reads, or a bad horizon.
    """
    bundle = open_variance_bundle(Path(model))
    prices = read_source(source or Source(), bundle.symbol, bundle)
    bundle.check_data(prices.symbol, prices.series, prices.source, newer=False)
    horizon = _asked(bundle.config.model.horizon if horizon is None else horizon, prices)
    table = prices.table
    v = _measured(table, bundle.meta["estimator"], prices.where)
    check_sessions(prices.series.index, bundle.meta["exchange"], prices.where, of_bundle=True)
    dates = next_sessions(prices.series.index[-1], horizon, bundle.meta["exchange"])
    check_output(out)
    means = variance_from(bundle, v, log_returns(table), tuple(range(1, horizon + 1)))
    if not (np.isfinite(means) & (means > 0)).all():
        raise StockcasterError(
            f"{model}: expected positive finite variances, received {means[0]!r} (its "
            "weights give no usable forecast); retrain it"
        )
    steps = np.arange(1, horizon + 1)
    sigma = np.sqrt(steps * means)  # of the log-return from the last close to session k
    forecast = pd.DataFrame({C.DATE: dates, C.SYMBOL: prices.symbol, C.HORIZON: steps,
                             "variance": means, **risk_columns(sigma)})  # fmt: skip
    meta = {
        "symbol": prices.symbol, "source": prices.source, "bundle": str(model),
        "bundle_meta": bundle.meta, "target": "variance", "estimator": bundle.meta["estimator"],
        "caveat": untested(bundle.meta["model"], prices.source, variance=True),
        "notes": price_notes(table),  # a split or a halt in the days it reads
        "risk": files.records(forecast.drop(columns=[C.DATE, C.SYMBOL, "variance"])),
        "data": fingerprint(prices.series), "reproducibility": reproducibility(),
    }  # fmt: skip
    with output_folder(out, prices.symbol, "predict") as folder:
        path = folder.path
        files.write_csv(forecast, path / files.PREDICT_FILE, date_format="%Y-%m-%d")
        files.write_json(path / files.PREDICT_META, meta)
        recent = pd.Series(v[-history_days:], index=prices.series.index[-history_days:])
        volatility_ahead_figure(recent, forecast, prices.symbol, path / files.VOLATILITY_FIGURE)
    return Prediction(folder=folder.final, forecast=forecast, history=prices.series, meta=meta)


def _asked(horizon: int, prices) -> int:
    """The horizon asked, once it and the prices' length suit a variance forecast.

    Raises:
        StockcasterError: a horizon beyond `MOST_RECURSIVE_STEPS`, or fewer rows than
            `BAND_HISTORY`.
    """
    horizon = check_horizon(horizon, MOST_RECURSIVE_STEPS)
    if len(prices.table) < BAND_HISTORY:
        raise StockcasterError(
            f"{prices.where}: expected at least {BAND_HISTORY} rows to forecast the variance "
            f"from, received {len(prices.table)}"
        )
    return horizon


def _measured(table: pd.DataFrame, estimator: str, where: str) -> np.ndarray:
    """Each day's variance by the bundle's estimator.

    Raises:
        StockcasterError: a file without the prices the estimator reads (a model learned on
            one estimator's variance would misread another's).
    """
    v, used = daily_variance(table, estimator)
    if used != estimator:
        raise StockcasterError(
            f"{where}: expected open, high and low for the bundle's {estimator} estimator, "
            f"received a file of closes only"
        )
    measured = int(np.isfinite(v).sum())  # a day whose range did not move measures none
    if measured < BAND_HISTORY:
        raise StockcasterError(
            f"{where}: expected at least {BAND_HISTORY} days whose variance {estimator} "
            f"measures above 0, received {measured} of {len(v)}"
        )
    return v
