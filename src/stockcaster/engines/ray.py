"""The Ray engine: one Ray task per symbol, on a local Ray instance or a cluster.

The shared data are put into Ray's object store once; every task receives a reference
to them, which Ray resolves without copying numpy arrays on the same node. Ray retries
a task once when it raises or when its worker dies; after that the key is reported
with its error. On a cluster every node needs stockcaster installed.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from stockcaster.engines.base import TRIES, Outcome, Work, check_workers, describe
from stockcaster.errors import StockcasterError


class RayEngine:
    """Run per-symbol work as Ray tasks.

    Args:
        workers: CPUs of a Ray instance started here (None: all); ignored on a cluster.
        address: an existing cluster's address (`ray://host:10001` or `host:6379`);
            None starts a local instance for this run and stops it afterwards.
    """

    name = "ray"

    def __init__(self, workers: int | None = None, address: str | None = None):
        self.workers = workers
        self.address = address

    def check(self) -> None:
        """Fail fast, before any output: Ray missing, or a cluster address not answering.

        Ray itself keeps retrying an unreachable address for minutes; a plain TCP connect
        with a 5-second limit answers at once.

        Raises:
            StockcasterError: Ray is not installed, the address is malformed or refuses,
                or a Ray started here is asked more CPUs than this machine's.
        """
        _import_ray()
        if self.address is None:
            check_workers(self.workers)
        if self.address in (None, "auto"):
            return
        host, _, port = self.address.removeprefix("ray://").rpartition(":")
        if not host or not port.isdigit():
            raise StockcasterError(
                f"--ray-address: expected host:port or ray://host:port, received {self.address!r}"
            )
        try:
            socket.create_connection((host, int(port)), timeout=5).close()
        except OSError as err:
            raise StockcasterError(
                f"--ray-address: expected a reachable Ray cluster, received {self.address!r} "
                f"({err.strerror or err.__class__.__name__})"
            ) from None

    @contextlib.contextmanager
    def session(self) -> Iterator[Any]:
        """Ray, started for the block (and stopped after it) unless it was running already."""
        ray = _import_ray()
        started_here = not ray.is_initialized()
        if started_here:
            _start(ray, self.address, self.workers)
        try:
            yield ray
        finally:
            if started_here:
                ray.shutdown()

    def run(
        self,
        work: Work,
        shared: Any,
        job: Any,
        keys: Iterable[str],
        on_outcome: Callable[[Outcome], None],
    ) -> None:
        with self.session() as ray:
            shared_ref, job_ref = ray.put(shared), ray.put(job)
            task = ray.remote(max_retries=TRIES - 1, retry_exceptions=True)(_call)
            pending = {task.remote(work, shared_ref, job_ref, key): key for key in keys}
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    key = pending.pop(ref)
                    try:
                        on_outcome(Outcome(key, ray.get(ref)))
                    except ray.exceptions.RayError as err:
                        on_outcome(Outcome(key, error=_cause(err), tries=TRIES))


def _call(work: Work, shared: Any, job: Any, key: str) -> Any:
    return work(shared, job, key)


def _import_ray():
    try:
        # Delayed import: Ray is an optional extra, and slow to import.
        import ray
    except ImportError:
        raise StockcasterError(
            "--engine ray: expected Ray to be installed, received an installation without "
            "it (pip install 'stockcaster[ray]')"
        ) from None
    return ray


def _start(ray, address: str | None, workers: int | None) -> None:
    options = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
    try:
        if address is None:
            ray.init(num_cpus=workers, **options)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise StockcasterError(
            f"--ray-address: expected a reachable Ray cluster, received {address!r} "
            f"({describe(err)})"
        ) from None


def _cause(err: Exception) -> str:
    """The task's own error for a RayTaskError, else Ray's description, in one line."""
    cause = getattr(err, "cause", None)
    if cause is not None and not isinstance(cause, type):
        return describe(cause)
    return describe(err)
