"""What every command shares: option types, config files, clean errors, quiet native logs.

Kept apart from `cli.py` so that the commands read top to bottom without the plumbing.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from stockcaster.errors import StockcasterError

DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="Price file (CSV or Parquet). Default: embedded MSFT 2010-2016."),
]
SymbolOption = Annotated[
    str | None,
    typer.Option("--symbol", help="Symbol to use. Default: the only symbol in the file."),
]
ColumnsOption = Annotated[
    str | None,
    typer.Option("--columns", help="Map other headers, e.g. date=Day,close=Last,symbol=Ticker."),
]
PresetOption = Annotated[
    str,
    typer.Option("--preset", help="seed (the reference notebook), default, or a .toml file."),
]
EpochsOption = Annotated[
    int | None, typer.Option("--epochs", help="Override the preset's epochs.", min=1)
]
OutOption = Annotated[Path, typer.Option("--out", help="Parent folder of the run folder.")]


def _use_config(ctx: typer.Context, param: typer.CallbackParam, value: Path | None) -> None:
    """Make a config file's table for this command the defaults of its options."""
    if value is None:
        return
    from stockcaster.cli_config import read_config

    try:
        values = read_config(value, ctx.command)
    except StockcasterError as err:
        print(f"error: {err}", file=sys.stderr)
        raise typer.Exit(err.exit_code) from None
    ctx.default_map = {**(ctx.default_map or {}), **values}


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="A TOML file with this command's options ([run], [backtest], ...); flags win.",
        is_eager=True,
        callback=_use_config,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the results as JSON instead of tables.")
]
ReportOption = Annotated[
    bool, typer.Option("--report", help="Also write report.html into the output folder.")
]
FillOption = Annotated[
    str | None,
    typer.Option("--fill", help="Rows with missing values: drop or ffill. Default: refuse them."),
]


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
