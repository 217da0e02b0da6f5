"""The contract every engine keeps."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from stockcaster.errors import StockcasterError

Work = Callable[[Any, Any, str], Any]
"""`work(shared, job, key)`: a module-level function (engines pickle it)."""

TRIES = 2  # a failed key is tried once more before it is reported


@dataclass(frozen=True)
class Outcome:
    """What became of one key: its value, or the error of its last try."""

    key: str
    value: Any = None
    error: str | None = None
    tries: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None


class Engine(Protocol):
    name: str

    def check(self) -> None:
        """Raise StockcasterError, before any output is written, if the engine cannot run."""
        ...

    def run(
        self,
        work: Work,
        shared: Any,
        job: Any,
        keys: Iterable[str],
        on_outcome: Callable[[Outcome], None],
    ) -> None:
        """Run `work` for every key, calling `on_outcome` as each one ends."""
        ...


def describe(err: BaseException) -> str:
    """An error as one line: "ValueError: message"."""
    text = f"{err.__class__.__name__}: {err}".strip()
    return text.splitlines()[0] if text else err.__class__.__name__


def machine_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows keep no affinity
        return os.cpu_count() or 1


def check_workers(workers: int | None) -> None:
    """Refuse more worker processes than this machine's CPUs (`--workers`): each trains a
    model of its own, so more run no sooner, and each holds a training process's memory
    (dozens of them can take all of it).

    Raises:
        StockcasterError: more workers than CPUs.
    """
    cpus = machine_cpus()
    if workers is not None and workers > cpus:
        raise StockcasterError(
            f"--workers: expected at most the {cpus} CPUs of this machine (a worker trains "
            f"on one), received {workers}"
        )
