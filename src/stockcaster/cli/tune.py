"""`stockcaster tune`: the options of a hyper-parameter search, of one symbol or a universe.

The search's folder is `--out` itself (its study is kept there, for `--resume`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli import inputs
from stockcaster.cli.groups import Shown, Tracked, grouped
from stockcaster.cli.options import (
    DEFAULT_MODEL,
    ColumnsOption,
    ConfigOption,
    CovariatesOption,
    DataOption,
    Engine,
    EstimatorOption,
    FillOption,
    PresetOption,
    Pruner,
    Sampler,
    Searchable,
    SeriesTarget,
    SetOption,
    StartOption,
    SymbolOption,
    TickerOption,
    TickersOption,
    UniverseFeaturesOption,
    UniverseSymbolsOption,
    value,
)
from stockcaster.cli.output import console, on_interrupt, print_json, trial_progress
from stockcaster.errors import StockcasterError
from stockcaster.jobs import requests
from stockcaster.jobs.choices import model_settings
from stockcaster.jobs.tune import TuneConfig
from stockcaster.jobs.tune import tune as tune_job
from stockcaster.process import choose_backend, native_log_filtered
from stockcaster.reporting.lines import notes, reasons
from stockcaster.reporting.tune_report import baseline_of, deflated_words, holdout_tested


@dataclass
class Search:
    """What is searched, how, and from which preset."""

    model: Annotated[
        Searchable, typer.Option("--model", help="The model searched (one with a search space).")
    ] = DEFAULT_MODEL
    settings: SetOption = None
    trials: Annotated[int, typer.Option("--trials", help="Trials to finish.", min=1)] = 20
    space: Annotated[
        Path | None,
        typer.Option("--space", help="TOML file overriding the family's search space."),
    ] = None
    sampler: Annotated[Sampler, typer.Option("--sampler", help="Optuna's sampler.")] = "tpe"
    pruner: Annotated[
        Pruner, typer.Option("--pruner", help="Stops poor trials early (none: never).")
    ] = "median"
    folds: Annotated[
        int, typer.Option("--folds", help="Validation folds in the training part.", min=1)
    ] = 3
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Start no trial after this many minutes.")
    ] = None
    seed: Annotated[
        int, typer.Option("--seed", help="The sampler's and models' seed (0 to 2**32-1).")
    ] = 0
    preset: PresetOption = "default"
    target: Annotated[
        SeriesTarget | None,
        typer.Option("--target", help="What the models forecast: close or log_return (the "
                     "preset's), or variance: the family on one symbol's log variance, "
                     "scored by QLIKE against the random walk.", show_default=False),
    ] = None  # fmt: skip
    estimator: EstimatorOption = None

    def config(self, data: TuneData, ray: RayTrials) -> TuneConfig:
        return TuneConfig(
            family=value(self.model), trials=self.trials, space=self.space,
            sampler=value(self.sampler), pruner=value(self.pruner), folds=self.folds,
            timeout_minutes=self.timeout, seed=self.seed, preset=self.preset,
            features=value(data.features), engine=value(ray.engine), workers=ray.workers,
            ray_address=ray.ray_address, trial_cpus=ray.trial_cpus, trial_gpus=ray.trial_gpus,
            settings=model_settings(self.settings), target=value(self.target),
            estimator=value(self.estimator),
        )  # fmt: skip


@dataclass
class TuneData:
    """One symbol's prices, or a universe's (`--universe`) and its feature set."""

    data: DataOption = None
    symbol: SymbolOption = None
    universe: Annotated[
        bool,
        typer.Option("--universe", help="Search one global model over every symbol of --data."),
    ] = False
    symbols: UniverseSymbolsOption = None
    features: UniverseFeaturesOption = "returns"
    columns: ColumnsOption = None
    covariates: CovariatesOption = None
    fill: FillOption = None
    ticker: TickerOption = None
    tickers: TickersOption = None
    start: StartOption = None

    def source(self):
        """One symbol's source, or a universe's."""
        if self.universe:
            if (self.data is None and self.tickers is None) or self.symbol is not None:
                raise StockcasterError(
                    "--universe: expected --data FILE or --tickers (and --symbols, not "
                    f"--symbol) with it, received {'--symbol' if self.symbol else 'neither'}"
                )
            found = inputs.panel_source(self.data, self.symbols, self.columns, self.fill,
                                        tickers=(self.tickers, self.start))  # fmt: skip
            return requests.with_covariates(found, self.covariates, (value(self.features),))
        for option, given in (("--symbols", self.symbols), ("--tickers", self.tickers),
                              ("--covariates", self.covariates)):  # fmt: skip
            if given is not None:
                raise StockcasterError(f"{option}: expected --universe with it, received none")
        if value(self.features) != "returns":  # a symbol's search runs the preset's windows
            raise StockcasterError("--features: expected --universe with it, received none")
        if self.ticker is not None or self.start is not None:
            return inputs.ticker_source(self.ticker, self.start, self.data, self.symbol,
                                        self.columns, self.fill)  # fmt: skip
        return inputs.source(self.data, self.symbol, self.columns, self.fill)


@dataclass
class RayTrials:
    """The engine the trials run on, and a Ray search's resources."""

    engine: Annotated[
        Engine, typer.Option("--engine", help="local: Optuna, resumable; ray: Ray Tune trials.")
    ] = "local"
    workers: Annotated[
        int | None, typer.Option("--workers", help="Ray: trials at once (default 2).", min=1)
    ] = None
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray: an existing cluster's address.")
    ] = None
    trial_cpus: Annotated[
        float | None, typer.Option("--trial-cpus", help="Ray: CPUs per trial.")
    ] = None
    trial_gpus: Annotated[float, typer.Option("--trial-gpus", help="Ray: GPUs per trial.")] = 0.0


@grouped
def tune(
    *,
    search: Search,
    data: TuneData,
    ray: RayTrials,
    out: Annotated[
        Path, typer.Option("--out", help="The search's folder (its study, trials, verdict).")
    ] = Path("runs/tune"),
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the search stored in --out.")
    ] = False,
    shown: Shown,
    tracking: Tracked,
    config: ConfigOption = None,
) -> None:
    """Search a model's hyper-parameters on the training years, then judge the search."""
    choose_backend(None)
    tracked = tracking.check(out)
    request = search.config(data, ray)
    source = data.source()
    # Every finished trial is in the study (the running one is marked failed on resume).
    kept = f"finished trials are kept in {out}; add --resume to continue"
    if request.engine != "local":
        kept = "a Ray search cannot be resumed; start it again with another --out"
    with on_interrupt(kept), native_log_filtered(), trial_progress(shown.progress) as told:
        summary = tune_job(source, request, out, resume, tracked, told)
    if shown.json_output:
        print_json({**summary, "folder": str(out)})
        return
    best, verdict = summary["best"], summary["verdict"]
    console.print(
        f"best of {summary['trials']['finished']} trials: trial {best['trial']}, "
        f"validation ratio {best['validation_ratio']:.4f}, test ratio {best['test_ratio']:.4f}"
        + holdout_tested(best.get("test_dm_pvalue"), baseline_of(summary))
    )
    console.print(escape(verdict["sentence"]))
    if verdict["deflated_sharpe"] is not None:
        console.print(deflated_words(verdict["deflated_sharpe"], summary["trials"]["finished"]))
    notes(console, summary["notes"])
    reasons(console, "left out", summary.get("left_out") or {}, "tune.json")
    names = "trials.csv, best.toml, tune.json, report.html" + (", bundle" * ("bundle" in summary))
    console.print(f"outputs: {escape(str(out))} ({names})")
    if "no_bundle" in summary:  # the prices do not trade on the bundle's calendar's days
        console.print(escape(summary["no_bundle"]))
    if "tracked" in summary:
        where = summary["tracked"]
        console.print(
            f"tracked: {where['tracker']} run {where['run_id']} at {escape(where['uri'])}"
        )
