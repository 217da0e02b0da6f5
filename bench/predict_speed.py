"""Benchmark: wall time of `stockcaster predict` on a saved bundle, every import included.

Trains a `forecast` bundle on the embedded data once (not timed), then times the whole
`stockcaster predict` command `--repeats` times. `predict` runs Keras on its NumPy
inference backend and never imports TensorFlow; for scale, the same run also times a
bare `python -c "import keras"` on TensorFlow, the default backend.

    .venv/bin/python bench/predict_speed.py [--repeats 5]

Writes bench/results/predict_speed.json.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import record

STOCKCASTER = Path(sys.executable).parent / "stockcaster"


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        bundle = Path(scratch) / "bundle"
        subprocess.run([str(STOCKCASTER), "train", "--save", str(bundle)], check=True,
                       capture_output=True)  # fmt: skip
        predict, keras = [], []
        for _ in range(args.repeats):
            out = Path(scratch) / "out"
            predict.append(timed([str(STOCKCASTER), "predict", "--bundle", str(bundle),
                                  "--out", str(out)]))  # fmt: skip
            keras.append(timed([sys.executable, "-c", "import keras"]))  # TensorFlow backend
    print(f"stockcaster predict: median {statistics.median(predict):.2f} s "
          f"(min {min(predict):.2f}, max {max(predict):.2f}; target < 5 s)")  # fmt: skip
    print(f"python -c 'import keras' on TensorFlow alone: median {statistics.median(keras):.2f} s")
    record("predict_speed", {"predict_seconds": predict, "import_keras_seconds": keras,
                             "predict_median": statistics.median(predict),
                             "import_keras_median": statistics.median(keras),
                             "target_seconds": 5})  # fmt: skip


if __name__ == "__main__":
    main()
