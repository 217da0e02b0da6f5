"""`stockcaster train`: fit a model on all of a symbol's history and save it as a bundle.

With `resume`, the model of an earlier bundle is fine-tuned on newer data and saved as a
new bundle; the earlier bundle is only read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.config import RunConfig
from stockcaster.data import FillPolicy
from stockcaster.data.calendar import DEFAULT_EXCHANGE
from stockcaster.errors import StockcasterError
from stockcaster.series import load_series, price_series


def train_bundle(
    preset: RunConfig,
    save: str | Path,
    data: str | Path | None = None,
    symbol: str | None = None,
    *,
    resume: str | Path | None = None,
    exchange: str = DEFAULT_EXCHANGE,
    columns: Mapping[str, str] | None = None,
    fill: FillPolicy | None = None,
) -> Path:
    """Train on every row of one symbol (a validation tail for early stopping) and save.

    Args:
        preset: the config; ignored with `resume`, which keeps the bundle's.
        save: the new bundle's folder; must not exist.
        data, symbol, columns, fill: the prices, as for `stockcaster run`.
        resume: an earlier bundle to fine-tune from.
        exchange: the trading calendar the bundle forecasts on (ignored with `resume`).

    Returns:
        The bundle's folder.

    Raises:
        StockcasterError: bad input, before anything is trained or written.
    """
    from stockcaster.data.calendar import next_sessions
    from stockcaster.training.bundle import load_bundle, save_bundle
    from stockcaster.training.forecaster import LSTMForecaster

    save = Path(save)
    if save.exists():
        raise StockcasterError(f"--save: expected a new folder, received {save}, which exists")
    bundle = load_bundle(Path(resume)) if resume is not None else None
    if bundle is not None:
        symbol = symbol or bundle.symbol
    prices, source = load_series(data, symbol, columns, fill)
    name = prices[C.SYMBOL].iloc[0]
    history = price_series(prices)
    if bundle is not None:
        check_matches_bundle(bundle, name, history, source, newer=True)
        forecaster, config, exchange = bundle.forecaster, bundle.config, bundle.meta["exchange"]
    else:
        config = preset
        forecaster = LSTMForecaster(config.features, config.model, config.training)
    next_sessions(history.index[-1], 1, exchange)  # an unknown exchange fails here, early
    need = 3 * config.features.lookback + config.model.horizon + 30
    if len(history) < need:
        raise StockcasterError(
            f"{source} symbol {name}: expected at least {need} rows to train on, received "
            f"{len(history)}"
        )
    forecaster.fit(history)
    save_bundle(save, forecaster, config, history, name, source, exchange)
    return save


def check_matches_bundle(bundle, symbol: str, history: pd.Series, source: str, newer: bool) -> None:
    """Refuse data for another symbol, or data that ends before the bundle's training.

    Args:
        newer: require data past the bundle's training end (to fine-tune on).
    """
    if symbol != bundle.symbol:
        raise StockcasterError(
            f"{source}: expected symbol {bundle.symbol}, the one the bundle was trained on, "
            f"received {symbol}"
        )
    last, end = history.index[-1], bundle.trained_until
    if last < end or (newer and last == end):
        wanted = "after" if newer else "on or after"
        raise StockcasterError(
            f"{source}: expected data that ends {wanted} the bundle's training end "
            f"{end:%Y-%m-%d}, received data ending {last:%Y-%m-%d}"
        )
