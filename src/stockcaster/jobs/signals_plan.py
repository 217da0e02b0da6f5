"""What `stockcaster signals` judges, and how: its plan, checked before anything is read.

Each setting is checked as the command's option would be, so that a Python caller's plan
(`jobs/signals.py::signals`) is refused in the same words: models with a panel form,
factors by name, whole numbers of sessions and quantile groups, a cost and a buffer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stockcaster.errors import StockcasterError
from stockcaster.evaluation.tear_sheet import DECILES
from stockcaster.evaluation.trading import check_cost
from stockcaster.features.factors import FACTORS
from stockcaster.features.feature_sets import FEATURE_SETS
from stockcaster.models.presets import RunConfig, load_preset
from stockcaster.models.registry import MODELS, check_models
from stockcaster.settings import check_names, whole_number

HORIZONS = (1, 5, 21)


@dataclass(frozen=True)
class SignalsPlan:
    """What `signals` judges, and how.

    Attributes:
        models: panel models (registry names with a panel form), each trained per horizon.
        factors: factor baselines (None: every one the panel's columns allow).
        features: the feature sets each model is trained on, one pair each.
        horizons: sessions ahead each signal is judged on.
        bins: quantiles of each day's scores (10: deciles).
        cost_bps: cost per half-turn (a unit of weight traded), in basis points.
        buffer: the buffered book keeps a name until it leaves this share of the ranks.
    """

    models: tuple[str, ...] = ()
    factors: tuple[str, ...] | None = None
    features: tuple[str, ...] = ("returns",)
    horizons: tuple[int, ...] = HORIZONS
    test_fraction: float = 0.25
    min_history: int = 60
    bins: int = DECILES
    cost_bps: float = 5.0
    buffer: float | None = 0.2
    global_model: RunConfig = field(default_factory=lambda: load_preset("universe"))
    settings: tuple[tuple[str, object], ...] = ()

    def check(self) -> None:
        """Raises: StockcasterError naming the option, what it allows and what it got."""
        for name in check_models(self.models):  # known and installed (else the extra's hint)
            if MODELS[name].make_panel is None:
                panel = [n for n, s in MODELS.items() if s.make_panel is not None]
                raise StockcasterError(
                    f"--models: expected models with a panel form ({', '.join(panel)}), "
                    f"received {name!r}"
                )
        check_names(self.factors, "--factors", FACTORS)
        check_names(self.features, "--features", FEATURE_SETS)
        if not self.models and self.factors is not None and not self.factors:
            raise StockcasterError("--factors: expected a factor, or a model of --models, to "
                                   "judge, received none")  # fmt: skip
        check_cost(self.cost_bps)
        h = tuple(self.horizons) if isinstance(self.horizons, tuple | list) else ()
        given = ",".join(map(str, h)) if h else repr(self.horizons)
        buffer = self.buffer or None  # 0, as on the command line: no buffered book
        for wrong, option, what, received in (
            (not h or not all(whole_number(n) and n >= 1 for n in h) or len(set(h)) < len(h),
             "--horizon", "distinct sessions >= 1", given),
            (not whole_number(self.bins) or self.bins < 2, "--bins",
             "at least 2 quantile groups", self.bins),
            (buffer is not None and not (isinstance(buffer, float | int) and 0 < buffer <= 0.5),
             "--buffer", "a share in (0, 0.5], or 0 for no buffered book", self.buffer),
        ):  # fmt: skip
            if wrong:
                raise StockcasterError(f"{option}: expected {what}, received {received}")
