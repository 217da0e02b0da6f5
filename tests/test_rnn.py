"""The Keras network builder: the reference's exact model, shapes, backend-neutral code."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

import stockcaster.models
from stockcaster.models import ModelConfig, RecurrentLayer
from stockcaster.models.presets import load_preset
from stockcaster.models.rnn import build_rnn


def test_seed_model_has_the_reference_parameter_count():
    model = build_rnn(load_preset("seed").model, (1, 2))
    assert model.count_params() == 741_505  # as reported for the reference notebook
    kinds = [layer.__class__.__name__ for layer in model.layers]
    assert kinds == ["GRU", "Dropout", "LSTM", "Dropout", "Dense", "Dense"]


def test_output_is_one_value_per_window():
    config = ModelConfig(
        recurrent=(RecurrentLayer("lstm", 4), RecurrentLayer("gru", 3)), dense=(5,)
    )
    model = build_rnn(config, (7, 1))
    assert model(np.zeros((6, 7, 1), dtype="float32")).shape == (6, 1)


def test_model_code_uses_no_backend_specific_api():
    folder = Path(stockcaster.models.__file__).parent
    for path in folder.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(tensorflow|torch|jax)\b", text, re.M), path
