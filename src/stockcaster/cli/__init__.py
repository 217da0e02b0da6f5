"""The command line: a thin layer of Typer commands over `stockcaster.jobs`.

Importing the commands takes seconds (pandas, NumPy, Rich, ...). A signal that comes
meanwhile ends the process at once with the usual line and exit code (130 for Ctrl-C,
143 for SIGTERM): nothing has been written yet, and Python would otherwise print the
import's traceback, or die of the signal itself. `OneLineErrors` takes over once the
commands are imported.
"""

import os
import signal
import sys
import threading


def _stop_while_starting(number: int, frame) -> None:
    name = signal.Signals(number).name
    sys.stderr.write(f"interrupted by {name}: nothing unfinished was kept\n")
    sys.stderr.flush()
    os._exit(128 + number)


_QUIET = (signal.SIG_DFL, signal.default_int_handler)
_BEFORE = (
    {
        number: signal.signal(number, _stop_while_starting)
        for number in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None))
        if number is not None and signal.getsignal(number) in _QUIET
    }
    if threading.current_thread() is threading.main_thread()
    else {}
)

from stockcaster.cli.app import app, main  # noqa: E402  (after the handlers above)

for _number, _handler in _BEFORE.items():
    signal.signal(_number, _handler)

__all__ = ["app", "main"]
