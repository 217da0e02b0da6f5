"""The options the commands share, with their choices built from the registries.

An option with a fixed set of values lists them in `--help` from the registry or tuple
that defines them, so adding a model, engine, feature set or policy adds it here with no
edit. The library checks the value (one line, exit code 2, as for any bad input; Typer's
own choice check would print a multi-line box instead).
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from stockcaster.cli.config_file import read_config
from stockcaster.data.validate import FILL_POLICIES
from stockcaster.engines import ENGINES
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.backtest import WINDOWS
from stockcaster.features.panel import FEATURE_SETS
from stockcaster.jobs.universe_plan import MODES
from stockcaster.models.presets import preset_names
from stockcaster.models.registry import models_help
from stockcaster.settings import BACKENDS


def choices(values) -> str:
    """The allowed values of an option, for its help: "one of a, b, c"."""
    return "one of " + ", ".join(str(v) for v in values)


FILLS = choices(FILL_POLICIES)
WINDOW_CHOICES = choices(WINDOWS)
MODE_CHOICES = choices(MODES)
ENGINE_CHOICES = "; ".join(f"{e.name}: {e.help}" for e in ENGINES.values())
FEATURE_CHOICES = "; ".join(f"{f.name} ({f.help})" for f in FEATURE_SETS.values())
BACKEND_CHOICES = choices(b for b in BACKENDS if b != "numpy")


def value(choice: enum.Enum | str | None) -> Any:
    """The plain value of a choice (None stays None)."""
    return choice.value if isinstance(choice, enum.Enum) else choice


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
    typer.Option("--preset", help=f"A preset ({', '.join(preset_names())}) or a .toml file."),
]
EpochsOption = Annotated[
    int | None, typer.Option("--epochs", help="Override the preset's epochs.", min=1)
]
OutOption = Annotated[Path, typer.Option("--out", help="Parent folder of the run folder.")]
ModelsOption = Annotated[str | None, typer.Option("--models", help=models_help())]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the results as JSON instead of tables.")
]
ReportOption = Annotated[
    bool, typer.Option("--report", help="Also write report.html into the output folder.")
]
FillOption = Annotated[
    str | None,
    typer.Option("--fill", help=f"Rows with missing values: {FILLS} (drop them or carry the "
                 "last value forward). Default: refuse them."),
]  # fmt: skip


def _use_config(ctx: typer.Context, param: typer.CallbackParam, path: Path | None) -> None:
    """Make a config file's table for this command the defaults of its options."""
    if path is None:
        return
    try:
        values = read_config(path, ctx.command, ctx.find_root().command)
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
