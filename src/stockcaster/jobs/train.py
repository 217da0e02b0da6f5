"""`stockcaster train`: fit a model on all of a symbol's history and save it as a bundle.

With `resume`, the model of an earlier bundle is fine-tuned on newer data and saved as a
new bundle; the earlier bundle is only read.
"""

from __future__ import annotations

from pathlib import Path

from stockcaster.data.calendar import (
    DEFAULT_EXCHANGE,
    check_sessions,
)
from stockcaster.data.quality import price_notes
from stockcaster.errors import StockcasterError, failing_fit
from stockcaster.jobs.envelope import Source, check_new_folder, job, read_source
from stockcaster.models.base import Saveable
from stockcaster.models.options import check_settings_run
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import DEFAULT_MODEL, MODELS, ModelOptions, min_history
from stockcaster.models.variance import price_model
from stockcaster.store.bundle import open_bundle, save_bundle, series_where


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
        preset: the config the model is built with (`resume` keeps the bundle's).
        save: the new bundle's folder; must not exist.
        source: the prices; the embedded MSFT history by default.
        resume: an earlier bundle to fine-tune from.
        exchange: the trading calendar the bundle forecasts on (ignored with `resume`).
        model: the registered model to save (default: the preset's own network, the lstm
            family's): any model that saves itself (`Saveable`), every network family
            among them; `settings` are the models' own (`--set`).

    Returns:
        The bundle's folder.

    Raises:
        StockcasterError: bad input, before anything is trained or written.
    """
    save = Path(save)
    check_new_folder(save)
    if resume is not None:
        bundle = open_bundle(Path(resume), panel=False)
        name, options, forecaster = bundle.meta["model"], bundle.options, bundle.forecaster
        exchange = bundle.meta["exchange"]
    else:
        name = price_model(model) or DEFAULT_MODEL  # the preset's own network: lstm's
        check_settings_run(settings, [name])
        options = ModelOptions(preset=preset, settings=settings)
        forecaster = MODELS[name].make(options)
        bundle = None
    if not isinstance(forecaster, Saveable):
        raise StockcasterError(
            f"--model: expected a model a bundle can hold (a network, or one with save and "
            f"load), received {name!r}"
        )
    prices = read_source(source or Source(), bundle.symbol if bundle else None, bundle)
    history = prices.series
    if bundle is not None:
        bundle.check_data(prices.symbol, history, prices.source, newer=True)
    check_sessions(history.index, exchange, prices.where, of_bundle=bundle is not None)
    need = min_history([name], options)
    if len(history) < need:
        raise StockcasterError(
            f"{prices.where}: expected at least {need} rows to train on, received {len(history)}"
        )
    with failing_fit(f"--model {name}: expected a model that fits {prices.where}"):
        forecaster.fit(history)
    where = series_where(history, prices.symbol, prices.source, exchange, price_notes(prices.table))
    save_bundle(save, name, forecaster, options, where)
    return save
