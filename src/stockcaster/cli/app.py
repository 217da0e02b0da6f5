"""The `stockcaster` command: parse arguments, call a job, print its result.

Every command turns a `StockcasterError` into `error: <message>` on stderr and exit code 2,
with no traceback. The choices of every option come from the registries (options.py).
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

import typer
import typer.main
from rich.markup import escape

from stockcaster.cli import inputs
from stockcaster.cli.bundles import predict, train
from stockcaster.cli.config_file import example_config
from stockcaster.cli.explain import explain
from stockcaster.cli.fetch import fetch
from stockcaster.cli.inspect import inspect
from stockcaster.cli.options import (
    ConfigOption,
)
from stockcaster.cli.output import (
    OneLineErrors,
    clean_errors,
    console,
    replace_unencodable,
)
from stockcaster.cli.run import backtest, run
from stockcaster.cli.signals import signals
from stockcaster.cli.tune import tune
from stockcaster.cli.universe import universe
from stockcaster.jobs.choices import REPORT_KINDS
from stockcaster.jobs.envelope import write_new_file
from stockcaster.process import tune_collector
from stockcaster.provenance import versions

app = typer.Typer(
    cls=OneLineErrors,
    help="Forecast daily stock prices with LSTM networks, beside honest baselines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help text is plain text: `stockcaster[prophet]` and `[run]` are shown, not read as markup.
    rich_markup_mode=None,
)


_REPORTED = ", ".join(REPORT_KINDS)  # every kind of folder a report is written for


def _show_version(asked: bool) -> None:
    """Print stockcaster's version and the libraries' its results depend on, then stop; read
    from the installed packages, never importing Keras or its backend."""
    if not asked:
        return
    v = versions()
    console.print(f"stockcaster {v['stockcaster']} (Python {v['python']}, Keras {v['keras']} on "
                  f"{v['backend']} {v['backend_version']}, NumPy {v['numpy']}, pandas "
                  f"{v['pandas']})", highlight=False)  # fmt: skip
    raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", help="Show the version and exit.", is_eager=True,
                     callback=_show_version),
    ] = False,
) -> None:  # fmt: skip
    """Forecast daily stock prices with LSTM networks, beside honest baselines."""


@app.command()
@clean_errors
def report(
    folder: Annotated[
        Path,
        typer.Argument(help=f"A folder written by {_REPORTED}.", show_default=False),
    ],
    config: ConfigOption = None,
) -> None:
    """Write report.html, one self-contained page, into a folder a command wrote (run,
    backtest, predict, universe, signals or tune)."""
    inputs.maybe_report(True, folder)


@app.command()
@clean_errors
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the example config.")] = Path(
        "stockcaster.toml"
    ),
) -> None:
    """Write a commented example config with every option of every command."""
    write_new_file(path, example_config(typer.main.get_command(app)))
    console.print(f"config: {escape(str(path))} (use it with --config {escape(str(path))})")


# Each command lives in a module of its own (run and backtest, of one symbol, together);
# the options they share are groups (groups.py).
app.command(name="fetch")(clean_errors(fetch))
app.command(name="explain")(clean_errors(explain))
app.command(name="run")(clean_errors(run))
app.command(name="backtest")(clean_errors(backtest))
app.command(name="universe")(clean_errors(universe))
app.command(name="signals")(clean_errors(signals))
app.command(name="tune")(clean_errors(tune))
app.command(name="inspect")(clean_errors(inspect))
app.command(name="train")(clean_errors(train))
app.command(name="predict")(clean_errors(predict))


def main() -> None:
    """The `stockcaster` command (and `python -m stockcaster`): the CLI, in a process of its own.

    Garbage is collected less often (`process.tune_collector`), and when the command has
    finished, the process ends: the objects it made are frozen out of Python's last
    collections (every atexit handler still runs, every file was closed by its job), which
    otherwise walk all TensorFlow made, 1.5 s of every command that trains
    (bench/command_process.py). `app` itself, called in a process that goes on (Typer's
    CliRunner, a script), leaves the collector alone.
    """
    tune_collector()
    replace_unencodable()
    try:
        app()
    finally:
        gc.freeze()
