"""The `stockcaster universe` command: its option groups, then one call into `jobs.universe`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli.groups import PanelData, Shown, Tracked, grouped
from stockcaster.cli.options import (
    ENGINE_HELP,
    FEATURE_HELP,
    Backend,
    ConfigOption,
    Engine,
    EstimatorOption,
    GlobalPresetOption,
    MaWindowOption,
    Mode,
    Normalise,
    QuantilesOption,
    SetOption,
    UniverseTarget,
    Weighting,
    Window,
    options_of,
    refuse_unread,
    value,
)
from stockcaster.cli.output import console, kept_on_stop, print_json, task_progress
from stockcaster.cli.risk import refuse_variance_options, risk_plan, run_risk
from stockcaster.engines import EngineConfig
from stockcaster.jobs.choices import (
    check_epochs_read,
    feature_sets,
    model_settings,
    models_help,
    parse_models,
    universe_models,
)
from stockcaster.jobs.requests import RunConfig, global_model
from stockcaster.jobs.universe import universe as universe_job
from stockcaster.jobs.universe_bundle import bundled
from stockcaster.jobs.universe_plan import UniverseConfig
from stockcaster.process import choose_backend, native_log_filtered
from stockcaster.reporting.tables import print_scores

_DEFAULT_OUT = Path("runs/universe")


@dataclass
class UniverseModels:
    """The models run on every symbol, their settings, and the per-symbol preset."""

    mode: Annotated[
        Mode,
        typer.Option(
            "--mode",
            help="global: one model for all symbols where a model has a "
            "global form (the network families, linear, lightgbm); per-symbol: one per symbol.",
        ),
    ] = "global"
    models: Annotated[
        str | None,
        typer.Option("--models", help=models_help() + f". Default: {','.join(universe_models())}."),
    ] = None
    settings: SetOption = None
    preset: Annotated[
        str,
        typer.Option(
            "--preset",
            help="Per-symbol mode: the networks' preset (or a .toml); --global-preset "
            "sets the global models'.",
        ),
    ] = "default"
    ma_window: MaWindowOption = 5


@dataclass
class Split:
    """The test period, which symbols qualify, refits and the portfolio."""

    test_fraction: Annotated[
        float, typer.Option("--test-fraction", help="Share of trading days, from the end, tested.")
    ] = 0.25
    min_history: Annotated[
        int, typer.Option("--min-history", help="Fewest closes before the test period.")
    ] = 60
    retrain_every: Annotated[
        int,
        typer.Option(
            "--retrain-every",
            help="Refit every K trading days of the test period (per-symbol models: origins; "
            "global models: warm-started); 0 fits once.",
        ),
    ] = 0
    window: Annotated[
        Window, typer.Option("--window", help="Global models' refits: training window.")
    ] = "expanding"
    top_k: Annotated[
        int, typer.Option("--top-k", help="Symbols long and short in the portfolio.")
    ] = 10
    cost_bps: Annotated[
        float, typer.Option("--cost-bps", help="Trading cost per unit of weight traded, bp.")
    ] = 5.0
    horizon: Annotated[
        int,
        typer.Option("--horizon", help="For --target variance: also score the mean variance "
                     "of the next h days."),
    ] = 1  # fmt: skip
    weights: Annotated[
        Weighting,
        typer.Option("--weights", help="The portfolio's legs: equal weights, or inverse-vol "
                     "(each symbol by 1 / its predicted volatility, HAR on its log range)."),
    ] = "equal"  # fmt: skip


@dataclass
class GlobalNet:
    """The global models: their preset, windows, feature sets, target, inputs, head and
    training (each option over the preset's value)."""

    global_preset: GlobalPresetOption = "universe"
    lookback: Annotated[
        int | None,
        typer.Option(
            "--lookback",
            help="Global models: days per window. Default: the global preset's (20).",
            min=1,
        ),
    ] = None
    features: Annotated[
        str,
        typer.Option(
            "--features",
            help=f"Global models, comma-separated: each is trained on each set. {FEATURE_HELP}.",
        ),
    ] = "returns"
    target: Annotated[
        UniverseTarget | None,
        typer.Option(
            "--target",
            help="Global models learn: log_return (the next one), or rank / zscore (the "
            "next return ranked or standardised across the day's symbols; no MSE reported); "
            "variance: every symbol's risk, with the volatility baselines per symbol and the "
            "families on log variance (global or per symbol, by --mode), VaR backtests.",
            show_default=False,
        ),
    ] = None
    estimator: EstimatorOption = None
    normalise: Annotated[
        Normalise | None,
        typer.Option(
            "--normalise",
            help="Global models' inputs: symbol (each by its own training rows) or "
            "cross-section (then z-scored across each day's symbols).",
            show_default=False,
        ),
    ] = None
    embedding_dim: Annotated[
        int | None,
        typer.Option(
            "--embedding-dim",
            help="Global models: symbol embedding width, 0 none. Default: the global preset's (0).",
        ),
    ] = None
    quantiles: QuantilesOption = None
    epochs: Annotated[
        int | None,
        typer.Option(
            "--epochs", help="Global models: most epochs. Default: the global preset's (20)."
        ),
    ] = None
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            help="Global models: windows per step. Default: the global preset's (512).",
        ),
    ] = None

    def config(self) -> RunConfig:
        """The global models' settings: the preset, then the options given."""
        return global_model(feature_sets(self.features)[0], preset_name=self.global_preset,
                            quantiles=self.quantiles, lookback=self.lookback,
                            embedding_dim=self.embedding_dim, epochs=self.epochs,
                            batch_size=self.batch_size,
                            target=None if self.variance() else value(self.target),
                            normalise=value(self.normalise))  # fmt: skip

    def variance(self) -> bool:
        return value(self.target) == "variance"

    def given(self) -> dict[str, tuple[object, object]]:
        """Each option of the global models: (its value, its default)."""
        return options_of(self, "global_preset", "lookback", "features", "target", "normalise",
                          "embedding_dim", "quantiles", "epochs", "batch_size")  # fmt: skip


@dataclass
class Execution:
    """Where the run is kept and how its work is spread."""

    out: Annotated[
        Path, typer.Option("--out", help="The run folder; it holds the results store.")
    ] = _DEFAULT_OUT
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the run in --out, skipping finished symbols.")
    ] = False
    save: Annotated[
        Path | None,
        typer.Option("--save", help="Also save the first global network as a universe bundle."),
    ] = None
    engine: Annotated[Engine, typer.Option("--engine", help=ENGINE_HELP)] = "local"
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Worker processes (local) or Ray CPUs. Default: cores.",
                     min=1),
    ] = None  # fmt: skip
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", help="An existing Ray cluster. Default: start one here."),
    ] = None
    backend: Annotated[Backend, typer.Option("--backend", help="Keras backend.")] = "tensorflow"

    def engine_config(self) -> EngineConfig:
        return EngineConfig(value(self.engine), self.workers, self.ray_address)


@grouped
def universe(
    *,
    data: PanelData,
    models: UniverseModels,
    split: Split,
    network: GlobalNet,
    run: Execution,
    shown: Shown,
    tracking: Tracked,
    config: ConfigOption = None,
) -> None:
    """Run and judge every model on every symbol of a file, one by one and as a cross-section."""
    choose_backend(value(run.backend))
    tracked = tracking.check(run.out)
    source = data.source(feature_sets(network.features))
    if network.variance():
        risk = risk_plan(models, split, network, run)
        return run_risk(source, risk, run, shown, tracking, tracked)
    refuse_variance_options(split.horizon, network.estimator, network.config().features.target)
    plan = UniverseConfig(
        mode=value(models.mode),
        models=tuple(parse_models(models.models, universe_models())),
        test_fraction=split.test_fraction,
        min_history=split.min_history,
        retrain_every=split.retrain_every,
        top_k=split.top_k,
        cost_bps=split.cost_bps,
        ma_window=models.ma_window,
        global_model=network.config(),
        preset=models.preset,
        features=feature_sets(network.features),
        window=value(split.window),
        settings=model_settings(models.settings),
        weights=value(split.weights),
    )
    if not plan.panel_models():  # per-symbol mode, or no model with a global form
        refuse_unread(network.given() | options_of(split, "window"),
                      "a global model among --models with it (per-symbol networks take "
                      "--preset's settings)")  # fmt: skip
    check_epochs_read(network.epochs, plan.panel_models())  # linear and lightgbm have none
    if not plan.reads_preset():
        refuse_unread(options_of(models, "preset"), "--mode per-symbol and a model that trains "
                      "on it among --models (global models take --global-preset's)")  # fmt: skip
    with kept_on_stop(run.out), native_log_filtered(), task_progress(shown.progress) as bar:
        result = universe_job(source, plan, out=run.out, resume=run.resume,
                              engine=run.engine_config(), progress=bar, save=run.save)  # fmt: skip
    where = tracking.log(tracked, result.folder, result.summary, shown.json_output)
    saved = _saved(run.save, plan)
    if shown.json_output:
        return print_json({**result.summary, "folder": str(result.folder), "tracked": where,
                           **saved})  # fmt: skip
    print_scores(console, result.summary)
    folder = escape(str(result.folder))
    console.print(f"outputs: {folder} (report.html, universe.json, symbols.csv)")
    if saved:
        b = saved["bundle"]
        console.print(f"bundle: {escape(b['folder'])} ({b['model']} on {b['features']}, "
                      "the run's first global network)")  # fmt: skip


def _saved(save: Path | None, plan: UniverseConfig) -> dict:
    """What `--save` bundled, as the JSON output's `bundle`: its folder and the global
    network it holds (the run's first, when it trained several); {} without --save."""
    if save is None:
        return {}
    model, features = bundled(plan)
    return {"bundle": {"folder": str(save), "model": model, "features": features}}
