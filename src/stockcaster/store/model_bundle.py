"""A bundle of one symbol's model: saved and opened through the model's own `save`/`load`.

Beside bundle.json and config.toml (the preset it was built with), the folder holds the
files the model's `save` wrote (a network's model.keras and scaler.json, or any other
model's own); bundle.json names the model and its own settings, so opening it builds the
same model from the registry and hands it the folder to `load`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from stockcaster.errors import StockcasterError
from stockcaster.models.base import Saveable
from stockcaster.models.presets import load_preset, to_toml
from stockcaster.models.registry import MODELS, ModelOptions
from stockcaster.provenance import fingerprint, versions
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


def save_model_bundle(
    path: Path, name: str, forecaster: Saveable, options: ModelOptions, where: dict
) -> None:
    """Write the fitted `forecaster` of model `name` as a bundle at `path` (new), all or
    nothing; `where` holds the history it was fitted on, its symbol, source and exchange.

    Raises:
        StockcasterError: `path` exists, or the model writes a file the bundle's own name.
    """
    settings = dict(options.settings).get(name)
    history = where["history"]
    meta = {
        "format": BUNDLE_FORMAT,
        "versions": versions(),
        "model": name,
        "settings": dataclasses.asdict(settings) if settings is not None else {},
        "symbols": [where["symbol"]],
        "source": where["source"],
        "exchange": where["exchange"],
        "data": fingerprint(history),
        "trained_until": f"{history.index[-1]:%Y-%m-%d}",
    }

    def write_model(folder: Path) -> list[str]:
        written = forecaster.save(folder)
        taken = [n for n in written if n in _OWN_FILES]
        if taken:
            raise StockcasterError(f"{name}: expected model files of its own, wrote {taken[0]}")
        return written

    write_bundle(Path(path), write_model, {CONFIG_FILE: to_toml(options.preset)}, meta)


def open_bundle(path: Path) -> Bundle:
    """A symbol's bundle, checked and loaded, whichever model it holds.

    Raises:
        StockcasterError: a bad bundle (see `read_meta`), a universe's bundle, a model this
            installation does not have, or files the model's `load` refuses.
    """
    path = Path(path)
    meta = read_meta(path)
    if holds_panel(meta):
        raise StockcasterError(
            f"{path}: expected a bundle of one symbol, received a universe bundle "
            f"({len(meta['symbols'])} symbols)"
        )
    name, spec = meta["model"], MODELS.get(meta["model"])
    if spec is None:
        raise StockcasterError(
            f"{path}: expected a bundle of a registered model ({', '.join(MODELS)}), "
            f"received one of {name!r}"
        )
    config = load_preset(str(path / CONFIG_FILE))
    own = ()
    if spec.settings is not None:
        own = ((name, build(spec.settings, meta["settings"], f"{path / BUNDLE_META_FILE}")),)
    options = ModelOptions(preset=config, settings=own)
    forecaster = spec.make(options)
    forecaster.load(path)
    return Bundle(forecaster=forecaster, meta=meta, options=options)
