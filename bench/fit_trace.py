"""Benchmark: a network's fit with Adam's slots made before the first step, against made
inside it (as Keras does when left alone), for every network family.

TensorFlow traces a training step that creates variables twice. `training/fit.py::train`
builds the optimizer before `fit`, so the step is traced once; this script times the same
fit both ways: each family at its default size, trained for `warm_epochs` (10) epochs, the
most a refit of a walk-forward or a universe runs, on the first 1000 embedded MSFT closes.
"lazy" lets the first step make the slots (Adam's `build` skips the call before training),
"built" is the code as shipped. The two alternate in one process, `--repeats` times each
after one untimed warm-up fit; the weights they end with are compared (they must be
identical). Writes every time, the medians and their ratio to bench/results/fit_trace.json.

    .venv/bin/python bench/fit_trace.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import keras
import numpy as np
import pandas as pd
from _measure import record

from stockcaster.data.embedded import load_msft
from stockcaster.models.families import NEURAL
from stockcaster.models.presets import load_preset
from stockcaster.models.registry import MODELS, ModelOptions

ROWS = 1000
SHIPPED_BUILD = keras.optimizers.Adam.build


def _lazy_build(optimizer, variables):
    """Adam's `build`, skipping `train`'s call before the first step (the step makes them)."""
    if variables and not getattr(optimizer, "_skipped", False):
        optimizer._skipped = True
        return None
    return SHIPPED_BUILD(optimizer, variables)


def _fit(name: str, options: ModelOptions, series: pd.Series, lazy: bool):
    keras.optimizers.Adam.build = _lazy_build if lazy else SHIPPED_BUILD
    try:
        model = MODELS[name].make(options)
        started = time.perf_counter()
        model.fit(series)
        seconds = time.perf_counter() - started
    finally:
        keras.optimizers.Adam.build = SHIPPED_BUILD
    return seconds, model.predict(series, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    prices = load_msft().head(ROWS)
    series = pd.Series(prices["close"].to_numpy(), index=pd.DatetimeIndex(prices["date"]))
    preset = load_preset("default")
    epochs = preset.training.warm_epochs
    preset = dataclasses.replace(preset, training=dataclasses.replace(preset.training,
                                                                      epochs=epochs))  # fmt: skip
    options = ModelOptions(preset=preset)
    families = {}
    for name in NEURAL:
        _fit(name, options, series, lazy=False)  # warm-up: this family's first layers, once
        times = {"lazy": [], "built": []}
        forecasts = {}
        for _ in range(args.repeats):
            for variant in ("lazy", "built"):
                seconds, forecasts[variant] = _fit(name, options, series, variant == "lazy")
                times[variant].append(seconds)
        same = bool(np.array_equal(forecasts["lazy"], forecasts["built"]))
        medians = {v: statistics.median(t) for v, t in times.items()}
        families[name] = {"times": times, "median": medians, "same_forecast": same,
                          "ratio": medians["built"] / medians["lazy"]}  # fmt: skip
        print(f"{name:12s} lazy {medians['lazy']:6.2f} s  built {medians['built']:6.2f} s  "
              f"ratio {families[name]['ratio']:.2f}  same forecast: {same}")  # fmt: skip
    record("fit_trace", {"rows": ROWS, "epochs": epochs, "repeats": args.repeats,
                         "backend": keras.backend.backend(), "families": families})  # fmt: skip


if __name__ == "__main__":
    main()
