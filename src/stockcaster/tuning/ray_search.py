"""The search on Ray Tune: the same trials as the local engine, run side by side.

Optuna stays the search algorithm (Ray Tune's `OptunaSearch`, with the sampler the local
engine would use and the same space, drawn in the same order), so with the random sampler
and a seed both engines try the same parameter sets. Each trial is a Ray Tune trial with
its own CPUs (and GPUs); it reports the ratio after each fold, and the pruner is Ray
Tune's scheduler of the same idea (median: `MedianStoppingRule`; hyperband: ASHA). The
task (the training part only) goes into Ray's object store once. Ray Tune keeps its own
records under `--out`/ray; a Ray search cannot be resumed (the local engine's can).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from stockcaster.engines.ray import RayEngine
from stockcaster.errors import StockcasterError, in_one_line
from stockcaster.tuning.config import TuneConfig
from stockcaster.tuning.search import (
    ERROR,
    Evaluate,
    TrialRecord,
    sampler,
    score_attrs,
    suggest,
)
from stockcaster.tuning.space import Space
from stockcaster.tuning.validation import with_ratio

NUMBER = "__trial_number"  # Optuna's number of the trial, carried in its Ray Tune config


@contextlib.contextmanager
def ray_session(config: TuneConfig, options: dict) -> Iterator[dict]:
    """The search's options, on its engine: for Ray, a session held for the search, whose
    resources are checked before the folder is touched (Ray would wait forever for a GPU
    it does not have), and stopped with the command; for the local engine, as they are."""
    if config.engine != "ray":
        yield options
        return
    engine, options = ray_engine(config), _ray_options(config, options)
    engine.check()
    with engine.session() as ray:
        check_resources(ray.cluster_resources(), options["resources"])
        yield options


def ray_engine(config: TuneConfig) -> RayEngine:
    return RayEngine(workers=None, address=config.ray_address)


def _ray_options(config: TuneConfig, options: dict) -> dict:
    """Trials at once (2 unless --workers) and each one's CPUs (the machine's shared out
    unless --trial-cpus) and GPUs."""
    workers = config.workers or 2
    cpus = config.trial_cpus or max(1.0, (os.cpu_count() or 1) / workers)
    resources = {"cpu": cpus, "gpu": config.trial_gpus}
    return {**options, "workers": workers, "resources": resources}


def search_ray(
    folder: Path, space: Space, evaluate: Evaluate, options: dict, engine: RayEngine
) -> list[TrialRecord]:
    """Run `options["trials"]` trials as Ray Tune trials; return them in the order started.

    Args:
        options: trials, sampler, pruner, seed, timeout_s, folds, workers (trials at once)
            and resources (per trial: {"cpu": n, "gpu": m}).
        engine: checked, its session started and its resources checked by the caller
            (`jobs/tune.py`), before the search's folder is touched.
    """
    # Ray Tune's own loggers (CSV, TensorBoard, JSON per trial) are not needed here.
    os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    # Ctrl-C stops the command as on every other (exit 130, Ray stopped with it): Ray Tune's
    # own handler would end the search quietly and hand back trials that never ran.
    os.environ.setdefault("TUNE_DISABLE_SIGINT_HANDLER", "1")
    # Delayed import: Ray Tune (an optional extra, seconds to import), only for --engine ray.
    from ray import tune
    from ray.tune.search.optuna import OptunaSearch

    searcher = OptunaSearch(
        space=_Define(space),
        metric="ratio",
        mode="min",
        sampler=sampler(options["sampler"], options["seed"], space),
    )
    trainable = tune.with_resources(
        tune.with_parameters(_trial, evaluate=evaluate, folds=options["folds"]),
        options["resources"],
    )
    with engine.session():  # the caller's session, its resources checked (jobs/tune.py)
        tuner = tune.Tuner(
            trainable,
            tune_config=tune.TuneConfig(
                search_alg=searcher,
                scheduler=_scheduler(options["pruner"]),
                num_samples=options["trials"],
                max_concurrent_trials=options["workers"],
                # A trial runs in the process of one before it (every trial asks the same
                # resources): the library and Keras are imported once a worker, not a trial.
                reuse_actors=True,
                time_budget_s=options["timeout_s"],
            ),
            run_config=tune.RunConfig(
                storage_path=str((folder / "ray").resolve()),
                name="search",
                verbose=0,
                callbacks=_told(options.get("progress"), options["trials"]),
            ),  # fmt: skip
        )
        results = tuner.fit()
    return _records(results)


def _told(progress, trials: int) -> list:
    """A Ray Tune callback telling `progress` of every trial that ends (none without one)."""
    if progress is None:
        return []
    from ray.tune import Callback  # Delayed import: Ray Tune, only for --engine ray.

    class Told(Callback):
        def __init__(self):
            self.done, self.best = 0, None

        def on_trial_complete(self, iteration, trials_now, trial, **info):
            self.done += 1
            last = trial.last_result or {}
            if last.get("final") and last.get("ratio") is not None:
                ratio = float(last["ratio"])
                self.best = ratio if self.best is None else min(self.best, ratio)
            progress(self.done, trials, self.best)

    progress(0, trials, None)
    return [Told()]


def check_resources(have: dict, each: dict) -> None:
    """Refuse a trial that asks for more CPUs or GPUs than the Ray instance has: Ray would
    wait for them forever."""
    for key, name in (("cpu", "CPU"), ("gpu", "GPU")):
        if each[key] > have.get(name, 0):
            raise StockcasterError(
                f"--trial-{key}s: expected at most the {have.get(name, 0):g} {name}s Ray "
                f"has, received {each[key]:g}"
            )


class _Define:
    """The space, drawn in `suggest`'s order (an object, so Ray Tune can pickle its searcher)."""

    def __init__(self, space: Space):
        self.space = space

    def __call__(self, trial) -> dict:
        suggest(trial, self.space)
        return {NUMBER: trial.number}  # a constant of the trial's config: its place in order


def _trial(config: dict, evaluate: Evaluate, folds: int) -> None:
    """One Ray Tune trial: the folds, each reported as it ends, then the whole score."""
    from ray import tune  # Delayed import: inside a Ray worker.

    started = time.perf_counter()

    def after_fold(k: int, ratio: float) -> None:
        if k < folds - 1:  # the last fold's ratio is the final report's
            tune.report({"ratio": ratio, "final": False})

    params = {k: v for k, v in config.items() if k != NUMBER}
    score = with_ratio(evaluate(params, after_fold))
    attrs = score_attrs(score, time.perf_counter() - started)
    tune.report({"ratio": score.ratio, "final": True, **attrs})


def _scheduler(pruner: str):
    # Delayed import: Ray Tune's schedulers, only for --engine ray.
    from ray.tune.schedulers import ASHAScheduler, FIFOScheduler, MedianStoppingRule

    if pruner == "median":
        return MedianStoppingRule(
            metric="ratio", mode="min", time_attr="training_iteration", min_samples_required=3
        )
    if pruner == "hyperband":
        return ASHAScheduler(metric="ratio", mode="min", max_t=3, grace_period=1)
    return FIFOScheduler()


def _records(results) -> list[TrialRecord]:
    """Ray Tune's results as trial records, numbered in the order the trials started."""
    kept = []
    for result in results:
        if result.config is None:
            continue
        params = dict(result.config)
        order = params.pop(NUMBER)
        if result.error is not None:  # a failed trial, kept with its reason, as locally
            kept.append((order, "failed", params, None, {ERROR: _reason(result.error)}))
            continue
        if not result.metrics:
            continue
        metrics = result.metrics
        final = bool(metrics.get("final"))
        attrs = {k: metrics[k] for k in _ATTRS if k in metrics}
        value = float(metrics["ratio"]) if final else None
        kept.append((order, "complete" if final else "pruned", params, value, attrs))
    if not any(row[1] != "failed" for row in kept) and len(results):
        why = next((row[4][ERROR] for row in kept if row[1] == "failed"), results[0].error)
        raise StockcasterError(f"--engine ray: every trial failed ({why})")
    kept.sort(key=lambda row: row[0])
    return [TrialRecord(*row) for row in kept]


_ATTRS = ("fold_ratios", "fold_ics", "ic", "failed", "losses", "naive_losses", "rule", "seconds")


def _reason(error: BaseException) -> str:
    """A failed Ray trial's reason in one line: the model's own error, not Ray's wrappers."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return in_one_line(error)
