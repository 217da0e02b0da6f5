"""The reference for `stockcaster universe --models ...,arima`: AutoARIMA and nothing else.

Reads the panel with stockcaster's reader (the universe pays the same), takes the same
cutoff (the last 25% of trading days are the test period) and, in 2 worker processes,
fits statsforecast's AutoARIMA once per symbol on its closes up to the cutoff and runs one
forward pass over all its closes for the one-step forecasts of its test days (symbols
sent in chunks of 10, so the two processes stay busy to the end). No scores,
no store, no report: what a hand-written script for the same forecasts would cost.

    .venv/bin/python bench/_plain_arima.py ../shared/data/universe_daily.csv.gz
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

MIN_HISTORY = 60  # the universe's default


def forecasts(series: list[tuple[np.ndarray, int]]) -> list[np.ndarray]:
    """One-step forecasts of each series' days after row `first`, ARIMA fitted up to it."""
    from statsforecast.models import AutoARIMA

    made = []
    for close, first in series:
        model = AutoARIMA().fit(close[: first + 1])
        made.append(model.forward(y=close, h=1, fitted=True)["fitted"][first + 1 :])
    return made


def main() -> None:
    from stockcaster.data.panel import load_panel
    from stockcaster.features.split import last_training_day

    prices = load_panel(sys.argv[1]).prices
    days = np.sort(prices["date"].unique())
    cutoff = last_training_day(days, 0.25)
    work = []
    for _, rows in prices.groupby("symbol", sort=True):
        first = int(np.searchsorted(rows["date"].to_numpy(), cutoff, side="right")) - 1
        if first + 1 >= MIN_HISTORY and first < len(rows) - 1:
            work.append((rows["close"].to_numpy(dtype="float64"), first))
    chunks = [work[i : i + 10] for i in range(0, len(work), 10)]  # balanced between the two
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        made = [f for part in pool.map(forecasts, chunks) for f in part]
    print(f"{len(made)} symbols, {sum(len(f) for f in made)} forecasts")


if __name__ == "__main__":
    main()
