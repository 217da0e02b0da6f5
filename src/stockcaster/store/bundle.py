"""A bundle of a fitted model, one symbol's or a whole panel's: saved and opened through the
model's own `save`/`load`.

Beside bundle.json and config.toml (the config it was built with), the folder holds the
files the model's `save` wrote: a series' network's model.keras and scaler.json, a global
network's model.keras and scales.json (each symbol's statistics), or any other model's
own. bundle.json names the model, its own settings and the `symbols` it forecasts (one, or
every symbol of its panel), so opening it builds the same model from the registry and
hands it the folder to `load`. Which of the two forms a bundle is, the jobs decide from
its symbols and files (`Bundle.panel`); nothing here imports Keras.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from stockcaster.errors import StockcasterError
from stockcaster.features.panel import PanelFeatures
from stockcaster.models.base import Saveable
from stockcaster.models.presets import load_preset, to_toml
from stockcaster.models.registry import MODELS, ModelOptions
from stockcaster.provenance import fingerprint, panel_fingerprint, versions
from stockcaster.settings import build
from stockcaster.store.bundle_files import (
    BUNDLE_FORMAT,
    Bundle,
    holds_panel,
    read_meta,
    write_bundle,
)
from stockcaster.store.files import BUNDLE_META_FILE, CONFIG_FILE

_OWN_FILES = (BUNDLE_META_FILE, CONFIG_FILE)


def series_where(
    history: pd.Series, symbol: str, source: str, exchange: str, notes: list[str] | None = None
) -> dict:
    """What a bundle of one symbol's model records of its data: the symbol, the source and
    exchange, the history's fingerprint and its last day, and what its prices say of
    themselves where they were asked (`notes`: `data/quality.price_notes`)."""
    where = {
        "symbols": [symbol],
        "source": source,
        "exchange": exchange,
        "data": fingerprint(history),
        "trained_until": f"{history.index[-1]:%Y-%m-%d}",
    }
    return where if notes is None else {**where, "notes": notes}


def panel_where(
    prices: pd.DataFrame,
    features: PanelFeatures,
    lookback: int,
    source: str,
    exchange: str,
    notes: list[str] | None = None,
) -> dict:
    """What a bundle of a panel's global model records of its data: its symbols (in the
    order of `features`, the embedding's), the source and exchange, the panel's fingerprint,
    the last day any symbol trained on, the shape of the network's windows, and what its
    prices say of themselves where they were asked (`notes`, as `series_where`'s)."""
    last = features.dates[features.first[features.first >= 0]].max()
    where = {
        "symbols": list(features.symbols),
        "source": source,
        "exchange": exchange,
        "data": panel_fingerprint(prices),
        "trained_until": f"{pd.Timestamp(last):%Y-%m-%d}",
        "input_shape": [lookback, features.n_features],
    }
    return where if notes is None else {**where, "notes": notes}


def save_bundle(
    path: Path, name: str, forecaster: Saveable, options: ModelOptions, where: dict
) -> None:
    """Write the fitted `forecaster` of model `name` as a bundle at `path` (new), all or
    nothing; `where` is what it records of its data (`series_where`, `panel_where`), and
    `options.preset` the config it was built with (a panel's: its global model's config).

    Raises:
        StockcasterError: `path` exists, or the model writes a file the bundle's own name.
    """
    settings = dict(options.settings).get(name)
    meta = {
        "format": BUNDLE_FORMAT,
        "versions": versions(),
        "model": name,
        "settings": dataclasses.asdict(settings) if settings is not None else {},
        **where,
    }

    def write_model(folder: Path) -> list[str]:
        written = forecaster.save(folder)
        taken = [n for n in written if n in _OWN_FILES]
        if taken:
            raise StockcasterError(f"{name}: expected model files of its own, wrote {taken[0]}")
        return written

    write_bundle(Path(path), write_model, {CONFIG_FILE: to_toml(options.preset)}, meta)


def open_bundle(path: Path, panel: bool | None = None) -> Bundle:
    """A bundle, checked and loaded, whichever model it holds, for one symbol or a panel.

    Args:
        panel: the form the caller reads (True: a panel's, False: one symbol's); None: either.

    Raises:
        StockcasterError: a bad bundle (see `read_meta`), a bundle of the other form than
            `panel` asks for (before its model is read), a model this installation does not
            have, or files the model's `load` refuses.
    """
    path = Path(path)
    meta = read_meta(path)
    name, spec = meta["model"], MODELS.get(meta["model"])
    holds = holds_panel(meta)
    if panel is not None and holds != panel:
        if panel:
            raise StockcasterError(f"{path}: expected a universe bundle, received one of a symbol")
        raise StockcasterError(
            f"{path}: expected a bundle of one symbol, received a universe bundle "
            f"({len(meta['symbols'])} symbols)"
        )
    if spec is None or (holds and spec.make_panel is None):
        raise StockcasterError(
            f"{path}: expected a bundle of a registered model ({', '.join(MODELS)}), "
            f"received one of {name!r}"
        )
    config = load_preset(str(path / CONFIG_FILE))
    own = ()
    if spec.settings is not None:
        own = ((name, build(spec.settings, meta["settings"], f"{path / BUNDLE_META_FILE}")),)
    if holds:
        config = config.for_panel(str(path / CONFIG_FILE))
        options = ModelOptions(preset=config, global_model=config, settings=own)
        forecaster = spec.make_panel(options)
    else:
        options = ModelOptions(preset=config, settings=own)
        forecaster = spec.make(options)
    forecaster.load(path)
    return Bundle(forecaster=forecaster, meta=meta, options=options)
