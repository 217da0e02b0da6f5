"""The universe bundle: a global model with everything needed to forecast every symbol later.

model.keras   the global network (loaded in safe mode, without its optimiser)
config.toml   the global model's config: feature set, lookback, network, training
scales.json   each symbol's feature statistics (the symbol order is the embedding's index)
bundle.json   format, versions, model family, its symbols, exchange, the panel's
              fingerprint, the last training day, input shape, file checksums

The same guarantees as a bundle of one symbol (`bundle.py`): no pickle, every file's
SHA-256 checked, other versions refused, and a model whose shapes differ from its
features refused, each in one line before anything is written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import StockcasterError
from stockcaster.features.feature_sets import FEATURE_SETS
from stockcaster.features.panel import PanelFeatures
from stockcaster.models.networks import load_network, save_network
from stockcaster.models.presets import RunConfig, load_preset, to_toml
from stockcaster.provenance import versions
from stockcaster.store.bundle_files import BUNDLE_FORMAT, holds_panel, read_meta, write_bundle
from stockcaster.store.files import CONFIG_FILE, MODEL_FILE, SCALES_FILE


@dataclass(frozen=True)
class UniverseBundle:
    """A loaded universe bundle: the network, its config, each symbol's scales, metadata."""

    network: object  # keras.Model
    config: RunConfig
    scales: dict
    meta: dict

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self.scales["symbols"])

    @property
    def trained_until(self) -> np.datetime64:
        return np.datetime64(self.meta["trained_until"], "ns")


def panel_fingerprint(prices: pd.DataFrame) -> dict:
    """Rows, symbols, date range and a SHA-256 of the symbols, dates and closes."""
    table = prices[[C.SYMBOL, C.DATE, C.CLOSE]]
    dates = table[C.DATE].dt.strftime("%Y-%m-%d")
    text = table[C.SYMBOL].astype(str) + "," + dates + "," + table[C.CLOSE].map("{:.10g}".format)
    return {
        "rows": len(table),
        "symbols": int(table[C.SYMBOL].nunique()),
        "start": str(dates.min()),
        "end": str(dates.max()),
        "sha256": hashlib.sha256("\n".join(text).encode()).hexdigest(),
    }


def save_universe_bundle(
    path: Path,
    network,
    config: RunConfig,
    features: PanelFeatures,
    family: str,
    prices: pd.DataFrame,
    source: str,
    exchange: str,
) -> None:
    """Write a universe bundle to `path`, a folder that must not exist yet; all or nothing.

    Args:
        network: the trained global network.
        features: the features it learned from (their per-symbol statistics are kept).
        family: its model family's name (the registry's).
        prices: the price table it learned from (fingerprinted).
    """
    scales = {
        "symbols": list(features.symbols),
        "mean": features.mean.tolist(),
        "std": features.std.tolist(),
        "moments": list(features.moments),
    }
    last = features.dates[features.first[features.first >= 0]].max()
    meta = {
        "format": BUNDLE_FORMAT,
        "model": family,
        "symbols": list(features.symbols),
        "versions": versions(),
        "source": source,
        "exchange": exchange,
        "data": panel_fingerprint(prices),
        "trained_until": f"{pd.Timestamp(last):%Y-%m-%d}",
        "input_shape": [config.features.lookback, features.n_features],
    }
    texts = {CONFIG_FILE: to_toml(config), SCALES_FILE: json.dumps(scales) + "\n"}
    write_bundle(Path(path), lambda folder: save_network(network, folder), texts, meta)


def load_universe_bundle(path: Path) -> UniverseBundle:
    """Load and check a universe bundle.

    Raises:
        StockcasterError: a missing folder or file, a checksum that does not match,
            another version, a model safe mode refuses, or shapes that do not match.
    """
    path = Path(path)
    meta = read_meta(path)
    if not holds_panel(meta):
        raise StockcasterError(f"{path}: expected a universe bundle, received one of a symbol")
    config = load_preset(str(path / CONFIG_FILE)).for_panel(str(path / CONFIG_FILE))
    scales = _read_scales(path, config)
    network = load_network(path / MODEL_FILE)
    _check_shapes(path, network, config, scales, meta)
    return UniverseBundle(network, config, scales, meta)


def _read_scales(path: Path, config: RunConfig) -> dict:
    where = path / SCALES_FILE
    try:
        scales = json.loads(where.read_text())
        mean, std = np.asarray(scales["mean"], "float64"), np.asarray(scales["std"], "float64")
        symbols, moments = scales["symbols"], scales["moments"]
        if not isinstance(symbols, list) or not isinstance(moments, list):
            raise TypeError("symbols and moments are lists")
    except (OSError, ValueError, KeyError, TypeError):
        raise StockcasterError(f"{where}: expected each symbol's feature statistics") from None
    inputs = config.features.inputs
    spec = FEATURE_SETS.get(inputs)
    width = 0 if spec is None else len(spec.features)
    if spec is not None and spec.names is not None:  # covariates: as many as it was fitted on
        width = mean.shape[1] if mean.ndim == 2 and mean.shape[1] > 1 else 2
    if mean.shape != (len(symbols), width) or std.shape != mean.shape or len(moments) != 2:
        raise StockcasterError(
            f"{where}: expected statistics of {width} features per symbol, received an array "
            f"of shape {list(mean.shape)}"
        )
    _check_values(where, symbols, mean, std, moments)
    return {**scales, "mean": mean, "std": std, "moments": tuple(moments)}


def _check_values(where: Path, symbols, mean, std, moments) -> None:
    """Names that are distinct strings; statistics that are finite, deviations positive."""
    if not all(isinstance(s, str) and s for s in symbols) or len(set(symbols)) != len(symbols):
        raise StockcasterError(f"{where} symbols: expected distinct non-empty names")
    try:
        spread = np.asarray(moments, "float64")
    except (TypeError, ValueError):
        spread = np.array([np.nan])
    for key, values, positive in (("mean", mean, False), ("std", std, True),
                                  ("moments", spread, False)):  # fmt: skip
        bad = ~np.isfinite(values) | ((values <= 0) if positive else False)
        if bad.any():
            wanted = "positive finite numbers" if positive else "finite numbers"
            first = np.argwhere(bad)[0].tolist()
            raise StockcasterError(
                f"{where} {key}: expected {wanted}, received {float(values[tuple(first)])!r} at "
                f"{first}"
            )
    if spread[1] <= 0:
        raise StockcasterError(f"{where} moments: expected a positive deviation second, "
                               f"received {float(spread[1])!r}")  # fmt: skip


def _check_shapes(path: Path, network, config: RunConfig, scales: dict, meta: dict) -> None:
    expected = [config.features.lookback, scales["mean"].shape[1]]
    inputs = network.inputs
    model_in = list(inputs[0].shape[1:])
    embedded = len(inputs) == 2
    out = list(network.output_shape[1:])
    quantiles = config.model.quantiles
    want = [1, len(quantiles)] if quantiles else [1]
    if (model_in != expected or meta.get("input_shape") != expected or out != want
            or embedded != (config.model.embedding_dim > 0)):  # fmt: skip
        raise StockcasterError(
            f"{path}: expected a model taking windows of {expected} (with "
            f"{'a' if config.model.embedding_dim else 'no'} symbol input) and giving {want}, "
            f"received one taking {model_in}{' and a symbol' if embedded else ''} and "
            f"giving {out}"
        )
