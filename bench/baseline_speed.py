"""Baselines at the speed of arithmetic: `stockcaster universe` against what it must cost.

Timings (`--time`), each through a fresh process, on the 437-symbol shared panel, in one run
so that the ratios compare like with like on a shared machine:
  read          reading and validating the panel alone (`data.panel.load_panel`), the
                least any universe run costs;
  cheap         `stockcaster universe --all --mode per-symbol --models naive,drift,ma`,
                report included;
  plain_arima   `bench/_plain_arima.py`: statsforecast's AutoARIMA fitted once per symbol
                on its training days and one forward pass over its test days, in 2
                processes, nothing else (read with the same reader);
  arima         the universe command with `--models naive,drift,ma,arima`;
  backtest      `stockcaster backtest --models naive,drift,ma --retrain-every 21` on the
                embedded MSFT data.
With `--before DIR` (a checkout of the code before the change, e.g. a `git worktree`),
`cheap` and `backtest` are also timed on that code (`PYTHONPATH=DIR/src`), in the same run.
`--only NAMES` times those commands alone (e.g. `--only plain_arima,arima --rounds 2`).
Targets (issue 16): cheap < 15 s and cheap / read <= 2; arima / plain_arima <= 1.15;
backtest no slower than before.

Same numbers (`--record FILE`, `--against FILE`): the universe command with naive, drift,
ma and arima on the first 50 symbols; every per-symbol metric, every IC, book and score
figure of its `--json` output, and every stored forecast (a SHA-256 of each symbol and
model's dates and values, exact) recorded, or compared with an earlier record to a
relative tolerance of 1e-9 (`same_numbers.differences`).

    .venv/bin/python bench/baseline_speed.py --time --out bench/results/baseline_speed.json
    .venv/bin/python bench/baseline_speed.py --against bench/results/baselines_before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from same_numbers import compare, first_symbols, stable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PANEL = ROOT.parent / "shared" / "data" / "universe_daily.csv.gz"
PYTHON = sys.executable
STOCKCASTER = str(Path(sys.executable).parent / "stockcaster")
CHEAP = "naive,drift,ma"
READ = "from stockcaster.data.panel import load_panel; import sys; load_panel(sys.argv[1])"


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def universe(panel: Path, out: Path, models: str, *more: str) -> list[str]:
    return [STOCKCASTER, "universe", "--data", str(panel), "--mode", "per-symbol",
            "--models", models, "--out", str(out), "--quiet", *more]  # fmt: skip


def commands(panel: Path, scratch: Path, before: Path | None) -> dict[str, tuple[list, dict]]:
    """Each timed command and its environment."""
    now, old = dict(os.environ), dict(os.environ, PYTHONPATH=str(before and before / "src"))
    backtest = [STOCKCASTER, "backtest", "--models", CHEAP, "--retrain-every", "21", "--quiet"]
    found = {
        "read": ([PYTHON, "-c", READ, str(panel)], now),
        "cheap": (universe(panel, scratch / "cheap", CHEAP, "--all"), now),
        "plain_arima": ([PYTHON, str(ROOT / "bench/_plain_arima.py"), str(panel)], now),
        "arima": (universe(panel, scratch / "arima", CHEAP + ",arima", "--all"), now),
        "backtest": ([*backtest, "--out", str(scratch / "backtest")], now),
    }
    if before is not None:
        found["cheap_before"] = (universe(panel, scratch / "cheap-before", CHEAP, "--all"), old)
        found["backtest_before"] = ([*backtest, "--out", str(scratch / "backtest-before")], old)
    return found


def timings(panel: Path, rounds: int, before: Path | None, only: list[str] | None) -> dict:
    """Best of `rounds` wall seconds of each command, the commands taking turns."""
    best: dict[str, float] = {}
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-baselines-") as scratch:
            for name, (command, env) in commands(panel, Path(scratch), before).items():
                if only and name not in only:
                    continue
                seconds = timed(command, env)
                best[name] = min(best.get(name, seconds), seconds)
                print(f"{name}: {seconds:.1f} s", file=sys.stderr, flush=True)
    pairs = {"cheap_over_read": ("cheap", "read"), "arima_over_plain": ("arima", "plain_arima")}
    if before is not None:
        pairs |= {"cheap_over_before": ("cheap", "cheap_before")}
        pairs |= {"backtest_over_before": ("backtest", "backtest_before")}
    ratios = {k: best[a] / best[b] for k, (a, b) in pairs.items() if a in best and b in best}
    return {
        "seconds": {k: round(v, 2) for k, v in best.items()},
        **{k: round(v, 3) for k, v in ratios.items()},
    }


def numbers(panel: Path, count: int) -> dict:
    """Every number of a universe run on the first `count` symbols, forecasts as hashes."""
    with tempfile.TemporaryDirectory(prefix="bench-baselines-") as scratch:
        out = Path(scratch) / "run"
        symbols = ",".join(first_symbols(panel, count))
        done = subprocess.run(
            universe(panel, out, CHEAP + ",arima", "--symbols", symbols, "--json"),
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        summary = json.loads(done.stdout)
        with sqlite3.connect(out / "results.sqlite") as db:
            metrics = [json.loads(j) | {"symbol": s} for s, j in db.execute(
                "SELECT symbol, json FROM metrics ORDER BY symbol, model")]  # fmt: skip
            rows = db.execute(
                "SELECT symbol, model, date, yhat, actual, naive FROM forecasts "
                "ORDER BY symbol, model, date"
            ).fetchall()
    hashes: dict[str, hashlib._Hash] = {}
    for symbol, model, *values in rows:
        hashes.setdefault(f"{symbol} {model}", hashlib.sha256()).update(repr(values).encode())
    return {
        "summary": stable(summary),
        "metrics": stable(metrics),
        "forecasts": {key: h.hexdigest() for key, h in hashes.items()},
        "forecast_rows": len(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", type=Path, default=PANEL)
    parser.add_argument("--time", action="store_true", help="measure the four commands")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", type=Path, help="a checkout of the code before, to time too")
    parser.add_argument("--only", help="comma-separated commands to time (default: all)")
    parser.add_argument("--out", type=Path, help="write the timings here (JSON)")
    parser.add_argument("--symbols", type=int, default=50, help="symbols of the same-numbers run")
    parser.add_argument("--record", type=Path, help="write the same-numbers record here")
    parser.add_argument("--against", type=Path, help="compare with an earlier record")
    args = parser.parse_args()
    if args.time:
        result = {
            "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
            "panel": str(args.panel),
            "before": str(args.before) if args.before else None,
            **timings(args.panel, args.rounds, args.before, args.only and args.only.split(",")),
        }
        print(json.dumps(result, indent=2))
        if args.out:
            args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.record or args.against:
        found = numbers(args.panel, args.symbols)
        if args.record:
            args.record.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
        if args.against:
            before = json.loads(args.against.read_text())
            rows = f"{len(before['forecasts'])} forecast series, {before['forecast_rows']} rows"
            compare(before, found, f"every metric, score and {rows}")


if __name__ == "__main__":
    main()
