"""The global model's network: any family's network, optionally told the symbol.

With a symbol embedding, each symbol's learned vector is appended to every timestep of
its window, so one network can learn per-symbol differences; without one, the network
is exactly `build_network`'s and treats every symbol alike.
"""

from __future__ import annotations

import keras

from stockcaster.models.config import ModelConfig
from stockcaster.models.networks import build_network


def build_global_network(
    config: ModelConfig, input_shape: tuple[int, int], n_symbols: int
) -> keras.Model:
    """Build the (uncompiled) global network.

    Args:
        config: the family, its body, the head and the width of the symbol embedding
            (`embedding_dim`, 0 for none).
        input_shape: `(lookback, features)` of one window.
        n_symbols: symbols the embedding knows.

    Returns:
        A model mapping `[batch, lookback, features]` (and, with an embedding, `[batch]`
        symbol indices) to `[batch, 1]`.
    """
    embedding_dim = config.embedding_dim
    if embedding_dim == 0:
        return build_network(config, input_shape, name="global_network")
    lookback, width = input_shape
    window = keras.Input(shape=input_shape, name="window")  # [batch, lookback, features]
    symbol = keras.Input(shape=(), dtype="int32", name="symbol")  # [batch]
    vector = keras.layers.Embedding(n_symbols, embedding_dim)(symbol)  # [batch, dim]
    repeated = keras.layers.RepeatVector(lookback)(vector)  # [batch, lookback, dim]
    joined = keras.layers.Concatenate(axis=-1)([window, repeated])
    # [batch, lookback, features + dim]
    core = build_network(config, (lookback, width + embedding_dim), name="core")
    return keras.Model([window, symbol], core(joined), name="global_network")
