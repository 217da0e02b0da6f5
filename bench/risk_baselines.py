"""Tomorrow's variance and VaR of one symbol: the volatility baselines, walked forward.

The first measurement of issue 26: every baseline of `models/volatility.py` forecasts the
mean variance of the next h days (h = 1 and 5) from each origin of the test period (the
last 25% of days), refitted every 21 origins on the days before; each is scored by QLIKE
and MSE against the Garman-Klass estimate of those days (`features/volatility.py`), as a
ratio to the random walk's and to EWMA's. From each one-day forecast, the 1% and 5% VaR of
the next day's log-return (normal, Student-t and filtered historical simulation, fitted on
the training days' standardised returns) is backtested: exceedance rate, Kupiec's p,
Christoffersen's conditional-coverage p (`evaluation/risk.py`); the model confidence set of
the baselines' QLIKE at 90% (`arch`'s MCS, blocks of 5 days); the Mincer-Zarnowitz regression
of log variance and Acerbi-Szekely's Z2 test of the 2.5% ES.

    .venv/bin/python bench/risk_baselines.py                 # the embedded MSFT
    .venv/bin/python bench/risk_baselines.py --data ../shared/data/nyse_msft_2010_2016.csv
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from stockcaster.evaluation.risk import (
    acerbi_szekely,
    christoffersen,
    exceedances,
    kupiec,
    mincer_zarnowitz,
    qlike,
    variance_mse,
)
from stockcaster.evaluation.snooping import confidence_set
from stockcaster.features.volatility import daily_variance, log_returns, variance_ahead
from stockcaster.jobs.envelope import Source, read_source
from stockcaster.models.volatility import BASELINES, forecast, training_residuals, value_at_risk

RESULTS = Path(__file__).parent / "results" / "risk_baselines.json"
LEVELS = (0.01, 0.05)


def measure(table, horizon: int) -> dict:
    v, _ = daily_variance(table, "garman_klass")
    r = log_returns(table)
    n = len(table)
    first = n - n // 4 - 1  # the last origin of the training part
    origins = np.arange(first, n - horizon)
    proxy = variance_ahead(v, origins, horizon)
    rows = {}
    for name in BASELINES:
        started = time.perf_counter()
        walked = forecast(name, v, r, origins, (horizon,))[:, 0]
        kept = np.isfinite(proxy)
        rows[name] = {"losses": qlike(proxy[kept], walked[kept]),
                      "qlike": float(np.mean(qlike(proxy[kept], walked[kept]))),
                      "mse": float(np.mean(variance_mse(proxy[kept], walked[kept]))),
                      "seconds": time.perf_counter() - started}  # fmt: skip
        if horizon == 1:
            rows[name]["var"] = _var_rows(v, r, origins, walked, name)
            rows[name]["mincer_zarnowitz"] = mincer_zarnowitz(proxy, walked)
    losses = np.column_stack([rows[n].pop("losses") for n in rows])
    in_set = confidence_set(losses, list(rows), size=0.1, block_size=max(horizon, 5))
    for name in rows:
        rows[name]["in_mcs_90"] = name in in_set
        for against in ("random_walk", "ewma"):
            rows[name][f"qlike_x_{against}"] = rows[name]["qlike"] / rows[against]["qlike"]
            rows[name][f"mse_x_{against}"] = rows[name]["mse"] / rows[against]["mse"]
    return rows


def _var_rows(v, r, origins, walked, name) -> dict:
    """Each VaR kind's backtest; the t and FHS fitted on the training days' residuals."""
    residuals = training_residuals(name, v, r, origins[0])
    out = {}
    for how in ("normal", "t", "fhs"):
        for level in LEVELS:
            var, _ = value_at_risk(walked, level, how, residuals)
            hits = exceedances(r[origins + 1], var)
            out[f"{how}@{level:g}"] = {
                "rate": float(hits.mean()),
                "kupiec_p": kupiec(hits, level)["pvalue"],
                "cc_p": christoffersen(hits, level)["conditional_pvalue"],
            }
        var, es = value_at_risk(walked, 0.025, how, residuals)  # Basel's ES level
        out[f"{how} ES@0.025"] = acerbi_szekely(r[origins + 1], var, es, 0.025)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="a price file (default: embedded MSFT)")
    args = parser.parse_args()
    table = read_source(Source(args.data)).table
    found = {f"h={h}": measure(table, h) for h in (1, 5)}
    for h, rows in found.items():
        print(f"\n{h}  (QLIKE and MSE of the variance; ratios < 1 beat the reference)")
        print("| baseline | QLIKE | x random walk | x EWMA | MSE x random walk | in 90% MCS |")
        print("|---|---|---|---|---|---|")
        for name, row in rows.items():
            print(f"| {name} | {row['qlike']:.4f} | {row['qlike_x_random_walk']:.3f} | "
                  f"{row['qlike_x_ewma']:.3f} | {row['mse_x_random_walk']:.3f} | "
                  f"{'yes' if row['in_mcs_90'] else 'no'} |")  # fmt: skip
    print("\nh=1 Mincer-Zarnowitz (log variance): intercept, slope, R^2, p of (0, 1)")
    for name, row in found["h=1"].items():
        mz = row["mincer_zarnowitz"]
        print(f"| {name} | {mz['intercept']:.2f} | {mz['slope']:.2f} | {mz['r2']:.3f} | "
              f"{mz['pvalue']:.3f} |")  # fmt: skip
    print("\nh=1 ES at 2.5%: Acerbi-Szekely Z2 (zone)")
    for name, row in found["h=1"].items():
        cells = [
            f"{how}: {row['var'][f'{how} ES@0.025']['z2']:.2f} "
            f"({row['var'][f'{how} ES@0.025']['zone']})"
            for how in ("normal", "t", "fhs")
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nh=1 VaR backtests: exceedance rate (Kupiec p, conditional-coverage p)")
    kinds = [k for k in next(iter(found["h=1"].values()))["var"] if "ES" not in k]
    print("| baseline | " + " | ".join(kinds) + " |\n|---|" + "---|" * len(kinds))
    for name, row in found["h=1"].items():
        cells = [f"{c['rate']:.2%} ({c['kupiec_p']:.2f}, {c['cc_p']:.2f})"
                 for k, c in row["var"].items() if k in kinds]  # fmt: skip
        print(f"| {name} | " + " | ".join(cells) + " |")
    RESULTS.parent.mkdir(exist_ok=True)
    key = Path(args.data).name if args.data else "embedded MSFT"
    old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps({**old, key: found}, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
