"""Training samples per second of each neural family, against plain Keras fed from memory.

For every network family (lstm, gru, seed, tcn, transformer, mlp) at its default size,
two ways to train the same network on the same windows, in one process:

  stockcaster   the global network (`build_global_network`) fed by `WindowDataset`,
                which gathers each batch from the flat per-symbol feature arrays;
  keras-memory  the same network built again, fed from windows materialised in memory
                beforehand (`model.fit(x, y)`): what the data pipeline is measured against.

Each is timed on whole epochs after a first, untimed one (compilation, warm-up); the two
alternate, round after round, so a noisy neighbour hits both. The data are seeded random
walks (only shapes matter for speed), so the script runs anywhere: on this CPU, or on a
GPU machine with KERAS_BACKEND=jax or torch (../shared/gpu/README.md).

    KERAS_BACKEND=tensorflow .venv/bin/python bench/gpu_zoo.py --symbols 40 --days 500

With `--out NAME` it also writes the results to bench/results/NAME.json (the docs' figures:
`--symbols 20 --days 400 --rounds 1 --out gpu_zoo_cpu`, and `gpu_zoo_cpu_jax` on JAX).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import record  # noqa: E402
from gpu_universe import synthetic_panel  # noqa: E402


def _windows(features, ends, lookback):
    rows = ends[:, None] - np.arange(lookback)[::-1]
    return features.values[rows], features.target[ends, None]


def _timed(fit, rounds: int) -> float:
    """Best seconds per epoch over `rounds` epochs."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        fit()
        best = min(best, time.perf_counter() - started)
    return best


def measure(family: str, features, args) -> dict:
    import keras

    from stockcaster.models.families import family_model
    from stockcaster.models.global_network import build_global_network
    from stockcaster.models.presets import load_preset
    from stockcaster.training.panel_dataset import WindowDataset

    config = family_model(family, load_preset("universe").model)
    ends = features.window_ends(args.lookback, "train")
    shape = (args.lookback, features.n_features)
    data = WindowDataset(features, ends, args.lookback, args.batch, shuffle_seed=0)
    x, y = _windows(features, ends, args.lookback)
    ours = build_global_network(config, shape, len(features.symbols))
    plain = build_global_network(config, shape, len(features.symbols))
    for model in (ours, plain):
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    ours.fit(data, epochs=1, verbose=0)  # compile and warm up, untimed
    plain.fit(x, y, batch_size=args.batch, epochs=1, verbose=0, shuffle=True)
    best_ours, best_plain = float("inf"), float("inf")
    for _ in range(args.rounds):
        best_ours = min(best_ours, _timed(lambda: ours.fit(data, epochs=1, verbose=0), 1))
        best_plain = min(
            best_plain,
            _timed(lambda: plain.fit(x, y, batch_size=args.batch, epochs=1, verbose=0), 1),
        )
    return {
        "family": family,
        "parameters": int(ours.count_params()),
        "windows": len(ends),
        "stockcaster_samples_per_s": len(ends) / best_ours,
        "keras_memory_samples_per_s": len(ends) / best_plain,
        "ratio": best_plain / best_ours,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", default="lstm,gru,seed,tcn,transformer,mlp")
    parser.add_argument("--features", default="returns", help="returns or technical")
    parser.add_argument("--symbols", type=int, default=40)
    parser.add_argument("--days", type=int, default=500)
    parser.add_argument("--lookback", type=int, default=20)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", help="also write the results to bench/results/<OUT>.json "
                        "(a name, or a path of which the name is kept)")  # fmt: skip
    args = parser.parse_args()

    import keras

    from stockcaster.features.panel import panel_features

    prices = synthetic_panel(args.symbols, args.days)
    days = np.sort(prices["date"].unique())
    features = panel_features(prices, days[-1], args.features)
    rows = [measure(f, features, args) for f in args.families.split(",")]
    result = {
        "backend": keras.backend.backend(),
        "devices": _devices(),
        "settings": vars(args),
        "families": rows,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        record(Path(args.out).stem, result)


def _devices() -> list[str]:
    import keras

    if keras.backend.backend() == "jax":
        import jax

        return [str(d) for d in jax.devices()]
    if keras.backend.backend() == "torch":
        import torch

        return ["cuda"] if torch.cuda.is_available() else ["cpu"]
    import tensorflow as tf

    return [d.name for d in tf.config.list_logical_devices()]


if __name__ == "__main__":
    main()
