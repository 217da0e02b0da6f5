"""Time and peak memory of computing each feature set for the 437-symbol shared panel.

The panel is read once (not timed); each set is then computed and scaled for every row
(`panel_features`, cutoff at 75% of the trading days) in a fresh process, so each peak
memory figure (the process' largest resident size, reading included) is its own.

    .venv/bin/python bench/feature_speed.py [--data ../shared/data/universe_daily.csv.gz]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def one(data: str, name: str) -> dict:
    import numpy as np

    from stockcaster.data.panel import load_panel
    from stockcaster.features.panel import panel_features

    started = time.perf_counter()
    prices = load_panel(data).prices
    read = time.perf_counter() - started
    days = np.unique(prices["date"].to_numpy(dtype="datetime64[ns]"))
    started = time.perf_counter()
    features = panel_features(prices, days[int(0.75 * len(days))], name)
    seconds = time.perf_counter() - started
    return {
        "features": name,
        "columns": features.n_features,
        "rows": len(features.values),
        "symbols": len(features.symbols),
        "read_seconds": round(read, 2),
        "seconds": round(seconds, 2),
        "peak_memory_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/universe_daily.csv.gz"))
    parser.add_argument("--sets", default="returns,ohlcv,technical,market")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.data, args.one)))
        return
    rows = []
    for name in args.sets.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--data", args.data, "--one", name],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    machine = f"{platform.node()}, {os.cpu_count()} cores"
    (ROOT / "bench/results/feature_speed.json").write_text(
        json.dumps({"machine": machine, "sets": rows}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
