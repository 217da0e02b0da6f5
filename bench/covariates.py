"""The positive control of covariates, for every family: with the signal, without it.

A synthetic panel (10 symbols, 1,200 days) whose next-day log-return is half of a
covariate's value today plus noise, the covariate explaining 10% of the return's variance
(`tests/test_covariates.py` builds it the same way). Each family is one global model
(`universe --mode global`), the last half of the days tested (600 per symbol), fitted once:
on `--features columns --covariates Signal`, and on `--features returns` (the returns
alone). Per family and input: the median MSE ratio to naive, the share of symbols it
beats, and the symbols where Diebold-Mariano finds it better after Benjamini-Hochberg.

    .venv/bin/python bench/covariates.py [--families lstm,linear] [--symbols 10]

Writes bench/results/covariates.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from stockcaster.engines import EngineConfig
from stockcaster.jobs.universe import universe
from stockcaster.jobs.universe_plan import PanelSource, UniverseConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_covariates import covariate_panel  # noqa: E402  (the tests' panel, one definition)

RESULTS = Path(__file__).parent / "results" / "covariates.json"
FAMILIES = ("lstm", "gru", "seed", "tcn", "transformer", "mlp", "linear", "lightgbm")
KEPT = ("median_mse_ratio", "share_beating_naive", "dm_wins_bh", "dm_losses_bh", "symbols")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--symbols", type=int, default=10)
    args = parser.parse_args()
    found = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}  # others' rows stay
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "panel.csv"
        covariate_panel(args.symbols, 1200).to_csv(data, index=False)
        for family in args.families.split(","):
            found[family] = {}
            for inputs, covariates in (("columns", {"covariate:signal": "Signal"}),
                                       ("returns", None)):  # fmt: skip
                started = time.perf_counter()
                run = universe(
                    PanelSource(data, columns=covariates),
                    UniverseConfig(models=(family,), features=(inputs,), test_fraction=0.5),
                    out=Path(scratch) / f"{family}-{inputs}", engine=EngineConfig("local", 1),
                )  # fmt: skip
                row = run.summary["leaderboard"][0]
                seconds = round(time.perf_counter() - started, 1)
                found[family][inputs] = {**{k: row.get(k) for k in KEPT}, "seconds": seconds}
                print(family, inputs, found[family][inputs], flush=True)
    RESULTS.write_text(json.dumps(found, indent=2) + "\n")


if __name__ == "__main__":
    main()
