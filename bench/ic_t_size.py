"""How often the signals' Newey-West t of a rank IC reaches 2 on pure noise: its size.

A signal judged on noise should reach |t| >= 2 about 5% of the time. Here every symbol's
prices are an independent random walk (so nothing forecasts them), the signal is 12-1
momentum (the past year's return but the last month's: persistent from day to day, as a
factor is), and each panel is judged as `signals` judges a signal: its daily rank IC
against the next h sessions' returns (`evaluation/cross_section.py`), the mean's t with the
lags `evaluation/tear_sheet.py` chooses (`hac_lags`, `newey_west_t`). The share of panels
with |t| >= 2 is that t's false-positive rate, per horizon, test days and symbols.

Beside it, one alternative measured the same way: a wider bandwidth (2h lags, or
1.3 sqrt(T) as Lazarus, Lewis, Stock and Watson 2018 recommend, whichever is more) judged
against Kiefer and Vogelsang's (2005) fixed-b critical value of the Bartlett kernel,
1.96 + 2.9694 b + 0.4160 b^2 - 0.5324 b^3 with b = (lags + 1) / T.

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
from stockcaster.evaluation.tear_sheet import forward_returns, hac_lags, newey_west_t

WARMUP = 260  # days before the first judged one: 12-1 momentum reads 252


def fixed_b(lags: int, days: int) -> float:
    """Kiefer and Vogelsang's (2005) 5% two-sided critical value of a Bartlett-kernel t."""
    b = (lags + 1) / days
    return 1.96 + 2.9694 * b + 0.4160 * b**2 - 0.5324 * b**3


def wider(days: int, horizon: int) -> int:
    return max(2 * horizon, int(np.ceil(1.3 * np.sqrt(days))))


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
    shipped, alternative, judged = 0, 0, 0
    for _ in range(panels):
        ic = panel_ic(rng, symbols, days, horizon)
        t = newey_west_t(ic, hac_lags(len(ic), horizon))
        if t is None:
            continue
        judged += 1
        shipped += abs(t) >= 2
        lags = wider(len(ic), horizon)
        other = newey_west_t(ic, lags)
        alternative += other is not None and abs(other) >= fixed_b(lags, len(ic))
    return {
        "symbols": symbols, "days": days, "horizon": horizon, "panels": judged,
        "lags": hac_lags(days, horizon), "rate_t_2": shipped / max(judged, 1),
        "alternative_lags": wider(days, horizon),
        "alternative_rate": alternative / max(judged, 1),
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
