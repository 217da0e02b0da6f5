"""The local engine: this process (one worker) or a pool of worker processes.

Workers are started with "spawn", not "fork": a process that has already trained a
Keras model holds threads and locks that a forked child would inherit half-taken.
The shared data are sent to each worker once, when it starts, not with every task.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from stockcaster.engines.base import TRIES, Outcome, Work, describe

_WORKER: dict[str, Any] = {}  # the shared data and job, installed once per worker


class LocalEngine:
    """Run per-symbol work on this machine.

    Args:
        workers: processes to use; 1 runs every task in this process; None uses one
            per CPU core.
    """

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)

    def run(
        self,
        work: Work,
        shared: Any,
        job: Any,
        keys: Iterable[str],
        on_outcome: Callable[[Outcome], None],
    ) -> None:
        keys = list(keys)
        if self.workers == 1 or len(keys) <= 1:
            for key in keys:
                on_outcome(_inline(work, shared, job, key))
            return
        self._pool(work, shared, job, keys, on_outcome)

    def _pool(self, work, shared, job, keys, on_outcome) -> None:
        tries = dict.fromkeys(keys, 0)
        waiting = list(keys)
        while waiting:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_install, initargs=(shared, job)
            ) as pool:
                running: dict[Future, str] = {}
                try:
                    waiting = self._drain(pool, running, waiting, tries, work, on_outcome)
                except BaseException:
                    for future in running:
                        future.cancel()
                    raise

    @staticmethod
    def _drain(pool, running, waiting, tries, work, on_outcome) -> list[str]:
        """Run keys until all are done or the pool breaks; return the keys to run again."""
        for key in waiting:
            tries[key] += 1
            running[pool.submit(_call, work, key)] = key
        again: list[str] = []
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                key = running.pop(future)
                error = future.exception()
                if error is None:
                    on_outcome(Outcome(key, future.result(), tries=tries[key]))
                elif tries[key] < TRIES and isinstance(error, BrokenProcessPool):
                    again.append(key)  # a worker died: the pool is gone, retry in a new one
                elif tries[key] < TRIES:
                    tries[key] += 1
                    try:
                        running[pool.submit(_call, work, key)] = key
                    except BrokenProcessPool:
                        again.append(key)
                else:
                    reason = "worker process died" if isinstance(error, BrokenProcessPool) else ""
                    on_outcome(Outcome(key, error=reason or describe(error), tries=tries[key]))
        return again


def _inline(work: Work, shared: Any, job: Any, key: str) -> Outcome:
    for attempt in range(1, TRIES + 1):
        try:
            return Outcome(key, work(shared, job, key), tries=attempt)
        except Exception as err:  # a symbol's failure is a result, not a crash
            error = describe(err)
    return Outcome(key, error=error, tries=TRIES)


def _install(shared: Any, job: Any) -> None:
    _WORKER["shared"], _WORKER["job"] = shared, job


def _call(work: Work, key: str) -> Any:
    return work(_WORKER["shared"], _WORKER["job"], key)
