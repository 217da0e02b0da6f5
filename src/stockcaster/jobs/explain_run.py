"""`stockcaster explain RUN` of one symbol's run: which days of its window its network read.

The steps: read the run's settings (metrics.json: the file, the symbol and the data's
fingerprint; config.toml: its preset) and its network (model.keras, in safe mode); read the
prices again and check they are the ones the run read; fit the feature pipeline on the fit
rows as the run did (features/pipeline.py) and cut its validation windows (the last
training days, kept out of the fit, before the test period; the `seed` preset validates on
the test period, as the reference notebook did, so its test windows are what it held out);
then shuffle each day of the window (lag 1: the last return before the forecast day)
across the windows and measure how much the network's error grows (evaluation/explain.py).
A network that did not beat naive gets the caveat in words, as a universe's does. The
result is `explain.json` in the run folder, and a section of its report.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from stockcaster import columns as C
from stockcaster.data.embedded import MSFT_SOURCE
from stockcaster.errors import StockcasterError
from stockcaster.features import FeaturePipeline
from stockcaster.jobs.envelope import Source, read_source
from stockcaster.models.held_out import HeldOut
from stockcaster.models.presets import load_preset
from stockcaster.provenance import fingerprint
from stockcaster.store import files

WEEK = 5  # lags grouped by trading week: lags 1-5, 6-10, ...


def run_view(folder: Path, data: Path | None) -> tuple[str, HeldOut, dict]:
    """A network run's name, its held-out windows as lags (oldest first) with how it
    forecasts them, and what they are ({"windows": "validation" or "test"}).

    Raises:
        StockcasterError: a run without a network (`run --model NAME`), a damaged folder,
            or prices other than the run's, before anything is computed.
    """
    # Delayed import: Keras starts only once the folder is known to be a network's run.
    from stockcaster.models.networks import load_network

    metrics = _metrics(folder)
    config = load_preset(str(folder / files.CONFIG_FILE), "explain")
    given = str(data) if data is not None else metrics["source"]
    prices = read_source(Source(None if given == MSFT_SOURCE else given, metrics["symbol"]))
    if fingerprint(prices.series) != metrics["data"]:
        raise StockcasterError(
            f"{prices.where}: expected the prices the run {folder} read "
            f"({metrics['data'].get('rows')} rows to {metrics['data'].get('end')}), received "
            "others (give --data the run's file)"
        )
    network = load_network(folder / files.MODEL_FILE)
    pipeline = FeaturePipeline(config.features)
    close = prices.table[C.CLOSE].to_numpy(dtype="float64")
    split = pipeline.split(len(close))
    pipeline.fit(close, split)
    _, held, _ = pipeline.parts(close, split)
    shape, lags = held.x.shape, config.features.lookback

    def predict(x: np.ndarray) -> np.ndarray:  # one batch: a few hundred windows, called
        out = network.predict_on_batch(x.reshape(shape).astype("float32"))  # lags x repeats
        return np.asarray(out, dtype="float64").reshape(len(x), -1)[:, 0]

    names = tuple(f"lag {lags - j}" for j in range(lags))  # the window's oldest day first
    view = HeldOut(held.x.reshape(len(held.x), lags), held.y, names, predict)
    windows = "test" if split.fit_end == split.train_end else "validation"
    return f"{metrics['symbol']}, preset {metrics['preset']}", view, {"windows": windows}


def week(feature: str) -> str:
    """A lag's trading week: `lag 7` is in "lags 6-10"."""
    first = (int(feature.split()[-1]) - 1) // WEEK * WEEK + 1
    return f"lags {first}-{first + WEEK - 1}"


def run_caveat(folder: Path) -> str | None:
    """The caveat of a run whose network did not beat naive beyond chance on its test
    period: unless its MSE ratio is below 1 with a Diebold-Mariano p below 0.05."""
    m = _metrics(folder)
    ratio, pvalue = m.get("mse_ratio"), m.get("dm_pvalue")
    if ratio is not None and ratio < 1 and pvalue is not None and pvalue < 0.05:
        return None
    shown = "n/a" if ratio is None else f"{ratio:.3f}"
    tested = "" if pvalue is None else f", Diebold-Mariano p = {pvalue:.3f}"
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
