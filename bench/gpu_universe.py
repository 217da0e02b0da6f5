"""Training throughput of the global model against plain Keras and a hand-written LSTM.

Three ways to train the same network, LSTM(64) x 2 on 60-day windows of 5 features with
a one-value head, Adam on MSE, in one process and on the same data:

  stockcaster   the global model (`build_global_network`) fed by `WindowDataset`, which
                gathers every batch of windows from the flat per-symbol arrays (and
                "stockcaster-prefetch": the same with 2 threads gathering ahead);
  keras-memory  a plain Keras model of the same shape, written here, fed from windows
                materialised in memory beforehand (what the pipeline must not cost
                much against: the CPU target is stockcaster / keras-memory >= 0.9);
  torch         a hand-written PyTorch `nn.LSTM` (cuDNN on a GPU) with the data already
                on the device (the GPU target is stockcaster / torch >= 0.6 at batch 1024).

Each is timed on whole epochs after a first, untimed one (compilation and warm-up). The
three alternate, round after round, so a noisy neighbour hits all of them; a shared
2-core machine varies by up to 30% from one fit to the next (the batch gathering itself
takes under 1 ms of a 250 ms step), so the figure is the ratio of the best rounds, with
the median of the per-round ratios beside it. The data are seeded random
walks (shape is all that matters for speed), so the script runs anywhere: on this CPU,
or on a GPU machine with `KERAS_BACKEND=jax` or `torch` (see ../shared/gpu/README.md).

    KERAS_BACKEND=tensorflow .venv/bin/python bench/gpu_universe.py --batches 1024,4096

With `--units 2` the LSTMs are tiny, so a step on the CPU is as short as one on a GPU and
mostly framework and data handling: what the pipeline costs per step shows there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _measure import record

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

LOOKBACK, FEATURES, UNITS = 60, 5, 64


def synthetic_panel(symbols: int, days: int, seed: int = 0) -> pd.DataFrame:
    """OHLCV random walks for `symbols` symbols over `days` business days."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2010-01-04", periods=days)
    frames = []
    for i in range(symbols):
        close = 50 * np.exp(np.cumsum(rng.normal(0.0003, 0.015, days)))
        frames.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "symbol": f"S{i:04d}",
                    "open": close * np.exp(rng.normal(0, 0.003, days)),
                    "high": close * 1.01,
                    "low": close * 0.99,
                    "close": close,
                    "volume": rng.integers(10_000, 1_000_000, days).astype(float),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


class EpochTimer:
    """Seconds of each epoch, for Keras' fit."""

    def __init__(self):
        import keras

        class _Timer(keras.callbacks.Callback):
            def on_epoch_begin(inner, epoch, logs=None):
                inner.started = time.perf_counter()

            def on_epoch_end(inner, epoch, logs=None):
                self.seconds.append(time.perf_counter() - inner.started)

        self.seconds: list[float] = []
        self.callback = _Timer()


def keras_stockcaster(
    features, ends, batch: int, epochs: int, units: int, workers: int = 1
) -> float:
    """Samples per second of the global model fed by WindowDataset (`workers` threads)."""
    import keras

    from stockcaster.models.config import ModelConfig, RecurrentLayer
    from stockcaster.models.global_network import build_global_network
    from stockcaster.training.panel_dataset import WindowDataset

    config = ModelConfig(recurrent=(RecurrentLayer("lstm", units), RecurrentLayer("lstm", units)))
    model = build_global_network(config, (LOOKBACK, FEATURES), len(features.symbols))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    data = WindowDataset(features, ends, LOOKBACK, batch, shuffle_seed=0, workers=workers)
    timer = EpochTimer()
    model.fit(data, epochs=epochs, verbose=0, callbacks=[timer.callback])
    return len(ends) / statistics.median(timer.seconds[1:])


def keras_memory(x: np.ndarray, y: np.ndarray, batch: int, epochs: int, units: int) -> float:
    """Samples per second of a plain Keras model of the same shape, fed from memory."""
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(LOOKBACK, FEATURES)),
            keras.layers.LSTM(units, return_sequences=True),
            keras.layers.LSTM(units),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    timer = EpochTimer()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[timer.callback])
    return len(x) / statistics.median(timer.seconds[1:])


def torch_lstm(x: np.ndarray, y: np.ndarray, batch: int, epochs: int, units: int) -> float | None:
    """Samples per second of a hand-written PyTorch LSTM (cuDNN on a GPU); None without torch."""
    try:
        import torch
    except ImportError:
        return None
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(FEATURES, units, num_layers=2, batch_first=True)
            self.head = torch.nn.Linear(units, 1)

        def forward(self, window):  # [batch, lookback, features]
            out, _ = self.lstm(window)  # [batch, lookback, units]
            return self.head(out[:, -1])  # [batch, 1]

    net = Net().to(device)
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    xs = torch.from_numpy(x).to(device)
    ys = torch.from_numpy(y).to(device)
    seconds = []
    for _ in range(epochs):
        order = torch.randperm(len(xs), device=device)
        if device == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        for i in range(0, len(xs), batch):
            take = order[i : i + batch]
            optimiser.zero_grad(set_to_none=True)
            loss = loss_fn(net(xs[take]), ys[take])
            loss.backward()
            optimiser.step()
        if device == "cuda":
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - started)
    return len(xs) / statistics.median(seconds[1:])


def gather_times(features, all_ends: np.ndarray, batches: list[int], repeats: int = 200) -> dict:
    """Milliseconds to make one batch: WindowDataset, and rows gathered one by one."""
    from stockcaster.training.panel_dataset import WindowDataset

    times = {}
    offsets = np.arange(1 - LOOKBACK, 1)
    for batch in batches:
        ends = np.sort(np.random.default_rng(batch).choice(all_ends, batch, replace=False))
        data = WindowDataset(features, ends, LOOKBACK, batch)
        ways = {
            "window_dataset": lambda data=data: data[0],
            "rows_one_by_one": lambda ends=ends: features.values[ends[:, None] + offsets],
        }
        for name, make in ways.items():
            make()
            started = time.perf_counter()
            for _ in range(repeats):
                make()
            times[f"{name}_ms_batch_{batch}"] = round(
                (time.perf_counter() - started) / repeats * 1000, 3
            )
    return times


def device_name() -> str:
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return f"CPU ({os.cpu_count()} cores, {platform.processor() or platform.machine()})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="1024,4096")
    parser.add_argument("--steps", type=int, default=8, help="batches per timed epoch")
    parser.add_argument("--epochs", type=int, default=4, help="epochs, the first untimed")
    parser.add_argument("--rounds", type=int, default=4, help="alternating repeats")
    parser.add_argument(
        "--units",
        type=int,
        default=UNITS,
        help="units of each LSTM; a tiny one makes steps short, as on a GPU, so that "
        "what the pipeline costs per step shows",
    )
    parser.add_argument("--out", help="also write the results to bench/results/<OUT>.json")
    parser.add_argument(
        "--gather-only", action="store_true", help="only time how batches of windows are made"
    )
    args = parser.parse_args()

    import keras

    from stockcaster.features.panel import panel_features

    batches = [int(b) for b in args.batches.split(",")]
    days = 1000
    needed = max(batches) * args.steps  # distinct windows of the largest timed epoch
    panel = synthetic_panel(symbols=max(200, needed // (days - LOOKBACK - 1) + 1), days=days)
    cutoff = np.sort(panel["date"].unique())[-1]
    features = panel_features(panel, cutoff, "ohlcv")
    all_ends = features.window_ends(LOOKBACK, "train")
    if args.gather_only:
        times = gather_times(features, all_ends, batches)
        print(json.dumps(times))
        if args.out:
            record(args.out, {"gather_times": times})
        return
    shape = {"lookback": LOOKBACK, "features": FEATURES, "lstm": [args.units, args.units]}
    results = {"backend": keras.backend.backend(), "device": device_name(), "shape": shape}
    results["batches"] = {}
    for batch in batches:
        rng = np.random.default_rng(batch)
        ends = np.sort(rng.choice(all_ends, size=args.steps * batch, replace=False))
        x = features.values[ends[:, None] + np.arange(1 - LOOKBACK, 1)]  # materialised
        y = features.target[ends, None]
        runs = {"stockcaster": [], "stockcaster-prefetch": [], "keras-memory": [], "torch": []}
        for _ in range(args.rounds):
            runs["stockcaster"].append(
                keras_stockcaster(features, ends, batch, args.epochs, args.units)
            )
            runs["stockcaster-prefetch"].append(
                keras_stockcaster(features, ends, batch, args.epochs, args.units, workers=2)
            )
            runs["keras-memory"].append(keras_memory(x, y, batch, args.epochs, args.units))
            runs["torch"].append(torch_lstm(x, y, batch, args.epochs, args.units))
        best = {k: (max(v) if None not in v else None) for k, v in runs.items()}
        ratios, paired = {}, {}
        for mine in ("stockcaster", "stockcaster-prefetch"):
            for other in ("keras-memory", "torch"):
                if best[other]:
                    name = f"{mine}/{other}"
                    ratios[name] = round(best[mine] / best[other], 3)
                    pairs = [a / b for a, b in zip(runs[mine], runs[other], strict=True)]
                    paired[name] = round(statistics.median(pairs), 3)
        results["batches"][batch] = {
            "samples_per_second": {k: [round(s) for s in v if s] for k, v in runs.items()},
            "ratio_of_best_rounds": ratios,
            "median_ratio_per_round": paired,
        }
        print(json.dumps({batch: results["batches"][batch]}), flush=True)
    print(json.dumps(results, indent=2))
    if args.out:
        record(args.out, {"settings": vars(args), **results})


if __name__ == "__main__":
    main()
