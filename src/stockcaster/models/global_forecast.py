"""A global model's outputs as forecasts: the point and band of a quantile head, and each
symbol's next session from the window ending on its last row (`predict` on a universe)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.features.panel import panel_features
from stockcaster.models.config import GlobalConfig


def point_and_band(
    out: np.ndarray, quantiles: tuple[float, ...]
) -> tuple[np.ndarray, tuple | None]:
    """A network's one-step outputs as the point forecast and, for a quantile head, the
    outermost quantiles as the band (levels sorted, so crossing outputs never invert it).

    Args:
        out: `[windows, 1]`, or `[windows, 1, quantiles]` for a quantile head.
    """
    out = np.asarray(out, dtype="float64")
    if not quantiles:
        return out[:, 0], None
    levels = np.sort(out[:, 0, :], axis=-1)  # [windows, quantiles]
    median = int(np.argmin(np.abs(np.asarray(quantiles) - 0.5)))
    return levels[:, median], (levels[:, 0], levels[:, -1])


def next_session_forecasts(
    network, config: GlobalConfig, scales: dict, prices: pd.DataFrame, cutoff: np.datetime64
) -> pd.DataFrame:
    """Each symbol's forecast of the close after its last row, from the window ending there.

    Args:
        network: the trained global network.
        config: its config.
        scales: `symbols`, `mean`, `std`, `moments` of the symbols it learned from (the
            symbol order is its embedding's index).
        prices: a price table (sorted by symbol and date) of symbols it learned from.
        cutoff: its last training day (the statistics were fitted up to it).

    Returns:
        Columns symbol, date (the last row's), close (that row's) and yhat (and lo, hi for
        a quantile head); a symbol with fewer rows than a window is left out.
    """
    known = list(scales["symbols"])
    present = list(dict.fromkeys(prices[C.SYMBOL]))
    index = np.array([known.index(s) for s in present], dtype="int32")
    features = panel_features(
        prices, cutoff, config.features, config.center_returns,
        scale=(tuple(present), scales["mean"][index], scales["std"][index]),
        target=config.target, moments=scales["moments"], normalise=config.normalise,
    )  # fmt: skip
    ends = features.stops - 1
    ends = ends[ends - config.lookback + 1 >= features.starts + features.warmup]
    rows = ends[:, None] - np.arange(config.lookback)[::-1]  # [symbols, lookback]
    windows = features.values[rows]
    if config.embedding_dim > 0:
        windows = [windows, index[features.symbol_id[ends]]]
    z, band = point_and_band(network.predict_on_batch(windows), config.model.quantiles)
    table = pd.DataFrame(
        {
            C.SYMBOL: np.asarray(features.symbols)[features.symbol_id[ends]],
            C.DATE: features.dates[ends],
            C.CLOSE: np.exp(features.log_close[ends]),
            C.YHAT: features.to_price(z, ends),
        }
    )
    if band is not None:
        table[C.LO], table[C.HI] = (features.to_price(b, ends) for b in band)
    return table
