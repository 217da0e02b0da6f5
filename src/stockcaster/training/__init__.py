"""Training: seeds, the Keras fit with its callbacks (`training.fit.train`), saved models.

Only configs are imported here, so that reading a config does not start Keras.
"""

from stockcaster.training.config import EarlyStop, ReduceLR, TrainConfig

__all__ = ["EarlyStop", "ReduceLR", "TrainConfig"]
