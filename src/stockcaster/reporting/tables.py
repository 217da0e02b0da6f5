"""Terminal tables (Rich): a run's model-vs-naive summary and a data inspection."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from stockcaster import columns as C
from stockcaster.reporting import verdicts
from stockcaster.reporting.lines import notes, reasons
from stockcaster.reporting.numbers import figure, price, share


def _number(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else figure(value, digits)


def run_summary(console: Console, metrics: dict, folder: str) -> None:
    """Print the model beside the naive forecast, the MSE ratio and the losses."""
    period = metrics["test_period"]
    symbol, preset = escape(metrics["symbol"]), escape(metrics["preset"])
    named = metrics.get("model_name")  # `run --model NAME`
    which = f"model {escape(named)}" if named else f"preset {preset}"
    table = Table(
        title=f"{symbol} · {which} · one-step forecasts, "
        f"{period['days']} test days {period['start']} .. {period['end']}"
    )
    table.add_column("forecast")
    for name in ("MSE", "RMSE", "MAE", "MAPE %", "direction"):
        table.add_column(name, justify="right")
    for key, label in (("model", "model"), ("naive", "naive (yesterday's close)")):
        m = metrics[key]
        table.add_row(
            label,
            _number(m["mse"]),
            _number(m["rmse"]),
            _number(m["mae"]),
            _number(m["mape"], 3),
            _number(m["directional_accuracy"], 3),
        )
    console.print(table)
    ratio = metrics["mse_ratio"]
    if ratio is None:
        console.print("MSE ratio model / naive: n/a (the close never moves on the test days)")
    else:
        verdict = verdicts.against_naive(ratio, metrics.get("dm_pvalue"))
        console.print(f"MSE ratio model / naive: [bold]{ratio:.4f}[/bold] ({verdict})")
        if metrics.get("lag_flag") and ratio != 1:  # naive's own forecasts trail by definition
            console.print(f"[yellow]note:[/yellow] {verdicts.LAGGING}")
    if "final_train_loss" in metrics:  # a network's run (not `run --model`)
        console.print(
            f"final training loss {metrics['final_train_loss']:.4f}, final validation loss "
            f"{metrics['final_val_loss']:.4f} ({metrics['loss_units']}); naive test MSE "
            f"{_number(metrics['naive']['mse'])}"
        )
    notes(console, metrics.get("notes"))
    console.print(f"outputs: {escape(folder)}")


MOST_SYMBOLS_SHOWN = 500  # rows of a terminal table: 20,000 symbols took 18 s to draw


def inspection(
    console: Console,
    table: pd.DataFrame,
    source: str,
    missing: dict[str, int],
    summary: pd.DataFrame,
) -> None:
    """Print what a price file holds: range, rows, symbols, missing values, per symbol
    (`summary`: `data/quality.symbol_summary`)."""
    console.print(f"[bold]{escape(source)}[/bold]")
    symbols = table[C.SYMBOL].nunique()
    console.print(
        f"dates {table[C.DATE].min():%Y-%m-%d} .. {table[C.DATE].max():%Y-%m-%d} · "
        f"{len(table):,} rows · {symbols:,} symbol{'s' if symbols != 1 else ''} · "
        f"columns {', '.join(table.columns)}"
    )
    gaps = {name: count for name, count in missing.items() if count}
    console.print(
        "missing values: "
        + (", ".join(f"{name} {count}" for name, count in gaps.items()) if gaps else "none")
    )
    per_symbol = Table(title="per symbol: closes, daily returns, calendar days between rows")
    for name in ("symbol", "first", "last", "rows", "min", "max", "last close", "mean %", "sd %",
                 "largest %", "longest gap"):  # fmt: skip
        dates = name in ("first", "last")  # whole, the headers wrap first
        per_symbol.add_column(
            name, justify="left" if name == "symbol" else "right", min_width=10 if dates else None
        )
    for row in summary.head(MOST_SYMBOLS_SHOWN).itertuples(index=False):
        per_symbol.add_row(
            escape(str(row.symbol)), f"{row.first:%Y-%m-%d}", f"{row.last:%Y-%m-%d}",
            f"{row.rows:,}", price(row.min), price(row.max), price(row.last_close),
            _number(None if pd.isna(row.mean_pct) else row.mean_pct, 3),
            _number(None if pd.isna(row.sd_pct) else row.sd_pct, 3),
            _number(None if pd.isna(row.largest_pct) else row.largest_pct, 1),
            "n/a" if pd.isna(row.longest_gap) else f"{int(row.longest_gap):,}",
        )  # fmt: skip
    console.print(per_symbol)
    if len(summary) > MOST_SYMBOLS_SHOWN:
        more, last = len(summary) - MOST_SYMBOLS_SHOWN, escape(str(summary[C.SYMBOL].iloc[-1]))
        console.print(f"and {more:,} more symbols to {last} (inspect --json lists every one)")


def leaderboard_table(console: Console, board: pd.DataFrame, hold: dict, title: str) -> None:
    """Print the backtest leaderboard: best (lowest MSE per horizon) and naive rows marked.

    On a narrow terminal the least needed columns are left out, and a line says which.
    """
    # (header, priority: the lower, the longer it stays on a narrow terminal)
    # n: the forecasts a row is scored on (a --step as long as the test period leaves one)
    columns = [("model", 0), ("h", 1), ("n", 1), ("MSE", 2), ("xnaive", 0), ("MASE", 6), ("U", 7),
               ("dir", 4), ("DM p", 1), ("lag", 3), ("LF SR", 5), ("LS SR", 5)]  # fmt: skip
    intervals = board["coverage"].notna().any()
    if intervals:
        columns += [("cover", 4), ("int score", 6)]
    best = set(board.dropna(subset=["mse"]).groupby("horizon")["mse"].idxmin())
    rows = []
    for i, row in board.iterrows():
        mark = (" =" if row["model"] == "naive" else "") + (" *" if i in best else "")
        lag = row["lag_flag"]
        rows.append([
            f"{escape(str(row['model']))}{mark}",
            "" if pd.isna(row["horizon"]) else str(row["horizon"]),
            "" if pd.isna(row["n"]) or not row["n"] else str(int(row["n"])),
            *(cell(row[key], digits) for key, digits in (
                ("mse", 4), ("mse_ratio", 4), ("mase", 2), ("theil_u", 3),
                ("directional_accuracy", 2), ("dm_pvalue", 3))),
            "" if pd.isna(lag) else ("yes" if lag else "no"),
            cell(row["long_flat_sharpe"], 2),
            cell(row["long_short_sharpe"], 2),
            *((cell(row["coverage"], 3), cell(row["interval_score"], 3)) if intervals else ()),
        ])  # fmt: skip
    fitted_table(console, title, columns, rows)
    for _, row in board.loc[list(best)].sort_values("horizon").iterrows():  # the * in words
        said = verdicts.best_against_naive(row["model"], row["mse_ratio"], row["dm_pvalue"])
        if said:
            console.print(f"h = {row['horizon']}: {escape(said)}")
    for _, row in board[board["error"].notna()].iterrows():
        where = "every window" if pd.isna(row["mse"]) else "some windows"  # no forecast at all
        said = escape(row["error"])
        console.print(f"[red]{escape(row['model'])} failed[/red] on {where}: {said}")
    console.print(
        f"buy and hold: total return {share(hold['total_return'])}, Sharpe {hold['sharpe']:.2f}, "
        f"max drawdown {share(hold['max_drawdown'])}"
    )
    console.print(
        "* best MSE per horizon; = naive, the baseline. xnaive: MSE / naive MSE; U: Theil's U; "
        "dir: directional accuracy; DM p: Diebold-Mariano p-value vs naive; lag: fits "
        "yesterday's close better than today's; LF/LS SR: Sharpe of the long/flat and "
        "long/short rules, net of costs"
        + (
            "; cover: share of actual closes inside the interval; int score: interval score"
            if intervals
            else ""
        )
    )


def cell(value: object, digits: int) -> str:
    return "" if value is None or pd.isna(value) else figure(float(value), digits)


def price_cell(value: object) -> str:
    return "" if value is None or pd.isna(value) else price(float(value))


def forecast_table(
    console: Console, forecast: pd.DataFrame, history: pd.Series, band: str | None
) -> None:
    """Print the forecast of the next trading days after the last known close, and what its
    interval is (`band`; None: it has none)."""
    table = Table(
        title=f"{escape(forecast[C.SYMBOL].iloc[0])} after {history.index[-1]:%Y-%m-%d} "
        f"(last close {price(history.iloc[-1])})",
        title_justify="left",
    )
    for name in forecast.columns.drop([C.SYMBOL]):
        table.add_column(name, justify="left" if name == C.DATE else "right")
    for _, row in forecast.iterrows():
        cells = [f"{row[C.DATE]:%Y-%m-%d}", str(row[C.HORIZON])]
        cells += [price_cell(row[c]) for c in forecast.columns.drop([C.DATE, C.SYMBOL, C.HORIZON])]
        table.add_row(*cells)
    console.print(table)
    console.print(f"lo, hi: the {escape(band)}" if band else "lo, hi: no interval (too short a "
                  "history, or too few days with a price range, for HAR)")  # fmt: skip


def print_scores(console: Console, summary: dict) -> None:
    """Print a universe run's leaderboard, one row per model (and feature set).

    Drawdown and turnover are in `universe.json` and the report, not here (width).
    """
    counts = summary["symbols"]
    done = counts.get("done", 0)
    title = (
        f"{done} symbol{'s' * (done != 1)} run, {counts.get('skipped', 0)} skipped, "
        f"{counts.get('failed', 0)} failed · one step ahead, against naive"
    )
    columns = [("model", 0), ("MSE ratio", 0), ("below naive", 2), ("DM wins", 1),
               ("DM losses", 1), ("rank IC", 1), ("rank ICIR", 3), ("t", 2), ("L/S annual", 4),
               ("L/S IR", 3), ("train s", 5)]  # fmt: skip
    rows = [
        [
            escape(str(row["model"])),
            _optional(row["median_mse_ratio"]),
            "" if row["share_beating_naive"] is None else share(row["share_beating_naive"], 0),
            _counts(row["dm_wins_bh"], row["dm_wins"]),
            _counts(row["dm_losses_bh"], row["dm_losses"]),
            _optional(row["mean_rank_ic"]),
            _optional(row["rank_icir"], "{:.3f}"),
            _optional(row["rank_ic_t"], "{:.2f}"),
            "" if row["annual_return"] is None else share(row["annual_return"]),
            _optional(row["information_ratio"], "{:.2f}"),
            _optional(row["train_seconds"], "{:.0f}"),
        ]
        for row in summary.get("leaderboard") or []
    ]
    fitted_table(console, title, columns, rows)
    config = summary["settings"]["config"]
    books = [m["portfolio"]["k"] for m in (summary.get("cross_section") or {}).values()
             if m.get("portfolio")]  # fmt: skip
    k = max(books, default=config["top_k"])
    console.print(
        "below naive: the share of symbols whose MSE is lower, by chance or not; DM wins/losses: "
        "symbols where it is significantly lower/higher, after a Benjamini-Hochberg correction "
        f"(raw counts in brackets); L/S: the top-{k} long/short book, net of "
        f"{config['cost_bps']:g} bp a half-turn, its IR against the equal-weight book",
        style="dim",
    )
    for line in verdicts.universe_lines(summary.get("leaderboard") or [], counts.get("done", 0)):
        console.print(f"verdict: {escape(line)}")
    for model, failed in (summary.get("model_failures") or {}).items():
        none = failed["no_forecast"]
        at_all = f", with no forecast at all on {none}" if none else ""
        console.print(f"[red]{escape(model)} failed[/red] on windows of {failed['symbols']} symbols"
                      f"{at_all}: {escape(failed['first'])}")  # fmt: skip
    reasons(console, "skipped", summary.get("skipped") or {}, "universe.json")
    # One symbol is no cross-section (its L/S figures are empty); --top-k may be more than
    # half the symbols run.
    held = verdicts.book_held(k if done >= 2 else 0, config["top_k"], done, "run")
    if books and held:
        console.print(held)
    notes(console, summary.get("notes"))


def fitted_table(
    console: Console, title: str, columns: list[tuple[str, int]], rows: list[list[str]]
) -> None:
    """Print a table whose columns fit the console: the columns of highest priority number
    are left out first, and a line names them (`--json` and the report have them all).

    Args:
        columns: (header, priority) per column; the first is left-aligned, the rest right.
        rows: cells as text (Rich markup escaped), one list per row.
    """
    widths = [max([len(h), *(len(Text.from_markup(r[j]).plain) for r in rows)])
              for j, (h, _) in enumerate(columns)]  # fmt: skip
    kept = list(range(len(columns)))
    by_need = sorted(kept, key=lambda j: (-columns[j][1], -j))
    while sum(widths[j] + 3 for j in kept) + 1 > console.width and len(kept) > 2:
        kept.remove(by_need.pop(0))
    table = Table(title=title, padding=(0, 1), title_justify="left")
    for j in kept:
        table.add_column(columns[j][0], justify="left" if j == 0 else "right", no_wrap=True)
    for row in rows:
        table.add_row(*(row[j] for j in kept))
    console.print(table)
    left_out = [columns[j][0] for j in range(len(columns)) if j not in kept]
    if left_out:
        console.print(
            f"not shown at {console.width} columns: {', '.join(left_out)} "
            "(--json and the report have every column)"
        )


def _counts(corrected: float | None, raw: float | None) -> str:
    """Wins (or losses) after the correction and, in brackets, before it."""
    if corrected is None or corrected != corrected:  # None, or NaN
        return ""
    return f"{int(corrected)} ({int(raw)})"


def _optional(value: float | None, form: str = "{:.4f}") -> str:
    return "" if value is None else form.format(value)
