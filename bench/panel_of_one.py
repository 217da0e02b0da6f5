"""Benchmark: what `run`'s numbers would become if one symbol took the panel's path.

Issue 25 asks that a series be a panel of one, and that no number change. The two paths
differ below the registry (docs/architecture.md): a series' scaler is fitted on its fit rows
and centres the log-return, Keras shuffles its windows as arrays, and its validation part is a
share of rows; a panel's symbol is scaled by its rows up to the cutoff without centring, its
windows are sampled by a NumPy generator, and its validation part is a share of days. This
script measures that trade on the default preset: for each symbol and each of `--seeds`
training seeds, the test MSE ratio against naive of

- "series": `stockcaster run` as it is (`jobs/run.py`);
- "panel of one": the same preset's network, data, cutoff and test days through the
  global model's path (`models/global_model.py::GlobalNetwork` on a one-symbol table).

The question it answers: is the change of path larger than the change of seed? Symbols: the
embedded MSFT history, and with `--universe FILE` the first `--symbols` symbols of that file
with the most rows. Writes every ratio and the spreads to bench/results/panel_of_one.json.

    .venv/bin/python bench/panel_of_one.py [--seeds 3]
        [--universe ../shared/data/universe_daily.csv.gz --symbols 4]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _measure import record

from stockcaster import columns as C
from stockcaster.data.panel import load_panel
from stockcaster.evaluation.one_step import compare_with_naive, forecast_table
from stockcaster.features.split import chronological_split
from stockcaster.jobs.envelope import Source, read_source
from stockcaster.jobs.run import run
from stockcaster.models.global_model import GlobalNetwork
from stockcaster.models.presets import load_preset


def _series(config, source: Source, out: Path) -> float:
    """`run`'s MSE ratio, as the command gives it."""
    return run(config, source, out=out, verbose=False).metrics["mse_ratio"]


def _panel_of_one(config, table: pd.DataFrame) -> float:
    """The MSE ratio of the same preset's network trained as a global model on one symbol."""
    f = config.features
    split = chronological_split(len(table), f.test_fraction, f.validation_fraction)
    cutoff = np.datetime64(table[C.DATE].iloc[split.train_end - 1], "ns")
    model = GlobalNetwork(config, name="lstm")
    model.fit(table, cutoff)
    predicted = model.predict_after(table)
    days = np.arange(split.train_end, len(table))
    by_date = predicted.set_index(C.DATE)[C.YHAT]
    yhat = by_date.reindex(table[C.DATE].iloc[days]).to_numpy()
    return compare_with_naive(forecast_table(table, days, yhat))["mse_ratio"]


def _sources(universe: str | None, count: int) -> list[Source]:
    sources = [Source()]
    if universe:
        prices = load_panel(Path(universe)).prices
        longest = prices.groupby(C.SYMBOL).size().sort_values(ascending=False, kind="stable")
        sources += [Source(Path(universe), s) for s in longest.index[:count]]
    return sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--universe", default=None)
    parser.add_argument("--symbols", type=int, default=4)
    args = parser.parse_args()
    preset = load_preset("default")
    figures: dict = {"preset": "default", "seeds": args.seeds, "symbols": {}}
    with tempfile.TemporaryDirectory() as scratch:
        for source in _sources(args.universe, args.symbols):
            prices = read_source(source)
            table = prices.table.reset_index(drop=True)
            rows: dict[str, list[float]] = {"series": [], "panel of one": []}
            for k in range(args.seeds):
                seed = preset.training.seed + k
                config = dataclasses.replace(
                    preset, training=dataclasses.replace(preset.training, seed=seed)
                )
                rows["series"].append(_series(config, source, Path(scratch)))
                rows["panel of one"].append(_panel_of_one(config, table))
            means = {path: statistics.mean(r) for path, r in rows.items()}
            spreads = {path: max(r) - min(r) for path, r in rows.items()}
            figures["symbols"][prices.symbol] = {"ratios": rows, "mean": means, "spread": spreads}
            shown = {path: ", ".join(f"{x:.4f}" for x in r) for path, r in rows.items()}
            print(f"{prices.symbol}: series {shown['series']} (mean {means['series']:.4f}); panel "
                  f"of one {shown['panel of one']} (mean {means['panel of one']:.4f})")  # fmt: skip
    shifts = [abs(s["mean"]["series"] - s["mean"]["panel of one"])
              for s in figures["symbols"].values()]  # fmt: skip
    seed_spreads = [s["spread"]["series"] for s in figures["symbols"].values()]
    figures["mean_shift_of_path"] = statistics.mean(shifts)
    figures["mean_spread_of_seeds"] = statistics.mean(seed_spreads)
    print(
        f"the path moves the mean ratio by {figures['mean_shift_of_path']:.4f} on average; "
        f"{args.seeds} seeds of the series path spread by {figures['mean_spread_of_seeds']:.4f}"
    )
    print(record("panel_of_one", figures))


if __name__ == "__main__":
    main()
