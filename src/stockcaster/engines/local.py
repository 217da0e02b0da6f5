"""The local engine: this process (one worker) or a few worker processes of its own.

Workers are started with "spawn", not "fork": a process that has already trained a
Keras model holds threads and locks that a forked child would inherit half-taken. The
shared data are sent to each worker once, when it starts, not with every task.

Why not `concurrent.futures.ProcessPoolExecutor`: when one of its workers dies, every
task in the pool fails with the same `BrokenProcessPool`, and nothing says which task
killed it. Here each worker holds one key at a time, so a death is charged to exactly
that key (retried once in a fresh worker), and the other workers carry on.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from stockcaster.engines.base import TRIES, Outcome, Work, check_workers, describe, machine_cpus
from stockcaster.errors import StockcasterError
from stockcaster.process import tune_collector


class LocalEngine:
    """Run per-symbol work on this machine.

    Args:
        workers: processes to use; 1 runs every task in this process; None uses one
            per CPU core.
    """

    name = "local"

    def __init__(self, workers: int | None = None):
        self.asked = workers
        self.workers = max(1, workers or machine_cpus())

    def check(self) -> None:
        """Refuse more workers than this machine's CPUs (`check_workers`)."""
        check_workers(self.asked)

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
        _Pool(work, shared, job, min(self.workers, len(keys))).run(keys, on_outcome)


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: Connection
    key: str | None = None


class _Pool:
    """Worker processes that each run one key at a time, until the keys run out."""

    def __init__(self, work: Work, shared: Any, job: Any, size: int):
        self._context = multiprocessing.get_context("spawn")
        self._args = (work, shared, job)
        self._size = size

    def run(self, keys: list[str], on_outcome: Callable[[Outcome], None]) -> None:
        waiting, tries = deque(keys), Counter()
        workers = []
        try:
            workers += [self._start(ready=False) for _ in range(self._size)]
            for worker in workers:  # started side by side, then each awaited
                _await_ready(worker)
            while waiting or any(w.key for w in workers):
                for worker in workers:
                    if worker.key is None and waiting:
                        worker.key = waiting.popleft()
                        tries[worker.key] += 1
                        worker.conn.send(worker.key)
                busy = [w for w in workers if w.key is not None]
                ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
                for i, worker in enumerate(workers):
                    if worker.key is None or not ({worker.conn, worker.process.sentinel} & ready):
                        continue
                    key, (ok, payload) = worker.key, self._receive(worker)
                    worker.key = None
                    if payload is _DIED:
                        worker.process.join()
                        workers[i] = self._start()
                        payload = f"worker process died (exit code {worker.process.exitcode})"
                    if ok:
                        on_outcome(Outcome(key, payload, tries=tries[key]))
                    elif tries[key] < TRIES:
                        waiting.appendleft(key)
                    else:
                        on_outcome(Outcome(key, error=payload, tries=tries[key]))
        finally:
            for worker in workers:
                if worker.process.is_alive():
                    worker.process.terminate()
                worker.process.join()

    def _start(self, ready: bool = True) -> _Worker:
        mine, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(theirs, *self._args), daemon=True, name=WORKER_NAME
        )
        try:
            process.start()
        except BrokenPipeError:  # it died before it read what it was sent
            process.join()
            raise WorkerStartError(process.exitcode) from None
        finally:
            theirs.close()
        worker = _Worker(process, mine)
        if ready:
            _await_ready(worker)
        return worker

    @staticmethod
    def _receive(worker: _Worker) -> tuple[bool, Any]:
        try:
            return worker.conn.recv()
        except (EOFError, OSError):
            return False, _DIED


_DIED = object()
_READY = "ready"
WORKER_NAME = "stockcaster-worker"
_GUARD = (
    "a script that runs stockcaster's workers must call it under "
    '`if __name__ == "__main__":` (each worker imports the script again)'
)


class WorkerStartError(StockcasterError):
    """A worker process died before it was ready: no task could run, so the run stops."""

    exit_code = 1

    def __init__(self, exitcode: int | None):
        super().__init__(
            f"workers: expected worker processes that start, received one that exited "
            f"with code {exitcode} while starting; {_GUARD}"
        )


def refuse_in_worker() -> None:
    """Stop a worker that is running a job itself: the script that started the job was
    imported again by the worker (no `__main__` guard). Exits quietly; the parent says why.
    """
    if multiprocessing.current_process().name == WORKER_NAME:
        sys.stderr.write(f"stockcaster worker: {_GUARD}\n")
        sys.exit(2)


def _await_ready(worker: _Worker) -> None:
    """Wait for a new worker's first word; a worker that dies first stops the run."""
    wait([worker.conn, worker.process.sentinel])
    _, payload = _Pool._receive(worker)
    if payload != _READY:  # _DIED, or anything but its first word
        worker.process.join()
        raise WorkerStartError(worker.process.exitcode)


def _serve(conn: Connection, work: Work, shared: Any, job: Any) -> None:
    """A worker's loop: say it is ready, then run each key it is sent and send back
    (ok, value or error)."""
    # Ctrl-C reaches the whole process group; the engine stops its workers itself, so a
    # worker does not die printing its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tune_collector()  # a process of stockcaster's own, as the command's
    conn.send((True, _READY))
    while True:
        try:
            key = conn.recv()
        except EOFError:  # the engine has gone
            return
        try:
            conn.send((True, work(shared, job, key)))
        except Exception as err:  # a symbol's failure is a result, not a crash
            conn.send((False, describe(err)))


def _inline(work: Work, shared: Any, job: Any, key: str) -> Outcome:
    for attempt in range(1, TRIES + 1):
        try:
            return Outcome(key, work(shared, job, key), tries=attempt)
        except Exception as err:  # a symbol's failure is a result, not a crash
            error = describe(err)
    return Outcome(key, error=error, tries=TRIES)
