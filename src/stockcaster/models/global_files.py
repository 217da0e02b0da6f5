"""A global network's own files in a bundle: the network and each symbol's statistics.

model.keras   the global network (read in safe mode, without its optimiser)
scales.json   each symbol's feature statistics (the symbol order is the embedding's index)
              and, for a cross-sectional target, the moments that turn a score into a return

`GlobalNetwork.save` and `load` (`global_model.py`) write and read these through the
`Saveable` protocol, as a series' network writes model.keras and scaler.json: the bundle
around them (bundle.json, config.toml, checksums) is the store's, one format for both.
Everything read is checked against the config before it is used, in one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import StockcasterError
from stockcaster.features.feature_sets import FEATURE_SETS
from stockcaster.features.panel import PanelFeatures
from stockcaster.models.base import NETWORK_FILE, SCALES_FILE
from stockcaster.models.presets import RunConfig


def feature_scales(features: PanelFeatures, inputs: str) -> dict:
    """The statistics a global network's features were scaled with, as `read_global` gives
    them back: symbols, `[symbols, features]` mean and std, the moments; and for a feature
    set whose features the table decides (`inputs` such as `columns`: its covariates), the
    features' names."""
    scales = {
        "symbols": list(features.symbols),
        "mean": features.mean,
        "std": features.std,
        "moments": tuple(features.moments),
    }
    if FEATURE_SETS[inputs].names is not None:
        scales["features"] = list(features.names)
    return scales


def check_features(scales: dict, inputs: str, prices: pd.DataFrame, where: str) -> pd.DataFrame:
    """`prices` with the features a bundle's network learned, in its order (`--covariates`
    given in another order are put in the bundle's).

    Raises:
        StockcasterError: a covariate it did not learn (it would be read by nothing), or
            other features than its own (a covariate missing: the network would read
            another in its place).
    """
    wanted, spec = scales.get("features"), FEATURE_SETS[inputs]
    if wanted is None and spec.names is not None:  # an older bundle: its names unrecorded
        return prices
    covariates = [c for c in prices.columns if str(c).startswith(C.COVARIATE)]
    learned = [n for n in wanted or () if inputs == "columns" and n not in spec.features]
    mine = [C.COVARIATE + n for n in learned if C.COVARIATE + n in covariates]
    if len(mine) < len(covariates):
        given = [c.removeprefix(C.COVARIATE) for c in covariates]
        learned = learned or [f"none: --features {inputs}"]
        raise StockcasterError(
            f"--covariates: expected those {where} learned ({', '.join(learned)}), received "
            f"{', '.join(given)}"
        )
    if spec.names is None:
        return prices
    prices = prices[[c for c in prices.columns if c not in covariates] + mine]  # its order
    given = list(spec.feature_names(prices))
    if given != list(wanted):
        how = "a covariate by --covariates" if inputs == "columns" else "each read from a column"
        raise StockcasterError(
            f"{where}: expected the features it learned ({', '.join(wanted)}; {how}), "
            f"received {', '.join(given)}"
        )
    return prices


def write_global(folder: Path, network, scales: dict) -> list[str]:
    """Write the network and the scales (`feature_scales`) into `folder`; their names."""
    # Delayed import: saving a network is Keras.
    from stockcaster.models.networks import save_network

    plain = {
        "symbols": list(scales["symbols"]),
        "mean": np.asarray(scales["mean"]).tolist(),
        "std": np.asarray(scales["std"]).tolist(),
        "moments": list(scales["moments"]),
    }
    if "features" in scales:
        plain["features"] = list(scales["features"])
    (folder / SCALES_FILE).write_text(json.dumps(plain) + "\n")
    return [*save_network(network, folder), SCALES_FILE]


def read_global(folder: Path, config: RunConfig) -> tuple[object, dict]:
    """The network and the scales `write_global` wrote, checked against `config`.

    Raises:
        StockcasterError: statistics that are not each symbol's finite numbers, a network
            safe mode refuses, or shapes that differ from the config's windows and head.
    """
    # Delayed import: reading a network is Keras.
    from stockcaster.models.networks import load_network

    scales = _read_scales(folder, config)
    network = load_network(folder / NETWORK_FILE)
    _check_shapes(folder, network, config, scales)
    return network, scales


def _read_scales(path: Path, config: RunConfig) -> dict:
    where = path / SCALES_FILE
    try:
        scales = json.loads(where.read_text())
        mean, std = np.asarray(scales["mean"], "float64"), np.asarray(scales["std"], "float64")
        symbols, moments = scales["symbols"], scales["moments"]
        names = scales.get("features", [])
        if not isinstance(symbols, list) or not isinstance(moments, list):
            raise TypeError("symbols and moments are lists")
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise TypeError("features are names")
        if names and len(names) != mean.shape[-1]:
            raise ValueError("a name for each feature")
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


def _check_shapes(path: Path, network, config: RunConfig, scales: dict) -> None:
    expected = [config.features.lookback, scales["mean"].shape[1]]
    inputs = network.inputs
    model_in = list(inputs[0].shape[1:])
    embedded = len(inputs) == 2
    out = list(network.output_shape[1:])
    quantiles = config.model.quantiles
    want = [1, len(quantiles)] if quantiles else [1]
    if model_in != expected or out != want or embedded != (config.model.embedding_dim > 0):
        raise StockcasterError(
            f"{path}: expected a model taking windows of {expected} (with "
            f"{'a' if config.model.embedding_dim else 'no'} symbol input) and giving {want}, "
            f"received one taking {model_in}{' and a symbol' if embedded else ''} and "
            f"giving {out}"
        )
