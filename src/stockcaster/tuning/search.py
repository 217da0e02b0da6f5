"""The search: an Optuna study kept in the output folder, trial after trial, resumable.

The study lives in `study.sqlite3` (Optuna's SQLite storage), so a search killed at any
moment loses at most the trial that was running: `--resume` marks that one failed and runs
new trials until the asked number have finished. Each new session's sampler is seeded
with the seed plus the number of trials already stored, so a resumed search does not draw
the first session's parameter sets again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from stockcaster.errors import StockcasterError
from stockcaster.tuning.space import Param, Space

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband", "none")
STUDY_FILE = "study.sqlite3"
STUDY_NAME = "stockcaster-tune"


def open_study(folder: Path, sampler: str, pruner: str, seed: int, space: Space):
    """Create the study in `folder`, or load the one stored there; mark dead trials failed."""
    # Delayed import: Optuna (and SQLAlchemy under it), only for `tune`.
    import optuna
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
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
        sampler=_sampler(sampler, seed + len(stored), space),
        pruner=_pruner(pruner),
        load_if_exists=True,
    )


def finished(study) -> list:
    """The trials that ran to the end or were pruned, in the order they started."""
    from optuna.trial import TrialState  # Delayed import: Optuna, only for `tune`.

    done = (TrialState.COMPLETE, TrialState.PRUNED)
    return [t for t in study.get_trials(deepcopy=False) if t.state in done]


def run_trials(study, objective: Callable, trials: int, timeout_s: float | None) -> None:
    """Run trials until `trials` have finished (fewer if `timeout_s` passes first)."""
    remaining = trials - len(finished(study))
    if remaining > 0:
        study.optimize(objective, n_trials=remaining, timeout=timeout_s, catch=(Exception,))


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


def grid(space: Space) -> dict[str, list]:
    """The grid sampler's values: every choice, and each range at its ends and middle
    (the geometric middle on a log scale)."""
    return {name: _grid_values(param) for name, param in space.items()}


def _grid_values(param: Param) -> list:
    if param.kind == "choice":
        return list(param.choices)
    middle = np.sqrt(param.low * param.high) if param.log else (param.low + param.high) / 2
    values = [param.low, middle, param.high]
    return sorted({int(round(v)) for v in values}) if param.kind == "int" else values


def _sampler(name: str, seed: int, space: Space):
    import optuna  # Delayed import: Optuna, only for `tune`.

    if name not in SAMPLERS:
        raise StockcasterError(
            f"--sampler: expected one of {', '.join(SAMPLERS)}, received {name!r}"
        )
    if name == "grid":
        return optuna.samplers.GridSampler(grid(space), seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def _pruner(name: str):
    import optuna  # Delayed import: Optuna, only for `tune`.

    if name not in PRUNERS:
        raise StockcasterError(f"--pruner: expected one of {', '.join(PRUNERS)}, received {name!r}")
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=3)
    return optuna.pruners.NopPruner()
