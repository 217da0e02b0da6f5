"""What the commands print and how: the console, JSON, progress bars, clean errors.

A leaf of the CLI: it imports nothing of the commands, so every command module can use it.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from stockcaster.errors import StockcasterError
from stockcaster.store.files import jsonable

# Piped output (logs, CI) gets a wide page rather than Rich's 80 columns, so the
# leaderboard's numbers are never cut.
console = Console() if sys.stdout.isatty() else Console(width=120)


def show_progress(quiet: bool, json_output: bool) -> bool:
    """Progress is for a person at a terminal: never in pipes, logs, --quiet or --json."""
    return not quiet and not json_output and console.is_terminal


def print_json(payload: dict) -> None:
    print(json.dumps(payload, indent=2, default=jsonable))


@contextmanager
def task_progress(enabled: bool) -> Iterator[Callable[[str, int], Callable[[], None]] | None]:
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


def clean_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print a `StockcasterError` as one line and exit with its code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except StockcasterError as err:
            print(f"error: {err}", file=sys.stderr)
            raise typer.Exit(err.exit_code) from None

    return wrapper


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
