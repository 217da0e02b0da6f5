"""`stockcaster train`: fit a model on all of a symbol's history and save it as a bundle.

With `resume`, the model of an earlier bundle is fine-tuned on newer data and saved as a
new bundle; the earlier bundle is only read.
"""

from __future__ import annotations

from pathlib import Path

from stockcaster.data.calendar import DEFAULT_EXCHANGE, next_sessions
from stockcaster.errors import StockcasterError
from stockcaster.features.pipeline import min_fit_rows
from stockcaster.jobs.envelope import Source, check_new_folder, job, read_source
from stockcaster.models.presets import RunConfig


@job
def train_bundle(
    preset: RunConfig,
    save: str | Path,
    source: Source | None = None,
    *,
    resume: str | Path | None = None,
    exchange: str = DEFAULT_EXCHANGE,
) -> Path:
    """Train on every row of one symbol (a validation tail for early stopping) and save.

    Args:
        preset: the config; ignored with `resume`, which keeps the bundle's.
        save: the new bundle's folder; must not exist.
        source: the prices; the embedded MSFT history by default.
        resume: an earlier bundle to fine-tune from.
        exchange: the trading calendar the bundle forecasts on (ignored with `resume`).

    Returns:
        The bundle's folder.

    Raises:
        StockcasterError: bad input, before anything is trained or written.
    """
    # Delayed imports: a bundle holds a Keras model, and Keras starts only when needed.
    from stockcaster.models.neural import NetworkForecaster
    from stockcaster.store.bundle import load_bundle, save_bundle

    save = Path(save)
    check_new_folder(save)
    bundle = load_bundle(Path(resume)) if resume is not None else None
    prices = read_source(source or Source(), bundle.symbol if bundle else None)
    history = prices.series
    if bundle is not None:
        bundle.check_data(prices.symbol, history, prices.source, newer=True)
        forecaster, config, exchange = bundle.forecaster, bundle.config, bundle.meta["exchange"]
    else:
        config = preset
        forecaster = NetworkForecaster(config.features, config.model, config.training)
    next_sessions(history.index[-1], 1, exchange)  # an unknown exchange fails here, early
    need = min_fit_rows(config.features, config.model.horizon)
    if len(history) < need:
        raise StockcasterError(
            f"{prices.where}: expected at least {need} rows to train on, received {len(history)}"
        )
    forecaster.fit(history)
    save_bundle(save, forecaster, config, history, prices.symbol, prices.source, exchange)
    return save
