"""The errors stockcaster raises: bad input, and a stop asked for by a signal.

Every bad-input message names the file (and line or symbol), what was expected and what
was received, so the CLI can print it as a single line and exit with code 2.
"""

from collections.abc import Iterator
from contextlib import contextmanager


class StockcasterError(Exception):
    """Bad input from the user: a file, a symbol, a config or an argument."""

    exit_code = 2


def shown(cell: object, most: int = 60) -> str:
    """A file's cell as an error line quotes it: its repr, cut to `most` characters (a cell
    of a million digits made a one-line error of a megabyte)."""
    said = repr(cell)
    return said if len(said) <= most else f"{said[: most - 4]}...{said[-1]}"


def listed(names, most: int = 20) -> str:
    """Names a file holds (its columns, symbols) as an error line lists them: the first
    `most`, each cut to 40 characters, and how many more (a header of 100,000 columns made
    a one-line error of 800 kB)."""
    names = [str(n) for n in names]
    cut = [n if len(n) <= 40 else f"{n[:37]}..." for n in names[:most]]
    more = f", ... ({len(names) - most:,} more)" if len(names) > most else ""
    return ", ".join(cut) + more


def capped(line: str, most: int = 2000) -> str:
    """An error line cut to `most` characters: an option's value or a config's string of
    200,000 characters was echoed whole."""
    return line if len(line) <= most else f"{line[: most - 3]}..."


def in_one_line(err: Exception) -> str:
    """An error that is not the user's input (a model's fit, say) in one line: its type and
    the first line of its message (a `StockcasterError`'s message alone: already one line)."""
    said = str(err) if isinstance(err, StockcasterError) else f"{err.__class__.__name__}: {err}"
    return said.splitlines()[0]


@contextmanager
def failing_fit(expected: str, at: str = "fit", then: str = "") -> Iterator[None]:
    """A model's own failure inside (a network too large for the machine's memory, say) as
    one line: "{expected}, received an error at {at}: {the error}{then}"."""
    try:
        yield
    except StockcasterError:
        raise  # bad input the model itself found: already one line
    except Exception as err:
        said = in_one_line(err)
        raise StockcasterError(f"{expected}, received an error at {at}: {said}{then}") from None


def found_at(path, folder: str) -> str:
    """What a one-line error says it found at `path` (a `pathlib.Path`) where a folder of
    some kind was expected: "a path that does not exist", "a file, not a folder", or, for a
    folder of another kind, `folder` (what it lacks)."""
    if not path.exists():
        return "a path that does not exist"
    return folder if path.is_dir() else "a file, not a folder"


class MachineError(StockcasterError):
    """The machine cannot hold the outputs (no room, a file-size limit, a read-only disk).

    Not bad input, so its exit code is 1; one line, as every error.
    """

    exit_code = 1


class Interrupted(BaseException):
    """SIGTERM or SIGHUP, raised where the program is, so that every `finally` and
    all-or-nothing folder cleans up as it does for Ctrl-C.

    A BaseException, as KeyboardInterrupt is: no `except Exception` swallows it.
    """

    def __init__(self, signal_name: str, exit_code: int):
        super().__init__(signal_name)
        self.signal_name = signal_name
        self.exit_code = exit_code


_PENDING: list[BaseException] = []


def interrupt(signal_name: str, exit_code: int) -> None:
    """Raise `Interrupted` from a signal handler, and remember it.

    A signal's exception can land where Python ignores exceptions (a garbage-collector
    callback, a `__del__`); `check_interrupted` raises it again at the next commit point, so
    no output is completed after a SIGTERM.
    """
    _raise_remembered(Interrupted(signal_name, exit_code))


def ctrl_c() -> None:
    """Raise KeyboardInterrupt from SIGINT's handler, as Python's own handler does, and
    remember it as `interrupt` does: a Ctrl-C that lands in a garbage-collector callback is
    raised again at the next commit point instead of being lost."""
    _raise_remembered(KeyboardInterrupt())


def _raise_remembered(stop: BaseException) -> None:
    _PENDING.append(stop)
    raise stop


def check_interrupted() -> None:
    """Raise the pending interrupt (Ctrl-C, SIGTERM or SIGHUP), if one came; call before
    committing outputs."""
    if _PENDING:
        raise _PENDING[0]
