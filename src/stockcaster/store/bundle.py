"""The model bundle: one folder with everything needed to forecast later, and nothing to pickle.

model.keras   the Keras model (loaded in safe mode, without its optimiser)
config.toml   the run config: features, window, network, training
scaler.json   the fitted scaler's parameters
bundle.json   format, versions, model, symbols (its one), exchange, data fingerprint, the
              last training day, file checksums
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError
from stockcaster.features import FeaturePipeline
from stockcaster.features.scaling import scaler_from_dict, scaler_to_dict
from stockcaster.models.neural import NetworkForecaster
from stockcaster.models.presets import RunConfig, load_preset, to_toml
from stockcaster.provenance import fingerprint, versions
from stockcaster.store.bundle_files import (
    BUNDLE_FORMAT,
    Bundle,
    holds_panel,
    read_meta,
    write_bundle,
)
from stockcaster.store.files import CONFIG_FILE, MODEL_FILE, SCALER_FILE

__all__ = ["BUNDLE_FORMAT", "Bundle", "load_bundle", "load_network", "read_meta", "save_bundle"]


def save_bundle(
    path: Path,
    forecaster: NetworkForecaster,
    config: RunConfig,
    history: pd.Series,
    symbol: str,
    source: str,
    exchange: str,
) -> None:
    """Write a bundle to `path`, a folder that must not exist yet; all or nothing.

    Raises:
        StockcasterError: `path` exists.
    """
    scaler = scaler_to_dict(config.features.scaler, forecaster.pipeline.scaler)
    meta = {
        "format": BUNDLE_FORMAT,
        "versions": versions(),
        "model": forecaster.name,
        "symbols": [symbol],
        "source": source,
        "exchange": exchange,
        "data": fingerprint(history),
        "trained_until": f"{history.index[-1]:%Y-%m-%d}",
        "input_shape": list(forecaster.network.input_shape[1:]),
    }
    texts = {CONFIG_FILE: to_toml(config), SCALER_FILE: json.dumps(scaler, indent=2) + "\n"}
    write_bundle(Path(path), lambda folder: save_network(forecaster.network, folder), texts, meta)


def save_network(network, folder: Path) -> list[str]:
    """A bundle's network as model.keras in `folder`; the file's name."""
    network.save(folder / MODEL_FILE)
    return [MODEL_FILE]


def load_bundle(path: Path, meta: dict | None = None) -> Bundle:
    """Load and check a bundle (`meta`: its bundle.json, when `read_meta` has checked it
    already, so that no file is hashed twice).

    Raises:
        StockcasterError: a missing folder or file, a checksum that does not match
            (corrupted or truncated), another stockcaster or Keras version, a model safe
            mode refuses, or a model whose shapes do not match the bundle's features.
    """
    path = Path(path)
    meta = meta if meta is not None else read_meta(path)
    if holds_panel(meta):
        raise StockcasterError(
            f"{path}: expected a bundle of one symbol, received a universe bundle "
            f"({len(meta['symbols'])} symbols)"
        )
    config = load_preset(str(path / CONFIG_FILE))
    network = load_network(path / MODEL_FILE)
    forecaster = NetworkForecaster(config.features, config.model, config.training)
    pipeline = FeaturePipeline(config.features)
    pipeline.scaler = _read_scaler(path, config)
    _check_shapes(path, network, config, meta)
    forecaster.network, forecaster.pipeline = network, pipeline
    return Bundle(forecaster=forecaster, config=config, meta=meta)


def load_network(path: Path):
    """A bundle's Keras model, in safe mode (no code in the file runs), without optimiser.

    Raises:
        StockcasterError: a file safe mode refuses (a `Lambda` layer, say) or cannot read,
            or weights that are not finite.
    """
    try:
        network = keras.models.load_model(path, compile=False, safe_mode=True)
    except Exception as err:
        reason = str(err).splitlines()[0][:160]
        raise StockcasterError(
            f"{path}: expected a Keras model that safe mode loads, received an error: {reason}"
        ) from None
    for variable in network.weights:
        if not np.isfinite(keras.ops.convert_to_numpy(variable.value)).all():
            raise StockcasterError(
                f"{path}: expected finite weights, received NaN or infinity in {variable.path}"
            )
    return network


def _read_scaler(path: Path, config: RunConfig):
    """The fitted scaler of scaler.json, of the kind the config names."""
    try:
        state = json.loads((path / SCALER_FILE).read_text())
        kind = state["kind"]
    except (ValueError, KeyError, TypeError):
        raise StockcasterError(f"{path / SCALER_FILE}: expected fitted scaler parameters") from None
    if kind != config.features.scaler:
        raise StockcasterError(
            f"{path / SCALER_FILE}: expected a {config.features.scaler} scaler as the config "
            f"says, received a {kind} one"
        )
    try:
        scaler = scaler_from_dict(state)
    except ValueError as err:
        raise StockcasterError(f"{path / SCALER_FILE} {err}") from None
    except (KeyError, TypeError):
        raise StockcasterError(f"{path / SCALER_FILE}: expected fitted scaler parameters") from None
    return scaler


def _check_shapes(path: Path, network, config: RunConfig, meta: dict) -> None:
    lookback = config.features.lookback
    expected = [lookback, 1] if config.features.layout == "timesteps" else [1, lookback]
    model_in = list(network.input_shape[1:])
    head = config.model
    want_out = [head.horizon, len(head.quantiles)] if head.quantiles else [head.horizon]
    if not head.direct:
        want_out = [1]
    model_out = list(network.output_shape[1:])
    if model_in != expected or meta.get("input_shape") != expected or model_out != want_out:
        raise StockcasterError(
            f"{path}: expected a model taking {expected} and giving {want_out} as its "
            f"config says, received one taking {model_in} and giving {model_out}"
        )
