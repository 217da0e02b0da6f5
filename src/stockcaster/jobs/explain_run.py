"""`stockcaster explain` of one symbol's network: which days of its window it read.

Of a run's folder: read the run's settings (metrics.json: the file, the symbol and the
data's fingerprint; config.toml: its preset) and its network (model.keras, in safe mode);
read the prices again and check they are the ones the run read; fit the feature pipeline
on the fit rows as the run did (features/pipeline.py) and cut its validation windows (the
last training days, kept out of the fit, before the test period; the `seed` preset
validates on the test period, as the reference notebook did, so its test windows are what
it held out). Of a symbol's bundle (`train --save`): its network and scaler, and the
validation tail its last fit kept out of the prices it was trained on (checked by their
fingerprint). Then each day of the window (lag 1: the last return before the forecast
day) is shuffled across the windows and the growth of the network's error measured
(jobs/explained.py). A run whose network did not beat naive gets the caveat in words, as a
universe's does; a bundle scores no test period, and says so. A run's result is
`explain.json` in its folder and a section of its report; a bundle is left as written.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from stockcaster import columns as C
from stockcaster.data.embedded import MSFT_SOURCE
from stockcaster.data.frames import FRAME_SOURCE
from stockcaster.errors import StockcasterError
from stockcaster.features import FeaturePipeline
from stockcaster.jobs.envelope import Prices, Source, read_source
from stockcaster.jobs.explained import EXPLAIN_FILE, Explained, explained
from stockcaster.models.held_out import HeldOut
from stockcaster.models.neural import NetworkForecaster
from stockcaster.models.presets import load_preset
from stockcaster.provenance import fingerprint
from stockcaster.reporting.html import write_report
from stockcaster.reporting.numbers import p_value
from stockcaster.store import files
from stockcaster.store.bundle import open_bundle
from stockcaster.store.bundle_files import peek
from stockcaster.store.variance_bundle import holds_variance

WEEK = 5  # lags grouped by trading week: lags 1-5, 6-10, ...


def explain_series(folder: Path, model: str | None, repeats: int, data: Path | None) -> Explained:
    """Explain the network of a run's folder or of a symbol's bundle; write a run's result.

    Raises:
        StockcasterError: `--model` (it holds one network), a run or bundle without a
            network, or prices other than the ones it was trained on, before anything is
            computed.
    """
    kind = "bundle" if peek(folder) else "run"
    if model is not None:
        raise StockcasterError(
            f"--model: expected a universe run's folder to choose among its global models, "
            f"received {model!r} for the {kind} {folder}, which holds one network"
        )
    if kind == "bundle":
        name, view, held = _bundle_view(folder, data)
        caveat = ("a bundle scores no test period, so whether its network beats naive is a "
                  "run's or a backtest's to say; these importances say what moves its "
                  "forecasts")  # fmt: skip
    else:
        metrics = _metrics(folder)
        name, view, held = _run_view(folder, metrics, data)
        caveat = _run_caveat(metrics)
    done = explained(name, view, caveat, repeats, group=week)
    record = {**done.record, **held, "shuffled": "lags"}
    if kind == "run":  # a bundle is left as it was written (its files are checksummed)
        files.write_atomic(folder / EXPLAIN_FILE, lambda p: files.write_json(
            p, {"symbol": name, "models": {name: record}}))  # fmt: skip
        if (folder / files.REPORT_FILE).is_file():
            write_report(folder)
    return dataclasses.replace(done, record=record)


def week(feature: str) -> str:
    """A lag's trading week: `lag 7` is in "lags 6-10"."""
    first = (int(feature.split()[-1]) - 1) // WEEK * WEEK + 1
    return f"lags {first}-{first + WEEK - 1}"


def _run_view(folder: Path, metrics: dict, data: Path | None) -> tuple[str, HeldOut, dict]:
    """A network run's name, its held-out windows as lags with how it forecasts them, and
    which windows they are ({"windows": "validation" or "test"}); `metrics`: its
    metrics.json."""
    # Delayed import: Keras starts only once the folder is known to be a network's run.
    from stockcaster.models.networks import load_network

    config = load_preset(str(folder / files.CONFIG_FILE), "explain")
    prices = _prices(metrics["source"], metrics["symbol"], data)
    if fingerprint(prices.series) != metrics["data"]:
        raise _other_prices(prices, f"the run {folder} read", metrics["data"])
    network = load_network(folder / files.MODEL_FILE)
    pipeline = FeaturePipeline(config.features)
    close = prices.table[C.CLOSE].to_numpy(dtype="float64")
    split = pipeline.split(len(close))
    pipeline.fit(close, split)
    _, held, _ = pipeline.parts(close, split)

    def predict(x: np.ndarray) -> np.ndarray:  # one batch: a few hundred windows, called
        out = network.predict_on_batch(x.astype("float32"))  # lags x repeats times
        return np.asarray(out, dtype="float64").reshape(len(x), -1)[:, 0]

    view = _as_lags(held.x, held.y, predict, config.features.lookback)
    windows = "test" if split.fit_end == split.train_end else "validation"
    return f"{metrics['symbol']}, preset {metrics['preset']}", view, {"windows": windows}


def _bundle_view(folder: Path, data: Path | None) -> tuple[str, HeldOut, dict]:
    """A symbol bundle's network on the validation tail of the prices it was trained on."""
    meta = peek(folder)
    if holds_variance(meta):  # its model may be a network too: of the variance, not the close
        raise StockcasterError(
            f"{folder}: expected a bundle of a network of the close or its return, received "
            f"a variance bundle ({meta.get('model')} on log variance), which explain does not read"
        )
    bundle = open_bundle(folder, panel=False)
    model = bundle.forecaster
    if not isinstance(model, NetworkForecaster):
        raise StockcasterError(
            f"{folder}: expected a bundle of a network, received one of {bundle.meta['model']}"
        )
    prices = _prices(bundle.meta["source"], bundle.symbol, data)
    history = prices.series[prices.series.index <= bundle.trained_until]
    if fingerprint(history) != bundle.meta["data"]:
        raise _other_prices(prices, f"the bundle {folder} was trained on", bundle.meta["data"])
    x, y, predict = model.held_out(history)
    view = _as_lags(x, y, predict, model.features.lookback)
    return f"{bundle.symbol}, bundle {folder.name}", view, {"windows": "validation"}


def _as_lags(x: np.ndarray, y: np.ndarray, predict, lags: int) -> HeldOut:
    """Windows as `[windows, lags]`, the window's oldest day first (either layout holds
    one value a day), forecast through the network's own shape."""
    shape = x.shape

    def forecast(flat: np.ndarray) -> np.ndarray:
        return predict(flat.reshape((len(flat), *shape[1:])))

    names = tuple(f"lag {lags - j}" for j in range(lags))
    return HeldOut(x.reshape(len(x), lags), y, names, forecast)


def _prices(recorded: str, symbol: str, data: Path | None) -> Prices:
    """The prices a run or bundle recorded (the embedded MSFT's name, or a file), or `data`."""
    given = str(data) if data is not None else recorded
    if given == FRAME_SOURCE:  # nothing on disk to read again
        raise StockcasterError(
            "--data: expected the file of the prices it read, received none (it read a "
            "DataFrame in memory: save it, to_csv, and give that file)"
        )
    return read_source(Source(None if given == MSFT_SOURCE else given, symbol))


def _other_prices(prices: Prices, whose: str, recorded: dict) -> StockcasterError:
    return StockcasterError(
        f"{prices.where}: expected the prices {whose} ({recorded.get('rows')} rows to "
        f"{recorded.get('end')}), received others (give --data the file of those prices)"
    )


def _run_caveat(metrics: dict) -> str | None:
    """The caveat of a run whose network did not beat naive beyond chance on its test
    period: unless its MSE ratio is below 1 with a Diebold-Mariano p below 0.05."""
    ratio, pvalue = metrics.get("mse_ratio"), metrics.get("dm_pvalue")
    if ratio is not None and ratio < 1 and pvalue is not None and pvalue < 0.05:
        return None
    shown = "n/a" if ratio is None else f"{ratio:.3f}"
    tested = "" if pvalue is None else f", Diebold-Mariano {p_value(pvalue)}"
    return (f"the network does not beat naive beyond chance on the test period (MSE ratio "
            f"{shown}{tested}): these importances say what moves its forecasts, not what "
            "predicts prices")  # fmt: skip


def _metrics(folder: Path) -> dict:
    path = folder / files.METRICS_FILE
    try:
        metrics = json.loads(path.read_text())
        for key in ("symbol", "source", "preset", "data"):
            metrics[key]
    except (ValueError, KeyError, TypeError, OSError):
        raise StockcasterError(
            f"{path}: expected a run's metrics, received a damaged file"
        ) from None
    if "model_name" in metrics or not (folder / files.MODEL_FILE).is_file():
        model = metrics.get("model_name", "a model")
        raise StockcasterError(
            f"{folder}: expected the run of a network (its {files.MODEL_FILE}), received a run "
            f"of {model}, which keeps none (a preset's network does: run --preset NAME)"
        )
    return metrics
