"""Top-k books on the shared panel, equal weights against inverse predicted volatility.

One `universe` run per weighting (the global `linear` and `lightgbm` models on the
`returns` features, the panel's last 25% of days tested, k = 10, 5 bp of costs), through
the product's own job: each book's realised annual return, volatility, Sharpe ratio,
maximum drawdown and turnover, and for the weighted book its predicted volatility
(`evaluation/risk_books.py`: correlations left out, so a lower bound).

    .venv/bin/python bench/risk_books.py
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from stockcaster.engines import EngineConfig
from stockcaster.jobs.universe import universe
from stockcaster.jobs.universe_plan import PanelSource, UniverseConfig

ROOT = Path(__file__).resolve().parents[1]
PANEL = ROOT.parent / "shared" / "data" / "universe_daily.csv.gz"
RESULTS = Path(__file__).parent / "results" / "risk_books.json"
KEPT = ("annual_return", "volatility", "sharpe", "max_drawdown", "mean_turnover",
        "information_ratio", "predicted_volatility")  # fmt: skip


def main() -> None:
    found = {}
    base = UniverseConfig(models=("linear", "lightgbm"), min_history=60)
    for weights in ("equal", "inverse-vol"):
        started = time.perf_counter()
        run = universe(PanelSource(PANEL), dataclasses.replace(base, weights=weights),
                       out=Path("/tmp/stockcaster-risk-books") / weights,
                       engine=EngineConfig("local", 2))  # fmt: skip
        books = run.summary["cross_section"]
        found[weights] = {m: {k: b["portfolio"].get(k) for k in KEPT} for m, b in books.items()}
        found[weights]["seconds"] = time.perf_counter() - started
        print(weights, json.dumps(found[weights], indent=1), flush=True)
    RESULTS.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
