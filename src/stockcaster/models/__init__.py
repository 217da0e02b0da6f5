"""Forecasting models. For now: the Keras recurrent network (`models.rnn.build_rnn`).

Only configs are imported here, so that reading a config does not start Keras.
"""

from stockcaster.models.config import CELLS, ModelConfig, RecurrentLayer

__all__ = ["CELLS", "ModelConfig", "RecurrentLayer"]
