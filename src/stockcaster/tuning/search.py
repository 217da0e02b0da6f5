"""The search: an Optuna study kept in the output folder, trial after trial, resumable.

The study lives in `study.sqlite3` (Optuna's SQLite storage), so a search killed at any
moment loses at most the trial that was running: `--resume` marks that one failed and runs
new trials until the asked number have finished. Each trial's sampler is seeded with
the seed plus the trial's place (`samplers.py`), so a resumed search draws what an
uninterrupted one would.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from stockcaster.errors import Interrupted, StockcasterError, check_interrupted, in_one_line
from stockcaster.process import quiet_storage_pool
from stockcaster.tuning.space import Space
from stockcaster.tuning.validation import AfterFold, TrialScore, with_ratio

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband", "none")
STUDY_FILE = "study.sqlite3"
STUDY_NAME = "stockcaster-tune"
ERROR = "error"  # a failed trial's attribute: its reason, in one line

Evaluate = Callable[[dict, AfterFold], TrialScore]
"""`(params, after_fold) -> TrialScore`: one trial, its folds reported as they end."""
Progress = Callable[[int, int, float | None], None]
"""`(finished, asked, best ratio so far or None)`: told after every trial that ends."""


@dataclass(frozen=True)
class TrialRecord:
    """One finished trial, whichever engine ran it.

    Attributes:
        number: its place in the order trials were started (0 first).
        state: "complete", "pruned" or "failed" (its model raised: `attrs[ERROR]` says why).
        params: its parameter set.
        value: its validation ratio (None if pruned or failed).
        attrs: `score_attrs`: fold scores, rank IC, per-day losses and rule returns, seconds.
    """

    number: int
    state: str
    params: dict
    value: float | None
    attrs: dict = field(default_factory=dict)

    @property
    def scored(self) -> bool:
        """Whether it ran every fold (its per-day losses are kept)."""
        return self.value is not None and "losses" in self.attrs


def score_attrs(score: TrialScore, seconds: float) -> dict:
    """What a trial keeps of its score (JSON-ready: Optuna's user attributes, Ray's metrics)."""
    return {
        "fold_ratios": list(score.fold_ratios),
        "fold_ics": list(score.fold_ics),
        "ic": score.ic,
        "failed": score.failed,
        "losses": score.losses.tolist(),
        "naive_losses": score.naive_losses.tolist(),
        "rule": score.rule.tolist(),
        "seconds": seconds,
    }


def search_local(
    folder: Path, space: Space, evaluate: Evaluate, options: dict
) -> list[TrialRecord]:
    """Run (or continue) the study in `folder` (`run_trials`); its finished and failed trials.

    Args:
        options: trials, sampler, pruner, seed and timeout_s (None: no limit).
    """
    from optuna import TrialPruned  # Delayed import: Optuna, only for `tune`.

    study = open_study(folder, options["sampler"], options["pruner"], options["seed"], space)

    def objective(trial) -> float:
        started = time.perf_counter()
        params = suggest(trial, space)
        try:
            score = with_ratio(evaluate(params, lambda k, ratio: _prune(trial, k, ratio)))
        except TrialPruned:
            raise
        except Exception as err:  # Optuna marks it failed; its reason is kept with it
            trial.set_user_attr(ERROR, in_one_line(err))
            raise
        finally:  # a pruned trial's time too
            trial.set_user_attr("seconds", time.perf_counter() - started)
        for name, value in score_attrs(score, time.perf_counter() - started).items():
            trial.set_user_attr(name, value)
        return score.ratio

    run_trials(study, objective, options)
    _check_some_finished(study, folder, options["timeout_s"])
    states = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed"}
    return [  # a failed trial with its reason (not one a stopped session left running)
        TrialRecord(t.number, states[t.state.name], t.params, t.value, dict(t.user_attrs))
        for t in finished(study, *states)
        if t.state.name != "FAIL" or ERROR in t.user_attrs
    ]


def _check_some_finished(study, folder: Path, timeout_s: float | None) -> None:
    """Raises: StockcasterError when no trial finished: every one failed (the first one's
    reason is said), or `timeout_s` passed before the first started."""
    if finished(study):
        return
    if timeout_s is not None and not study.get_trials(deepcopy=False):
        raise StockcasterError(
            f"--timeout: expected time for a trial, received {timeout_s / 60:g} minutes, "
            "gone before the first one started"
        )
    failed = finished(study, "FAIL")
    why = next((t.user_attrs[ERROR] for t in failed if ERROR in t.user_attrs), "no reason kept")
    raise StockcasterError(f"{folder}: every trial failed ({why})")


def _prune(trial, fold: int, ratio: float) -> None:
    """Report the ratio so far to the pruner; stop the trial if it says so."""
    import optuna  # Delayed import: Optuna, only for `tune`.

    trial.report(ratio, fold)
    if trial.should_prune():
        raise optuna.TrialPruned()


def open_study(folder: Path, sampler_name: str, pruner: str, seed: int, space: Space):
    """Create the study in `folder`, or load the one stored there; mark dead trials failed."""
    # Delayed import: Optuna (and SQLAlchemy under it), only for `tune`.
    import optuna
    from optuna.trial import TrialState

    quiet_optuna()
    storage = optuna.storages.RDBStorage(f"sqlite:///{folder / STUDY_FILE}")
    try:
        stored = storage.get_all_trials(storage.get_study_id_from_name(STUDY_NAME))
    except KeyError:  # a new search
        stored = []
    for trial in stored:
        if trial.state == TrialState.RUNNING:  # its process died: one search runs at a time
            storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)
    return optuna.create_study(
        storage=storage,
        study_name=STUDY_NAME,
        direction="minimize",
        sampler=sampler(sampler_name, seed, space),
        pruner=_pruner(pruner),
        load_if_exists=True,
    )


def finished(study, *states: str) -> list:
    """The trials that ran to the end or were pruned (or in `states`: "FAIL", say), in the
    order they started."""
    from optuna.trial import TrialState  # Delayed import: Optuna, only for `tune`.

    kept = [TrialState[n] for n in states or ("COMPLETE", "PRUNED")]
    return [t for t in study.get_trials(deepcopy=False) if t.state in kept]


def run_trials(study, objective: Callable, options: dict) -> None:
    """Run `options["trials"]` less those finished (fewer end where some fail or
    `options["timeout_s"]` passes), telling `options["progress"]` (if any) after each."""
    trials, progress = options["trials"], options.get("progress")
    done = finished(study)
    remaining = trials - len(done)
    # A signal Python swallowed (in a collector's callback) stops the search after its trial.
    callbacks = [lambda study, trial: check_interrupted()]
    if progress is not None:
        best = [min((t.value for t in done if t.value is not None), default=None)]

        def told(study, trial) -> None:
            if trial.value is not None:
                best[0] = trial.value if best[0] is None else min(best[0], trial.value)
            progress(len(finished(study)), trials, best[0])

        progress(len(done), trials, best[0])
        callbacks.append(told)
    if remaining > 0:
        with interrupts_as_themselves():
            study.optimize(objective, n_trials=remaining, timeout=options["timeout_s"],
                           catch=(Exception,), callbacks=callbacks)  # fmt: skip


@contextmanager
def interrupts_as_themselves() -> Iterator[None]:
    """Raise a Ctrl-C or SIGTERM as itself, even when Optuna turned it into another error.

    An interrupt that lands while Optuna records a trial leaves a name of its trial loop
    unset, and the loop's `finally` then raises UnboundLocalError, the interrupt as its
    context: the command would end in a traceback instead of its one line and exit 130.
    """
    try:
        yield
    except Exception as error:
        cause = error.__context__
        while cause is not None and not isinstance(cause, KeyboardInterrupt | Interrupted):
            cause = cause.__context__
        if cause is None:
            raise
        raise cause from None


def is_study(path: Path) -> bool:
    """Whether `path` is an SQLite file holding this command's Optuna study (read only)."""
    if not path.is_file():
        return False
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if not {"studies", "trials", "version_info"} <= tables:
                return False
            named = db.execute("SELECT 1 FROM studies WHERE study_name = ?", (STUDY_NAME,))
            return named.fetchone() is not None
        finally:
            db.close()
    except sqlite3.Error:
        return False


def suggest(trial, space: Space) -> dict:
    """One trial's parameters, drawn from `space`."""
    params = {}
    for name, param in space.items():
        if param.kind == "choice":
            params[name] = trial.suggest_categorical(name, list(param.choices))
        elif param.kind == "int":
            params[name] = trial.suggest_int(name, int(param.low), int(param.high), log=param.log)
        else:
            params[name] = trial.suggest_float(name, param.low, param.high, log=param.log)
    return params


def distributions(space: Space) -> dict:
    """Optuna's distributions of `space` (what `suggest` draws from)."""
    from optuna import distributions as d  # Delayed import: Optuna, only for `tune`.

    made = {}
    for name, param in space.items():
        if param.kind == "choice":
            made[name] = d.CategoricalDistribution(list(param.choices))
        elif param.kind == "int":
            made[name] = d.IntDistribution(int(param.low), int(param.high), log=param.log)
        else:
            made[name] = d.FloatDistribution(param.low, param.high, log=param.log)
    return made


def sampler(name: str, seed: int, space: Space):
    """Optuna's sampler `name`, seeded anew before each trial (`samplers.PerTrialSampler`)."""
    # Delayed import: Optuna, only for `tune`.
    from stockcaster.tuning.samplers import PerTrialSampler, grid, per_trial

    check_choices(name, "none")
    quiet_optuna()
    return PerTrialSampler(per_trial(name, grid(space), seed), seed)


def quiet_optuna() -> None:
    """Optuna says nothing below an error: a study made in memory is no news, and a trial
    that fails is recorded as failed (trials.csv); its warning and traceback, on every
    failure and on Ctrl-C, would bury the command's one line; nor does its storage's pool."""
    import optuna  # Delayed import: Optuna, only for `tune`.

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    quiet_storage_pool()


def check_choices(sampler_name: str, pruner: str) -> None:
    """Raises: StockcasterError for an unknown sampler or pruner, before any trial."""
    if sampler_name not in SAMPLERS:
        raise StockcasterError(
            f"--sampler: expected one of {', '.join(SAMPLERS)}, received {sampler_name!r}"
        )
    if pruner not in PRUNERS:
        raise StockcasterError(
            f"--pruner: expected one of {', '.join(PRUNERS)}, received {pruner!r}"
        )


def _pruner(name: str):
    import optuna  # Delayed import: Optuna, only for `tune`.

    check_choices("random", name)
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=3)
    return optuna.pruners.NopPruner()
