"""A process stockcaster runs itself (the command, a worker): its Keras backend, the log
lines it holds back, and how it collects its garbage.

The backend is chosen before Keras is first imported (`choose_backend`), from `--backend`,
the user's `KERAS_BACKEND` or a command's default, and must be installed. TensorFlow's native
runtime and some libraries' loggers write lines that say nothing to a user; they are held
back around the work (`native_log_filtered`, `logger_levels`). Importing Keras makes about a
million objects that live as long as the process, and every collection of Python's oldest
generation walks them all: while they are made, and again in the last collections at exit
(`cli/app.py::main` freezes them out of those).
"""

from __future__ import annotations

import gc
import importlib.util
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from stockcaster.errors import StockcasterError

COLLECT_EVERY = 10_000
"""New objects between two of Python's youngest garbage collections (Python's default: 700)."""


def tune_collector() -> None:
    """Collect garbage less often in a process stockcaster runs itself (the command, a
    worker): Keras is imported about a second sooner (`run --epochs 1`: 7.6 s to 6.5 s
    before its exit, bench/command_process.py). Cycles are still collected."""
    gc.set_threshold(COLLECT_EVERY)


BACKENDS: tuple[str, ...] = ("tensorflow", "jax", "torch", "numpy")
"""Keras backends stockcaster runs on (numpy: inference only, for `predict`)."""


def choose_backend(name: str | None, default: str | None = None) -> None:
    """Choose the Keras backend; the CLI calls it before Keras is first imported.

    Args:
        name: the backend; None keeps the one the user chose (`KERAS_BACKEND`), or else
            `default`, or else Keras' own default (TensorFlow).
        default: the backend when neither `name` nor the user chose one.

    Also quiets TensorFlow's C++ info lines (oneDNN, CPU features), unless the user set theirs.

    Raises:
        StockcasterError: an unknown backend (flag or variable), or Keras running another.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    running, chosen = _running_backend(), os.environ.get("KERAS_BACKEND")
    if name is None and (running or (chosen is None and default is None)):
        return  # the backend already running, or Keras' default
    option = "--backend" if name is not None or chosen is None else "KERAS_BACKEND"
    name = name or chosen or default  # the flag, else the user's variable, else ours
    if name not in BACKENDS:
        raise StockcasterError(
            f"{option}: expected one of {', '.join(BACKENDS)}, received {name!r}"
        )
    if running is None and importlib.util.find_spec(name) is None:  # each is its package
        raise StockcasterError(
            f"{option}: expected a backend whose package is installed, received {name!r} "
            f"(pip install {name})"
        )
    if running is not None and running != name:
        raise StockcasterError(
            f"--backend: expected {running!r}, the backend Keras already runs in this "
            f"process, received {name!r}"
        )
    os.environ["KERAS_BACKEND"] = name


def current_backend() -> str:
    """The backend Keras runs on here, or will when first imported."""
    return _running_backend() or os.environ.get("KERAS_BACKEND", "tensorflow")


def _running_backend() -> str | None:
    keras = sys.modules.get("keras")
    return keras.backend.backend() if keras is not None else None


def quiet_storage_pool() -> None:
    """SQLAlchemy's pool (Optuna's and MLflow's storage) logs a Ctrl-C that lands while it
    resets a connection, with a traceback, then raises it on to the command, which says it
    in one line: the pool says nothing below a critical error."""
    logging.getLogger("sqlalchemy.pool").setLevel(logging.CRITICAL)


@contextmanager
def logger_levels(levels: dict[str, int]) -> Iterator[None]:
    """Set some loggers' levels for the duration of a block, then put them back."""
    loggers = {name: logging.getLogger(name) for name in levels}
    before = {name: logger.level for name, logger in loggers.items()}
    for name, logger in loggers.items():
        logger.setLevel(levels[name])
    try:
        yield
    finally:
        for name, logger in loggers.items():
            logger.setLevel(before[name])


# TensorFlow's C++ runtime logs to the process' stderr before Python can configure it
# (TF_CPP_MIN_LOG_LEVEL no longer silences these lines); they say nothing to a user.
_NATIVE_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog|[IWE]\d{4} \S+\s+\d+ \S+\.cc:\d+\]"
    r"|To enable the following instructions: )"
)


@contextmanager
def native_log_filtered() -> Iterator[None]:
    """Hold back TensorFlow's native log lines written to fd 2; pass every other line on."""
    fd = 2  # the native runtime writes to the process' stderr, whatever sys.stderr is
    with tempfile.TemporaryFile() as held:
        sys.stderr.flush()
        saved = os.dup(fd)
        os.dup2(held.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            held.seek(0)
            for line in held.read().decode(errors="replace").splitlines():
                if not _NATIVE_NOISE.match(line):
                    print(line, file=sys.stderr)
