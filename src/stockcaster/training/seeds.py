"""Seeds, so that two runs on the CPU give the same numbers."""

from __future__ import annotations

import random

import keras
import numpy as np

# Keras' global seed and seed generator: no public call resets them without seeding
# TensorFlow too (see `_seed_without_tensorflow`).
from keras.src.backend.common import global_state
from keras.src.random import seed_generator
from keras.src.utils import rng_utils


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the backend, and ask TensorFlow for deterministic ops.

    TensorFlow's CPU kernels may reduce in a different order from run to run unless op
    determinism is on; JAX and PyTorch on the CPU are deterministic once seeded.
    """
    if keras.backend.backend() != "tensorflow":
        _seed_without_tensorflow(seed)
        return
    keras.utils.set_random_seed(seed)
    # Delayed import: TensorFlow only when it is the backend (JAX or PyTorch need none).
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()


def _seed_without_tensorflow(seed: int) -> None:
    """What `keras.utils.set_random_seed` does, less seeding TensorFlow.

    Keras seeds TensorFlow whenever it is installed (for `tf.data` pipelines, which
    stockcaster never builds on JAX or PyTorch), importing it to do so: a JAX backtest of an
    LSTM took 54.6 s with that import and 48.8 s without (`bench/backend_start.py`). Keras
    has no public call that resets its global seed generator, so this sets the two globals
    its own function sets; `tests/test_backends.py` checks that the weights equal those
    `set_random_seed` gives, and that TensorFlow stays unimported.
    """
    global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)
    if keras.backend.backend() == "torch":
        # Delayed import: PyTorch, only when it is the backend.
        import torch

        torch.manual_seed(seed)
