"""What a result needs for someone to reproduce it: versions, the command line, the data."""

from __future__ import annotations

import hashlib
import platform
import shlex
import sys
from importlib import metadata

import numpy
import pandas as pd

import stockcaster
from stockcaster import columns as C
from stockcaster.process import current_backend


def versions() -> dict[str, str]:
    """Versions of stockcaster, Python, Keras and its backend, NumPy and pandas.

    Read from the installed packages' metadata: recording a version never imports Keras or
    TensorFlow (seconds, and memory a tight machine may not have).
    """
    backend = current_backend()
    return {
        "stockcaster": stockcaster.__version__,
        "python": platform.python_version(),
        "keras": _installed("keras"),
        "backend": backend,
        "backend_version": _installed(*_BACKEND_PACKAGES[backend]) if backend != "numpy" else "n/a",
        "numpy": numpy.__version__,
        "pandas": pd.__version__,
    }


# The distributions that install each backend (TensorFlow's CPU wheel has its own name).
_BACKEND_PACKAGES = {
    "tensorflow": ("tensorflow", "tensorflow-cpu"),
    "jax": ("jax",),
    "torch": ("torch",),
}


def _installed(*distributions: str) -> str:
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


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


def panel_fingerprint(prices: pd.DataFrame) -> dict:
    """Rows, symbols, date range and a SHA-256 of the symbols, dates and closes of a panel."""
    table = prices[[C.SYMBOL, C.DATE, C.CLOSE]]
    dates = table[C.DATE].dt.strftime("%Y-%m-%d")
    text = table[C.SYMBOL].astype(str) + "," + dates + "," + table[C.CLOSE].map("{:.10g}".format)
    return {
        "rows": len(table),
        "symbols": int(table[C.SYMBOL].nunique()),
        "start": str(dates.min()),
        "end": str(dates.max()),
        "sha256": hashlib.sha256("\n".join(text).encode()).hexdigest(),
    }
