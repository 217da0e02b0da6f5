"""A sampler seeded anew for every trial, so that a trial's draw depends on the search's seed
and its place in the search only: what the trials before it were does not change which
random numbers it gets.

Why: a search stopped by a signal and resumed must draw what an uninterrupted one would.
One sampler seeded once would draw the trial after the interruption from a random state the
first session consumed; and a sampler reseeded "seed + trials stored" on resume would draw
the interrupted trial's parameters never. Here trial k (counting the trials that did not
fail) is drawn by Optuna's own sampler seeded `seed + k`, on the local engine and on Ray
Tune alike, so both engines draw the same parameter sets. The grid sampler is the exception
(`per_trial`): one order of the grid, by the search's seed, walked trial by trial.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import optuna
from optuna.samplers import BaseSampler
from optuna.trial import TrialState

from stockcaster.tuning.space import Param, Space


class PerTrialSampler(BaseSampler):
    """Optuna's sampler `make(seed)` made again before each trial, seeded with the search's
    seed plus the trial's place among the trials that did not fail.

    Args:
        make: `seed -> sampler` (the random, TPE or grid sampler of `search.sampler`).
        seed: the search's seed.
    """

    def __init__(self, make: Callable[[int], BaseSampler], seed: int):
        self._make, self._seed = make, seed
        self._inner = make(seed)

    def before_trial(self, study: optuna.Study, trial) -> None:
        failed = study.get_trials(deepcopy=False, states=(TrialState.FAIL,))
        place = trial.number - sum(t.number < trial.number for t in failed)
        self._inner = self._make(self._seed + place)
        self._inner.before_trial(study, trial)

    def infer_relative_search_space(self, study, trial):
        return self._inner.infer_relative_search_space(study, trial)

    def sample_relative(self, study, trial, search_space):
        return self._inner.sample_relative(study, trial, search_space)

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self._inner.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study, trial, state, values) -> None:
        self._inner.after_trial(study, trial, state, values)


def per_trial(name: str, cells: dict, seed: int) -> Callable[[int], BaseSampler]:
    """`PerTrialSampler`'s `make`: trial k's sampler from seed `seed + k`; but the grid
    sampler always from the search's own `seed`. It walks one shuffled order of the grid by
    trial number, so a new order for every trial repeated some points and skipped others
    (3 trials over a range's 3 points drew its top end twice)."""
    if name == "grid":
        return lambda _: seeded(name, cells, seed)
    return functools.partial(seeded, name, cells)


def seeded(name: str, cells: dict, seed: int):
    """Optuna's sampler `name` with `seed` (`cells`: the grid sampler's values)."""
    if name == "grid":
        return optuna.samplers.GridSampler(cells, seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


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
