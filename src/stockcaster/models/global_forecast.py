"""A global model's outputs as forecasts: the point and band of a quantile head, each
symbol's next session from the window ending on its last row, and its next sessions from
the network fed back on itself (`predict` on a universe)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.calendar import next_sessions
from stockcaster.errors import StockcasterError
from stockcaster.features.feature_sets import FEATURE_SETS, window_rows
from stockcaster.features.panel import panel_features
from stockcaster.models.presets import RunConfig


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
    network, config: RunConfig, scales: dict, prices: pd.DataFrame, cutoff: np.datetime64
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
    given, lookback = config.features, config.features.lookback
    features = panel_features(
        prices, cutoff, given.inputs, given.center_returns,
        scale=(tuple(present), scales["mean"][index], scales["std"][index], scales["moments"]),
        target=given.target, normalise=given.normalise,
        horizon=given.horizon,
    )  # fmt: skip
    ends = features.stops - 1
    ends = ends[ends - features.starts + 1 >= window_rows(lookback, features.warmup)]
    if not len(ends):  # no symbol with a full window: no batch for the network
        return pd.DataFrame(columns=[C.SYMBOL, C.DATE, C.CLOSE, C.YHAT])
    rows = ends[:, None] - np.arange(lookback)[::-1]  # [symbols, lookback]
    windows = features.values[rows]
    if config.model.embedding_dim > 0:
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


def session_paths(
    network,
    config: RunConfig,
    scales: dict,
    prices: pd.DataFrame,
    cutoff: np.datetime64,
    horizon: int,
    exchange: str,
) -> pd.DataFrame:
    """Each symbol's closes on the `horizon` exchange sessions after its own last row.

    Step 1 is `next_session_forecasts`; each later step forecasts from the prices with the
    steps before it appended as closes (their medians): the one-step network fed back on
    itself. A quantile head's band at step h spreads the one-step bands of steps 1..h as a
    random walk's does: their log half-widths add in squares (the steps' errors taken as
    independent), so step 1's band is the network's own and none narrows with h.

    Args:
        exchange: the calendar the sessions come from.

    Returns:
        Columns symbol, horizon, date (the forecast's session), origin (the last row's
        date), close (its close), yhat, lo and hi (NaN but for a quantile head).

    Raises:
        StockcasterError: more than one step of a feature set that reads more than the
            close (the future open, high, low and volume are unknown).
    """
    if horizon > 1:
        _refuse_feedback(config, prices, horizon)
    closes = prices[[C.SYMBOL, C.DATE, C.CLOSE]]
    steps, widths = [], []
    made = next_session_forecasts(network, config, scales, prices, cutoff)
    if made.empty:  # no symbol with a full window: nothing to feed back
        return pd.DataFrame(columns=[C.SYMBOL, C.ORIGIN, C.CLOSE, C.HORIZON, C.YHAT, C.DATE,
                                     C.LO, C.HI])  # fmt: skip
    ahead = {pd.Timestamp(d): next_sessions(pd.Timestamp(d), horizon, exchange)
             for d in made[C.DATE].unique()}  # fmt: skip
    origin = made[[C.SYMBOL, C.DATE, C.CLOSE]].rename(columns={C.DATE: C.ORIGIN})
    for h in range(1, horizon + 1):
        if h > 1:
            fed = pd.DataFrame({C.SYMBOL: origin[C.SYMBOL], C.DATE: steps[-1][C.DATE],
                                C.CLOSE: steps[-1][C.YHAT].to_numpy()})  # fmt: skip
            closes = pd.concat([closes, fed]).sort_values([C.SYMBOL, C.DATE], kind="stable")
            made = next_session_forecasts(network, config, scales, closes, cutoff)
        step = origin.assign(**{C.HORIZON: h, C.YHAT: made[C.YHAT].to_numpy()})
        step[C.DATE] = [ahead[pd.Timestamp(d)][h - 1] for d in origin[C.ORIGIN]]
        if C.LO in made:
            widths.append(np.log(made[[C.YHAT, C.HI]].to_numpy() / made[[C.LO, C.YHAT]].to_numpy()))
            below, above = np.sqrt(np.sum(np.square(widths), axis=0)).T
            step[C.LO] = step[C.YHAT] * np.exp(-below)
            step[C.HI] = step[C.YHAT] * np.exp(above)
        else:
            step[C.LO] = step[C.HI] = np.nan
        steps.append(step)
    table = pd.concat(steps).sort_values([C.SYMBOL, C.HORIZON], kind="stable")
    return table.reset_index(drop=True)


def _refuse_feedback(config: RunConfig, prices: pd.DataFrame, horizon: int) -> None:
    """Later sessions are fed back as closes alone: refuse a feature set that reads more.

    Raises:
        StockcasterError: naming the set and the columns it reads (a set such as `factors`
            reads a column, the volume, only where the prices have it).
    """
    spec = FEATURE_SETS[config.features.inputs]
    closes = [C.SYMBOL, C.DATE, C.CLOSE]
    alone = spec.feature_names(prices[closes])
    needs = (*spec.needs, *(c for c in prices.columns if c not in closes and c not in spec.needs
                            and spec.feature_names(prices[[*closes, c]]) != alone))  # fmt: skip
    if tuple(needs) != (C.CLOSE,):
        raise StockcasterError(
            f"--horizon: expected 1 trading day for a bundle of the {config.features.inputs!r} "
            f"feature set (it reads {', '.join(_named(n) for n in needs)}, unknown on later "
            f"days), received {horizon}"
        )


def _named(column: str) -> str:
    """A column as the user named it: a covariate by its own name (`columns.label`)."""
    return C.label(column) if column.startswith(C.COVARIATE) else column
