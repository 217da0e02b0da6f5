"""A universe run's outputs: summary JSON, per-symbol table, figures, then the report.

Each file is written aside and then renamed into place, so an interrupted run never
leaves a half-written summary for `stockcaster report` to read back.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from stockcaster.reporting.html import write_report
from stockcaster.reporting.universe_figures import ic_figure, portfolio_figure, ratio_figure
from stockcaster.store.files import (
    IC_FIGURE,
    IC_FILE,
    PORTFOLIO_FIGURE,
    PORTFOLIO_FILE,
    RATIO_FIGURE,
    SUMMARY_FILE,
    SYMBOLS_FILE,
    json_text,
    write_atomic,
    write_csv,
)

_SYMBOL_COLUMNS = ("symbol", "model", "n", "mse", "mse_ratio", "mae", "directional_accuracy",
                   "dm_statistic", "dm_pvalue", "lag_flag")  # fmt: skip


def write_universe_outputs(
    folder: Path, summary: dict, metrics: pd.DataFrame, aggregates: dict | None
) -> Path:
    """Write the summary, tables and figures of a universe run, then its report.

    Returns:
        The report's path.
    """
    # With no symbol scored there are no metric columns, but the table keeps its header.
    shown = [c for c in _SYMBOL_COLUMNS if c in metrics.columns] or list(_SYMBOL_COLUMNS)
    table = metrics.reindex(columns=shown)
    write_atomic(folder / SYMBOLS_FILE, lambda p: write_csv(table, p))
    if aggregates:
        daily = aggregates["daily"]
        with_ic = {m: d["ic"] for m, d in daily.items() if len(d["ic"])}
        empty = pd.DataFrame(
            columns=["ic", "rank_ic", "symbols"], index=pd.MultiIndex.from_arrays([[], []])
        )
        ic = pd.concat(with_ic, names=["model"]) if with_ic else empty
        book = pd.concat({m: d["returns"] for m, d in daily.items()}, names=["model"])
        write_atomic(folder / IC_FILE, lambda p: ic.rename_axis(["model", "date"]).to_csv(p))
        write_atomic(
            folder / PORTFOLIO_FILE, lambda p: book.rename_axis(["model", "date"]).to_csv(p)
        )
        write_atomic(folder / RATIO_FIGURE, lambda p: ratio_figure(metrics, p))
        write_atomic(folder / IC_FIGURE, lambda p: ic_figure(aggregates["daily"], p))
        write_atomic(folder / PORTFOLIO_FIGURE, lambda p: portfolio_figure(aggregates["daily"], p))
    text = json_text(summary) + "\n"
    write_atomic(folder / SUMMARY_FILE, lambda p: p.write_text(text))
    return write_report(folder)
