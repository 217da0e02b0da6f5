"""Tomorrow's variance and VaR across the shared panel: the volatility baselines, pooled.

Part of issue 26's `bench/risk_universe.py` (its baselines; the networks come later): every
baseline of `models/volatility.py` on each symbol of the panel (every `--every`-th symbol,
by name), the test period the panel's last 25% of trading days, refits every 21 origins.
Scores per symbol and pooled over symbol-days: QLIKE and MSE of the variance against the
Garman-Klass estimate (h = 1 and 5), as ratios to the random walk and to EWMA; the
Diebold-Mariano test on QLIKE of each baseline against the random walk per symbol, with the
Benjamini-Hochberg count of symbols where it is better; the one-day 1% and 5% VaR (Student-t
and filtered historical simulation on the training days' residuals): pooled exceedance
rate, the share of symbols passing Kupiec and Christoffersen's conditional coverage at 5%.
Timed: the GARCH and GJR walks against a plain script of the same `arch` fits and forecasts.

    .venv/bin/python bench/risk_universe.py --every 10
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from stockcaster.data.panel import load_panel
from stockcaster.evaluation.cross_section import benjamini_hochberg
from stockcaster.evaluation.risk import christoffersen, exceedances, kupiec, qlike, variance_mse
from stockcaster.evaluation.significance import diebold_mariano_losses
from stockcaster.features.split import last_training_day
from stockcaster.features.volatility import daily_variance, log_returns, variance_ahead
from stockcaster.models.volatility import (
    BASELINES,
    REFIT_EVERY,
    forecast,
    training_residuals,
    value_at_risk,
)

ROOT = Path(__file__).resolve().parents[1]
PANEL = ROOT.parent / "shared" / "data" / "universe_daily.csv.gz"
RESULTS = Path(__file__).parent / "results" / "risk_universe.json"
LEVELS = (0.01, 0.05)
HORIZONS = (1, 5)


def one_symbol(table, cutoff) -> dict | None:
    """Each baseline's daily losses, VaR hits and seconds on one symbol; None if too short.
    One walk per baseline gives both horizons (and the one-day VaR)."""
    v, _ = daily_variance(table, "garman_klass")
    r = log_returns(table)
    first = int(np.searchsorted(table["date"].to_numpy(), cutoff, side="right")) - 1
    if first < 300 or len(v) - first < 60:
        return None
    origins = np.arange(first, len(v) - 1)
    found = {}
    for name in BASELINES:
        started = time.perf_counter()
        walked = forecast(name, v, r, origins, HORIZONS)
        residuals = training_residuals(name, v, r, first)
        found[name] = {"seconds": time.perf_counter() - started}
        for column, horizon in enumerate(HORIZONS):
            scored = origins[: len(origins) - horizon + 1]
            proxy = variance_ahead(v, scored, horizon)
            guess = walked[: len(scored), column]
            kept = np.isfinite(proxy)
            found[name][horizon] = {"qlike": qlike(proxy[kept], guess[kept]),
                                    "mse": variance_mse(proxy[kept], guess[kept])}  # fmt: skip
        for how in ("t", "fhs"):
            for level in LEVELS:
                var, _ = value_at_risk(walked[:, 0], level, how, residuals)
                found[name][f"{how}@{level:g}"] = exceedances(r[origins + 1], var)
    return found


def plain_arch_seconds(table, cutoff) -> float:
    """The same GARCH and GJR fits and forecasts as the walks (every 21 origins, five days
    ahead, and one fit for the training residuals), written with `arch` alone."""
    from arch import arch_model

    close = table["close"].to_numpy(dtype="float64")
    first = int(np.searchsorted(table["date"].to_numpy(), cutoff, side="right")) - 1
    started = time.perf_counter()
    for o in (0, 1):
        model = arch_model(100 * np.diff(np.log(close)), mean="Zero", p=1, o=o, q=1, dist="t")
        for block in range(first, len(close) - 1, REFIT_EVERY):
            res = model.fit(last_obs=block, disp="off", show_warning=False)
            res.forecast(start=block - 1, horizon=max(HORIZONS), reindex=False)
        res = model.fit(last_obs=first, disp="off", show_warning=False)
        res.forecast(start=99, horizon=1, reindex=False)
    return time.perf_counter() - started


def _symbol_work(item) -> tuple[str, dict | None]:
    symbol, table, cutoff = item
    return symbol, one_symbol(table, cutoff)


def _plain_work(item) -> float:
    _, table, cutoff = item
    return plain_arch_seconds(table, cutoff)


def _mean(results: dict, name: str, horizon: int, loss: str) -> float:
    """A loss pooled over every symbol-day."""
    return float(np.mean(np.concatenate([s[name][horizon][loss] for s in results.values()])))


def _dm_better(results: dict, name: str, horizon: int) -> int:
    """Symbols where `name` beats the random walk on QLIKE, by DM after Benjamini-Hochberg."""
    mine = [s[name][horizon]["qlike"] for s in results.values()]
    walk = [s["random_walk"][horizon]["qlike"] for s in results.values()]
    pairs = list(zip(mine, walk, strict=True))
    tests = [diebold_mariano_losses(a, b, horizon)["pvalue"] for a, b in pairs]
    p = np.array([np.nan if t is None else t for t in tests], dtype=float)
    better = np.array([a.mean() < b.mean() for a, b in pairs])
    return int((benjamini_hochberg(p) & better).sum())


def _var(results: dict, name: str, kind: str) -> dict:
    level = float(kind.split("@")[1])
    hits = [s[name][kind] for s in results.values()]
    passing = [(kupiec(h, level)["pvalue"] >= 0.05,
                christoffersen(h, level)["conditional_pvalue"] >= 0.05) for h in hits]  # fmt: skip
    return {"rate": float(np.mean(np.concatenate(hits))),
            "kupiec_pass": float(np.mean([k for k, _ in passing])),
            "cc_pass": float(np.mean([c for _, c in passing]))}  # fmt: skip


def pooled(results: dict[str, dict]) -> dict:
    out = {}
    for horizon in HORIZONS:
        q = {n: _mean(results, n, horizon, "qlike") for n in BASELINES}
        mse = {n: _mean(results, n, horizon, "mse") for n in BASELINES}
        out[f"h={horizon}"] = {
            n: {"qlike": q[n], "qlike_x_random_walk": q[n] / q["random_walk"],
                "qlike_x_ewma": q[n] / q["ewma"], "mse_x_random_walk": mse[n] / mse["random_walk"],
                "dm_better_after_bh": _dm_better(results, n, horizon)}
            for n in BASELINES
        }  # fmt: skip
    kinds = [f"{how}@{level:g}" for how in ("t", "fhs") for level in LEVELS]
    out["var"] = {n: {kind: _var(results, n, kind) for kind in kinds} for n in BASELINES}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=PANEL)
    parser.add_argument("--every", type=int, default=1, help="every k-th symbol, by name")
    parser.add_argument("--workers", type=int, default=2, help="processes, one symbol each")
    args = parser.parse_args()
    prices = load_panel(args.data).prices
    days = np.unique(prices["date"].to_numpy())
    cutoff = last_training_day(days, 0.25)
    symbols = sorted(prices["symbol"].unique())[:: args.every]
    tables = {s: prices[prices["symbol"] == s].reset_index(drop=True) for s in symbols}
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        work = [(s, tables[s], cutoff) for s in symbols]
        results = {s: f for s, f in pool.map(_symbol_work, work, chunksize=4) if f is not None}
        seconds = time.perf_counter() - started
        kept = [(s, tables[s], cutoff) for s in results]
        plain = sum(pool.map(_plain_work, kept, chunksize=4))
    walked = sum(f[n]["seconds"] for f in results.values() for n in ("garch", "gjr"))
    summary = {"symbols": len(results), "every": args.every, "workers": args.workers,
               "seconds": seconds, "garch_walk_seconds": walked,
               "plain_arch_seconds": plain, "walk_x_plain": walked / plain,
               "baseline_seconds": {n: sum(s[n]["seconds"] for s in results.values())
                                    for n in BASELINES}, **pooled(results)}  # fmt: skip
    print(json.dumps(summary, indent=1))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
