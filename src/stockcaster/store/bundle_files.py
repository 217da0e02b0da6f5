"""A bundle's files, whatever model it holds: written all or nothing, read back checked.

One format for every bundle: bundle.json holds the format, the versions that wrote it,
the model's name, the `symbols` it forecasts (one symbol's model holds one, a universe's
global model each of its panel's), the source, exchange and fingerprint of its data, the
last day it trained on, and every other file's SHA-256; a bundle is read only when each
file is the one it was written with. What else it holds says how it is read: a network
(model.keras, with a series' scaler.json or a panel's scales.json) or a model that saves
itself (its own files). Nothing here imports Keras.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

import stockcaster
from stockcaster.errors import StockcasterError, check_interrupted, found_at
from stockcaster.models.options import ModelOptions
from stockcaster.models.presets import RunConfig
from stockcaster.store.files import BUNDLE_META_FILE as META_FILE
from stockcaster.store.files import (
    LEADERBOARD_JSON,
    METRICS_FILE,
    PREDICT_META,
    RISK_UNIVERSE_FILE,
    SCALES_FILE,
    SIGNALS_FILE,
    SUMMARY_FILE,
    TUNE_FILE,
    UNIVERSE_PREDICT_META,
)

BUNDLE_FORMAT = 2


@dataclass(frozen=True)
class Bundle:
    """A loaded bundle: the ready forecaster (one symbol's, or a panel's global model), its
    metadata and what it was built with (its config is the preset of those options)."""

    forecaster: object  # a fitted Forecaster
    meta: dict
    options: ModelOptions

    @property
    def config(self) -> RunConfig:
        return self.options.preset

    @property
    def panel(self) -> bool:
        """Whether it holds a panel's global model (each symbol's statistics beside it)."""
        return holds_panel(self.meta)

    @property
    def symbol(self) -> str:
        return self.meta["symbols"][0]  # a symbol's bundle holds one

    @property
    def trained_until(self) -> pd.Timestamp:
        return pd.Timestamp(self.meta["trained_until"])

    def check_data(self, symbol: str, history: pd.Series, source: str, newer: bool) -> None:
        """Refuse data for another symbol (a symbol in another case is the same one), or data
        that ends before the bundle's training.

        Args:
            newer: require data past the bundle's training end (to fine-tune on).

        Raises:
            StockcasterError: naming the source, what the bundle expects and what it got.
        """
        if symbol.casefold() != self.symbol.casefold():  # `msft` is MSFT, as --symbol reads it
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


def write_bundle(
    path: Path, write_model: Callable[[Path], list[str]], texts: dict[str, str], meta: dict
) -> None:
    """Write a bundle folder all or nothing: the model's files (`write_model(folder)`
    writes them and returns their names), each text file, and bundle.json (`meta` with
    every other file's SHA-256).

    Raises:
        StockcasterError: `path` exists.
    """
    if path.exists():
        raise StockcasterError(f"--save: expected a new folder, received {path}, which exists")
    scratch = path.parent / f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial"
    scratch.mkdir(parents=True)
    try:
        model_files = write_model(scratch)
        for name, text in texts.items():
            (scratch / name).write_text(text)
        written = {name: sha256(scratch / name) for name in (*model_files, *texts)}
        (scratch / META_FILE).write_text(json.dumps({**meta, "files": written}, indent=2) + "\n")
        check_interrupted()  # a signal swallowed on the way: do not commit
        os.replace(scratch, path)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


# Files that mark a command's results folder.
_RESULTS = (METRICS_FILE, LEADERBOARD_JSON, SUMMARY_FILE, RISK_UNIVERSE_FILE, SIGNALS_FILE,
            PREDICT_META, UNIVERSE_PREDICT_META, TUNE_FILE)  # fmt: skip


def _results(path: Path) -> str | None:
    """A command's results folder, or a folder of bundles, given for a bundle: in words, with
    where bundles are."""
    if (path / "bundle" / META_FILE).is_file():
        return f"a search's results, whose best refit is the bundle {path / 'bundle'}"
    if any((path / name).is_file() for name in _RESULTS):
        return "a command's results (bundles are written by train --save, universe --save, tune)"
    inner = (
        [p for p in sorted(path.iterdir()) if (p / META_FILE).is_file()] if path.is_dir() else []
    )
    if inner:  # `bundles/`, above the bundles
        held = f"{len(inner)} bundle{'s' if len(inner) > 1 else ''}"
        return f"a folder of {held} (name one, such as {inner[0]})"
    return None


def read_meta(path: Path) -> dict:
    """bundle.json, checked: format, versions and every file's checksum."""
    if not (path / META_FILE).is_file():
        what = found_at(path, _results(path) or "a folder without bundle.json")
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
    keras_major = metadata.version("keras").split(".")[0]
    if str(versions.get("keras", "")).split(".")[0] != keras_major:
        raise StockcasterError(
            f"{path}: expected a bundle written by Keras {keras_major}.x, "
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


def holds_panel(meta: dict) -> bool:
    """Whether a bundle holds a panel's global network (each symbol's scales beside it)."""
    return SCALES_FILE in meta.get("files", {})


def peek(path: Path) -> dict:
    """bundle.json as written, unchecked and without Keras: it only chooses the loader,
    which checks the bundle (`read_meta`); {} when there is none to read."""
    try:
        meta = json.loads((Path(path) / META_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) and isinstance(meta.get("files", {}), dict) else {}


def _check_fields(where: Path, meta: dict) -> None:
    """The fields a forecast reads, each of its type: names, a shape, a date.

    Raises:
        StockcasterError: "bundle.json KEY: expected ..., received ...".
    """
    panel = holds_panel(meta)  # a universe's network: its input shape; a symbol's model:
    fields = {"exchange": str, "source": str, "data": dict, "model": str, "symbols": list,
              "trained_until": str}  # fmt: skip
    fields.update({"input_shape": list} if panel else {"settings": dict})  # its settings
    for key, kind in fields.items():
        if not isinstance(meta.get(key), kind):
            raise StockcasterError(
                f"{where} {key}: expected a {kind.__name__}, received {str(meta.get(key))[:40]!r}"
            )
    names = meta["symbols"]
    one = not panel
    if (
        not names
        or not all(isinstance(n, str) and n for n in names)
        or len(set(names)) != len(names)
        or (one and len(names) != 1)
    ):
        wanted = "one symbol's name" if one else "distinct symbols' names"
        raise StockcasterError(f"{where} symbols: expected {wanted}, received {str(names)[:40]}")
    shape = meta.get("input_shape", [])
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape):
        raise StockcasterError(f"{where} input_shape: expected positive whole numbers")
    try:
        day = pd.Timestamp(meta["trained_until"])
    except ValueError:
        day = pd.NaT
    if day is pd.NaT or day.tzinfo is not None:
        raise StockcasterError(
            f"{where} trained_until: expected a date, received {meta['trained_until'][:40]!r}"
        )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
