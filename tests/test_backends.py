"""The model code is backend-neutral: the same run and quantile head train on JAX."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("jax", reason="jax is not installed")


def test_run_and_quantile_head_train_on_jax(tmp_path, small_csv):
    from conftest import tiny_forecast_preset

    env = {**os.environ, "KERAS_BACKEND": "jax"}
    stockcaster = [sys.executable, "-m", "stockcaster"]
    run = subprocess.run(
        [*stockcaster, "run", "--data", str(small_csv), "--epochs", "1", "--out",
         str(tmp_path / "runs"), "--json"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    metrics = json.loads(run.stdout)
    assert metrics["reproducibility"]["versions"]["backend"] == "jax"
    assert metrics["mse_ratio"] > 0
    preset = tiny_forecast_preset(tmp_path)
    train = subprocess.run(
        [*stockcaster, "train", "--data", str(small_csv), "--preset", preset,
         "--save", str(tmp_path / "bundle")],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert train.returncode == 0, train.stderr
    meta = json.loads((tmp_path / "bundle" / "bundle.json").read_text())
    assert meta["versions"]["backend"] == "jax"


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
