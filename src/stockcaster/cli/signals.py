"""`stockcaster signals`: its option groups, then one call into `jobs.signals`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli.groups import PanelData, Shown, grouped
from stockcaster.cli.options import (
    FEATURE_HELP,
    ConfigOption,
    GlobalPresetOption,
    SetOption,
    options_of,
    refuse_unread,
)
from stockcaster.cli.output import busy, console, print_json
from stockcaster.errors import StockcasterError
from stockcaster.jobs.choices import check_epochs_read, feature_sets, model_settings
from stockcaster.jobs.requests import global_model, symbol_list
from stockcaster.jobs.signals import factor_names
from stockcaster.jobs.signals import signals as signals_job
from stockcaster.jobs.signals_plan import HORIZONS, SignalsPlan
from stockcaster.process import choose_backend, native_log_filtered
from stockcaster.reporting.lines import notes, reasons
from stockcaster.reporting.signal_tables import print_signals


@dataclass
class Signals:
    """The signals judged: the factor baselines, and the panel models on their feature sets."""

    models: Annotated[
        str | None,
        typer.Option("--models", help="Models with a panel form, comma-separated, each trained "
                     "once per horizon on the return ahead. Default: none, the factor "
                     "baselines alone."),
    ] = None  # fmt: skip
    factors: Annotated[
        str | None,
        typer.Option("--factors", help=f"Factor baselines, comma-separated, from: "
                     f"{factor_names()}. Default: every one the prices allow."),
    ] = None  # fmt: skip
    features: Annotated[
        str,
        typer.Option("--features", help=f"The models' feature sets, comma-separated: each "
                     f"model is trained on each. {FEATURE_HELP}."),
    ] = "returns"  # fmt: skip
    settings: SetOption = None
    global_preset: GlobalPresetOption = "universe"
    lookback: Annotated[
        int | None, typer.Option("--lookback", help="Models: days per window.", min=1)
    ] = None
    epochs: Annotated[
        int | None, typer.Option("--epochs", help="Networks: most epochs.", min=1)
    ] = None

    def plan(self, judged: Judged) -> SignalsPlan:
        models = tuple(symbol_list(self.models) or ())
        if not models:  # the factor baselines alone read none of the models' options
            refuse_unread(
                options_of(self, "features", "global_preset", "lookback"),
                "--models with it (the factor baselines take none)",
            )
        check_epochs_read(self.epochs, models)
        factors = None if self.factors is None else tuple(symbol_list(self.factors))
        sets = feature_sets(self.features)
        return SignalsPlan(
            models=models, factors=factors, features=sets, horizons=judged.horizons(),
            test_fraction=judged.test_fraction, min_history=judged.min_history,
            bins=judged.bins, cost_bps=judged.cost_bps, buffer=judged.buffer or None,
            global_model=global_model(sets[0], preset_name=self.global_preset,
                                      lookback=self.lookback, epochs=self.epochs),
            settings=model_settings(self.settings),
        )  # fmt: skip


@dataclass
class Judged:
    """How the signals are judged: the horizons, the test days, the quantiles and books."""

    horizon: Annotated[
        str,
        typer.Option("--horizon", help="Sessions ahead, comma-separated: each signal is judged "
                     "on the return over each."),
    ] = ",".join(map(str, HORIZONS))  # fmt: skip
    test_fraction: Annotated[
        float, typer.Option("--test-fraction", help="Share of trading days, from the end, judged.")
    ] = 0.25
    min_history: Annotated[
        int, typer.Option("--min-history", help="Fewest closes before the test period.")
    ] = 60
    bins: Annotated[
        int, typer.Option("--bins", help="Quantile groups of each day's scores (10: deciles).")
    ] = 10
    cost_bps: Annotated[
        float, typer.Option("--cost-bps", help="Cost per half-turn (a unit of weight traded), bp.")
    ] = 5.0
    buffer: Annotated[
        float,
        typer.Option("--buffer", help="The buffered book keeps a name until it leaves this "
                     "share of the day's ranks (0: no buffered book)."),
    ] = 0.2  # fmt: skip

    def horizons(self) -> tuple[int, ...]:
        try:
            found = tuple(int(h) for h in self.horizon.split(",") if h.strip())
        except ValueError:
            found = ()
        if not found:
            raise StockcasterError(
                f"--horizon: expected whole numbers of sessions such as 1,5,21, received "
                f"{self.horizon!r}"
            )
        return found


@grouped
def signals(
    *,
    data: PanelData,
    chosen: Signals,
    judged: Judged,
    out: Annotated[Path, typer.Option("--out", help="Parent folder of the run folder.")] = Path(
        "runs/signals"
    ),
    shown: Shown,
    config: ConfigOption = None,
) -> None:
    """Judge return signals as a quant does: every factor baseline and panel model, by IC
    with a Newey-West t, quantile returns and decile books with their break-even cost."""
    plan = chosen.plan(judged)
    if plan.models:
        choose_backend(None)
    source = data.source(plan.features)
    with native_log_filtered(), busy("judging signals", shown.progress):
        result = signals_job(source, plan, out=out)
    if shown.json_output:
        return print_json({**result.summary, "folder": str(result.folder)})
    print_signals(console, result.board, result.summary)
    notes(console, result.summary["notes"])
    reasons(console, "left out", result.summary["left_out"], "signals.json")
    console.print(f"outputs: {escape(str(result.folder))} (report.html, signals.json, "
                  "tear_sheet.csv, ic_decay.csv, ic_daily.csv)")  # fmt: skip
