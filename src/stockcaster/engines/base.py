"""The contract every engine keeps."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

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
