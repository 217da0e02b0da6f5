"""Every model family on every feature set, as global models over the shared panel: one table.

Phase "third": every family (linear, lightgbm, mlp, lstm, gru, tcn, transformer, seed,
cheapest first) on `returns` and on `technical`, on every third symbol of the panel (146),
the last 25% of trading days as the test period, each global model refitted every 126
trading days (networks warm-started). Phase "all": the two pairs with the best mean rank
IC in phase "third", and linear and lightgbm on both sets, on all 437 symbols. Phase
"benchmark": the equal-weight universe's annual return over each phase's test period.

Each pair is its own universe run (through `jobs.universe`, in this process, the local
engine), so its seconds are its own: features, every fit, every forecast, the scores and
the report. Each pair's leaderboard row is appended to the output file as soon as it is
done, so an interrupted bench keeps what it measured.

The networks share one training budget, set here and written to the output: at most 10
epochs of 16,384 windows (a fresh random share each epoch), early stopping after 3
epochs without gain, at most 3 epochs per warm refit.

The Keras backend is JAX unless `--backend` says otherwise: on this 2-core CPU it trains
the same networks 1.9x (seed) to 8x (tcn) faster than TensorFlow (`bench/gpu_zoo.py`), and
the model code is the same on both. The backend is written to the output with each phase.

    .venv/bin/python bench/universe_zoo.py --phase third --out bench/results/universe_zoo.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

ROOT = Path(__file__).resolve().parent.parent
FAMILIES = ("linear", "lightgbm", "mlp", "lstm", "gru", "tcn", "transformer", "seed")
FEATURE_SETS = ("returns", "technical")
BUDGET = {"epochs": 10, "windows_per_epoch": 16384, "patience": 3, "warm_epochs": 3}


def config(family: str, feature_set: str, retrain_every: int):
    from stockcaster.jobs.universe_plan import UniverseConfig
    from stockcaster.models.presets import load_preset
    from stockcaster.training.config import EarlyStop

    base = load_preset("universe").with_inputs(feature_set)
    training = dataclasses.replace(
        base.training,
        epochs=BUDGET["epochs"],
        early_stopping=EarlyStop(patience=BUDGET["patience"]),
        windows_per_epoch=BUDGET["windows_per_epoch"],
        warm_epochs=BUDGET["warm_epochs"],
    )
    model = dataclasses.replace(base, training=training)
    return UniverseConfig(
        models=(family,),
        retrain_every=retrain_every,
        global_model=model,
        features=(feature_set,),
    )


def run_pair(data: str, symbols: list[str], family: str, feature_set: str, args) -> dict:
    from stockcaster.engines import EngineConfig
    from stockcaster.jobs.universe import universe
    from stockcaster.jobs.universe_plan import PanelSource

    scratch = Path(tempfile.mkdtemp(prefix="bench-zoo-"))
    started = time.perf_counter()
    try:
        result = universe(
            PanelSource(data, symbols),
            config(family, feature_set, args.retrain_every),
            out=scratch / "run",
            engine=EngineConfig("local", workers=1),
        )
    finally:
        seconds = time.perf_counter() - started
        shutil.rmtree(scratch, ignore_errors=True)
    row = next(r for r in result.summary["leaderboard"] if r["model"] != "naive")
    fits = next(iter(result.summary["global_models"].values()))
    book = result.summary["cross_section"][row["model"]]["portfolio"]
    return {
        **row,
        "benchmark_annual_return": book["benchmark"]["annual_return"],
        "family": family,
        "features": feature_set,
        "symbols_run": result.summary["symbols"]["done"],
        "fits": len(fits),
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/universe_daily.csv.gz"))
    parser.add_argument("--phase", choices=("third", "all", "benchmark"), default="third")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--features", default=",".join(FEATURE_SETS))
    parser.add_argument("--retrain-every", type=int, default=126)
    parser.add_argument(
        "--best", type=int, default=2, help='phase "all": how many of the best pairs to rerun'
    )
    parser.add_argument("--backend", default="jax", help="Keras backend: jax, tensorflow, torch")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/universe_zoo.json")
    args = parser.parse_args()

    from stockcaster.process import choose_backend

    choose_backend(args.backend)

    from stockcaster.data.panel import load_panel

    everything = sorted(load_panel(args.data).prices["symbol"].unique())
    if args.phase == "benchmark":
        return _benchmarks(args, everything)
    symbols = everything[::3] if args.phase == "third" else everything
    pairs = [(f, s) for f in args.families.split(",") for s in args.features.split(",")]
    if args.phase == "all":
        tabular = [(f, s) for f in ("linear", "lightgbm") for s in FEATURE_SETS]
        pairs = _best(args.out, args.best) + tabular
    record = _read(args.out)
    record.setdefault("machine", f"{platform.node()}, {os.cpu_count()} cores")
    record.setdefault("budget", BUDGET)
    record[args.phase] = []  # a phase run again starts its table afresh
    record[f"{args.phase}_pairs"] = [list(p) for p in pairs]
    record[f"{args.phase}_backend"] = args.backend
    started = time.perf_counter()
    for family, feature_set in pairs:
        row = run_pair(args.data, symbols, family, feature_set, args)
        record.setdefault(args.phase, []).append(row)
        record[f"{args.phase}_seconds"] = round(time.perf_counter() - started, 1)
        args.out.write_text(json.dumps(record, indent=2) + "\n")
        print(json.dumps(row), flush=True)


def _benchmarks(args, everything: list[str]) -> None:
    """The equal-weight universe's annual return over the test period of each phase."""
    from stockcaster.engines import EngineConfig
    from stockcaster.jobs.universe import universe
    from stockcaster.jobs.universe_plan import PanelSource, UniverseConfig

    record = _read(args.out)
    record["benchmark_annual_return"] = {}
    for phase, symbols in (("third", everything[::3]), ("all", everything)):
        scratch = Path(tempfile.mkdtemp(prefix="bench-zoo-"))
        try:
            result = universe(
                PanelSource(args.data, symbols),
                UniverseConfig(mode="per-symbol", models=("naive", "drift")),
                out=scratch / "run",
                engine=EngineConfig("local", workers=2),
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        book = result.summary["cross_section"]["drift"]["portfolio"]
        record["benchmark_annual_return"][phase] = book["benchmark"]["annual_return"]
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record["benchmark_annual_return"]))


def _read(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _best(path: Path, n: int) -> list[tuple[str, str]]:
    rows = [r for r in _read(path).get("third", []) if r["mean_rank_ic"] is not None]
    rows.sort(key=lambda r: r["mean_rank_ic"], reverse=True)
    return [
        (r["family"], r["features"]) for r in rows[:n] if r["family"] not in ("linear", "lightgbm")
    ]


if __name__ == "__main__":
    main()
