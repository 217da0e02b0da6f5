"""Figures of a universe run (MSE ratios across symbols, cumulative IC, portfolio growth) and
of `predict` on a universe bundle (the book's picks, each pick's fan, predicted returns)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from stockcaster.reporting.figures import drawing, save, subplots


@drawing
def ratio_figure(metrics: pd.DataFrame, path: Path) -> None:
    """Each model's MSE gap to naive across symbols, as box plots.

    The x axis is the gap in percent on a scale that is linear within +-1% and logarithmic
    beyond, so models within a fraction of a percent of naive and a model twice as bad
    are both readable.
    """
    others = metrics[metrics["model"] != "naive"]
    groups = {
        model: 100 * (pd.to_numeric(group["mse_ratio"], errors="coerce").dropna().to_numpy() - 1)
        for model, group in others.groupby("model")
    }
    groups = {model: values for model, values in groups.items() if len(values)}
    fig, ax = subplots(figsize=(9, 1.2 + 0.6 * max(1, len(groups))))
    if groups:
        ax.boxplot(
            list(groups.values()), orientation="horizontal", tick_labels=list(groups), whis=(5, 95)
        )
        ax.set_xscale("symlog", linthresh=1.0)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:+g}%"))
    ax.axvline(0.0, color="k", linestyle="--", linewidth=1)
    ax.set_xlabel("MSE vs naive per symbol, % (left of 0: below naive; linear within 1%, "
                  "log beyond; whiskers 5-95%)")  # fmt: skip
    save(fig, path, dates=False)


@drawing
def ic_figure(daily: dict, path: Path) -> None:
    """Cumulative daily rank IC of each model (a flat line means no skill)."""
    fig, ax = subplots(figsize=(9, 4))
    for model, parts in daily.items():
        if len(parts["ic"]):
            ax.plot(parts["ic"].index, parts["ic"]["rank_ic"].cumsum(), label=model)
    ax.axhline(0.0, color="k", linewidth=0.8)
    ax.set_ylabel("cumulative rank IC")
    legend_if_any(ax)
    save(fig, path)


@drawing
def portfolio_figure(daily: dict, path: Path) -> None:
    """Growth of 1 in each model's long/short top-k book and in the equal-weight universe."""
    fig, ax = subplots(figsize=(9, 4))
    benchmark = None
    for model, parts in daily.items():
        returns = parts["returns"]
        benchmark = returns["benchmark"]
        if not returns["portfolio"].any():
            continue  # a model that never ranks symbols apart (naive) holds no book
        ax.plot(returns.index, (1 + returns["portfolio"]).cumprod(), label=f"{model} long/short")
    if benchmark is not None:
        ax.plot(benchmark.index, (1 + benchmark).cumprod(), "k--", label="equal weight")
    ax.set_ylabel("growth of 1")
    legend_if_any(ax, fontsize=8)
    save(fig, path)


def legend_if_any(ax, **options) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**options)


PICKS_FIGURE = "picks.png"
RETURNS_FIGURE = "predicted_returns.png"
FANS_FIGURE = "pick_fans.png"
FAN_HISTORY = 40  # sessions of closes before each pick's forecast


@drawing
def picks_figure(made: pd.DataFrame, picks: pd.DataFrame, folder: Path) -> None:
    """The book's picks (predicted return of each long and short, with its interval when
    the model has one), and the distribution of every symbol's predicted return."""
    percent = FuncFormatter(lambda v, _: f"{v:.2%}")
    fig, ax = subplots(figsize=(8, 1.5 + 0.3 * len(picks)))
    shown = picks.iloc[::-1]
    colours = ["C2" if side == "long" else "C3" for side in shown["side"]]
    labels = shown["side"] + " " + shown["symbol"].astype(str)
    ax.barh(labels, shown["predicted_return"], color=colours)
    if shown["lo_return"].notna().all():  # a quantile head: each pick's interval
        below = shown["predicted_return"] - shown["lo_return"]
        above = shown["hi_return"] - shown["predicted_return"]
        ax.errorbar(shown["predicted_return"], labels, xerr=[below, above], fmt="none",
                    ecolor="black", capsize=3, label="interval")  # fmt: skip
        ax.legend()
    ax.xaxis.set_major_formatter(percent)
    ax.set_title("The book: predicted next-session return of each pick")
    save(fig, folder / PICKS_FIGURE, dates=False)
    fig, ax = subplots(figsize=(8, 4))
    ax.hist(made["yhat"] / made["close"] - 1, bins=40)
    ax.xaxis.set_major_formatter(percent)
    ax.set_xlabel("predicted next-session return")
    ax.set_ylabel("symbols")
    ax.set_title("Predicted returns across the universe")
    save(fig, folder / RETURNS_FIGURE, dates=False)


@drawing
def fans_figure(
    prices: pd.DataFrame, paths: pd.DataFrame, picks: pd.DataFrame, folder: Path
) -> None:
    """One small fan per pick: its last closes, then the forecast median and interval over
    every session of the horizon (one point and whisker at a horizon of 1). A book of no
    pick (fewer than two symbols forecast) shows the symbols forecast instead."""
    if picks.empty:
        symbols = paths["symbol"].drop_duplicates().head(8)
        picks = pd.DataFrame({"side": "forecast", "rank": range(1, len(symbols) + 1),
                              "symbol": symbols.to_numpy()})  # fmt: skip
    columns = 4
    rows = max(1, -(-len(picks) // columns))
    fig, axes = subplots(rows, columns, figsize=(12, 2.2 * rows), squeeze=False)
    recent = prices.groupby("symbol", sort=False).tail(FAN_HISTORY)
    for ax, (_, pick) in zip(axes.flat, picks.iterrows(), strict=False):
        past = recent[recent["symbol"] == pick["symbol"]]
        ahead = paths[paths["symbol"] == pick["symbol"]]
        yhat, lo, hi = (ahead[c].to_numpy(dtype="float64") for c in ("yhat", "lo", "hi"))
        start = past["close"].iloc[-1]
        colour = {"long": "C2", "short": "C3"}.get(pick["side"], "C0")
        ax.plot(np.arange(-len(past) + 1, 1), past["close"].to_numpy(), color="black", lw=1)
        steps = np.concatenate([[0], ahead["horizon"].to_numpy()])
        ax.plot(steps, [start, *yhat], color=colour, marker=".")
        if np.isfinite(lo).all():
            ax.fill_between(steps, [start, *lo], [start, *hi], color=colour, alpha=0.25,
                            linewidth=0)  # fmt: skip
            ax.errorbar(steps[1:], yhat, yerr=[yhat - lo, hi - yhat], fmt="none", ecolor=colour,
                        capsize=3)  # fmt: skip
        book = pick["side"] != "forecast"
        ax.set_title(f"{pick['side']} {pick['rank']}: " * book + str(pick["symbol"]), fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(picks) :]:
        ax.set_visible(False)
    fig.supxlabel("sessions from the last close", fontsize=9)
    save(fig, folder / FANS_FIGURE, dpi=80, dates=False)
