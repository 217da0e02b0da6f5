"""What a result needs for someone to reproduce it: versions, the command line, the data."""

from __future__ import annotations

import hashlib
import platform
import shlex
import sys

import numpy
import pandas as pd

import stockcaster


def versions() -> dict[str, str]:
    """Versions of stockcaster, Python, Keras and its backend, NumPy and pandas."""
    import keras  # a delayed import: Keras and its backend take seconds to import

    backend = keras.backend.backend()
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend)
    try:
        backend_version = __import__(module).__version__ if module else "n/a"
    except ImportError:
        backend_version = "unknown"
    return {
        "stockcaster": stockcaster.__version__,
        "python": platform.python_version(),
        "keras": keras.__version__,
        "backend": backend,
        "backend_version": backend_version,
        "numpy": numpy.__version__,
        "pandas": pd.__version__,
    }


def command_line() -> str:
    """The command as typed, e.g. `stockcaster run --preset seed`."""
    name = "stockcaster" if sys.argv and sys.argv[0].endswith("stockcaster") else sys.argv[0]
    return shlex.join([name, *sys.argv[1:]])


def fingerprint(history: pd.Series) -> dict:
    """Rows, date range and a SHA-256 of the dates and closes a result came from."""
    text = "\n".join(f"{d:%Y-%m-%d},{v:.10g}" for d, v in history.items())
    return {
        "rows": len(history),
        "start": f"{history.index[0]:%Y-%m-%d}",
        "end": f"{history.index[-1]:%Y-%m-%d}",
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
