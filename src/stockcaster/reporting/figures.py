"""The figures of a run and of an inspection, as PNG files (matplotlib, no screen needed)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import ParamSpec

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from stockcaster import columns as C

_ZOOM_DAYS = 60
P = ParamSpec("P")


def drawing(figure_function: Callable[P, None]) -> Callable[P, None]:
    """Draw a figure with mathtext off: a symbol like `$X` is text, never a formula.

    Matplotlib reads `text.parse_math` when each text is made, so the whole figure is drawn
    inside the setting; it is put back afterwards.
    """

    @wraps(figure_function)
    def draw(*args: P.args, **options: P.kwargs) -> None:
        with plt.rc_context({"text.parse_math": False}):
            figure_function(*args, **options)

    return draw


def subplots(*args, **options):
    """`plt.subplots` on the Agg backend: figures here are files, never windows.

    The backend is chosen here, where figures are drawn, not when the module is imported.
    """
    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    return plt.subplots(*args, **options)


def save(fig: plt.Figure, path: Path, dpi: int = 110, dates: bool = True) -> None:
    """Lay out, write and close a figure (date ticks slanted when the x axis is time).

    The layout is computed once, here: `tight_layout` leaves a placeholder layout engine
    behind, for which `savefig` lays every tick and label out again before drawing (a
    fifth of a figure's time); without an engine it draws the same pixels at once.
    """
    if dates:
        fig.autofmt_xdate()
    fig.tight_layout()
    fig.set_layout_engine(None)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


@drawing
def loss_figure(
    history: dict[str, list[float]], path: Path, units: str, best_epoch: int | None = None
) -> None:
    """Training vs validation loss per epoch, as in the reference article, best epoch marked."""
    epochs = range(1, len(history["loss"]) + 1)
    fig, ax = subplots(figsize=(8, 4.5))
    ax.plot(epochs, history["loss"], label="training loss")
    ax.plot(epochs, history["val_loss"], label="validation loss")
    if best_epoch is not None:
        ax.axvline(best_epoch, color="grey", ls=":", label=f"weights kept (epoch {best_epoch})")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"MSE ({units})")
    ax.set_yscale("log")
    ax.set_title("Training vs validation loss")
    ax.legend()
    save(fig, path, dates=False)


@drawing
def forecast_figure(forecasts: pd.DataFrame, path: Path, title: str) -> None:
    """Actual vs predicted closes on the test period, with the naive forecast beside.

    The lower panel zooms into the last days, where a forecast that only repeats
    yesterday's close shows as a curve shifted one day to the right.
    """
    fig, axes = subplots(2, 1, figsize=(10, 7.5))
    for ax, rows in zip(axes, (forecasts, forecasts.tail(_ZOOM_DAYS)), strict=True):
        ax.plot(rows[C.DATE], rows[C.ACTUAL], color="black", lw=1.4, label="actual")
        ax.plot(rows[C.DATE], rows[C.YHAT], color="tab:red", lw=1.1, label="model")
        ax.plot(
            rows[C.DATE],
            rows[C.NAIVE],
            color="tab:blue",
            lw=0.9,
            ls="--",
            label="naive (yesterday's close)",
        )
        ax.set_ylabel("close")
    axes[0].set_title(title)
    axes[1].set_title(f"last {min(_ZOOM_DAYS, len(forecasts))} test days")
    axes[0].legend(loc="upper left")
    save(fig, path)


@drawing
def price_figure(table: pd.DataFrame, path: Path, max_symbols: int = 10) -> None:
    """Closing prices of up to `max_symbols` symbols of a price table."""
    fig, ax = subplots(figsize=(10, 5))
    symbols = list(table[C.SYMBOL].unique())
    for symbol in symbols[:max_symbols]:
        rows = table[table[C.SYMBOL] == symbol]
        ax.plot(rows[C.DATE], rows[C.CLOSE], lw=1, label=symbol)
    shown = "" if len(symbols) <= max_symbols else f" (first {max_symbols} of {len(symbols)})"
    ax.set_title(f"Daily close{shown}")
    ax.set_ylabel("close")
    ax.legend(loc="upper left", fontsize="small")
    save(fig, path)


@drawing
def fan_figure(
    history: pd.Series,
    forecast: pd.DataFrame,
    path: Path,
    symbol: str,
    band: str | None = "interval",
) -> None:
    """Recent closes, then the forecast median with its interval as a shaded fan."""
    fig, ax = subplots(figsize=(10, 5))
    ax.plot(history.index, history.to_numpy(), color="black", lw=1.2, label="close")
    dates = [history.index[-1], *forecast[C.DATE]]
    median = [history.iloc[-1], *forecast[C.YHAT]]
    ax.plot(dates, median, color="tab:red", lw=1.4, label="forecast (median)")
    if forecast[C.LO].notna().all():
        lo, hi = [history.iloc[-1], *forecast[C.LO]], [history.iloc[-1], *forecast[C.HI]]
        ax.fill_between(dates, lo, hi, color="tab:red", alpha=0.2, label=band)
    ax.set_title(f"{symbol}: the next {len(forecast)} trading days")
    ax.set_ylabel("close")
    ax.legend(loc="upper left")
    save(fig, path)


def _autocorrelation(values: pd.Series, lag: int) -> float:
    """The lag's autocorrelation, or NaN where too few pairs (or no spread) define one."""
    head, tail = values.to_numpy()[:-lag], values.to_numpy()[lag:]
    if len(head) < 3 or np.std(head) == 0 or np.std(tail) == 0:
        return float("nan")
    return float(np.corrcoef(head, tail)[0, 1])


@drawing
def residual_figure(forecasts: pd.DataFrame, path: Path, lags: int = 20) -> None:
    """Residual diagnostics of one-step forecasts: over time, distribution, autocorrelation.

    Residuals are actual - forecast. A good forecast leaves residuals with no pattern in
    time and no autocorrelation; bars outside the dashed band (about +-2/sqrt(n)) mark
    autocorrelation that the model left unexplained.
    """
    residual = (forecasts[C.ACTUAL] - forecasts[C.YHAT]).reset_index(drop=True)
    fig, axes = subplots(1, 3, figsize=(13, 3.8))
    axes[0].plot(forecasts[C.DATE], residual, lw=0.8, color="tab:gray")
    axes[0].axhline(0, color="black", lw=0.8)
    axes[0].set_title("residual over time")
    axes[0].tick_params(axis="x", labelrotation=30)
    axes[1].hist(residual, bins=40, color="tab:blue", alpha=0.8)
    axes[1].set_title("distribution")
    acf = [_autocorrelation(residual, lag) for lag in range(1, lags + 1)]
    band = 2 / max(len(residual), 1) ** 0.5
    axes[2].bar(range(1, lags + 1), acf, color="tab:purple")
    for y in (band, -band):
        axes[2].axhline(y, color="black", ls="--", lw=0.8)
    axes[2].set_title("autocorrelation by lag")
    save(fig, path, dates=False)
