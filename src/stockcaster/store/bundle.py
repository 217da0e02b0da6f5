"""The model bundle: one folder with everything needed to forecast later, and nothing to pickle.

model.keras   the Keras model (loaded in safe mode, without its optimiser)
config.toml   the run config: features, window, network, training
scaler.json   the fitted scaler's parameters
bundle.json   format, versions, symbol, exchange, data fingerprint, file checksums
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd

import stockcaster
from stockcaster.errors import StockcasterError, check_interrupted
from stockcaster.features import FeaturePipeline
from stockcaster.features.scaling import scaler_from_dict, scaler_to_dict
from stockcaster.models.neural import NetworkForecaster
from stockcaster.models.presets import RunConfig, load_preset, to_toml
from stockcaster.provenance import fingerprint, versions
from stockcaster.store.files import BUNDLE_META_FILE as META_FILE
from stockcaster.store.files import CONFIG_FILE, MODEL_FILE, SCALER_FILE, UNIVERSE_KIND

BUNDLE_FORMAT = 1


@dataclass(frozen=True)
class Bundle:
    """A loaded bundle: the ready forecaster, its config and its metadata."""

    forecaster: NetworkForecaster
    config: RunConfig
    meta: dict

    @property
    def symbol(self) -> str:
        return self.meta["symbol"]

    @property
    def trained_until(self) -> pd.Timestamp:
        return pd.Timestamp(self.meta["data"]["end"])

    def check_data(self, symbol: str, history: pd.Series, source: str, newer: bool) -> None:
        """Refuse data for another symbol, or data that ends before the bundle's training.

        Args:
            newer: require data past the bundle's training end (to fine-tune on).

        Raises:
            StockcasterError: naming the source, what the bundle expects and what it got.
        """
        if symbol != self.symbol:
            raise StockcasterError(
                f"{source}: expected symbol {self.symbol}, the one the bundle was trained on, "
                f"received {symbol}"
            )
        last, end = history.index[-1], self.trained_until
        if last < end or (newer and last == end):
            wanted = "after" if newer else "on or after"
            raise StockcasterError(
                f"{source}: expected data that ends {wanted} the bundle's training end "
                f"{end:%Y-%m-%d}, received data ending {last:%Y-%m-%d}"
            )


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
        "symbol": symbol,
        "source": source,
        "exchange": exchange,
        "data": fingerprint(history),
        "input_shape": list(forecaster.network.input_shape[1:]),
    }
    texts = {CONFIG_FILE: to_toml(config), SCALER_FILE: json.dumps(scaler, indent=2) + "\n"}
    write_bundle(Path(path), forecaster.network, texts, meta)


def write_bundle(path: Path, network, texts: dict[str, str], meta: dict) -> None:
    """Write a bundle folder all or nothing: the network as model.keras, each text file,
    and bundle.json (`meta` with every other file's SHA-256).

    Raises:
        StockcasterError: `path` exists.
    """
    if path.exists():
        raise StockcasterError(f"--save: expected a new folder, received {path}, which exists")
    scratch = path.parent / f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial"
    scratch.mkdir(parents=True)
    try:
        network.save(scratch / MODEL_FILE)
        for name, text in texts.items():
            (scratch / name).write_text(text)
        written = {name: sha256(scratch / name) for name in (MODEL_FILE, *texts)}
        (scratch / META_FILE).write_text(json.dumps({**meta, "files": written}, indent=2) + "\n")
        check_interrupted()  # a signal swallowed on the way: do not commit
        os.replace(scratch, path)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def load_bundle(path: Path) -> Bundle:
    """Load and check a bundle.

    Raises:
        StockcasterError: a missing folder or file, a checksum that does not match
            (corrupted or truncated), another stockcaster or Keras version, a model safe
            mode refuses, or a model whose shapes do not match the bundle's features.
    """
    path = Path(path)
    meta = read_meta(path)
    if meta.get("kind", "symbol") != "symbol":
        raise StockcasterError(
            f"{path}: expected a bundle of one symbol, received a {meta['kind']} bundle"
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


def read_meta(path: Path) -> dict:
    """bundle.json, checked: format, versions and every file's checksum."""
    if not (path / META_FILE).is_file():
        what = "a folder without bundle.json" if path.is_dir() else "a path that does not exist"
        raise StockcasterError(f"{path}: expected a model bundle, received {what}")
    try:
        meta = json.loads((path / META_FILE).read_text())
        files, versions = meta["files"], meta["versions"]
        if not isinstance(files, dict) or not isinstance(versions, dict):
            raise TypeError("files and versions are tables")
    except (ValueError, KeyError, TypeError):
        raise StockcasterError(
            f"{path / META_FILE}: expected bundle metadata, received unreadable JSON"
        ) from None
    if (
        meta.get("format") != BUNDLE_FORMAT
        or versions.get("stockcaster") != stockcaster.__version__
    ):
        raise StockcasterError(
            f"{path}: expected a bundle written by stockcaster {stockcaster.__version__} "
            f"(format {BUNDLE_FORMAT}), received one from stockcaster "
            f"{versions.get('stockcaster')} (format {meta.get('format')}); retrain it"
        )
    if str(versions.get("keras", "")).split(".")[0] != keras.__version__.split(".")[0]:
        raise StockcasterError(
            f"{path}: expected a bundle written by Keras {keras.__version__.split('.')[0]}.x, "
            f"received one from Keras {versions.get('keras')}"
        )
    _check_fields(path / META_FILE, meta)
    for name, digest in files.items():
        if Path(name).name != name or not (path / name).is_file():
            raise StockcasterError(f"{path}: expected {name} in the bundle, received no such file")
        if sha256(path / name) != digest:
            raise StockcasterError(
                f"{path / name}: expected the file the bundle was written with, received one "
                "whose checksum differs (corrupted, truncated or edited)"
            )
    return meta


def _check_fields(where: Path, meta: dict) -> None:
    """The fields a forecast reads, each of its type: names, a shape, a date.

    Raises:
        StockcasterError: "bundle.json KEY: expected ..., received ...".
    """
    universe = meta.get("kind") == UNIVERSE_KIND
    fields = {"exchange": str, "source": str, "input_shape": list, "data": dict}
    fields.update({"model": str, "trained_until": str} if universe else {"symbol": str})
    for key, kind in fields.items():
        if not isinstance(meta.get(key), kind):
            raise StockcasterError(
                f"{where} {key}: expected a {kind.__name__}, received {str(meta.get(key))[:40]!r}"
            )
    shape = meta["input_shape"]
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape):
        raise StockcasterError(f"{where} input_shape: expected positive whole numbers")
    last = meta["trained_until"] if universe else meta["data"].get("end")
    try:
        day = pd.Timestamp(last) if isinstance(last, str) else pd.NaT
    except ValueError:
        day = pd.NaT
    if day is pd.NaT or day.tzinfo is not None:
        raise StockcasterError(
            f"{where} {'trained_until' if universe else 'data end'}: expected a date, received "
            f"{str(last)[:40]!r}"
        )


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


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
