"""A process stockcaster runs itself (the command, a worker): how it collects its garbage.

Importing Keras makes about a million objects that live as long as the process, and every
collection of Python's oldest generation walks them all: while they are made, and again in
the last collections at exit (`cli/app.py::main` freezes them out of those).
"""

from __future__ import annotations

import gc

COLLECT_EVERY = 10_000
"""New objects between two of Python's youngest garbage collections (Python's default: 700)."""


def tune_collector() -> None:
    """Collect garbage less often in a process stockcaster runs itself (the command, a
    worker): Keras is imported about a second sooner (`run --epochs 1`: 7.6 s to 6.5 s
    before its exit, bench/command_process.py). Cycles are still collected."""
    gc.set_threshold(COLLECT_EVERY)
