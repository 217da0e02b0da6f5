"""Benchmark: the `default` and `seed` runs on whichever Keras backend and device is active.

Checks that the same model code trains on JAX and PyTorch (on a GPU where there is one)
and records their figures beside TensorFlow's on the CPU, each backend and device in its
own file (bench/results/gpu_backends_<backend>_<cpu or gpu>.json). On a GPU machine without
TensorFlow (see ../shared/gpu/README.md):

    KERAS_BACKEND=jax python3 bench/gpu_backends.py
    KERAS_BACKEND=torch python3 bench/gpu_backends.py
"""

from __future__ import annotations

import json
import tempfile

import keras
from _measure import record

from stockcaster.jobs.run import run
from stockcaster.models.presets import load_preset


def device() -> str:
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return str(jax.devices()[0])
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    import tensorflow as tf

    return "gpu" if tf.config.list_physical_devices("GPU") else "cpu"


def version() -> str:
    """The version of the library under Keras."""
    import importlib

    return importlib.import_module(keras.backend.backend()).__version__


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for preset in ("default", "seed"):
            m = run(load_preset(preset), out=out, verbose=False).metrics
            row = {
                "backend": keras.backend.backend(),
                "version": version(),
                "device": device(),
                "preset": preset,
                "mse_ratio": round(m["mse_ratio"], 4),
                "final_train_loss": round(m["final_train_loss"], 4),
                "final_val_loss": round(m["final_val_loss"], 4),
                "epochs": m["epochs_run"],
                "train_seconds": round(m["train_seconds"], 1),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    name = f"gpu_backends_{keras.backend.backend()}_{'cpu' if 'cpu' in device().lower() else 'gpu'}"
    print(f"written to {record(name, {'runs': rows})}")


if __name__ == "__main__":
    main()
