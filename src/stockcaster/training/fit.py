"""Train a Keras network: Adam on MSE, with the reference's callbacks, best weights kept."""

from __future__ import annotations

import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from stockcaster.errors import check_interrupted
from stockcaster.features import Windows
from stockcaster.training.config import TrainConfig

# Checkpoints are written at every improving epoch; a memory-backed folder, where the
# system has one, keeps that from costing seconds on the reference's 3 MB model.
_FAST_SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


def _callbacks(config: TrainConfig, best: Path) -> list[keras.callbacks.Callback]:
    """ModelCheckpoint (best val_loss, to `best`), and the callbacks `config` asks for."""
    callbacks: list[keras.callbacks.Callback] = [
        keras.callbacks.ModelCheckpoint(
            best, monitor="val_loss", save_best_only=True, save_weights_only=True
        ),
        # A SIGTERM whose exception landed where Python ignores it stops training here.
        keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: check_interrupted()),
    ]
    if config.reduce_lr is not None:
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss",
                patience=config.reduce_lr.patience,
                factor=config.reduce_lr.factor,
                min_lr=config.reduce_lr.min_lr,
            )
        )
    if config.early_stopping is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=config.early_stopping.patience
            )
        )
    return callbacks


@dataclass(frozen=True)
class TrainResult:
    """What training leaves: the loss history and where the best weights came from."""

    history: dict[str, list[float]]
    best_epoch: int  # 1-based epoch whose weights the model now holds
    seconds: float


def train(
    model: keras.Model,
    fit: Windows | keras.utils.PyDataset,
    validation: Windows | keras.utils.PyDataset,
    config: TrainConfig,
    verbose: bool = True,
    loss: str | keras.losses.Loss = "mse",
) -> TrainResult:
    """Compile and fit `model`, then load the weights of its best validation epoch.

    ModelCheckpoint writes the best weights during training (as the reference article
    describes); they are loaded back at the end, so the model returned is the one that
    scored the lowest val_loss. When that was the last epoch, the model already holds them.

    Args:
        model: an uncompiled network.
        fit: training windows, in memory or as a dataset that makes its own batches.
        validation: windows whose loss the callbacks watch (of the same kind).
        config: epochs, batch size, learning rate and callbacks.
        verbose: print Keras' progress, one line per epoch.
        loss: the loss; MSE unless the model outputs quantiles.
    """
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss=loss)
    if model.built:
        # Adam's slots made now, not inside the first traced step: TensorFlow traces a step
        # that creates variables twice, up to a third of a small network's fit
        # (bench/fit_trace.py). The same zeros.
        model.optimizer.build(model.trainable_variables)
    with tempfile.TemporaryDirectory(prefix="stockcaster-", dir=_FAST_SCRATCH) as scratch:
        best = Path(scratch) / "best.weights.h5"
        callbacks = _callbacks(config, best)
        started = time.perf_counter()
        if isinstance(fit, Windows):
            data = {
                "x": fit.x,
                "y": fit.y,
                "validation_data": (validation.x, validation.y),
                "batch_size": config.batch_size,
            }
        else:
            data = {"x": fit, "validation_data": validation}
        history = model.fit(
            **data,
            epochs=config.epochs,
            callbacks=callbacks,
            verbose=2 if verbose else 0,
        )
        seconds = time.perf_counter() - started
        losses = {key: [float(v) for v in values] for key, values in history.history.items()}
        val = losses["val_loss"]
        if not _last_epoch_saved(val):
            model.load_weights(best)
    _check_finite(model)
    return TrainResult(history=losses, best_epoch=val.index(min(val)) + 1, seconds=seconds)


def _check_finite(model: keras.Model) -> None:
    """Raises: FloatingPointError when a weight is NaN or infinite: the training diverged (a
    learning rate of 1e300, say), and the network would forecast NaN or be saved unusable."""
    for weight in model.weights:
        if not np.isfinite(keras.ops.convert_to_numpy(weight.value)).all():
            raise FloatingPointError(
                f"its weights hold NaN or infinity after training ({weight.path}): the "
                "training diverged"
            )


def _last_epoch_saved(val_loss: list[float]) -> bool:
    """Whether ModelCheckpoint saved the weights the model holds: its last epoch's loss is
    finite and below every earlier one's (the checkpoint's own rule). Then reading the
    checkpoint back would give the same weights to the bit, at a tenth of a tiny fit's time."""
    last = val_loss[-1]
    return math.isfinite(last) and all(last < earlier for earlier in val_loss[:-1])
