"""A bundle of one symbol's volatility model (`train --target variance`), for `predict`.

The bundle format is every bundle's (`bundle_files.py`); its bundle.json says
`"target": "variance"`, the range estimator the model learned, and, for a family, the s^2
that turns its log forecast into a variance. A family's bundle holds the files its
network's `save` wrote (trained on log variance); a baseline's holds none, because a
baseline is its recipe: `predict` fits it on the days it reads, which are all in the past.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from stockcaster.errors import StockcasterError
from stockcaster.models.base import Saveable
from stockcaster.models.presets import load_preset, to_toml
from stockcaster.models.registry import MODELS, ModelOptions
from stockcaster.models.variance import FamilyWalk, variance_walk
from stockcaster.models.volatility import BASELINES
from stockcaster.provenance import fingerprint, versions
from stockcaster.settings import build
from stockcaster.store.bundle_files import BUNDLE_FORMAT, Bundle, read_meta, write_bundle
from stockcaster.store.files import BUNDLE_META_FILE, CONFIG_FILE

VARIANCE = "variance"


def holds_variance(meta: dict) -> bool:
    """Whether a bundle's metadata (`peek`'s) is a volatility model's."""
    return meta.get("target") == VARIANCE


def variance_from(bundle: Bundle, v: np.ndarray, r: np.ndarray, horizons: tuple) -> np.ndarray:
    """`[horizons]`: the mean variance of the next h sessions after the last day of `v`,
    by a volatility bundle's model: a family's from its saved fit, a baseline's fitted on
    `v` and `r` (the past)."""
    walk = bundle.forecaster
    if isinstance(walk, FamilyWalk):
        return walk.ahead(v, horizons, float(bundle.meta["spread"]))
    last = len(v) - 1
    return walk(v, r, [(last, np.array([last]))], horizons)[0]


def saveable_walk(name: str, options: ModelOptions):
    """The walk of `name` a variance bundle can hold: a baseline, or a family that saves
    itself (a network).

    Raises:
        StockcasterError: a family without files of its own (linear, lightgbm).
    """
    walk = variance_walk(name, options, "--model")
    if isinstance(walk, FamilyWalk) and not isinstance(walk.model, Saveable):
        raise StockcasterError(
            f"--model: expected a volatility model a bundle can hold (a baseline or a "
            f"network), received {name!r}"
        )
    return walk


def save_variance_bundle(path: Path, walk, options: ModelOptions, where: dict) -> None:
    """Write the volatility model `walk` (fitted, for a family) as a bundle at `path` (new),
    all or nothing; `where` holds the name, estimator, history, symbol, source and exchange."""
    history = where["history"]
    name = where["model"]
    settings = dict(options.settings).get(name)
    meta = {
        "format": BUNDLE_FORMAT, "versions": versions(), "target": VARIANCE, "model": name,
        "estimator": where["estimator"],
        "settings": dataclasses.asdict(settings) if settings is not None else {},
        "symbols": [where["symbol"]], "source": where["source"],
        "exchange": where["exchange"], "data": fingerprint(history),
        "trained_until": f"{history.index[-1]:%Y-%m-%d}",
    }  # fmt: skip
    if "notes" in where:  # what its prices say of themselves, where they were asked
        meta["notes"] = where["notes"]
    if isinstance(walk, FamilyWalk):
        meta["spread"] = walk.spread

    def write_model(folder: Path) -> list[str]:
        return walk.model.save(folder) if isinstance(walk, FamilyWalk) else []

    write_bundle(Path(path), write_model, {CONFIG_FILE: to_toml(options.preset)}, meta)


def open_variance_bundle(path: Path) -> Bundle:
    """A volatility bundle, checked and loaded.

    Raises:
        StockcasterError: a bad bundle (`read_meta`), or one whose model or s^2 this
            installation cannot read.
    """
    path = Path(path)
    meta = read_meta(path)
    name = meta["model"]
    if name not in BASELINES and name not in MODELS:
        raise StockcasterError(
            f"{path}: expected a bundle of a volatility model, received one of {name!r}"
        )
    config = load_preset(str(path / CONFIG_FILE))
    spec = MODELS.get(name)
    own = ()
    if spec is not None and spec.settings is not None:
        own = ((name, build(spec.settings, meta["settings"], f"{path / BUNDLE_META_FILE}")),)
    options = ModelOptions(preset=config, settings=own)
    walk = saveable_walk(name, options)
    if isinstance(walk, FamilyWalk):
        spread = meta.get("spread")
        if not isinstance(spread, int | float) or not np.isfinite(spread) or spread < 0:
            raise StockcasterError(
                f"{path / BUNDLE_META_FILE} spread: expected a variance of at least 0, "
                f"received {str(spread)[:40]!r}"
            )
        walk.model.load(path)
    return Bundle(forecaster=walk, meta=meta, options=options)  # the walk as its forecaster
