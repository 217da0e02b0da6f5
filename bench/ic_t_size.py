"""How often the signals' Newey-West t of a rank IC reaches 2 on pure noise: its size.

A signal judged on noise should reach its bar about 5% of the time. Here every symbol's
prices are an independent random walk (so nothing forecasts them), the signal is 12-1
momentum (the past year's return but the last month's: persistent from day to day, as a
factor is), and each panel is judged as `signals` judges a signal: its daily rank IC
against the next h sessions' returns (`evaluation/cross_section.py`), the mean's t with the
lags `evaluation/tear_sheet.py` chooses (`hac_lags`) against the |t| it needs (`t_needed`:
2 one session ahead, Kiefer and Vogelsang's fixed-b critical value beyond). The share of
panels that reach it is the test's false-positive rate, per horizon, test days and symbols.

Beside it, the t stockcaster shipped before (stop 50): Newey and West's (1994) lags but at
least h - 1, against |t| = 2 at every horizon.

    .venv/bin/python bench/ic_t_size.py                 # 300 panels per cell, ~4 min on 2 cores
    .venv/bin/python bench/ic_t_size.py --panels 100    # quicker, coarser
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
from _measure import record

from stockcaster.evaluation.cross_section import information_coefficients
from stockcaster.evaluation.tear_sheet import forward_returns, hac_lags, newey_west_t, t_needed

WARMUP = 260  # days before the first judged one: 12-1 momentum reads 252


def lags_before(days: int, horizon: int) -> int:
    """The lags of stop 50's t: Newey and West's rule, and at least h - 1."""
    return max(horizon - 1, int(4 * (days / 100) ** (2 / 9)))


def panel_ic(rng, symbols: int, days: int, horizon: int) -> np.ndarray:
    """The daily rank IC of 12-1 momentum on `symbols` random walks over `days` days."""
    n = WARMUP + days + horizon
    log_close = np.cumsum(rng.normal(0, 0.01, (n, symbols)), axis=0)
    close = pd.DataFrame(np.exp(log_close), index=pd.bdate_range("2010-01-04", periods=n))
    momentum = close.shift(21) / close.shift(252) - 1
    judged = close.index[WARMUP : WARMUP + days]
    forward = forward_returns(close, horizon).reindex(judged)
    ic = information_coefficients(momentum.reindex(judged), forward)["rank_ic"].to_numpy()
    return ic[np.isfinite(ic)]


def cell(rng, symbols: int, days: int, horizon: int, panels: int) -> dict:
    shipped, before, judged = 0, 0, 0
    for _ in range(panels):
        ic = panel_ic(rng, symbols, days, horizon)
        t = newey_west_t(ic, hac_lags(len(ic), horizon))
        if t is None:
            continue
        judged += 1
        shipped += abs(t) >= t_needed(len(ic), horizon)
        old = newey_west_t(ic, lags_before(len(ic), horizon))
        before += old is not None and abs(old) >= 2
    return {
        "symbols": symbols, "days": days, "horizon": horizon, "panels": judged,
        "lags": hac_lags(days, horizon), "t_needed": round(t_needed(days, horizon), 3),
        "rate": shipped / max(judged, 1),
        "before_lags": lags_before(days, horizon), "before_rate": before / max(judged, 1),
        "standard_error": float(np.sqrt(0.05 * 0.95 / max(judged, 1))),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started, cells = time.perf_counter(), []
    for symbols in (3, 20):
        for days in (250, 437, 1000):
            for horizon in (1, 5, 21):
                cells.append(cell(rng, symbols, days, horizon, args.panels))
                print(json.dumps(cells[-1]), flush=True)
    seconds = time.perf_counter() - started
    path = record("ic_t_size", {"panels": args.panels, "seed": args.seed, "cells": cells,
                                "seconds": round(seconds, 1)})  # fmt: skip
    print(f"wrote {path} ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
