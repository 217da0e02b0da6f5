"""Seeds, so that two runs on the CPU give the same numbers."""

from __future__ import annotations

import keras


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and the backend, and ask TensorFlow for deterministic ops.

    TensorFlow's CPU kernels may reduce in a different order from run to run unless op
    determinism is on; JAX and PyTorch on the CPU are deterministic once seeded.
    """
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        # Delayed import: TensorFlow only when it is the backend (JAX or PyTorch need none).
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
