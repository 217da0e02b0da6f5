"""What a model learns to predict: one registry of targets, for a series and for a panel.

A series' network (`pipeline.py`) learns the next close itself ("close", the post's, scaled
by the preset's scaler) or the next log-return ("log_return"). A panel's global model
(`panel.py`) learns each symbol's next log-return ("log_return") or, for models meant to rank
symbols (Qlib's CSRankNorm and CSZScoreNorm labels), a cross-sectional one: "rank" is
where the symbol's next-day log-return ranks among every symbol's that same next day (a
percentile, centred and scaled to unit variance); "zscore" is that return less the day's
cross-sectional mean, over the day's cross-sectional standard deviation. Both read other
symbols' returns of the target day only, as "log_return" reads the symbol's own: labels of
training rows, never inputs.

"variance" is risk, not a price: the variance of the next h days measured by a range
estimator (`volatility.py`), which `stockcaster backtest --target variance` forecasts with
the volatility models (`models/variance.py`); the price pipelines refuse it.

A forecast score z of a cross-sectional target becomes a return forecast `m + s * z`, with
m and s the mean of the daily cross-sectional means and standard deviations of the training
days: the same affine map for every symbol of a day, so the day's IC, rank IC and top-k
book are those of the scores themselves. Its MSE is not a return forecast's, and is not
reported (`jobs/universe_panel.py`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError
from stockcaster.features.entry import Entry, names, registry

TARGETS = registry(
    Entry("close", "the next close itself (the post's)", series=True, panel=False),
    Entry("log_return", "the next log-return (each symbol's own)", series=True, panel=True),
    Entry("rank", "the next return's rank across the day's symbols", series=False, panel=True),
    Entry(
        "zscore", "the next return standardised across the day's symbols", series=False, panel=True
    ),  # fmt: skip
    Entry(
        "variance",
        "the variance of the days ahead, by a range estimator (backtest)",
        series=True,
        panel=False,
    ),  # fmt: skip
)
Target = Literal["close", "log_return", "rank", "zscore", "variance"]  # FeatureConfig.target
PRICE_TARGETS = ("close", "log_return")  # what a price pipeline forecasts
SERIES_TARGETS = names(TARGETS, panel=False)
PANEL_TARGETS = names(TARGETS, panel=True)
CROSS_SECTIONAL = tuple(n for n in PANEL_TARGETS if n not in SERIES_TARGETS)  # each day's symbols
_UNIFORM_SD = 1 / np.sqrt(12)  # the standard deviation of a percentile rank


# A series' targets


def to_target(close: np.ndarray, target: Target) -> np.ndarray:
    """Turn closes into the target series, aligned with the closes' rows.

    Returns:
        `close` itself, or `log(close[t] / close[t-1])` with NaN in row 0.
    """
    if target == "close":
        return close.astype("float64")
    series = np.full(len(close), np.nan)
    series[1:] = np.diff(np.log(close))
    return series


def first_valid_row(target: Target) -> int:
    """The first row in which the target series has a value."""
    return 0 if target == "close" else 1


def to_price(prediction: np.ndarray, previous_close: np.ndarray, target: Target) -> np.ndarray:
    """Turn predicted target values into prices.

    Args:
        prediction: predicted target values for days t.
        previous_close: actual closes of days t-1, the last price known at forecast time.
    """
    if target == "close":
        return prediction.astype("float64")
    return previous_close * np.exp(prediction)


# A panel's targets


def next_returns(log_close: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """`[rows]`: each row's next-day log-return within its symbol (NaN on its last row)."""
    out = np.full(len(log_close), np.nan)
    out[:-1] = log_close[1:] - log_close[:-1]
    out[stops - 1] = np.nan
    return out


def cross_sectional(returns: np.ndarray, days: np.ndarray, kind: Target) -> np.ndarray:
    """Each return ranked ("rank") or standardised ("zscore") among those of its day.

    Args:
        returns: `[rows]` next-day log-returns (NaN where none).
        days: `[rows]` the day each return is realised on.
    """
    frame = pd.DataFrame({"r": returns, "day": days})
    by_day = frame.groupby("day")["r"]
    if kind == "rank":
        return ((by_day.rank(pct=True) - 0.5) / _UNIFORM_SD).to_numpy()
    spread = by_day.transform("std").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (returns - by_day.transform("mean").to_numpy()) / spread
    return np.where(spread > 0, z, np.nan)


def market_moments(returns: np.ndarray, days: np.ndarray, training: np.ndarray) -> tuple:
    """Mean over the training days of the daily cross-sectional mean and standard deviation."""
    frame = pd.DataFrame({"r": returns[training], "day": days[training]})
    daily = frame.groupby("day")["r"].agg(["mean", "std"]).dropna()
    if daily.empty:
        return 0.0, 1.0
    return float(daily["mean"].mean()), float(daily["std"].mean())


def check_cross_section(features, symbols: list[str], whose: str = "") -> None:
    """Refuse a panel's features that compare each day's symbols (`features`: a
    `FeatureConfig`) when fewer than 2 `symbols` run: one symbol's rank or z-score among
    itself is no target (a z-score of one is not a number, a rank the same every day), and
    its inputs z-scored across itself are all 0, whatever its prices.

    Args:
        whose: said after the options, e.g. " (the bundle's)".

    Raises:
        StockcasterError: naming the options and the symbols.
    """
    across = [f"--target {features.target}"] if features.target in CROSS_SECTIONAL else []
    if features.normalise == "cross-section":
        across.append("--normalise cross-section")
    if across and len(symbols) < 2:
        raise StockcasterError(
            f"{' and '.join(across)}{whose}: expected 2 symbols or more to compare each day's "
            f"values across, received {len(symbols)} ({', '.join(symbols)})"
        )
