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
