"""The HTML report of a variance run: one symbol's (`backtest`/`run --target variance`) and
a universe's (`universe --target variance`), read back from the files the run wrote."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from stockcaster.reporting.html_parts import (
    image_html,
    notes_html,
    paragraph,
    record_html,
    table_html,
)
from stockcaster.reporting.readback import csv_table, json_object
from stockcaster.reporting.report_charts import risk_chart, risk_universe_chart
from stockcaster.store import files

_BOARD = ("model", "horizon", "n", "qlike", "qlike_x_random_walk", "qlike_x_ewma",
          "mse_x_random_walk", "dm_pvalue", "in_mcs_90", "mz_slope", "mz_r2", "symbols",
          "dm_better_after_bh")  # fmt: skip


def risk_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    """One symbol's variance backtest."""
    s = json_object(
        folder / files.LEADERBOARD_JSON, ("leaderboard", "var", "symbol", "test_period")
    )
    board = pd.DataFrame(s["leaderboard"])
    var = csv_table(folder / files.VAR_CSV, ("model", "shape", "level", "rate", "kupiec_p"))
    rows = csv_table(folder / files.FORECASTS_FILE,
                     ("model", "origin", "horizon", "variance", "realised"))  # fmt: skip
    period = s["test_period"]
    shown = [c for c in _BOARD if c in board.columns]
    return f"{s['symbol']}: tomorrow's variance", [
        ("Verdict", _verdict(board)),
        ("Data", paragraph(
            f"{s['source']}, symbol {s['symbol']}; a day's variance by {s['estimator']}; "
            f"walk-forward over {period['days']} test days, {period['start']} to "
            f"{period['end']}, settings {s['backtest']}. " + " ".join(s.get("notes", [])))),
        ("Leaderboard (QLIKE, the lower the better)", table_html(board[shown])),
        ("Forecast against realised volatility, and the 1% VaR",
         risk_chart(rows, str(board[board["horizon"] == 1].iloc[0]["model"]))
         + image_html(folder, files.RISK_FIGURE, "volatility, VaR and the PIT histogram")),
        ("Value-at-Risk and Expected Shortfall backtests", table_html(var)),
        ("Distributions: CRPS and interval coverage by volatility tercile",
         table_html(pd.DataFrame(s["distribution"]))),
        ("Reproducibility", record_html(s)),
    ]  # fmt: skip


def risk_universe_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    """A universe's variance run, pooled over its symbols."""
    s = json_object(folder / files.RISK_UNIVERSE_FILE, ("leaderboard", "var", "symbols", "cutoff"))
    board = pd.DataFrame(s["leaderboard"])
    days = csv_table(folder / files.RISK_DAILY_CSV, ("model", "date", "predicted", "realised"))
    shown = [c for c in _BOARD if c in board.columns]
    return f"{s['symbols']} symbols: tomorrow's variance", [
        ("Verdict", _verdict(board)),
        ("Data", paragraph(
            f"{s['source']}: {s['symbols']} symbols, a day's variance by {s['estimator']}, the "
            f"test period after {s['cutoff']}; {len(s['left_out'])} symbols left out.")
         + notes_html(s)),
        ("Leaderboard, pooled over symbol-days", table_html(board[shown])),
        ("Forecast against realised volatility, and the 1% VaR, day by day",
         risk_universe_chart(days, str(board[board["horizon"] == 1].iloc[0]["model"]))),
        ("Value-at-Risk and intervals, pooled", table_html(pd.DataFrame(s["var"]))),
        ("Reproducibility", record_html(s)),
    ]  # fmt: skip


def _verdict(board: pd.DataFrame) -> str:
    """The best model of each horizon in words, against the random walk and EWMA."""
    lines = []
    for horizon, rows in board.groupby("horizon"):
        best = rows.sort_values("qlike").iloc[0]
        against = [f"{best[f'qlike_x_{r}']:.3f}x the {r.replace('_', ' ')}'s"
                   for r in ("random_walk", "ewma")
                   if pd.notna(best.get(f"qlike_x_{r}"))]  # fmt: skip
        lines.append(
            f"<li>h = {horizon}: <b>{html.escape(str(best['model']))}</b> has the lowest QLIKE"
            + (f", {html.escape(' and '.join(against))}" if against else "")
            + ".</li>"
        )
    return f"<ul class='verdict'>{''.join(lines)}</ul>"
