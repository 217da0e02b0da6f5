"""Terminal tables (Rich): a run's model-vs-naive summary and a data inspection."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from stockcaster import columns as C


def _number(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def run_summary(console: Console, metrics: dict, folder: str) -> None:
    """Print the model beside the naive forecast, the MSE ratio and the losses."""
    period = metrics["test_period"]
    table = Table(
        title=f"{metrics['symbol']} · preset {metrics['preset']} · one-step forecasts, "
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
    verdict = "beats" if ratio < 1 else "does not beat"
    console.print(f"MSE ratio model / naive: [bold]{ratio:.4f}[/bold] (the model {verdict} naive)")
    console.print(
        f"final training loss {metrics['final_train_loss']:.4f}, final validation loss "
        f"{metrics['final_val_loss']:.4f} ({metrics['loss_units']}); naive test MSE "
        f"{metrics['naive']['mse']:.4f}"
    )
    for note in metrics.get("notes", []):
        console.print(f"[yellow]note:[/yellow] {note}")
    console.print(f"outputs: {folder}")


def inspection(console: Console, table: pd.DataFrame, source: str, missing: dict[str, int]) -> None:
    """Print what a price file holds: range, rows, symbols, missing values, per symbol."""
    console.print(f"[bold]{source}[/bold]")
    console.print(
        f"dates {table[C.DATE].min():%Y-%m-%d} .. {table[C.DATE].max():%Y-%m-%d} · "
        f"{len(table):,} rows · {table[C.SYMBOL].nunique():,} symbols · "
        f"columns {', '.join(table.columns)}"
    )
    gaps = {name: count for name, count in missing.items() if count}
    console.print(
        "missing values: "
        + (", ".join(f"{name} {count}" for name, count in gaps.items()) if gaps else "none")
    )
    per_symbol = Table(title="per symbol")
    for name in (
        "symbol",
        "first",
        "last",
        "rows",
        "min close",
        "max close",
        "last close",
        "mean daily return %",
        "daily volatility %",
    ):
        per_symbol.add_column(name, justify="left" if name == "symbol" else "right")
    for symbol, rows in table.groupby(C.SYMBOL, sort=True):
        close = rows[C.CLOSE]
        returns = close.pct_change().dropna()
        per_symbol.add_row(
            str(symbol),
            f"{rows[C.DATE].iloc[0]:%Y-%m-%d}",
            f"{rows[C.DATE].iloc[-1]:%Y-%m-%d}",
            f"{len(rows):,}",
            f"{close.min():.2f}",
            f"{close.max():.2f}",
            f"{close.iloc[-1]:.2f}",
            _number(100 * returns.mean() if len(returns) else None, 3),
            _number(100 * returns.std() if len(returns) > 1 else None, 3),
        )
    console.print(per_symbol)
