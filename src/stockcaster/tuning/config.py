"""What a search tries and how: `TuneConfig`, every setting checked before anything starts."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from pathlib import Path

from stockcaster.errors import StockcasterError
from stockcaster.evaluation.trading import MOST_COST_BPS
from stockcaster.features.targets import SERIES_TARGETS
from stockcaster.models.options import check_settings_run
from stockcaster.models.registry import DEFAULT_MODEL
from stockcaster.settings import whole_number
from stockcaster.tuning.search import check_choices

# A search of more trials than this is a typo, not a plan: 2**32 trials of the cheapest
# model would run for years (found by bench/fuzz.py's hostile option values).
MAX_TRIALS = 10_000


@dataclass(frozen=True)
class TuneConfig:
    """What a search tries and how.

    Attributes:
        family: a family of the model registry with hyper-parameters (the networks,
            linear, lightgbm).
        trials: trials to finish (run or pruned).
        space: a TOML file overriding the family's default space.
        sampler, pruner: Optuna's (tuning/search.py lists them).
        folds: validation folds tiling the training part's last 30%.
        timeout_minutes: stop starting trials after this long (None: no limit).
        seed: the sampler's and the models' seed.
        preset: the preset every trial of one symbol starts from.
        cost_bps: trading cost of the long/flat rule in the Deflated Sharpe Ratio.
        features: a universe's feature set (`features/panel.py`).
        engine: "local" (Optuna, one trial at a time, resumable) or "ray" (Ray Tune).
        workers: Ray trials at once (None: 2).
        ray_address: an existing Ray cluster (None: a local instance, for this search).
        trial_cpus, trial_gpus: each Ray trial's resources (None: the CPUs / workers).
        settings: the models' own settings every trial starts from (`--set`).
        target: the preset's target over it (None: the preset's); "variance" searches a
            family on one symbol's log variance, scored by QLIKE.
        estimator: the variance target's range estimator (None: the preset's).
    """

    family: str = DEFAULT_MODEL
    trials: int = 20
    space: str | Path | None = None
    sampler: str = "tpe"
    pruner: str = "median"
    folds: int = 3
    timeout_minutes: float | None = None
    seed: int = 0
    preset: str = "default"
    cost_bps: float = 5.0
    features: str = "returns"
    engine: str = "local"
    workers: int | None = None
    ray_address: str | None = None
    trial_cpus: float | None = None
    trial_gpus: float = 0.0
    settings: tuple[tuple[str, object], ...] = ()
    target: str | None = None
    estimator: str | None = None

    def check(self) -> None:
        """Every setting in range, before anything starts (a folder, a study, Ray).

        Raises:
            StockcasterError: "--option: expected ..., received ..." for the first bad one.
        """
        limits = (
            ("--trials", self.trials, 1, MAX_TRIALS),
            ("--folds", self.folds, 1, None),
            ("--seed", self.seed, 0, 2**32 - 1),
            ("--workers", self.workers, 1, None),
            ("cost_bps", self.cost_bps, 0, MOST_COST_BPS),  # all of a trade, at most
            ("--trial-gpus", self.trial_gpus, 0, None),
        )
        for option, given, low, high in limits:
            if given is None:
                continue
            whole = option in ("--trials", "--folds", "--seed", "--workers")  # counts, a seed
            number = whole_number(given) if whole else isinstance(given, numbers.Real)
            if (not number or not math.isfinite(given)  # a Python caller's "2", or 1.5 trials
                    or given < low or (high is not None and given > high)):  # fmt: skip
                wanted = f"between {low} and {high}" if high is not None else f"at least {low}"
                raise StockcasterError(f"{option}: expected {'a whole' if whole else 'a'} "
                                       f"number {wanted}, received {given!r}")  # fmt: skip
        for option, given in (("--timeout", self.timeout_minutes),
                              ("--trial-cpus", self.trial_cpus)):  # fmt: skip
            if given is not None and not (isinstance(given, numbers.Real)
                                          and math.isfinite(given) and given > 0):  # fmt: skip
                raise StockcasterError(
                    f"{option}: expected a positive finite number, received {given!r}"
                )
        check_choices(self.sampler, self.pruner)
        check_settings_run(self.settings, [self.family])
        if self.engine not in ("local", "ray"):
            raise StockcasterError(f"--engine: expected local or ray, received {self.engine!r}")
        ray_only = (
            ("--workers", self.workers),
            ("--trial-cpus", self.trial_cpus),
            ("--ray-address", self.ray_address),
        )
        if self.engine == "local":
            for option, given in (*ray_only, ("--trial-gpus", self.trial_gpus or None)):
                if given is not None:
                    raise StockcasterError(
                        f"{option}: expected --engine ray with it, received --engine local"
                    )

    def check_symbol(self) -> None:
        """Refuse what one symbol's search does not read: another feature set than the
        preset's windows (a universe's: `--universe`), or a target no preset has.

        Raises:
            StockcasterError: naming the option.
        """
        if self.features != "returns":
            raise StockcasterError(
                f"--features: expected --universe with it (from Python, a PanelSource), "
                f"received {self.features!r} for one symbol"
            )
        if self.target is not None and self.target not in SERIES_TARGETS:
            raise StockcasterError(
                f"--target: expected one of {', '.join(SERIES_TARGETS)}, received {self.target!r}"
            )

    def check_universe(self) -> None:
        """Refuse what a universe's search does not read (`--universe`): the variance
        target (a universe's risk is `universe --target variance`), and one symbol's preset
        or target (its global model is the universe preset's, on `--features`), which it
        went on without.

        Raises:
            StockcasterError: naming the option.
        """
        if self.target == "variance":
            raise StockcasterError(
                "--target variance: expected one symbol's search (a universe's risk: "
                "universe --target variance), received --universe"
            )
        # Each option as one symbol's search has it by default, or as the universe's reads it.
        unread = (("--preset", self.preset, ("default",)),
                  ("--target", self.target, (None, "log_return")))  # fmt: skip
        for option, given, read in unread:
            if given not in read:
                raise StockcasterError(
                    f"{option}: expected it for one symbol's search (--universe searches the "
                    f"universe preset's global model on --features), received {given} with "
                    "--universe"
                )
