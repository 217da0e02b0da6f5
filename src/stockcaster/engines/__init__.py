"""Engines: run the same per-symbol work here, in worker processes, or as Ray tasks.

An engine calls `work(shared, job, key)` once per key and hands each `Outcome` to a
callback as soon as it is known, so the caller can store it before the next one comes.
A key whose work raises (or whose worker process dies) is tried once more, then
reported with its error; the run goes on.
"""

from __future__ import annotations

from stockcaster.engines.base import Engine, Outcome, Work
from stockcaster.engines.local import LocalEngine

ENGINES: tuple[str, ...] = ("local", "ray")

__all__ = ["ENGINES", "Engine", "LocalEngine", "Outcome", "Work", "make_engine"]


def make_engine(name: str, workers: int | None = None, address: str | None = None) -> Engine:
    """The engine called `name` ("local" or "ray")."""
    if name == "ray":
        from stockcaster.engines.ray import RayEngine

        return RayEngine(workers=workers, address=address)
    return LocalEngine(workers=workers)
