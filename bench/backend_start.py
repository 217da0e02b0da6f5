"""Benchmark: commands on JAX, seeded by `keras.utils.set_random_seed` or by stockcaster.

`keras.utils.set_random_seed` seeds TensorFlow whenever it is installed, importing it to do
so; on JAX or PyTorch, `training/seeds.py::set_seed` sets what Keras sets, less that. This
script runs each command both ways, alternating, `--repeats` times each, in fresh
processes on the JAX backend:

- "keras": `stockcaster.training.seeds.set_seed` replaced by `keras.utils.set_random_seed`
  (the seeding before);
- "stockcaster": the command as shipped.

Each process reports whether TensorFlow was imported, and its `--json` output; the two ways
must print the same numbers. The commands, on the embedded MSFT history: a backtest of an
LSTM beside the naive forecast (a network refitted along a walk-forward, nothing saved) and
`run --epochs 1` (which saves its network: Keras' saving imports TensorFlow to check types,
so there both ways import it). Writes every time, the medians and the ratio of the wall
times to bench/results/backend_start.json.

    .venv/bin/python bench/backend_start.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import alternating, record

_REPORT = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('TF', 'tensorflow' in sys.modules, file=sys.stderr))\n"
)
KERAS = _REPORT + (
    "import keras\n"
    "import stockcaster.training.seeds as seeds\n"
    "seeds.set_seed = keras.utils.set_random_seed\n"
    "from stockcaster.cli import main\nmain()\n"
)
STOCKCASTER = _REPORT + "from stockcaster.cli import main\nmain()\n"

CASES = {
    "backtest --models naive,lstm --epochs 2": [
        "backtest",
        "--models",
        "naive,lstm",
        "--epochs",
        "2",
    ],
    "run --epochs 1": ["run", "--epochs", "1"],
}


def _once(script: str, args: list[str], out: Path) -> dict:
    """Wall seconds of one process, whether it imported TensorFlow, and its numbers."""
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, *args, "--json", "--out", str(out)],
                          capture_output=True, text=True, env=env)  # fmt: skip
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{args}: exit {done.returncode}: {done.stderr[-500:]}")
    imported = "TF True" in done.stderr
    return {"wall": wall, "tensorflow": imported, "numbers": _numbers(json.loads(done.stdout))}


def _numbers(output) -> list[float]:
    """Every number of a command's JSON output, in order (timings left out)."""
    if isinstance(output, dict):
        return [x for k, v in output.items() if "second" not in k for x in _numbers(v)]
    if isinstance(output, list):
        return [x for v in output for x in _numbers(v)]
    return [output] if isinstance(output, int | float) and not isinstance(output, bool) else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    figures: dict = {"repeats": args.repeats, "backend": "jax", "cases": {}}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        for case, command in CASES.items():
            runs = alternating(
                {"keras": KERAS, "stockcaster": STOCKCASTER},
                args.repeats,
                lambda script, tag, command=command: _once(script, command, out / tag),
            )
            same = all(r["numbers"] == runs["keras"][0]["numbers"] for rows in runs.values()
                       for r in rows)  # fmt: skip
            for rows in runs.values():
                for r in rows:
                    del r["numbers"]
            medians = {v: statistics.median(r["wall"] for r in rows) for v, rows in runs.items()}
            ratio = medians["stockcaster"] / medians["keras"]
            figures["cases"][case] = {"runs": runs, "median_wall": medians, "ratio": ratio,
                                      "same_numbers": same}  # fmt: skip
            tf = {v: rows[0]["tensorflow"] for v, rows in runs.items()}
            print(f"{case}: {medians['keras']:.2f} -> {medians['stockcaster']:.2f} s "
                  f"({ratio:.3f}x); TensorFlow imported {tf}; same numbers {same}")  # fmt: skip
    print(record("backend_start", figures))


if __name__ == "__main__":
    main()
