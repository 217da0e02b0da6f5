"""Losses beyond Keras' own: the pinball (quantile) loss, written with `keras.ops` only."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="stockcaster")
class PinballLoss(keras.losses.Loss):
    """Mean pinball loss over horizons and quantile levels.

    For level q and error e = y - yhat the loss is max(q e, (q - 1) e): minimised when
    yhat is the q-quantile of y.

    Args:
        quantiles: the levels, matching the model's last output axis.
    """

    def __init__(self, quantiles, name: str = "pinball", **kwargs):
        super().__init__(name=name, **kwargs)
        self.quantiles = [float(q) for q in quantiles]

    def call(self, y_true, y_pred):
        levels = keras.ops.convert_to_tensor(self.quantiles, dtype=y_pred.dtype)  # [quantiles]
        y_true = keras.ops.cast(y_true, y_pred.dtype)
        error = keras.ops.expand_dims(y_true, -1) - y_pred  # [batch, horizon, quantiles]
        loss = keras.ops.maximum(levels * error, (levels - 1.0) * error)
        return keras.ops.mean(loss, axis=(-2, -1))  # [batch]

    def get_config(self):
        return {**super().get_config(), "quantiles": self.quantiles}
