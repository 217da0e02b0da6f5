"""`stockcaster tune`: search a family's hyper-parameters, and say what the search is worth.

The steps: read one symbol's prices, or a universe's (data/), and cut the test period off
before anything else; check the search space (tuning/space.py) against the history the
folds leave; run the trials (tuning/tasks.py) on an engine: an Optuna study kept in the
output folder (tuning/search.py), or Ray Tune (tuning/ray_search.py), each trial scored
by walk-forward folds inside the training part (tuning/validation.py; on the volatility
target by QLIKE, tuning/variance_task.py); refit the best configuration on the whole
training part and score it once on the test period; ask how often a search this wide
finds that much by luck (tuning/verdict.py); and write `trials.csv`, `best.toml`,
`tune.json` and `report.html`.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import NamedTuple

from stockcaster import columns as C
from stockcaster.data.calendar import DEFAULT_EXCHANGE, advised, bundle_hint, off_sessions
from stockcaster.data.quality import price_notes
from stockcaster.errors import StockcasterError, failing_fit
from stockcaster.features.pipeline import min_fit_rows
from stockcaster.features.split import training_rows
from stockcaster.jobs.envelope import Source, check_output, job, read_source, reproducibility
from stockcaster.jobs.requests import global_model, with_features
from stockcaster.jobs.universe_plan import PanelSource, UniverseConfig, plan_universe
from stockcaster.models.base import Saveable
from stockcaster.models.presets import RunConfig, load_preset, to_toml
from stockcaster.models.variance import FamilyWalk
from stockcaster.reporting.html import write_report
from stockcaster.reporting.tracking import Tracking, track
from stockcaster.reporting.tune_report import write_tune_figures
from stockcaster.store import files
from stockcaster.store.bundle import save_bundle, series_where
from stockcaster.store.variance_bundle import VARIANCE, save_variance_bundle
from stockcaster.tuning.config import TuneConfig
from stockcaster.tuning.folder import search_folder
from stockcaster.tuning.ray_search import ray_engine, ray_session, search_ray
from stockcaster.tuning.search import Progress, search_local
from stockcaster.tuning.space import Space, check_values, default_space, longest, read_space
from stockcaster.tuning.tasks import PanelTask, SymbolTask
from stockcaster.tuning.trials import PanelCloses
from stockcaster.tuning.validation import validation_folds
from stockcaster.tuning.variance_task import VarianceTask
from stockcaster.tuning.verdict import importances, judge, search_notes, trials_table

BUNDLE = "bundle"  # a network's best refit, for `stockcaster predict --bundle`


class Searched(NamedTuple):
    """What a search read: the file, the symbol (or "N symbols"), notes on its prices."""

    source: str
    symbol: str
    notes: list[str]
    left_out: dict[str, str] | None = None  # a universe's symbols not searched, and why


@job
def tune(
    source: Source | PanelSource,
    config: TuneConfig,
    out: str | Path,
    resume: bool = False,
    tracking: Tracking | None = None,
    progress: Progress | None = None,
) -> dict:
    """Run (or continue) a search in the folder `out`; return the summary in `tune.json`.

    `source` is one symbol's (`Source`) or a universe's (`PanelSource`). With `tracking`,
    the search, each trial and the best one's refit are logged (`reporting/tracking.py`);
    `progress(done, total, best)` is called as trials finish.

    Raises:
        StockcasterError: bad input, a bad space file, a space that needs more history
            than the data has, or a folder holding another search, before any trial.
    """
    folder = Path(out)
    config.check()
    check_output(folder)
    if config.engine == "ray" and resume:
        raise StockcasterError("--resume: expected the local engine, received --engine ray")
    space = (
        read_space(config.space, config.family) if config.space else default_space(config.family)
    )
    check_values(space, _builder(source, config), config.space or "the default space")
    task, whole, where = _task(source, config, space)
    settings = {**_settings(config), "data": where.source, "symbol": where.symbol}
    options = {**dataclasses.asdict(config), "timeout_s": _seconds(config.timeout_minutes),
               "progress": progress}  # fmt: skip
    with ray_session(config, options) as options, search_folder(folder, resume, settings):
        if config.engine == "ray":
            records = search_ray(folder, space, task, options, ray_engine(config))
        else:
            records = search_local(folder, space, task, options)
        summary = _conclude(folder, config, task, records, (whole, where, settings, space))
    if tracking is not None:
        children = [_child(task, t) for t in records]
        shown = {k: summary[k] for k in ("trials", "best", "verdict")}
        return {**summary, "tracked": track(tracking, "tune", settings, shown, folder, children)}
    return summary


def _conclude(folder: Path, config: TuneConfig, task, records: list, data: tuple) -> dict:
    """Judge the finished trials, refit and score the best once, write the outputs."""
    whole, where, settings, space = data
    ended = [t for t in records if t.state != "failed"]  # run to the end or pruned
    scored = [t for t in ended if t.scored]
    if not scored:
        raise StockcasterError(
            f"{folder}: expected a trial scored on every fold, received none of {len(ended)} "
            "finished (each pruned early; --pruner none runs every trial to its end)"
        )
    best, verdict = judge(scored, config.seed, len(ended), task.BASELINE)
    with failing_fit(f"--model {config.family}: expected the best trial's settings to refit on "
                     "the training days"):  # fmt: skip
        holdout, refit = task.holdout(whole, best.params)
    summary = {
        "settings": settings,
        "trials": {"finished": len(ended), "scored": len(scored),
                   "failed": len(records) - len(ended)},
        "best": {"trial": best.number, "params": best.params, "validation_ratio": best.value,
                 "validation_ic": best.attrs.get("ic"), "test_ratio": holdout["ratio"],
                 "test_ic": holdout["ic"], "test_dm_pvalue": holdout["dm_pvalue"]},
        "verdict": verdict,
        "importances": importances(scored, space, config.seed),
        # Days that moved as a split would, long gaps; failed trials, fewer than asked.
        "notes": where.notes + search_notes(records, config, space),
        "left_out": where.left_out or {},
        "reproducibility": reproducibility(config.seed),
    }  # fmt: skip
    if (
        isinstance(refit, FamilyWalk)
        and isinstance(refit.model, Saveable)
        or isinstance(task, SymbolTask)
        and isinstance(refit, Saveable)
    ):
        summary |= _save_refit(folder, refit, task, best.params, where)
    _write_outputs(folder, records, summary, _preset(task, best.params))
    return summary


def _save_refit(folder: Path, refit, task: SymbolTask, params: dict, where: Searched) -> dict:
    """The best configuration's refit (on the training part) as a bundle, for `predict`:
    {"bundle": its name}, or {"no_bundle": why} for prices off XNYS's days (no --exchange).
    `where`: what the search read."""
    bundle = folder / BUNDLE
    if bundle.exists():  # a resumed search that had finished: its refit is made again
        shutil.rmtree(bundle)
    try:
        off = off_sessions(task.training.index, DEFAULT_EXCHANGE, where.source)
    except StockcasterError as err:  # XNYS's calendar does not reach the prices
        off = str(err)
    if off is not None:
        fix = f"train the best configuration with --preset {folder / 'best.toml'} --exchange"
        hint = bundle_hint(DEFAULT_EXCHANGE, "a search's bundle", fix)
        return {"no_bundle": f"no bundle: {advised(off, hint)}"}
    options = task.options(params)
    kept = {"history": task.training, "symbol": where.symbol, "source": where.source,
            "exchange": DEFAULT_EXCHANGE, "notes": where.notes}  # fmt: skip
    if isinstance(refit, FamilyWalk):  # a volatility model, for predict's risk
        estimator = options.preset.features.estimator
        save_variance_bundle(bundle, refit, options, {**kept, "model": task.family,
                                                      "estimator": estimator})  # fmt: skip
    else:
        kept = series_where(task.training, where.symbol, where.source, DEFAULT_EXCHANGE,
                            where.notes)  # fmt: skip
        save_bundle(bundle, task.family, refit, options, kept)
    return {"bundle": BUNDLE}


def _preset(task, params: dict):
    """best.toml's preset (of a universe search: its global model's settings)."""
    return task.preset(params) if isinstance(task, PanelTask) else task.configured(params)


def _child(task, trial) -> dict:
    """A trial as a tracked child run: its parameters, scores and config TOML."""
    metrics = {
        "validation_ratio": trial.value,
        "validation_ic": trial.attrs.get("ic"),
        "seconds": trial.attrs.get("seconds"),
        **{f"fold_{k + 1}": r for k, r in enumerate(trial.attrs.get("fold_ratios", []))},
    }
    config = to_toml(_preset(task, trial.params))
    return {"name": f"trial {trial.number}", "params": {**trial.params, "state": trial.state},
            "metrics": metrics, "text": {"config.toml": config}}  # fmt: skip


def _task(source, config: TuneConfig, space: Space):
    """The trials' task (training part only), the whole data for the holdout, and
    what it read (`Searched`) for the settings and the summary."""
    if isinstance(source, PanelSource):
        config.check_universe()
        universe = UniverseConfig(
            models=(config.family,),
            global_model=_global(config, space),
            features=(config.features,),
        )
        universe.check()
        plan = plan_universe(source, universe)
        learn = plan.prices[plan.prices[C.SYMBOL].isin(plan.eligible)]
        whole = PanelCloses.of(learn.reset_index(drop=True))
        closes = PanelCloses.of(learn[learn[C.DATE] <= plan.cutoff].reset_index(drop=True))
        folds = validation_folds(len(closes.days), config.folds)
        task = PanelTask(config.family, universe.global_model, closes, folds, config.seed,
                         config.cost_bps)  # fmt: skip
        notes = price_notes(plan.prices)  # as `universe` notes them
        symbols = f"{len(plan.eligible)} symbols"
        return task, whole, Searched(plan.panel.source, symbols, notes, plan.left_out)
    config.check_symbol()
    preset = _symbol_preset(config)
    prices = read_source(source)
    series = prices.series
    train_rows = training_rows(len(series), preset.features.test_fraction)
    training = series.iloc[:train_rows]  # the test period is never handed to a trial
    folds = validation_folds(train_rows, config.folds)
    _check_history(space, preset, folds[0].last_fit + 1, config, prices.where)
    task = SymbolTask(config.family, preset, training, folds, config.seed, config.cost_bps,
                      config.settings)  # fmt: skip
    if preset.features.target == VARIANCE:  # the same trials, on log variance
        table = prices.table
        task = VarianceTask(**vars(task), table=table.iloc[:train_rows].reset_index(drop=True))
        return task, table, Searched(prices.source, prices.symbol, price_notes(table))
    return task, series, Searched(prices.source, prices.symbol, price_notes(prices.table))


def _symbol_preset(config: TuneConfig) -> RunConfig:
    return with_features(load_preset(config.preset), target=config.target,
                         estimator=config.estimator)  # fmt: skip


def _builder(source, config: TuneConfig):
    """`params -> model`: a trial's model as the task builds it, unfitted, before any data
    is read (`space.check_values` builds one at each end of the space)."""
    if isinstance(source, PanelSource):
        task = PanelTask(config.family, global_model(config.features), None, [], config.seed)
    else:
        task = SymbolTask(config.family, _symbol_preset(config), None, [], config.seed,
                          settings=config.settings)  # fmt: skip
    return lambda params: task.make(params)()


def _global(config: TuneConfig, space: Space) -> RunConfig:
    """The universe's global model, its lookback the space's longest (so the plan checks
    that every trial's windows fit before the cutoff)."""
    base = global_model(config.features)
    lookback = longest(space, "lookback", base.features.lookback)
    return dataclasses.replace(base, features=dataclasses.replace(base.features, lookback=lookback))


def _seconds(minutes: float | None) -> float | None:
    return minutes * 60 if minutes else None


def _check_history(space: Space, preset, fit_rows: int, config: TuneConfig, data: str) -> None:
    """Refuse a space whose longest lookback needs more closes than the first fold of `data`
    (its file and symbol, for the message) has."""
    most = longest(space, "lookback", preset.features.lookback)
    needed = min_fit_rows(dataclasses.replace(preset.features, lookback=most))
    if needed > fit_rows:
        where = config.space or "the default space"
        fits = (
            n
            for n in range(most - 1, 0, -1)
            if min_fit_rows(dataclasses.replace(preset.features, lookback=n)) <= fit_rows
        )
        longest_fit = next(fits, None)
        way = (f"lookbacks up to {longest_fit} fit: a --space file that keeps to them, or more "
               "history" if longest_fit else "no lookback fits: more history")  # fmt: skip
        raise StockcasterError(
            f"{where}: expected a longest lookback that {data} can fit (its first fold has "
            f"{fit_rows} closes to fit on), received lookback {most}, which needs {needed} "
            f"({way})"
        )


def _settings(config: TuneConfig) -> dict:
    space = Path(config.space).read_text() if config.space else None
    settings = {**dataclasses.asdict(config), "space": space}
    for key in ("settings", "target", "estimator"):  # none set: the settings as before
        if not settings[key]:  # they existed, so a search stored then resumes
            del settings[key]
    return settings


def _write_outputs(folder: Path, records: list, summary: dict, best) -> None:
    table = trials_table(records)
    files.write_atomic(folder / "trials.csv", lambda p: table.to_csv(p, index=False))
    files.write_atomic(folder / "best.toml", lambda p: p.write_text(to_toml(best)))
    files.write_atomic(folder / files.TUNE_FILE, lambda p: files.write_json(p, summary))
    write_tune_figures(folder, summary)
    write_report(folder)
