"""Benchmark: a command's process, with and without the collector settings of `stockcaster`.

Importing Keras makes about a million objects that live as long as the process. Python's
garbage collector walks them at every collection of its oldest generation, which comes
often while they are made, and again in its last collections at exit. `stockcaster`
(`cli/app.py::main`) collects less often (`process.tune_collector`) and, once its command
has finished, freezes what is left out of those last collections; `app()` called on its
own does neither. This script runs the same command both ways, alternating, `--repeats`
times each, in fresh processes:

- "plain": `python -c "from stockcaster.cli import app; app()" ARGS` (the command before);
- "command": `python -m stockcaster ARGS` (the command as shipped).

Each process prints, to stderr, the moment its command returned (an atexit handler
registered first runs last: after every other handler); "exit" is the wall time of the
process after that moment, "work" the rest (its start, imports and command). The commands,
on the embedded MSFT history: `run --epochs 1` (TensorFlow imported, one network
trained), a backtest of an LSTM beside the naive forecast (a network refitted along a
walk-forward) and a backtest of two baselines (no TensorFlow). Writes every time, the
medians and the ratio of the wall times to bench/results/command_process.json.

    .venv/bin/python bench/command_process.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import alternating, record

# Started the same way in both variants: a clock, and an atexit handler registered first,
# so that it runs after every other handler, just before the interpreter's own teardown.
_CLOCK = (
    "import atexit, sys, time\n"
    "atexit.register(lambda: print('DONE', time.perf_counter(), file=sys.stderr, flush=True))\n"
)
PLAIN = _CLOCK + "from stockcaster.cli import app\napp()\n"
COMMAND = _CLOCK + "import runpy\nrunpy.run_module('stockcaster', run_name='__main__')\n"

CASES = {
    "run --epochs 1": ["run", "--epochs", "1", "--quiet"],
    "backtest --models naive,lstm --epochs 3": [
        "backtest",
        "--models",
        "naive,lstm",
        "--epochs",
        "3",
        "--quiet",
    ],
    "backtest --models naive,drift": ["backtest", "--models", "naive,drift", "--quiet"],
}


def _once(script: str, args: list[str], out: Path) -> dict:
    """Wall seconds of one process, the seconds it took to end after its last handler, and
    the seconds before."""
    extra = ["--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, *args, *extra],
                          capture_output=True, text=True)  # fmt: skip
    ended = time.perf_counter()
    if done.returncode != 0:
        raise SystemExit(f"{args}: exit {done.returncode}: {done.stderr[-500:]}")
    # perf_counter is the system's monotonic clock on Linux: comparable across processes.
    last = float(next(line for line in done.stderr.splitlines() if line.startswith("DONE"))[5:])
    return {"wall": ended - started, "exit": ended - last, "work": last - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    figures: dict = {"repeats": args.repeats, "cases": {}}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        for case, command in CASES.items():
            runs = alternating(
                {"plain": PLAIN, "command": COMMAND},
                args.repeats,
                lambda script, tag, command=command: _once(script, command, out / tag),
            )
            medians = {
                variant: {
                    k: statistics.median(r[k] for r in rows) for k in ("wall", "work", "exit")
                }
                for variant, rows in runs.items()
            }
            ratio = medians["command"]["wall"] / medians["plain"]["wall"]
            figures["cases"][case] = {"runs": runs, "median": medians, "wall_ratio": ratio}
            plain, command = medians["plain"], medians["command"]
            print(f"{case}: work {plain['work']:.2f} -> {command['work']:.2f} s, exit "
                  f"{plain['exit']:.2f} -> {command['exit']:.2f} s; wall {plain['wall']:.2f} -> "
                  f"{command['wall']:.2f} s ({ratio:.3f}x)")  # fmt: skip
    print(record("command_process", figures))


if __name__ == "__main__":
    main()
