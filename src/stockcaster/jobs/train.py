"""`stockcaster train`: fit a model on all of a symbol's history and save it as a bundle.

With `resume`, the model of an earlier bundle is fine-tuned on newer data and saved as a
new bundle; the earlier bundle is only read.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from stockcaster.data.calendar import DEFAULT_EXCHANGE, next_sessions
from stockcaster.errors import StockcasterError
from stockcaster.features.pipeline import min_fit_rows
from stockcaster.jobs.envelope import Source, check_new_folder, job, read_source
from stockcaster.models.base import Saveable
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import (
    MODELS,
    Capability,
    ModelOptions,
    min_history,
    network_model,
)
from stockcaster.store.model_bundle import save_model_bundle


@job
def train_bundle(
    preset: RunConfig,
    save: str | Path,
    source: Source | None = None,
    *,
    resume: str | Path | None = None,
    exchange: str = DEFAULT_EXCHANGE,
    model: str | None = None,
    settings: tuple[tuple[str, object], ...] = (),
) -> Path:
    """Train on every row of one symbol (a validation tail for early stopping) and save.

    Args:
        preset: the config; ignored with `resume`, which keeps the bundle's.
        save: the new bundle's folder; must not exist.
        source: the prices; the embedded MSFT history by default.
        resume: an earlier bundle to fine-tune from.
        exchange: the trading calendar the bundle forecasts on (ignored with `resume`).
        model: a registered model to save instead of the preset's network: a network
            family, or a model that saves itself (`Saveable`); `settings` are the
            models' own (`--set`).

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
    if model is not None and Capability.BUNDLE not in MODELS[model].capabilities:
        if resume is not None:
            raise StockcasterError(f"--resume: expected a network's bundle, with --model {model}")
        options = ModelOptions(preset=preset, settings=settings)
        return _train_own(model, options, save, source or Source(), exchange)
    bundle = load_bundle(Path(resume)) if resume is not None else None
    prices = read_source(source or Source(), bundle.symbol if bundle else None)
    history = prices.series
    if bundle is not None:
        bundle.check_data(prices.symbol, history, prices.source, newer=True)
        forecaster, config, exchange = bundle.forecaster, bundle.config, bundle.meta["exchange"]
    else:
        config = preset
        if model is not None:  # a network family: its own body on the preset's head
            head = network_model(model, config.model, ModelOptions(settings=settings))
            config = dataclasses.replace(config, model=head)
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


def _train_own(model: str, options: ModelOptions, save: Path, source: Source, exchange) -> Path:
    """A model that saves itself, fitted on every close and saved as a bundle."""
    forecaster = MODELS[model].make(options)
    if not isinstance(forecaster, Saveable):
        raise StockcasterError(
            f"--model: expected a model a bundle can hold (a network, or one with save and "
            f"load), received {model!r}"
        )
    prices = read_source(source)
    history = prices.series
    next_sessions(history.index[-1], 1, exchange)  # an unknown exchange fails here, early
    need = min_history([model], options)
    if len(history) < need:
        raise StockcasterError(
            f"{prices.where}: expected at least {need} rows to train on, received {len(history)}"
        )
    forecaster.fit(history)
    where = {"history": history, "symbol": prices.symbol, "source": prices.source,
             "exchange": exchange}  # fmt: skip
    save_model_bundle(save, model, forecaster, options, where)
    return save
