"""The model code is backend-neutral: the same run and quantile head train on JAX."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from stockcaster.models.families import NEURAL

pytest.importorskip("jax", reason="jax is not installed")


JAX_SCRIPT = """
import json, sys
import numpy as np
from typer.testing import CliRunner
sys.path.insert(0, "tests")
from test_families import panel
from test_forecasters import tiny_options
from stockcaster.cli import app
from stockcaster.models.families import NEURAL
from stockcaster.models.registry import MODELS
import keras
out = {"backend": keras.backend.backend()}
table = panel(120, 3)
series = table[table["symbol"] == "S0"].set_index("date")["close"]
for name in NEURAL:  # the global forms build the same networks (the universe test below)
    model = MODELS[name].make(tiny_options())
    model.fit(series.iloc[:100])
    out[name] = bool(np.isfinite(model.predict(series, 2)).all())
data, folder, preset = sys.argv[1:]
run = CliRunner().invoke(app, ["run", "--data", data, "--epochs", "1", "--out", folder + "/runs",
                               "--json"])
out["run"] = json.loads(run.stdout) if run.exit_code == 0 else run.output
train = CliRunner().invoke(app, ["train", "--data", data, "--preset", preset, "--save",
                                 folder + "/bundle"])
out["train"] = train.exit_code == 0 or train.output
print(json.dumps(out))
"""


def test_every_family_the_run_and_the_quantile_head_train_on_jax(tmp_path, small_csv):
    """One JAX process (its start is most of the cost): every network family fits and
    forecasts, `run` trains and reports JAX, `train` saves a quantile head's bundle."""
    from conftest import tiny_forecast_preset

    env = {**os.environ, "KERAS_BACKEND": "jax"}
    preset = tiny_forecast_preset(tmp_path)
    done = subprocess.run([sys.executable, "-c", JAX_SCRIPT, str(small_csv), str(tmp_path),
                           preset], env=env, capture_output=True, text=True, cwd=".")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["backend"] == "jax"
    assert all(result[name] is True for name in NEURAL) and len(NEURAL) == 6, result
    metrics = result["run"]
    assert metrics["reproducibility"]["versions"]["backend"] == "jax", metrics
    assert metrics["mse_ratio"] > 0
    assert result["train"] is True, result["train"]
    meta = json.loads((tmp_path / "bundle" / "bundle.json").read_text())
    assert meta["versions"]["backend"] == "jax"
    assert "quantiles = [" in (tmp_path / "bundle" / "config.toml").read_text()


def test_universe_global_model_trains_on_the_backend_chosen_by_flag(tmp_path, kaggle_csv):
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    out = tmp_path / "universe"
    run = subprocess.run(
        [sys.executable, "-m", "stockcaster", "universe", "--data", str(kaggle_csv),
         "--backend", "jax", "--models", "naive,lstm", "--epochs", "1", "--lookback", "5",
         "--top-k", "1", "--workers", "1", "--out", str(out), "--json"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout)
    assert summary["settings"]["backend"] == "jax"
    assert summary["global_model"]["symbols"] == 2
    assert {row["model"] for row in summary["scores"]} == {"naive", "lstm"}
