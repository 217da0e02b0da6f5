"""Engines: run the same per-symbol work here, in worker processes, or as Ray tasks.

An engine calls `work(shared, job, key)` once per key and hands each `Outcome` to a
callback as soon as it is known, so the caller can store it before the next one comes.
A key whose work raises (or whose worker process dies) is tried once more, then
reported with its error; the run goes on. `ENGINES` names every engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stockcaster.engines.base import Engine, Outcome, Work
from stockcaster.engines.local import LocalEngine
from stockcaster.errors import StockcasterError


@dataclass(frozen=True)
class EngineConfig:
    """Which engine runs the work, and its settings.

    Attributes:
        name: a name from `ENGINES`.
        workers: processes (local) or CPUs of a Ray instance started here; None: cores.
        address: an existing Ray cluster (Ray only).
    """

    name: str = "local"
    workers: int | None = None
    address: str | None = None


@dataclass(frozen=True)
class EngineSpec:
    """One engine: its name, one line of help and how to build it from an `EngineConfig`."""

    name: str
    help: str
    make: Callable[[EngineConfig], Engine]


def _ray(config: EngineConfig) -> Engine:
    # Delayed import: Ray is an optional extra, and slow to import.
    from stockcaster.engines.ray import RayEngine

    return RayEngine(workers=config.workers, address=config.address)


ENGINES: dict[str, EngineSpec] = {
    "local": EngineSpec("local", "processes on this machine", lambda c: LocalEngine(c.workers)),
    "ray": EngineSpec("ray", "Ray tasks, here or on a cluster", _ray),
}


def make_engine(config: EngineConfig) -> Engine:
    """Build the engine `config` names.

    Raises:
        StockcasterError: an unknown engine name, listing the known ones.
    """
    if config.name not in ENGINES:
        raise StockcasterError(
            f"--engine: expected one of {', '.join(ENGINES)}, received {config.name!r}"
        )
    return ENGINES[config.name].make(config)


__all__ = [
    "ENGINES",
    "Engine",
    "EngineConfig",
    "EngineSpec",
    "LocalEngine",
    "Outcome",
    "Work",
    "make_engine",
]
