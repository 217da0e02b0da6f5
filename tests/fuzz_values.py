"""Hypothesis cases of hostile values in what stockcaster reads back: bundles, results
stores, config files and `tune`'s options.

A bundle's files are forged with their checksums rewritten (checksums prove integrity, not
sanity): one number, list or string replaced by NaN, infinity, zero, a negative or huge
number, a value of the wrong type or the wrong shape. A universe store's settings are
forged before `--resume`. A config file's table gets one such value under one of its
command's keys; `tune` gets one such value for one of its options. Every case must end in
exit 0 or one line and exit 2, with the rules of `fuzz_cases.run_command`, among them that a
forecast written with exit 0 holds finite numbers (no silent empty forecast).
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import tomllib
from pathlib import Path

import pandas as pd
import tomli_w
from hypothesis import strategies as st

HOSTILE = [math.nan, math.inf, -math.inf, 0, 0.0, -1, -1.5, 1e308, 1e300, 10**12, 2**63, "x",
           "", "nan", True, False, None, [], [1.0, 2.0], [[1.0], [2.0]], {}, {"a": 1}]  # fmt: skip
"""Values that a file's number, list or string is replaced with."""

values = st.one_of(
    st.sampled_from(HOSTILE),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.text(max_size=4),
)


def leaves(value, path=()) -> list[tuple]:
    """Every place in a JSON or TOML document: its scalars, and its lists and tables."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            found += leaves(item, (*path, index))
    return found


def replaced(document, path: tuple, value):
    """`document` with the value at `path` replaced (a copy)."""
    copy = json.loads(json.dumps(document))
    place = copy
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    return copy


def rehash(bundle: Path, name: str) -> None:
    meta = json.loads((bundle / "bundle.json").read_text())
    meta["files"][name] = hashlib.sha256((bundle / name).read_bytes()).hexdigest()
    (bundle / "bundle.json").write_text(json.dumps(meta))


def forge(bundle: Path, name: str, pick: int, value) -> None:
    """Replace one place (the `pick`-th, wrapping) of a bundle file with `value`, and
    record the file's new checksum in bundle.json, as a forger would."""
    path = bundle / name
    if name.endswith(".toml"):
        document = tomllib.loads(path.read_text())
        spots = leaves(document)
        value = value if value is not None else "none"  # TOML has no null
        path.write_text(tomli_w.dumps(replaced(document, spots[pick % len(spots)], value)))
    else:
        document = json.loads(path.read_text())
        spots = leaves(document)
        path.write_text(json.dumps(replaced(document, spots[pick % len(spots)], value)))
    if name != "bundle.json":
        rehash(bundle, name)


def forge_store(folder: Path, pick: int, value) -> None:
    """Replace one place of a universe store's stored settings."""
    store = folder / "results.sqlite"
    with sqlite3.connect(store) as db:
        (text,) = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
        settings = json.loads(text)
        spots = leaves(settings)
        forged = replaced(settings, spots[pick % len(spots)], value)
        db.execute("UPDATE meta SET value = ? WHERE key = 'settings'", (json.dumps(forged),))


def config_text(command: str, key: str, value) -> str:
    """A config file setting `key` of `command` to `value` (TOML cannot hold None)."""
    return tomli_w.dumps({command: {key: "none" if value is None else value}})


TUNE_OPTIONS = ["--seed", "--trials", "--timeout", "--trial-cpus", "--trial-gpus", "--folds",
                "--workers"]  # fmt: skip
"""`tune`'s number options, each given a hostile value in turn."""

option_values = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "-1", "0", "-0.5", "1e308", "4294967296", "x", ""]),
    st.integers(min_value=-5, max_value=3).map(str),
)


BUNDLE_FILES = ("scaler.json", "bundle.json", "config.toml")
UNIVERSE_FILES = ("scales.json", "bundle.json", "config.toml")
CONFIG_COMMANDS = ("backtest", "universe")
KINDS = ("bundle", "universe bundle", "store", "config", "tune")


class ValueFixtures:
    """What the value cases forge copies of: a bundle, a universe bundle, a universe run's
    store, and the price files they were made from; made once in `folder`."""

    def __init__(self, folder: Path):
        from typer.testing import CliRunner

        from conftest import ohlcv, tiny_forecast_preset, write_kaggle
        from stockcaster.cli import app

        self.folder = folder
        prices = ohlcv(250)
        prices["date"] = pd.bdate_range(end="2015-12-22", periods=250)
        self.prices = write_kaggle(folder / "msft.csv", prices)
        panel = pd.concat([ohlcv(160, name, seed) for seed, name in enumerate(["AA", "BB", "CC"])])
        self.panel = write_kaggle(folder / "panel.csv", panel)
        made = [
            ["train", "--data", str(self.prices), "--preset", tiny_forecast_preset(folder),
             "--save", str(folder / "bundle"), "--quiet"],
            ["train", "--universe", "--data", str(self.panel), "--epochs", "1", "--save",
             str(folder / "universe-bundle"), "--quiet"],
            ["universe", "--data", str(self.panel), "--models", "naive,drift", "--mode",
             "per-symbol", "--workers", "1", "--out", str(folder / "store"), "--quiet"],
        ]  # fmt: skip
        for args in made:
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, result.output

    def case(self, kind: str, pick: int, value, work: Path) -> tuple[list[str], Path]:
        """Forge one case in `work`: the command's arguments (without --data and --out,
        which `run_command` adds) and its data file. `pick` chooses the file, the place
        in it, the command or the option."""
        import shutil

        if kind in ("bundle", "universe bundle"):
            source = "bundle" if kind == "bundle" else "universe-bundle"
            copy = work / "model"
            shutil.copytree(self.folder / source, copy)
            files = BUNDLE_FILES if kind == "bundle" else UNIVERSE_FILES
            forge(copy, files[pick % len(files)], pick // len(files), value)
            data = self.prices if kind == "bundle" else self.panel
            return ["predict", "--bundle", str(copy), "--quiet"], data
        if kind == "store":
            shutil.copytree(self.folder / "store", work / "out")
            forge_store(work / "out", pick, value)
            return ["universe", "--models", "naive,drift", "--mode", "per-symbol", "--workers",
                    "1", "--resume", "--quiet", "--json"], self.panel  # fmt: skip
        if kind == "config":
            command = CONFIG_COMMANDS[pick % len(CONFIG_COMMANDS)]
            keys = config_keys(command)
            config = work / "c.toml"
            config.write_text(config_text(command, keys[pick // 2 % len(keys)], value))
            models = ["--models", "naive,drift"]
            more = ["--mode", "per-symbol", "--workers", "1"] if command == "universe" else []
            data = self.panel if command == "universe" else self.prices
            return [command, *models, *more, "--quiet", "--config", str(config)], data
        option = TUNE_OPTIONS[pick % len(TUNE_OPTIONS)]
        return ["tune", "--model", "linear", "--trials", "1", "--folds", "2", "--quiet",
                "--json", option, str(value)], self.prices  # fmt: skip


def config_keys(command: str) -> list[str]:
    """The keys a config table of `command` may hold (its options' names)."""
    import typer.main

    from stockcaster.cli import app

    group = typer.main.get_command(app)
    return [p.name for p in group.commands[command].params if p.name not in _PLACES]


# Settings that name a place (a file, a folder, an address): a config may point them
# anywhere the user likes, so the cases leave them to the flags.
_PLACES = ("config", "help", "data", "out", "save", "ray_address", "tracking_uri")
