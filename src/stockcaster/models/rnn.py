"""A Keras builder for stacked LSTM/GRU networks with dropout and a dense head.

Only `keras` layers are used, so the same model runs on TensorFlow, JAX or PyTorch.
"""

from __future__ import annotations

import keras

from stockcaster.models.config import ModelConfig


def build_rnn(config: ModelConfig, input_shape: tuple[int, int], name: str = "rnn") -> keras.Model:
    """Build the (uncompiled) network.

    Args:
        config: the layers.
        input_shape: `(timesteps, features)` of one window.
        name: the model's name.

    Returns:
        A `keras.Sequential` mapping `[batch, timesteps, features]` to `[batch, 1]`, or
        for a direct head `[batch, horizon]` (point) or `[batch, horizon, quantiles]`.
    """
    cells = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
    layers: list[keras.layers.Layer] = [keras.Input(shape=input_shape)]
    last = len(config.recurrent) - 1
    for i, layer in enumerate(config.recurrent):
        # Every layer but the last hands its whole sequence to the next one:
        # [batch, timesteps, units]; the last one gives [batch, units].
        layers.append(cells[layer.cell](layer.units, return_sequences=i < last))
        if config.dropout > 0:
            layers.append(keras.layers.Dropout(config.dropout))
    layers += [keras.layers.Dense(width, activation="relu") for width in config.dense]
    if not config.direct:
        layers.append(keras.layers.Dense(1))  # [batch, 1]
    elif config.quantiles:
        layers.append(keras.layers.Dense(config.horizon * len(config.quantiles)))
        layers.append(keras.layers.Reshape((config.horizon, len(config.quantiles))))
        # [batch, horizon, quantiles]
    else:
        layers.append(keras.layers.Dense(config.horizon))  # [batch, horizon]
    return keras.Sequential(layers, name=name)
