"""The options the commands share, with their choices built from the registries.

An option with a fixed set of values is an Enum made from the registry or tuple that
defines it, so Typer checks the value and lists the choices in `--help`, and adding a
model, engine, feature set or policy adds it here with no edit. (A value outside them
is reported in one line by `output.OneLineErrors`, as any bad input is.)
"""

from __future__ import annotations

import dataclasses
import enum
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from stockcaster.cli.config_file import read_config
from stockcaster.cli.output import CONFIGURED
from stockcaster.errors import StockcasterError
from stockcaster.jobs.choices import (
    BACKENDS,
    DEFAULT_MODEL,
    DEFAULT_SOURCE,
    ENGINES,
    ESTIMATORS,
    FEATURE_SETS,
    FILL_POLICIES,
    MODES,
    NORMALISATIONS,
    PRICE_KINDS,
    PRUNERS,
    SAMPLERS,
    SERIES_TARGETS,
    SOURCES,
    TRACKERS,
    UNIVERSE_TARGETS,
    VOLATILITY_BASELINES,
    WEIGHTINGS,
    WINDOWS,
    every_model,
    model_settings_help,
    models_help,
    preset_names,
    searchable_models,
)

__all__ = ["DEFAULT_MODEL"]  # and every option below


def _enum(name: str, values) -> type[enum.Enum]:
    """A string Enum of `values`, for Typer to check and list as choices."""
    return enum.Enum(name, {str(v): str(v) for v in values}, type=str)


Fill = _enum("Fill", FILL_POLICIES)
Window = _enum("Window", WINDOWS)
Mode = _enum("Mode", MODES)
Engine = _enum("Engine", ENGINES)
SeriesTarget = _enum("SeriesTarget", SERIES_TARGETS)
UniverseTarget = _enum("UniverseTarget", UNIVERSE_TARGETS)
Weighting = _enum("Weighting", WEIGHTINGS)
Estimator = _enum("Estimator", ESTIMATORS)
Normalise = _enum("Normalise", NORMALISATIONS)
Backend = _enum("Backend", [b for b in BACKENDS if b != "numpy"])
Searchable = _enum("Searchable", searchable_models())  # models with a search space
AnyModel = _enum("AnyModel", [*every_model(), *VOLATILITY_BASELINES])  # baselines: variance
Sampler = _enum("Sampler", SAMPLERS)
Pruner = _enum("Pruner", PRUNERS)
FeatureSet = _enum("FeatureSet", FEATURE_SETS)
Tracker = _enum("Tracker", TRACKERS)
PriceSource = _enum("PriceSource", SOURCES)
PriceKind = _enum("PriceKind", PRICE_KINDS)

ENGINE_HELP = "; ".join(f"{e.name}: {e.help}" for e in ENGINES.values())
ESTIMATOR_HELP = "; ".join(f"{e.name} ({e.help})" for e in ESTIMATORS.values())
FEATURE_HELP = "; ".join(f"{f.name} ({f.help})" for f in FEATURE_SETS.values())


def value(choice: enum.Enum | str | None) -> Any:
    """The plain value of a choice (None stays None)."""
    return choice.value if isinstance(choice, enum.Enum) else choice


DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="Price file (CSV or Parquet). Default: embedded MSFT 2010-2016."),
]
EstimatorOption = Annotated[
    Estimator | None,
    typer.Option("--estimator", help=f"A day's variance for --target variance: "
                 f"{ESTIMATOR_HELP}. Default: garman_klass (or the --preset file's own).",
                 show_default=False),
]  # fmt: skip
TickerOption = Annotated[
    str | None,
    typer.Option("--ticker", help="A ticker instead of --data: its adjusted daily prices from "
                 f"the local cache, downloaded first ({DEFAULT_SOURCE}) if not there."),
]  # fmt: skip
StartOption = Annotated[
    str | None,
    typer.Option("--start", help="--ticker(s): the first day (YYYY-MM-DD) to download; a "
                 "cache file from another start is downloaded again. Default: all history."),
]  # fmt: skip
CovariatesOption = Annotated[
    str | None,
    typer.Option("--covariates", help="Columns of --data kept beside the prices as numbers "
                 "(e.g. VIX,rate), or a long file of them (FILE.csv: date, symbol if each "
                 "has its own, a column each), for --features columns: the log-return and "
                 "each covariate of the day, scaled by the symbol's training days."),
]  # fmt: skip
BundleCovariatesOption = Annotated[
    str | None,
    typer.Option("--covariates", help="A universe bundle of --features columns: its covariates, "
                 "as `train --covariates` gave them (columns of --data, or a long file of them)."),
]  # fmt: skip
TickersOption = Annotated[
    str | None,
    typer.Option("--tickers", help="Tickers instead of --data, e.g. MSFT,AAPL: their adjusted "
                 f"daily prices from the local cache, downloaded first ({DEFAULT_SOURCE}) if "
                 "not there."),
]  # fmt: skip
SymbolOption = Annotated[
    str | None,
    typer.Option(
        "--symbol",
        help="Symbol to use, in any case (msft is MSFT). Default: the only symbol in the file.",
    ),
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
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", metavar="MODEL.KEY=VALUE", help=model_settings_help()),
]
MaWindowOption = Annotated[
    int, typer.Option("--ma-window", help="Closes averaged by the moving average.")
]
# A universe's symbols and its global model's one feature set (`train` and `tune --universe`).
UniverseSymbolsOption = Annotated[
    str | None, typer.Option("--symbols", help="--universe: comma-separated symbols.")
]
UniverseFeaturesOption = Annotated[
    FeatureSet, typer.Option("--features", help=f"--universe: the feature set. {FEATURE_HELP}.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress output.")]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the results as JSON instead of tables.")
]
ReportOption = Annotated[
    bool, typer.Option("--report", help="Also write report.html into the output folder.")
]
GlobalPresetOption = Annotated[
    str,
    typer.Option(
        "--global-preset",
        help="The global model's preset (universe, the default) or a .toml, such as the "
        "best.toml of a `tune --universe`.",
    ),
]
QuantilesOption = Annotated[
    str | None,
    typer.Option(
        "--quantiles",
        help="Global model: a direct quantile head, e.g. 0.1,0.5,0.9 (pinball loss; 0.5 is "
        "the forecast, the outermost levels the interval).",
    ),
]


TrackOption = Annotated[
    Tracker | None,
    typer.Option("--track", help="Also log this command to a tracker (extra: mlflow)."),
]
TrackingUriOption = Annotated[
    str | None,
    typer.Option(
        "--tracking-uri",
        help="The tracker's URI. Default: MLFLOW_TRACKING_URI, else mlruns/ inside --out.",
    ),
]
FillOption = Annotated[
    Fill | None,
    typer.Option("--fill", help="Rows with missing values: drop them, or carry the last value "
                 "forward (ffill). Default: refuse them."),
]  # fmt: skip


def _use_config(ctx: typer.Context, param: typer.CallbackParam, path: Path | None) -> None:
    """Make a config file's table for this command the defaults of its options."""
    CONFIGURED.set(None if path is None else ctx)
    if path is None:
        return
    try:
        values = read_config(path, ctx.command, ctx.find_root().command)
    except StockcasterError as err:
        print(f"error: {err}", file=sys.stderr)
        raise typer.Exit(err.exit_code) from None
    ctx.default_map = {**(ctx.default_map or {}), **values}
    ctx.meta["config"] = path  # to name it when Typer refuses one of its values


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="A TOML file with this command's options ([run], [backtest], ...); flags win.",
        is_eager=True,
        callback=_use_config,
    ),
]


def options_of(group, *names: str) -> dict[str, tuple[object, object]]:
    """Fields of an option group (a dataclass) as `refuse_unread` reads them: each field's
    option (`--top-k` for top_k) with its value and its default, read from the dataclass."""
    defaults = {f.name: f.default for f in dataclasses.fields(group)}
    return {f"--{name.replace('_', '-')}": (value(getattr(group, name)), value(defaults[name]))
            for name in names}  # fmt: skip


def refuse_unread(given: dict[str, tuple[object, object]], expected: str) -> None:
    """Refuse an option that the run does not read, set to other than its default (`given`:
    option -> (value, default); `expected`: what reads it): such options were ignored
    without a word."""
    for option, (chosen, default) in given.items():
        if chosen != default:
            raise StockcasterError(f"{option}: expected {expected}, received {chosen}")
