"""The model code is backend-neutral: the same run, quantile head and universe train on JAX.

One JAX process serves both tests (its start is most of their cost): started without
`KERAS_BACKEND`, it runs `universe --backend jax` first, so the flag chooses the backend,
and every later step trains on the backend that flag chose.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ohlcv, tiny_forecast_preset, write_kaggle
from stockcaster.models.families import NEURAL

# Whether JAX is installed, without importing it: an import costs every test process a
# second while it collects, and only the one process below trains on JAX.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason="jax is not installed"
)

JAX_SCRIPT = """
import dataclasses, json, sys, traceback
first_import = []  # stockcaster's frames where TensorFlow was first imported
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "tensorflow" and not first_import:
            ours = [f for f in traceback.extract_stack() if "src/stockcaster" in f.filename]
            first_import.extend(f"{f.filename.split('stockcaster/')[-1]}:{f.name}" for f in ours)
sys.meta_path.insert(0, Watch())
import numpy as np
from typer.testing import CliRunner
sys.path.insert(0, "tests")
from test_families import panel
from test_forecasters import tiny_options
from stockcaster.cli import app
from stockcaster.models.families import NEURAL
from stockcaster.models.registry import MODELS
data, panel_file, folder, preset = sys.argv[1:]
out = {}
universe = CliRunner().invoke(app, [
    "universe", "--data", panel_file, "--backend", "jax", "--models", "naive,lstm", "--epochs",
    "1", "--lookback", "5", "--top-k", "1", "--workers", "1", "--out", folder + "/universe",
    "--json"])
out["universe"] = json.loads(universe.stdout) if universe.exit_code == 0 else universe.output
import keras
out["backend"] = keras.backend.backend()
table = panel(120, 3)
series = table[table["symbol"] == "S0"].set_index("date")["close"]
# One batch a fit: a batch of another size would be compiled again (the same code, twice).
tiny = tiny_options()
one_batch = dataclasses.replace(tiny.preset.training, batch_size=128)
options = dataclasses.replace(tiny, preset=dataclasses.replace(tiny.preset, training=one_batch))
for name in NEURAL:  # the global forms build the same networks (the universe above)
    model = MODELS[name].make(options)
    model.fit(series.iloc[:100])
    out[name] = bool(np.isfinite(model.predict(series, 2)).all())
out["tensorflow"] = first_import[-1:]
run = CliRunner().invoke(app, ["run", "--data", data, "--epochs", "1", "--out", folder + "/runs",
                               "--json"])
out["run"] = json.loads(run.stdout) if run.exit_code == 0 else run.output
train = CliRunner().invoke(app, ["train", "--data", data, "--preset", preset, "--save",
                                 folder + "/bundle"])
out["train"] = train.exit_code == 0 or train.output
from stockcaster.training.seeds import set_seed
def weights(seeded):
    seeded(3)
    net = keras.Sequential([keras.Input((4, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    return net.get_weights()
ours, again, keras_own = weights(set_seed), weights(set_seed), weights(keras.utils.set_random_seed)
same = lambda x, y: all(np.array_equal(a, b) for a, b in zip(x, y))
out["seeded"] = [same(ours, again), same(ours, keras_own)]
print(json.dumps(out))
import gc
gc.freeze()  # the process ends: its objects are left to the OS (bench/command_process.py)
"""


@pytest.fixture(scope="module")
def on_jax(tmp_path_factory):
    """What the one JAX process did, and its folder."""
    folder = tmp_path_factory.mktemp("jax")
    data = write_kaggle(folder / "msft.csv", ohlcv(260))
    two = write_kaggle(folder / "prices.csv", pd.concat([ohlcv(300, "MSFT", 0),
                                                         ohlcv(300, "AAPL", 1)]))  # fmt: skip
    preset = tiny_forecast_preset(folder)
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    # XLA compiles each tiny network for longer than it trains: its cheapest optimisation
    # level compiles the same programs (jit and all) in about 70% of the time.
    env["XLA_FLAGS"] = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes"
    done = subprocess.run([sys.executable, "-c", JAX_SCRIPT, str(data), str(two), str(folder),
                           preset], env=env, capture_output=True, text=True, cwd=".")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), folder


def test_every_family_the_run_and_the_quantile_head_train_on_jax(on_jax):
    """Every network family fits and forecasts, `run` trains and reports JAX, `train`
    saves a quantile head's bundle."""
    result, folder = on_jax
    assert result["backend"] == "jax"
    assert all(result[name] is True for name in NEURAL) and len(NEURAL) == 6, result
    metrics = result["run"]
    assert metrics["reproducibility"]["versions"]["backend"] == "jax", metrics
    assert metrics["mse_ratio"] > 0
    assert result["train"] is True, result["train"]
    meta = json.loads((folder / "bundle" / "bundle.json").read_text())
    assert meta["versions"]["backend"] == "jax"
    assert "quantiles = [" in (folder / "bundle" / "config.toml").read_text()


def test_jax_is_seeded_as_keras_seeds_it_without_importing_tensorflow(on_jax):
    """Seeding on JAX imports no TensorFlow: the first import is Keras' saving of the
    universe's network (it checks for TensorFlow's types); the seed gives the weights
    `keras.utils.set_random_seed` gives, every time."""
    result = on_jax[0]
    assert result["tensorflow"] == ["models/global_model.py:checkpoint"]
    assert result["seeded"] == [True, True]


def test_universe_global_model_trains_on_the_backend_chosen_by_flag(on_jax):
    summary = on_jax[0]["universe"]
    assert isinstance(summary, dict), summary
    assert summary["settings"]["backend"] == "jax"
    assert summary["global_model"]["symbols"] == 2
    assert {row["model"] for row in summary["scores"]} == {"naive", "lstm"}
