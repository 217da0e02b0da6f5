"""Figures of a variance backtest: predicted against realised volatility, and the VaR
exceedance strip with Basel's traffic light."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster.evaluation.trading import sessions_a_year
from stockcaster.reporting.figures import drawing, save, subplots

_LIGHTS = {"green": "tab:green", "yellow": "gold", "red": "tab:red"}


def per_cent_a_year(dates) -> float:
    """What a daily deviation of prices dated `dates` is multiplied by to read as an annual
    one in percent: 100 sqrt(rows a year) (`trading.sessions_a_year`: 252 for an exchange's)."""
    return 100 * np.sqrt(sessions_a_year(dates))


def annualised(variance: np.ndarray, dates) -> np.ndarray:
    """A daily variance as an annualised volatility, in percent, over the rows a year of the
    prices dated `dates` (`trading.sessions_a_year`: 252 for an exchange's)."""
    return 100 * np.sqrt(sessions_a_year(dates) * np.asarray(variance, "float64"))


@drawing
def risk_figure(
    rows: pd.DataFrame, board: pd.DataFrame, var: pd.DataFrame, symbol: str, path: Path
) -> None:
    """Top: the realised volatility of each next day, EWMA's and the best model's
    forecasts. Bottom: each day's return, the best model's 1% VaR (Student-t shape), its
    exceedances, and the traffic light of its last 250 days. Right: the histogram of its
    PITs, flat when its forecast distribution is calibrated."""
    one_day = rows[rows["horizon"] == 1]
    best = str(board[board["horizon"] == 1].iloc[0]["model"])
    fig, axes = subplots(2, 2, figsize=(13, 7), gridspec_kw={"width_ratios": [3, 1]})
    (top, calibration), (bottom, spare) = axes
    top.sharex(bottom)
    top.tick_params(labelbottom=False)
    bottom.tick_params(axis="x", labelrotation=30)
    first = one_day[one_day["model"] == best]
    top.plot(first["origin"], annualised(first["realised"], first["origin"]), color="0.6", lw=0.7,
             label="realised (range estimate of the next day)")  # fmt: skip
    for model, colour in (("ewma", "tab:blue"), (best, "tab:red")):
        mine = one_day[one_day["model"] == model]
        if len(mine):
            top.plot(mine["origin"], annualised(mine["variance"], first["origin"]), color=colour,
                     lw=1.1,
                     label=f"{model} forecast")  # fmt: skip
    top.set_ylabel("volatility, % a year")
    top.set_title(f"{symbol}: tomorrow's volatility, forecast against realised")
    top.legend(loc="upper left", fontsize="small")
    bottom.plot(first["origin"], first["return"], color="0.4", lw=0.6, label="log-return")
    bottom.plot(first["origin"], first["var_0.01"], color="tab:red", lw=1.0,
                label=f"{best} 1% VaR (Student-t)")  # fmt: skip
    hit = first["return"] < first["var_0.01"]
    bottom.scatter(first["origin"][hit], first["return"][hit], color="black", s=14, zorder=3,
                   label=f"exceedances ({int(hit.sum())} of {len(first)})")  # fmt: skip
    mine = var[(var["model"] == best) & (var["shape"] == "t") & (var["level"] == 0.01)]
    light = str(mine["traffic_light"].iloc[0]) if len(mine) else "green"
    bottom.set_facecolor((_LIGHTS[light], 0.08))  # (colour, alpha)
    bottom.set_title(f"1% VaR backtest: Basel traffic light {light} (last 250 days)")
    bottom.set_ylabel("log-return")
    bottom.legend(loc="lower left", fontsize="small")
    _pit(calibration, first["pit"].to_numpy(), best)
    spare.axis("off")
    save(fig, path, dpi=100, dates=False)


def _pit(ax, pit: np.ndarray, model: str) -> None:
    """The PIT histogram in tenths, against the flat line of a calibrated forecast."""
    ax.hist(pit[np.isfinite(pit)], bins=np.linspace(0, 1, 11), color="tab:red", alpha=0.6)
    ax.axhline(np.isfinite(pit).sum() / 10, color="black", lw=1, ls="--", label="calibrated")
    ax.set_title(f"{model}: PIT (Student-t)")
    ax.set_xlabel("forecast probability of the return")
    ax.legend(fontsize="small")


@drawing
def universe_risk_figure(days: pd.DataFrame, board: pd.DataFrame, path: Path) -> None:
    """A universe's days: top, the cross-sectional mean of the realised deviation and of the
    best model's and EWMA's forecasts, annualised; bottom, the share of symbols whose
    return fell below the best model's 1% VaR each day, against the 1% it should be."""
    best = str(board[board["horizon"] == 1].iloc[0]["model"])
    fig, (top, bottom) = subplots(2, 1, figsize=(11, 7), sharex=True)
    first = days[days["model"] == best]
    scale = per_cent_a_year(first["date"])
    top.plot(first["date"], scale * first["realised"], color="0.6", lw=0.7,
             label="realised (mean over symbols)")  # fmt: skip
    for model, colour in (("ewma", "tab:blue"), (best, "tab:red")):
        mine = days[days["model"] == model]
        if len(mine):
            top.plot(mine["date"], scale * mine["predicted"], color=colour, lw=1.1,
                     label=f"{model} forecast")  # fmt: skip
    top.set_ylabel("volatility, % a year")
    top.set_title("Tomorrow's volatility across the universe, forecast against realised")
    top.legend(loc="upper left", fontsize="small")
    bottom.bar(first["date"], 100 * first["exceeded"], color="tab:red", width=1.0)
    bottom.axhline(1.0, color="black", lw=1, ls="--", label="1%: a calibrated VaR")
    rate = 100 * float(first["exceeded"].mean())
    bottom.set_title(f"{best}: share of symbols below their 1% VaR (Student-t), {rate:.2f}% "
                     "of symbol-days")  # fmt: skip
    bottom.set_ylabel("% of symbols")
    bottom.legend(loc="upper left", fontsize="small")
    save(fig, path, dpi=100)


@drawing
def volatility_ahead_figure(
    recent: pd.Series, forecast: pd.DataFrame, symbol: str, path: Path
) -> None:
    """`predict` of a volatility bundle: each recent day's measured volatility, and each
    session ahead's forecast (the variance of that day alone, from the forecast means of
    the next k days), annualised."""
    fig, ax = subplots(figsize=(10, 4.5))
    ax.plot(recent.index, annualised(recent.to_numpy(), recent.index), color="0.5", lw=0.8,
            label="measured (range estimate of each day)")  # fmt: skip
    k = forecast["horizon"].to_numpy(dtype="float64")
    total = k * forecast["variance"].to_numpy(dtype="float64")
    daily = np.diff(np.concatenate([[0.0], total]))
    ahead = annualised(np.maximum(daily, 0.0), recent.index)  # the history's year
    ax.plot(forecast["date"], ahead, color="tab:red", lw=1.4,
            marker="o", ms=3, label="forecast")  # fmt: skip
    ax.set_ylabel("volatility, % a year")
    ax.set_title(f"{symbol}: the volatility of the sessions ahead")
    ax.legend(loc="upper left", fontsize="small")
    save(fig, path, dpi=100)
