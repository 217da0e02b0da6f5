"""Benchmark: the reference model and the default model, each beside the naive forecast.

Runs the docs' commands through the CLI and reads their `metrics.json` (with the
Diebold-Mariano p-value of each model against naive on the test days):
`stockcaster run --preset seed` on the NYSE MSFT file, and `stockcaster run` (default
preset) on the embedded data and on the NYSE MSFT file. The NYSE file is read from
`../shared/data/` when it is there; rows that need it are skipped otherwise.

    .venv/bin/python bench/reference.py

It prints the docs' table and writes its rows to bench/results/reference.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _measure import record

ROOT = Path(__file__).resolve().parents[1]
NYSE = ROOT.parent / "shared" / "data" / "nyse_msft_2010_2016.csv"
STOCKCASTER = Path(sys.executable).parent / "stockcaster"

RUNS = [
    ("seed", NYSE),
    ("seed", None),
    ("default", None),
    ("default", NYSE),
]


def run(preset: str, data: Path | None, out: Path) -> dict:
    command = [str(STOCKCASTER), "run", "--preset", preset, "--quiet", "--out", str(out)]
    if data is not None:
        command += ["--data", str(data)]
    subprocess.run(command, check=True, capture_output=True)
    (folder,) = sorted(out.iterdir())
    return json.loads((folder / "metrics.json").read_text())


def main() -> None:
    print(
        "| preset | data | final train loss | final val loss | test MSE | naive MSE | "
        "MSE ratio | DM p | direction | train s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for preset, data in RUNS:
        if data is not None and not data.exists():
            print(f"| {preset} | {data.name} | skipped: file not found | | | | | | | |")
            continue
        with tempfile.TemporaryDirectory() as out:
            m = run(preset, data, Path(out))
        direction = m["model"]["directional_accuracy"]
        print(
            f"| {preset} | {data.name if data else 'embedded MSFT'} | "
            f"{m['final_train_loss']:.4f} | {m['final_val_loss']:.4f} | "
            f"{m['model']['mse']:.4f} | {m['naive']['mse']:.4f} | {m['mse_ratio']:.4f} | "
            f"{m['dm_pvalue']:.3f} | {direction:.3f} | {m['train_seconds']:.1f} |",
            flush=True,
        )
        rows.append({"preset": preset, "data": data.name if data else "embedded MSFT",
                     "final_train_loss": m["final_train_loss"],
                     "final_val_loss": m["final_val_loss"], "test_mse": m["model"]["mse"],
                     "naive_mse": m["naive"]["mse"], "mse_ratio": m["mse_ratio"],
                     "dm_pvalue": m["dm_pvalue"],
                     "directional_accuracy": direction,
                     "train_seconds": m["train_seconds"]})  # fmt: skip
    record("reference", {"runs": rows})


if __name__ == "__main__":
    main()
