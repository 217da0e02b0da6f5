"""Tomorrow's variance and VaR across the shared panel: `universe --target variance`, timed.

Issue 26's measurement, every pass through the product's own job (`jobs/risk_universe.py`,
two local worker processes), the test period the panel's last 25% of trading days, h = 1
and 5, the Garman-Klass estimate as the proxy:

    baselines   every baseline per symbol, refitted every 21 origins (GARCH and GJR too):
                the issue's speed target (under 10 minutes on 2 cores)
    arch        the GARCH and GJR walks alone, against a plain script of the same `arch`
                fits and forecasts (every 21 origins, five days ahead, one fit for the
                training residuals), in the same two processes: the issue's 1.15x
    global      the global lstm and lightgbm (one model per horizon over every symbol),
                beside the random walk, EWMA and HAR
    per-symbol  the per-symbol lstm (fitted once, as are the baselines beside it in that
                pass: 21 refits of every network is hours here), on every 10th symbol
                by default, `--per-symbol-every 1` for all (about 80 minutes)

Each pass's pooled leaderboard and VaR table go to bench/results/risk_universe.json.

    .venv/bin/python bench/risk_universe.py                 # every pass, about 30 minutes
    .venv/bin/python bench/risk_universe.py --passes per-symbol --per-symbol-every 1
    .venv/bin/python bench/risk_universe.py --passes global --every 10
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster.engines import EngineConfig
from stockcaster.features.split import last_training_day
from stockcaster.jobs.risk_universe import RiskUniversePlan, risk_universe
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.models.volatility import BASELINES, REFIT_EVERY

ROOT = Path(__file__).resolve().parents[1]
PANEL = ROOT.parent / "shared" / "data" / "universe_daily.csv.gz"
RESULTS = Path(__file__).parent / "results" / "risk_universe.json"
OUT = Path("/tmp/stockcaster-risk-bench")
PASSES = {
    "baselines": dict(models=tuple(BASELINES), global_models=()),
    "arch": dict(models=("garch", "gjr"), global_models=()),
    "global": dict(models=("random_walk", "ewma", "har"), global_models=("lstm", "lightgbm")),
    "per-symbol": dict(models=("random_walk", "ewma", "har", "lstm"), global_models=(),
                       retrain_every=0),
}  # fmt: skip


def run_pass(name: str, symbols: list[str] | None, workers: int) -> dict:
    plan = RiskUniversePlan(**{"horizon": 5, "retrain_every": REFIT_EVERY, **PASSES[name]})
    started = time.perf_counter()
    run = risk_universe(PanelSource(PANEL, symbols), plan, out=OUT,
                        engine=EngineConfig("local", workers))  # fmt: skip
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "symbols": run.summary["symbols"],
            "leaderboard": run.summary["leaderboard"], "var": run.summary["var"]}  # fmt: skip


def _plain_symbol(item) -> None:
    """One symbol's GARCH and GJR fits and forecasts, with `arch` alone."""
    from arch import arch_model

    close, first = item
    for o in (0, 1):
        model = arch_model(100 * np.diff(np.log(close)), mean="Zero", p=1, o=o, q=1, dist="t")
        for block in range(first, len(close) - 1, REFIT_EVERY):
            res = model.fit(last_obs=block, disp="off", show_warning=False)
            res.forecast(start=block - 1, horizon=5, reindex=False)
        res = model.fit(last_obs=first, disp="off", show_warning=False)
        res.forecast(start=99, horizon=1, reindex=False)


def plain_arch(symbols: list[str] | None, workers: int) -> float:
    """The plain script, reading the file itself: seconds."""
    started = time.perf_counter()
    prices = pd.read_csv(PANEL, parse_dates=["date"]).sort_values(["symbol", "date"])
    if symbols is not None:
        prices = prices[prices["symbol"].isin(symbols)]
    cutoff = last_training_day(np.unique(prices["date"].to_numpy()), 0.25)
    work = []
    for _, table in prices.groupby("symbol"):
        first = int(np.searchsorted(table["date"].to_numpy(), cutoff, side="right")) - 1
        if first + 1 >= 150 and len(table) - first >= 60:
            work.append((table["close"].to_numpy("float64"), first))
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_plain_symbol, work, chunksize=4))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", default=",".join(PASSES))
    parser.add_argument("--every", type=int, default=1, help="every k-th symbol, by name")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--results", type=Path, default=RESULTS, help="the JSON written")
    parser.add_argument(
        "--per-symbol-every",
        type=int,
        default=10,
        help="the per-symbol pass: every k-th symbol (1: all)",
    )
    args = parser.parse_args()
    names = sorted(pd.read_csv(PANEL, usecols=["symbol"])["symbol"].unique())
    results = args.results
    for name in args.passes.split(","):
        every = args.per_symbol_every if name == "per-symbol" else args.every
        chosen = None if every == 1 else names[::every]
        measured = {**run_pass(name, chosen, args.workers), "every": every}
        found = json.loads(results.read_text()) if results.exists() else {}  # other passes kept
        found = found if isinstance(found.get("passes"), dict) else {"passes": {}}
        found["passes"][name] = measured
        if name == "arch":
            plain = plain_arch(chosen, args.workers)
            found["passes"][name].update(
                plain_seconds=plain, x_plain=found["passes"][name]["seconds"] / plain
            )
        print(name, json.dumps({k: v for k, v in found["passes"][name].items()
                                if k not in ("leaderboard", "var")}), flush=True)  # fmt: skip
        results.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
