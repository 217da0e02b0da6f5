"""Progress bars (Rich) for long work, shown only to a person at a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@contextmanager
def task_progress(
    console: Console, enabled: bool
) -> Iterator[Callable[[str, int], Callable[[], None]] | None]:
    """Yield `start(name, total) -> advance()` drawing one bar per task, or None.

    Bars show done/total, time elapsed and an estimate of the time left.
    """
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console) as bars:

        def start(name: str, total: int) -> Callable[[], None]:
            task = bars.add_task(name, total=total)
            return lambda: bars.advance(task)

        yield start
