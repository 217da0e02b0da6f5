"""What the commands print and how: the console, JSON, progress bars, clean errors.

A leaf of the CLI: it imports nothing of the commands, so every command module can use it.
"""

from __future__ import annotations

import math
import re
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from pathlib import Path
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
from typer.core import TyperGroup

from stockcaster.errors import Interrupted, StockcasterError, capped, ctrl_c, interrupt
from stockcaster.jobs.choices import json_text

# Piped output (logs, CI) gets a wide page rather than Rich's 80 columns, so the
# leaderboard's numbers are never cut.
console = Console() if sys.stdout.isatty() else Console(width=120)


def replace_unencodable() -> None:
    """Let a terminal or pipe whose encoding lacks the tables' characters (`·`, box lines:
    PYTHONIOENCODING=ascii, an old console's code page) show `?` for them: printing one
    raised UnicodeEncodeError, a traceback after the run's outputs were written."""
    for stream in (sys.stdout, sys.stderr):
        try:
            "·─".encode(stream.encoding or "ascii")
        except (UnicodeEncodeError, LookupError):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="replace")


def show_progress(quiet: bool, json_output: bool) -> bool:
    """Progress is for a person at a terminal: never in pipes, logs, --quiet or --json."""
    return not quiet and not json_output and console.is_terminal


def print_json(payload: dict) -> None:
    print(json_text(payload))


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


@contextmanager
def on_interrupt(said: str) -> Iterator[None]:
    """A command stopped by Ctrl-C or SIGTERM prints "interrupted: <said>" (what is kept, how
    to go on) and exits 130 or 143."""
    try:
        yield
    except (KeyboardInterrupt, Interrupted) as stop:
        sys.stderr.write(f"interrupted: {said}\n")
        raise typer.Exit(getattr(stop, "exit_code", 130)) from None


@contextmanager
def busy(what: str, enabled: bool) -> Iterator[None]:
    """A spinner saying what the command is doing, for a person at a terminal."""
    if not enabled:
        yield
        return
    with console.status(f"{what}..."):
        yield


@contextmanager
def trial_progress(enabled: bool) -> Iterator[Callable[[int, int, float | None], None] | None]:
    """Yield `told(done, total, best)` drawing a search's bar, or None.

    The bar shows trials done of those asked, the best validation ratio so far, the time
    elapsed and an estimate of the time left.
    """
    if not enabled:
        yield None
        return
    columns = (TextColumn("trials"), BarColumn(), MofNCompleteColumn(),
               TextColumn("best {task.fields[best]}"), TimeElapsedColumn(), TextColumn("left"),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("trials", total=None, best="-")

        def told(done: int, total: int, best: float | None) -> None:
            shown = "-" if best is None else f"{best:.4f}"
            bar.update(task, completed=done, total=total, best=shown)

        yield told


# Click's base error, whether Typer uses the click package or its own copy of it (0.29+).
ClickError = typer.BadParameter.__mro__[2]


class OneLineErrors(TyperGroup):
    """The CLI's group: a usage error (a value not among an option's choices, an unknown
    option) is one line, "error: --window: expected one of ..., received ...", exit 2,
    as every other bad input is, instead of Click's usage text and box."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:  # a caller that handles errors itself
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        _handle_signals()
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except Interrupted as stop:
            message = f"interrupted by {stop.signal_name}: nothing unfinished was kept"
            print(message, file=sys.stderr)
            sys.exit(stop.exit_code)
        except OSError as err:
            print(f"error: {machine_fault(err)}", file=sys.stderr)
            sys.exit(1)
        except ClickError as err:
            if type(err).__name__ == "NoArgsIsHelpError":  # `stockcaster` alone: the help
                console.print(err.ctx.get_help(), markup=False, highlight=False)
            else:
                print(f"error: {capped(one_line(err))}", file=sys.stderr)
            sys.exit(err.exit_code)
        except typer.Abort as abort:
            if isinstance(abort.__context__, KeyboardInterrupt):  # Click's word for Ctrl-C
                print("interrupted by SIGINT: nothing unfinished was kept", file=sys.stderr)
                sys.exit(130)
            print("Aborted!", file=sys.stderr)
            sys.exit(1)
        except KeyboardInterrupt:  # Ctrl-C outside a command (while Click parses, say)
            print("interrupted by SIGINT: nothing unfinished was kept", file=sys.stderr)
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else 0)


def _handle_signals() -> None:
    """SIGTERM and SIGHUP stop a command as Ctrl-C does (scratch folders removed), and every
    one of them is remembered until the command ends (`errors.check_interrupted`); a file
    over the size limit (SIGXFSZ) fails its write with EFBIG instead of killing the process."""

    def stop(number: int, frame) -> None:
        interrupt(signal.Signals(number).name, 128 + number)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored, not a host's
        signal.signal(signal.SIGINT, lambda number, frame: ctrl_c())
    # The signal's exception may land in a garbage-collector callback, where Python ignores
    # it and prints a traceback; it is raised again at the next commit point, so say nothing.
    if not getattr(sys.unraisablehook, "quiet_about_interrupts", False):
        default_hook = sys.unraisablehook

        def quiet(unraisable) -> None:
            if not isinstance(unraisable.exc_value, Interrupted | KeyboardInterrupt):
                default_hook(unraisable)

        quiet.quiet_about_interrupts = True
        sys.unraisablehook = quiet
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def machine_fault(err: OSError, kept: str = "unfinished outputs were removed") -> str:
    """A failed write or read as one line: the path, the cause (disk full, read-only...) and
    what became of the outputs."""
    where = err.filename or "a file"
    cause = " ".join(str(err.strerror or err.__class__.__name__).split())
    return f"{where}: could not write or read it ({cause}); {kept}"


def one_line(err: Exception) -> str:
    """A Click error in stockcaster's words: "--opt: expected ..., received ..."."""
    param = getattr(err, "param", None)
    message = " ".join(err.format_message().split())
    if not isinstance(err, typer.BadParameter) or param is None:
        return message
    name = param.opts[0] if getattr(param, "opts", None) else param.name
    checked = _typed(err.__cause__)
    if checked:
        source = err.ctx.get_parameter_source(param.name) if err.ctx else None
        if getattr(source, "name", None) == "DEFAULT_MAP":  # a --config file's value
            checked += f" (from [{err.ctx.info_name}] in {err.ctx.meta.get('config')})"
        return f"{name}: {checked}"
    message = re.sub(r"^(Value error, )?(Invalid value for '[^']*': )?", "", message)
    choice = re.search(r"(\S+) is not one of (.*?)\.?$", message)
    if choice:
        choices = ", ".join(c.strip().strip("'") for c in choice.group(2).split(","))
        return f"{name}: expected one of {choices}, received {choice.group(1)}"
    return f"{name}: {message}"


# Typer checks a typed option with pydantic: its error kinds, in stockcaster's words.
_BOUNDS = {"greater_than_equal": ("ge", "at least"), "less_than_equal": ("le", "at most"),
           "greater_than": ("gt", "more than"), "less_than": ("lt", "less than")}  # fmt: skip
_KINDS = {"int_parsing": "a whole number", "int_from_float": "a whole number",
          "float_parsing": "a number", "bool_parsing": "true or false"}  # fmt: skip


def _typed(cause: BaseException | None) -> str | None:
    """A typed option's failed check (Typer's pydantic error) as "expected ..., received
    ..."; None for any other error."""
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    first = errors()[0]
    kind, received = first.get("type"), first.get("input")
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"expected {words} {first['ctx'][key]}, received {received}"
    if kind in _KINDS:
        return f"expected {_KINDS[kind]}, received {received!r}"
    return None


CONFIGURED: ContextVar[typer.Context | None] = ContextVar("configured", default=None)
"""The running command's context when a --config file gave it values (`options.py` sets it):
an error about an option the file set names the file, as Click's own checks do."""


def _from_file(message: str, command: str) -> str:
    """`message`, with the --config file named when the option it starts with came from it."""
    ctx, option = CONFIGURED.get(), re.match(r"--[\w-]+", message)
    if ctx is None or option is None or ctx.info_name != command:
        return message
    for param in ctx.command.params:
        if option.group() in getattr(param, "opts", ()):
            source = getattr(ctx.get_parameter_source(param.name), "name", None)
            if source == "DEFAULT_MAP":
                return f"{message} (from [{command}] in {ctx.meta.get('config')})"
    return message


def clean_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print a `StockcasterError` as one line and exit with its code.

    Every number option is checked to be finite first: Click reads `nan` and `inf` as
    floats, and no option of stockcaster means either.
    """

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            for name, given in kwargs.items():
                if isinstance(given, float) and not math.isfinite(given):
                    raise StockcasterError(
                        f"--{name.replace('_', '-')}: expected a finite number, received {given}"
                    )
            return command(*args, **kwargs)
        except StockcasterError as err:
            print(f"error: {capped(_from_file(str(err), command.__name__))}", file=sys.stderr)
            raise typer.Exit(err.exit_code) from None
        finally:
            CONFIGURED.set(None)

    return wrapper


@contextmanager
def kept_on_stop(out: Path) -> Iterator[None]:
    """An interrupted or full-disk run says that its finished symbols are kept in `out`."""
    # Every symbol stored so far is complete (one transaction each); say how to go on.
    try:
        with on_interrupt(f"finished symbols are kept in {out}; add --resume to continue"):
            yield
    except OSError as err:  # a full disk, say: the store keeps every finished symbol
        kept = f"finished symbols are kept in {out}, add --resume to continue"
        sys.stderr.write("error: " + machine_fault(err, kept) + " once there is room\n")
        raise typer.Exit(1) from None
