"""Seeded price data written in the formats stockcaster reads; nothing from ../shared."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


def random_walk(n: int, seed: int = 0, start: float = 50.0) -> np.ndarray:
    """Closes of a seeded geometric random walk with a small drift."""
    rng = np.random.default_rng(seed)
    return start * np.exp(np.cumsum(rng.normal(0.0004, 0.012, n)))


def ohlcv(n: int, symbol: str = "MSFT", seed: int = 0) -> pd.DataFrame:
    """A canonical price table of `n` business days."""
    close = random_walk(n, seed)
    dates = pd.bdate_range("2015-01-02", periods=n)
    return pd.DataFrame(
        {
            "date": dates,
            "symbol": symbol,
            "open": close * 0.999,
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "volume": np.arange(n) * 10 + 1000,
        }
    )


def one_line(result, fragment: str, code: int = 2) -> None:
    """A command refused in one line: exit `code`, "error: ..." on stderr holding `fragment`."""
    assert result.exit_code == code, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message and fragment in message, message


def write_kaggle(path: Path, table: pd.DataFrame) -> Path:
    """Kaggle NYSE `prices.csv` layout: date,symbol,open,close,low,high,volume."""
    table[["date", "symbol", "open", "close", "low", "high", "volume"]].to_csv(
        path, index=False, date_format="%Y-%m-%d"
    )
    return path


@pytest.fixture
def kaggle_csv(tmp_path: Path) -> Path:
    """A 300-day, two-symbol Kaggle-style file."""
    table = pd.concat([ohlcv(300, "MSFT", 0), ohlcv(300, "AAPL", 1)])
    return write_kaggle(tmp_path / "prices.csv", table)


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    """A 260-day, one-symbol Kaggle-style file, enough for every preset."""
    return write_kaggle(tmp_path / "msft.csv", ohlcv(260))


def tiny_forecast_preset(folder: Path) -> str:
    """The `forecast` preset, shrunk to train in a second; returned as a .toml path."""
    import dataclasses

    from stockcaster.models.presets import load_preset, to_toml

    preset = load_preset("forecast")
    tiny = dataclasses.replace(
        preset,
        features=dataclasses.replace(preset.features, lookback=5),
        model=dataclasses.replace(
            preset.model, recurrent=(dataclasses.replace(preset.model.recurrent[0], units=4),)
        ),
        training=dataclasses.replace(preset.training, epochs=2),
    )
    path = folder / "tiny.toml"
    path.write_text(to_toml(tiny))
    return str(path)


def tiny_global(epochs: int = 1, embedding_dim: int = 0, **features):
    """The `universe` preset shrunk to train in a second: windows of 5 days, LSTM(4),
    `epochs`, batches of 64 (and `features` set on its features)."""
    import dataclasses

    from stockcaster.models.presets import load_preset

    base = load_preset("universe")
    layer = dataclasses.replace(base.model.recurrent[0], units=4)
    return dataclasses.replace(
        base,
        features=dataclasses.replace(base.features, lookback=5, **features),
        model=dataclasses.replace(base.model, recurrent=(layer,), embedding_dim=embedding_dim),
        training=dataclasses.replace(base.training, epochs=epochs, batch_size=64),
    )


@pytest.fixture(scope="module")
def ray_instance():
    """A local Ray instance with 2 CPUs, shared by the tests of one module.

    Stopped when the module's tests are done: its idle daemons take 4% of a core for as long
    as it runs, and a test of another module that starts Ray itself must find none running.
    """
    ray = pytest.importorskip("ray")
    # Ray's workers import test modules (for their task functions) from the tests folder.
    here = {"env_vars": {"PYTHONPATH": str(Path(__file__).parent)}}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR",
             runtime_env=here)  # fmt: skip
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session", autouse=True)
def _tiny_networks_train_eagerly():
    """TensorFlow trains every network a test builds in this process eagerly; forecasts stay
    traced.

    The tests' networks are tiny (a few units, one or two epochs on a few hundred rows):
    tracing a new model's train step costs more than running it (a tiny LSTM's fit: 0.6 s
    eager, 1.6-1.9 s traced; the transformer's contract: 18 s traced, 4 s eager), while a
    test walks tens of origins through each fitted network, where one trace (0.1 s) then
    2 ms a call beats 15-20 ms an eager call. The model code is the same either way. The
    commands the tests run in their own processes train traced, as a user's do: `run`,
    `train` and `tune` under signals and limits (test_hostile.py, test_signals.py), every
    command with a model registered in a script (test_architecture.py), the README's
    examples, and JAX's jit (test_backends.py).
    """
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        yield
        return
    import keras
    import tensorflow as tf

    traced_fit = keras.Model.fit

    def eager_fit(model, *args, **kwargs):
        tf.config.run_functions_eagerly(True)
        try:
            return traced_fit(model, *args, **kwargs)
        finally:
            tf.config.run_functions_eagerly(False)

    keras.Model.fit = eager_fit
    yield
    keras.Model.fit = traced_fit


def pytest_configure(config):
    """A test process collects garbage as the `stockcaster` command does
    (`process.tune_collector`): Keras is imported about a second sooner."""
    from stockcaster.process import tune_collector

    tune_collector()


def pytest_unconfigure(config):
    """A test process ends here, as the `stockcaster` command does (`cli/app.py::main`): its
    objects are frozen out of Python's last collections, which would walk all TensorFlow
    made (1.5 s, bench/command_process.py) while the run waits for each worker to end."""
    gc.freeze()
