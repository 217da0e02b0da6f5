"""Every model stockcaster runs, by name (`registry.MODELS`): the baselines, ARIMA and
Prophet, the neural families (recurrent, TCN, transformer, MLP; `networks.py`) and the
tabular ones (ridge, LightGBM). Each registry entry is the whole model: how it is built,
what it needs, what it can do (`base.py`'s protocols), its settings and its search space
(`space.py`, set by `configure.py`).

Only configs are imported here, so that reading a config does not start Keras.
"""

from stockcaster.models.config import CELLS, ModelConfig, RecurrentLayer

__all__ = ["CELLS", "ModelConfig", "RecurrentLayer"]
