"""The network families: one Keras body each, all with the same head and the same inputs.

Every network maps a window `[batch, lookback, features]` to the head's output: `[batch, 1]`
(one step), `[batch, horizon]` (direct) or `[batch, horizon, quantiles]`. The body is the
family's; the head (ReLU dense layers, then the output layer) is shared, so families
differ only where they differ. Only `keras` layers and `keras.ops` are used, so every
family runs on TensorFlow, JAX or PyTorch, and the one custom layer is registered so that
saved networks load with `safe_mode`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from stockcaster.errors import StockcasterError
from stockcaster.models.base import NETWORK_FILE
from stockcaster.models.config import ModelConfig
from stockcaster.models.rnn import build_rnn


@keras.saving.register_keras_serializable(package="stockcaster")
class PositionalEncoding(keras.layers.Layer):
    """Adds the sinusoidal position code of "Attention is all you need" to each timestep."""

    def build(self, input_shape):
        steps, width = int(input_shape[-2]), int(input_shape[-1])
        position = np.arange(steps)[:, None]  # [steps, 1]
        rate = np.exp(-np.log(10000.0) * (2 * (np.arange(width) // 2)) / width)  # [width]
        angle = position * rate  # [steps, width]
        code = np.where(np.arange(width) % 2 == 0, np.sin(angle), np.cos(angle))
        self.code = keras.ops.convert_to_tensor(code[None].astype("float32"))

    def call(self, inputs):
        return inputs + keras.ops.cast(self.code, inputs.dtype)


def _last_step(x, steps: int):
    """`[batch, steps, width]` -> `[batch, width]`: the last timestep (no Lambda layer)."""
    x = keras.layers.Cropping1D((steps - 1, 0))(x)  # [batch, 1, width]
    return keras.layers.Flatten()(x)


def _tcn(x, config: ModelConfig):
    """Residual blocks of two dilated causal convolutions, dilation doubling per block.

    A dilation of the window's length or more reads the day itself and padding: every such
    dilation computes the same, so it is kept at the window's length. `--set tcn.blocks=16`
    on 20 days padded each window with 65,536 zeros a convolution, and a few more blocks
    took more memory than a machine has; the network is the same, its padding no longer
    grows with the blocks."""
    steps = x.shape[1]
    x = keras.layers.Conv1D(config.width, 1)(x)  # [batch, steps, width]
    for block in range(config.blocks):
        skip = x
        for _ in range(2):
            x = keras.layers.Conv1D(
                config.width,
                config.kernel,
                dilation_rate=min(2**block, steps),
                padding="causal",  # the output at t reads inputs at t and before only
                activation="relu",
            )(x)
            if config.dropout > 0:
                x = keras.layers.Dropout(config.dropout)(x)
        x = keras.layers.Add()([skip, x])
    return _last_step(x, steps)


def _transformer(x, config: ModelConfig):
    """Encoder blocks: multi-head self-attention and a feed-forward layer, each residual."""
    steps = x.shape[1]
    x = keras.layers.Dense(config.width)(x)  # [batch, steps, width]
    x = PositionalEncoding()(x)
    for _ in range(config.blocks):
        attended = keras.layers.MultiHeadAttention(
            config.heads, max(1, config.width // config.heads), dropout=config.dropout
        )(x, x)
        x = keras.layers.LayerNormalization()(keras.layers.Add()([x, attended]))
        wide = keras.layers.Dense(2 * config.width, activation="relu")(x)
        x = keras.layers.LayerNormalization()(
            keras.layers.Add()([x, keras.layers.Dense(config.width)(wide)])
        )
    return _last_step(x, steps)


def _mlp(x, config: ModelConfig):
    """N-BEATS-like: FC blocks on the flattened window, each removing what it explained
    (its backcast) from the next block's input and adding its own forecast to the sum."""
    x = keras.layers.Flatten()(x)  # [batch, steps * features]
    size = x.shape[-1]
    forecast = None
    for _ in range(config.blocks):
        hidden = keras.layers.Dense(config.width, activation="relu")(x)
        hidden = keras.layers.Dense(config.width, activation="relu")(hidden)
        if config.dropout > 0:
            hidden = keras.layers.Dropout(config.dropout)(hidden)
        x = keras.layers.Subtract()([x, keras.layers.Dense(size)(hidden)])
        part = keras.layers.Dense(config.width)(hidden)
        forecast = part if forecast is None else keras.layers.Add()([forecast, part])
    return forecast  # [batch, width]


BODIES: dict[str, Callable] = {"tcn": _tcn, "transformer": _transformer, "mlp": _mlp}


def head(x, config: ModelConfig):
    """The shared head: ReLU dense layers, then one step, `horizon` steps or quantiles."""
    for width in config.dense:
        x = keras.layers.Dense(width, activation="relu")(x)
    if not config.direct:
        return keras.layers.Dense(1)(x)  # [batch, 1]
    if config.quantiles:
        x = keras.layers.Dense(config.horizon * len(config.quantiles))(x)
        return keras.layers.Reshape((config.horizon, len(config.quantiles)))(x)
    return keras.layers.Dense(config.horizon)(x)  # [batch, horizon]


def build_network(
    config: ModelConfig, input_shape: tuple[int, int], name: str = "network"
) -> keras.Model:
    """Build the (uncompiled) network of `config.family` for windows of `input_shape`."""
    if config.family == "rnn":
        return build_rnn(config, input_shape, name=name)
    window = keras.Input(shape=input_shape)  # [batch, lookback, features]
    return keras.Model(window, head(BODIES[config.family](window, config), config), name=name)


def save_network(network: keras.Model, folder: Path) -> list[str]:
    """Write `network` as model.keras in `folder`; the file's name."""
    network.save(folder / NETWORK_FILE)
    return [NETWORK_FILE]


def load_network(path: Path) -> keras.Model:
    """A saved network, in safe mode (no code in the file runs), without its optimiser.

    Raises:
        StockcasterError: a file safe mode refuses (a `Lambda` layer, say) or cannot read,
            or weights that are not finite.
    """
    try:
        network = keras.models.load_model(path, compile=False, safe_mode=True)
    except Exception as err:
        reason = str(err).splitlines()[0][:160]
        raise StockcasterError(
            f"{path}: expected a Keras model that safe mode loads, received an error: {reason}"
        ) from None
    for variable in network.weights:
        if not np.isfinite(keras.ops.convert_to_numpy(variable.value)).all():
            raise StockcasterError(
                f"{path}: expected finite weights, received NaN or infinity in {variable.path}"
            )
    return network
