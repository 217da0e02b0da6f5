"""Training keeps the weights of the best validation epoch, as ModelCheckpoint saved them."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from stockcaster.features import Windows
from stockcaster.training import fit as training
from stockcaster.training.config import TrainConfig
from stockcaster.training.seeds import set_seed


def _windows(sign: float) -> Windows:
    x = np.random.default_rng(0).standard_normal((64, 3)).astype("float32")
    y = sign * x @ np.array([0.5, -1.0, 2.0], dtype="float32")
    return Windows(x=x, y=y, days=np.arange(64))


def _trained(epochs: int, validation: Windows) -> tuple[list[np.ndarray], training.TrainResult]:
    set_seed(7)
    network = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
    config = TrainConfig(epochs=epochs, batch_size=16, learning_rate=0.01)
    result = training.train(network, _windows(1.0), validation, config, verbose=False)
    return network.get_weights(), result


@pytest.mark.parametrize(("losses", "kept"), [
    ([3.0, 2.0, 1.0], True), ([3.0, 1.0, 2.0], False), ([1.0, 1.0], False),
    ([float("nan")], False), ([2.0, float("nan")], False), ([5.0], True),
])  # fmt: skip
def test_the_model_holds_the_checkpoint_when_its_last_epoch_was_saved(losses, kept):
    assert training._last_epoch_saved(losses) is kept


def test_the_last_epoch_best_keeps_its_weights_without_reading_the_checkpoint(monkeypatch):
    """Validation on the training's own target improves every epoch: the weights held are
    those the checkpoint would give back, to the bit, and it is not read."""
    loads = []
    read = keras.Model.load_weights

    def counted(model, path, **options):
        loads.append(path)
        return read(model, path, **options)

    monkeypatch.setattr(keras.Model, "load_weights", counted)
    held, result = _trained(3, _windows(1.0))
    assert result.best_epoch == 3 and loads == []
    monkeypatch.setattr(training, "_last_epoch_saved", lambda val_loss: False)
    reread, again = _trained(3, _windows(1.0))
    assert len(loads) == 1 and again.history == result.history
    for a, b in zip(held, reread, strict=True):
        np.testing.assert_array_equal(a, b)


def test_an_earlier_best_epoch_s_weights_are_read_back():
    """Validation on the opposite target worsens as training learns: the first epoch's
    weights come back, those a one-epoch training ends with."""
    held, result = _trained(3, _windows(-1.0))
    assert result.best_epoch == 1 and result.history["val_loss"][-1] > result.history["val_loss"][0]
    first, _ = _trained(1, _windows(-1.0))
    for a, b in zip(held, first, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_training_step_is_traced_once_and_trains_as_a_lazily_built_optimizer_does(monkeypatch):
    """Adam's slots are made before the first step, so TensorFlow traces the step once
    (a step that creates variables is traced twice); the weights are those of an optimizer
    that makes its slots inside the first step, as Keras does when left alone."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip(
            "tracing a step twice is TensorFlow's: JAX builds the optimizer before it compiles"
        )
    import tensorflow as tf

    # Traced as a user's fit is (the tests' own fits run eagerly: conftest.py).
    monkeypatch.setattr(tf.config, "run_functions_eagerly", lambda on: None)
    traced = []
    step = keras.Model.train_step

    def counted(model, data):
        traced.append(1)
        return step(model, data)

    monkeypatch.setattr(keras.Model, "train_step", counted)
    held, _ = _trained(2, _windows(1.0))
    assert len(traced) == 1
    monkeypatch.setattr(keras.optimizers.Adam, "build", _built_in_the_first_step())
    lazy, _ = _trained(2, _windows(1.0))
    assert len(traced) == 3  # the code before: traced twice
    for a, b in zip(held, lazy, strict=True):
        np.testing.assert_array_equal(a, b)


def _built_in_the_first_step():
    """Adam's `build`, ignoring the call before training (the slots are then made by the
    first step, as without it)."""
    build = keras.optimizers.Adam.build

    def build_in_step(optimizer, variables):
        if variables and not getattr(optimizer, "_stepped", False):
            optimizer._stepped = True  # the call from `train`, before the first step
            return None
        return build(optimizer, variables)

    return build_in_step


def test_a_training_that_diverges_is_an_error_not_a_network_of_nan():
    """A learning rate of 1e300 left NaN weights: `run` then crashed on NaN forecasts
    (TypeError in its metrics) and `train` saved a bundle `predict` refused."""
    set_seed(7)
    network = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
    config = TrainConfig(epochs=2, batch_size=16, learning_rate=1e300)
    with pytest.raises(FloatingPointError, match=r"NaN or infinity after training .* diverged"):
        training.train(network, _windows(1.0), _windows(1.0), config, verbose=False)
