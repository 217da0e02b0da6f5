"""Does any model add to the best one-line factor? The factor zoo on the shared panel.

Every factor baseline (`features/factors.py`), `linear`, `lightgbm` and the two best
networks of the universe zoo (`bench/results/universe_zoo.json`: seed and transformer) on
the `returns`, `technical` and `factors` feature sets, at h = 1, 5 and 21 sessions, on
every symbol of the shared panel, the last 25% of trading days judged (`stockcaster
signals`, `jobs/signals.py`): rank IC with its Newey-West t, ICIR, decile spread net of
5 bp a half-turn, break-even cost, turnover, the buffered book, and the SPA p-value
against the best factor of each horizon.

Phases, each appended to the output as soon as it is done (an interrupted bench keeps
what it measured):
  factors   the factor baselines alone, timed against reading the panel (the same
            process, the best of three for each: reading, the factor work, the whole
            command with its outputs);
            alphalens-reloaded's tear sheet of one factor and horizon timed beside ours;
  tabular   linear and lightgbm, each on the three sets (one signals run per pair);
  networks  the two networks on the three sets, with the universe zoo's training budget
            (10 epochs of 16,384 windows at most, early stopping after 3), on JAX.

    .venv/bin/python bench/factor_zoo.py --phase factors
    .venv/bin/python bench/factor_zoo.py --phase tabular
    .venv/bin/python bench/factor_zoo.py --phase networks
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
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench/results/factor_zoo.json"
SETS = ("returns", "technical", "factors")
FAMILIES = {"tabular": ("linear", "lightgbm"), "networks": ("transformer", "seed")}
BUDGET = {"epochs": 10, "windows_per_epoch": 16384, "patience": 3}
KEPT = ("signal", "kind", "horizon", "days", "mean_rank_ic", "rank_ic_t", "hac_lags", "t_needed",
        "rank_icir", "mean_ic", "ic_t", "share_positive", "monotonicity", "top_turnover",
        "best_factor", "spa_p_vs_best_factor", "decile", "buffered", "rank_ic_by_year")  # fmt: skip


def plan(models: tuple[str, ...], feature_set: str):
    from stockcaster.jobs.signals import SignalsPlan
    from stockcaster.models.presets import load_preset
    from stockcaster.training.config import EarlyStop

    base = load_preset("universe").with_inputs(feature_set)
    training = dataclasses.replace(
        base.training,
        epochs=BUDGET["epochs"],
        early_stopping=EarlyStop(patience=BUDGET["patience"]),
        windows_per_epoch=BUDGET["windows_per_epoch"],
    )
    return SignalsPlan(models=models, features=(feature_set,),
                       global_model=dataclasses.replace(base, training=training))  # fmt: skip


def judged(data: str, models: tuple[str, ...], feature_set: str) -> tuple[list[dict], float]:
    """One signals run: its rows (factors included) and its seconds."""
    from stockcaster.jobs.signals import signals
    from stockcaster.jobs.universe_plan import PanelSource

    scratch = Path(tempfile.mkdtemp(prefix="bench-factor-zoo-"))
    started = time.perf_counter()
    try:
        result = signals(PanelSource(data), plan(models, feature_set), out=scratch)
    finally:
        seconds = time.perf_counter() - started
        shutil.rmtree(scratch, ignore_errors=True)
    rows = [{k: r.get(k) for k in KEPT} | {"features": feature_set}
            for r in result.summary["signals"]]  # fmt: skip
    return rows, seconds


def best_of(fn, times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def factors_phase(data: str, record: dict) -> None:
    """The factor baselines alone, timed against reading the panel; alphalens beside.

    Three figures, each the best of three: reading and checking the panel (`load_panel`);
    the factor work (`jobs.signals.judge_signals`: every factor's scores, its tear sheet at
    h = 1, 5 and 21 and the SPA tests, on the panel already read); the whole command
    (reading, the work, and writing the folder with its report)."""
    from stockcaster.data.panel import load_panel
    from stockcaster.jobs.signals import SignalsPlan, judge_signals
    from stockcaster.jobs.universe_plan import PanelSource, UniverseConfig, plan_universe

    reading = best_of(lambda: load_panel(data))
    planned = plan_universe(PanelSource(data), UniverseConfig(models=()))
    learn = planned.prices[planned.prices["symbol"].isin(planned.eligible)]
    learn = learn.reset_index(drop=True)
    work = best_of(lambda: judge_signals(learn, planned.cutoff, SignalsPlan()))
    rows, _ = judged(data, (), "returns")  # warm: imports and caches
    whole = best_of(lambda: judged(data, (), "returns"))
    record["factors"] = rows
    record["factors_timing"] = {
        "reading_seconds": round(reading, 3),
        "factor_work_seconds": round(work, 3),
        "factor_work_over_reading": round(work / reading, 2),
        "signals_seconds": round(whole, 3),
        "signals_over_reading": round(whole / reading, 2),
        "alphalens": alphalens_timing(data),
    }


def alphalens_timing(data: str) -> dict:
    """alphalens-reloaded's IC, quantile returns and top-decile turnover of reversal_5 at
    h = 5 against ours (`evaluation/tear_sheet.judge`), on the last 25% of days."""
    import alphalens

    from stockcaster.data.panel import load_panel
    from stockcaster.evaluation.tear_sheet import judge
    from stockcaster.features.factors import factor_scores

    prices = load_panel(data).prices
    close = prices.pivot(index="date", columns="symbol", values="close")
    scores = prices.assign(close=factor_scores(prices, ("reversal_5",))[:, 0])
    score = scores.pivot(index="date", columns="symbol", values="close")
    score = score.iloc[int(0.75 * len(score)) :]
    ours = best_of(lambda: judge(score, close, 5))

    def theirs() -> None:
        factor = score.stack()
        factor.index.names = ["date", "asset"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = alphalens.utils.get_clean_factor_and_forward_returns(
                factor, close, quantiles=10, periods=(5,), max_loss=1.0
            )
            alphalens.performance.factor_information_coefficient(frame)
            alphalens.performance.mean_return_by_quantile(frame)
            alphalens.performance.quantile_turnover(frame["factor_quantile"], 10, 5)

    slow = best_of(theirs)
    return {"ours_seconds": round(ours, 3), "alphalens_seconds": round(slow, 3),
            "ratio": round(slow / ours, 1)}  # fmt: skip


def models_phase(data: str, record: dict, phase: str, families: tuple[str, ...]) -> None:
    """Each model on each set: its rows (the factors' once) and its seconds; a family run
    again replaces its rows."""
    record[phase] = [r for r in record.get(phase, []) if r["signal"].split(":")[0] not in families]
    for family in families:
        for feature_set in SETS:
            rows, seconds = judged(data, (family,), feature_set)
            models = [r | {"seconds": round(seconds, 1)} for r in rows if r["kind"] == "model"]
            record[phase] += models
            record[f"{phase}_seconds"] = round(
                sum({r["signal"]: r["seconds"] for r in record[phase]}.values()), 1
            )
            write(record)
            print(json.dumps([(r["signal"], r["horizon"], r["mean_rank_ic"]) for r in models]),
                  flush=True)  # fmt: skip


def write(record: dict) -> None:
    from stockcaster.store.files import strict

    OUT.write_text(json.dumps(strict(record), indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/universe_daily.csv.gz"))
    parser.add_argument("--phase", choices=("factors", "tabular", "networks"), default="factors")
    parser.add_argument("--backend", default="jax", help="Keras backend for the networks")
    parser.add_argument("--families", help="the phase's families, comma-separated (default all)")
    args = parser.parse_args()
    from stockcaster.process import choose_backend

    choose_backend(args.backend)
    record = json.loads(OUT.read_text()) if OUT.is_file() else {}
    record["machine"] = f"{platform.node()}, {os.cpu_count()} cores"
    record["budget"] = BUDGET
    started = time.perf_counter()
    if args.phase == "factors":
        factors_phase(args.data, record)
    else:
        families = tuple(args.families.split(",")) if args.families else FAMILIES[args.phase]
        record[f"{args.phase}_backend"] = args.backend
        models_phase(args.data, record, args.phase, families)
    record[f"{args.phase}_wall_seconds"] = round(time.perf_counter() - started, 1)
    write(record)


if __name__ == "__main__":
    main()
