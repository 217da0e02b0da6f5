"""Benchmark: the `seed` preset's training time against a plain Keras script of the same model.

Both train the reference model (GRU 256 -> LSTM 256, 70 epochs, batch 128) on the same
windows: the plain script as the reference notebook would (build, compile, fit), and
stockcaster through `training.fit.train` (seeded, deterministic ops, ModelCheckpoint).
Each variant runs in its own fresh process, alternating, so neither inherits the other's
TensorFlow state; the ratio of their median times is the figure the docs report, written
with every time to bench/results/seed_overhead.json.

    .venv/bin/python bench/seed_overhead.py [--repeats 5] [--data FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _measure import record

ROOT = Path(__file__).resolve().parents[1]
NYSE = ROOT.parent / "shared" / "data" / "nyse_msft_2010_2016.csv"


def _windows(data: str | None):
    from stockcaster.data.series import load_series
    from stockcaster.features import FeaturePipeline
    from stockcaster.models.presets import load_preset

    config = load_preset("seed")
    prices, _ = load_series(data)
    close = prices["close"].to_numpy("float64")
    pipeline = FeaturePipeline(config.features)
    split = pipeline.split(len(close))
    fit, validation, _ = pipeline.fit(close, split).parts(close, split)
    return config, fit, validation


def _plain(data: str | None) -> float:
    """The reference notebook's code path: Sequential, compile, fit on the same arrays."""
    _, fit, validation = _windows(data)
    import keras

    started = time.perf_counter()
    model = keras.Sequential(
        [
            keras.Input(shape=fit.x.shape[1:]),
            keras.layers.GRU(256, return_sequences=True),
            keras.layers.Dropout(0.25),
            keras.layers.LSTM(256),
            keras.layers.Dropout(0.25),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.0005), loss="mse")
    model.fit(
        fit.x,
        fit.y,
        validation_data=(validation.x, validation.y),
        epochs=70,
        batch_size=128,
        verbose=0,
    )
    return time.perf_counter() - started


def _stockcaster(data: str | None) -> float:
    """stockcaster's path: seeds, builder, train() with its callbacks and best weights."""
    config, fit, validation = _windows(data)
    from stockcaster.models.rnn import build_rnn
    from stockcaster.training.fit import train
    from stockcaster.training.seeds import set_seed

    started = time.perf_counter()
    set_seed(config.training.seed)
    model = build_rnn(config.model, fit.x.shape[1:])
    train(model, fit, validation, config.training, verbose=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data", default=str(NYSE) if NYSE.exists() else None)
    parser.add_argument("--one", choices=["plain", "stockcaster"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        seconds = (_plain if args.one == "plain" else _stockcaster)(args.data)
        print(json.dumps({"seconds": seconds}))
        return

    times: dict[str, list[float]] = {"plain": [], "stockcaster": []}
    for repeat in range(args.repeats):
        order = ("plain", "stockcaster") if repeat % 2 == 0 else ("stockcaster", "plain")
        for variant in order:
            command = [sys.executable, __file__, "--one", variant]
            if args.data:
                command += ["--data", args.data]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            seconds = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
            times[variant].append(seconds)
            print(f"repeat {repeat + 1} {variant:12s} {seconds:6.1f} s", flush=True)
    plain, ours = (statistics.median(times[v]) for v in ("plain", "stockcaster"))
    print(f"data: {args.data or 'embedded MSFT'}")
    print(f"median plain Keras {plain:.1f} s, stockcaster seed {ours:.1f} s")
    print(f"ratio stockcaster / plain: {ours / plain:.3f} (target <= 1.10)")
    figures = {"data": Path(args.data).name if args.data else "embedded MSFT", "times": times,
               "median_plain": plain, "median_stockcaster": ours, "ratio": ours / plain,
               "target": 1.10}  # fmt: skip
    print(f"written to {record('seed_overhead', figures)}")


if __name__ == "__main__":
    main()
