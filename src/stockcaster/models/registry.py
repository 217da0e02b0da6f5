"""Every model stockcaster can run, by name: one entry per model, read by everything else.

The CLI's `--models` choices and help, the backtest's and the universe's default model
lists, the minimum history a backtest asks for and the contract test all come from
`MODELS`. Adding a model is one module with its forecaster and one `register` call.
"""

from __future__ import annotations

import enum
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from stockcaster.errors import StockcasterError
from stockcaster.models import baselines
from stockcaster.models.base import (
    ClosedForm,
    Forecaster,
    OneStepPath,
    PanelForecaster,
    QuantileForecaster,
    Saveable,
)
from stockcaster.models.builders import (
    global_network,
    global_tabular,
    network,
    network_model,
    preset_history,
    tabular,
)
from stockcaster.models.families import NEURAL, SETTINGS, TABULAR
from stockcaster.models.neural import NetworkForecaster
from stockcaster.models.options import ModelOptions, parse_settings, settings_help
from stockcaster.models.prophet import INSTALL_HINT, ProphetForecaster
from stockcaster.models.space import LIGHTGBM_SPACE, NETWORK_SPACE, RIDGE_SPACE, Space, sized_by
from stockcaster.models.tabular import TabularForecaster
from stockcaster.settings import parse_names

__all__ = ["ModelOptions", "network_model"]  # with the registry's own names below

MIN_HISTORY = 30  # closes before the test period that any model is asked for
DEFAULT_MODEL = "lstm"  # what `train` and `tune` fit when no --model is named


class Capability(enum.Enum):
    """What a model can do beyond `fit` and `predict` (each one a protocol in `base.py`)."""

    ONE_STEP_PATH = "one-step path"  # OneStepPath: every one-step forecast in one pass
    CLOSED_FORM = "closed form"  # ClosedForm: every origin's forecasts at once, no refits
    QUANTILES = "quantiles"  # QuantileForecaster, when its preset asks for quantiles
    PANEL = "panel"  # a PanelForecaster form, trained once for a whole universe
    BUNDLE = "bundle"  # Saveable: saved and loaded as a bundle (`train`, `predict`, tune)


# Each capability is a protocol of `base.py`: a forecaster class that has its methods has it.
_PROTOCOLS = {
    Capability.ONE_STEP_PATH: OneStepPath,
    Capability.CLOSED_FORM: ClosedForm,
    Capability.QUANTILES: QuantileForecaster,
    Capability.BUNDLE: Saveable,
}


def _methods(protocol: type) -> list[str]:
    return [name for name, value in vars(protocol).items() if callable(value)
            and not name.startswith("_")]  # fmt: skip


@dataclass(frozen=True)
class ModelSpec:
    """One model: how to build it and what it needs and can do.

    Attributes:
        name: the name on the command line and in every table.
        help: one line for `--help`.
        make: builds a fresh, unfitted forecaster.
        min_history: closes it needs before the first origin.
        requires: the module an optional extra installs (None: always installed).
        extra: that extra's name, for the install hint.
        universe: in `stockcaster universe`'s default model list.
        forecaster: the class `make` builds: its methods are its capabilities (`base.py`'s
            protocols), read here, never declared.
        make_panel: builds its `PanelForecaster` form, if it has one.
        default: in `stockcaster backtest`'s default model list (the larger families
            are there only when asked for).
        space: its hyper-parameters' default search space for `stockcaster tune`
            (`models/space.py`); None: nothing to search.
        settings: its own settings, a frozen dataclass (`models/options.py`): set with
            `--set NAME.KEY=VALUE`, read by `make` through `ModelOptions.settings_of`,
            and, with a `space` over its fields, searched by `tune`.
    """

    name: str
    help: str
    make: Callable[[ModelOptions], Forecaster]
    min_history: Callable[[ModelOptions], int] = lambda options: MIN_HISTORY
    requires: str | None = None
    extra: str | None = None
    universe: bool = True
    forecaster: type | None = None
    make_panel: Callable[[ModelOptions], PanelForecaster] | None = None
    default: bool = True
    space: Space | None = None
    settings: type | None = None

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What it can do beyond the contract: the protocols its forecaster class keeps,
        and a panel form if it has one."""
        kind = self.forecaster
        kept = {c for c, protocol in _PROTOCOLS.items() if kind is not None
                and all(callable(getattr(kind, m, None)) for m in _methods(protocol))}  # fmt: skip
        return frozenset(kept | ({Capability.PANEL} if self.make_panel is not None else set()))

    def installed(self) -> bool:
        """Whether this installation can run it (its extra, if any, is installed)."""
        return self.requires is None or importlib.util.find_spec(self.requires) is not None


MODELS: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    """Add a model to the registry (replacing one of the same name)."""
    MODELS[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a model (for tests that register a toy one)."""
    MODELS.pop(name, None)


def installed_models(defaults_only: bool = True) -> list[str]:
    """The models this installation can run, in registry order (by default: the defaults)."""
    return [n for n, s in MODELS.items() if s.installed() and (s.default or not defaults_only)]


def universe_models() -> tuple[str, ...]:
    """`stockcaster universe`'s default: installed per-symbol models, then panel models."""
    chosen = [s for s in MODELS.values() if s.universe and s.installed()]
    return tuple(s.name for s in sorted(chosen, key=lambda s: s.make_panel is not None))


def searchable_models() -> list[str]:
    """The models `stockcaster tune` can search: those with a search space."""
    return [name for name, spec in MODELS.items() if spec.space is not None]


def models_with(capability: Capability) -> list[str]:
    """The registered models that have `capability`, in registry order."""
    return [name for name, spec in MODELS.items() if capability in spec.capabilities]


def model_settings(items: list[str] | None) -> tuple[tuple[str, object], ...]:
    """`--set MODEL.KEY=VALUE` items as each model's settings (`options.parse_settings`)."""
    return parse_settings(items, _settings_kinds())


def model_settings_help() -> str:
    """`--set`'s help, listing every registered model's own settings."""
    return settings_help(_settings_kinds())


def _settings_kinds() -> dict[str, type | None]:
    """Each registered model's settings dataclass (None: none of its own)."""
    return {name: spec.settings for name, spec in MODELS.items()}


def parse_models(text: str | None, default: list[str] | tuple[str, ...] | None = None) -> list[str]:
    """Parse `--models lstm,naive,...`; None gives `default` (every installed model).

    Raises:
        StockcasterError: an unknown or empty name, or a model whose extra is missing.
    """
    if text is None:
        return list(default) if default is not None else installed_models()
    return list(check_models(parse_names(text, "--models", MODELS)))


def check_models(names) -> tuple[str, ...]:
    """Names of registered, installed models, as a job takes them (not a string: its letters);
    raises StockcasterError for another type, an unknown name, or a missing extra."""
    if isinstance(names, str) or not all(isinstance(n, str) and n in MODELS for n in names):
        raise StockcasterError(f"--models: expected names among {', '.join(MODELS)}, "
                               f"received {names!r}")  # fmt: skip
    for spec in (MODELS[name] for name in names):
        if not spec.installed():
            raise StockcasterError(
                f"--models: expected an installed model, received {spec.name!r}, which needs "
                f"the {spec.requires} package (pip install 'stockcaster[{spec.extra}]')"
            )
    return tuple(names)


def forecaster_factory(name: str, options: ModelOptions) -> Callable[[], Forecaster]:
    """A function that builds a fresh, unfitted forecaster of `name`."""
    spec = MODELS[name]
    return lambda: spec.make(options)


def min_history(names: list[str] | tuple[str, ...], options: ModelOptions) -> int:
    """The one history rule: closes before the test period that every model in `names` needs."""
    return max([MIN_HISTORY, *(MODELS[name].min_history(options) for name in names)])


def all_closed_form(names: list[str] | tuple[str, ...]) -> bool:
    """Whether every model in `names` is a closed form: arithmetic, cheaper than a process."""
    return all(Capability.CLOSED_FORM in MODELS[name].capabilities for name in names)


def models_help() -> str:
    """`--models` help: every name with its one line."""
    return "Comma-separated, from: " + "; ".join(f"{s.name} ({s.help})" for s in MODELS.values())


_FAMILY_HELP = {
    "lstm": "the preset's recurrent network",
    "gru": "the preset's recurrent layers with GRU cells",
    "seed": "the post's GRU(256) -> LSTM(256) network",
    "tcn": "dilated causal convolutions (TCN)",
    "transformer": "self-attention encoder blocks",
    "mlp": "N-BEATS-like fully connected blocks",
    "linear": "ridge regression on the flattened window",
    "lightgbm": "gradient-boosted trees on the flattened window (extra: lightgbm)",
}
for _family in NEURAL:
    register(
        ModelSpec(
            _family,
            _FAMILY_HELP[_family] + "; in a universe, one global network",
            network(_family),
            min_history=preset_history,
            universe=_family == "lstm",
            forecaster=NetworkForecaster,
            make_panel=global_network(_family),
            default=_family == "lstm",
            space=sized_by(NETWORK_SPACE, SETTINGS.get(_family)),
            settings=SETTINGS.get(_family),
        )
    )
for _family in TABULAR:
    register(
        ModelSpec(
            _family,
            _FAMILY_HELP[_family] + "; in a universe, one global model",
            tabular(_family),
            min_history=preset_history,
            requires="lightgbm" if _family == "lightgbm" else None,
            extra="lightgbm" if _family == "lightgbm" else None,
            universe=False,
            forecaster=TabularForecaster,
            make_panel=global_tabular(_family),
            default=False,
            space=LIGHTGBM_SPACE if _family == "lightgbm" else RIDGE_SPACE,
        )
    )
_CLOSED_FORM = baselines.ClosedFormForecaster
register(
    ModelSpec(
        "naive", "tomorrow = today's close", lambda o: baselines.naive(), forecaster=_CLOSED_FORM
    )
)
register(
    ModelSpec(
        "drift", "random walk with drift", lambda o: baselines.drift(), forecaster=_CLOSED_FORM
    )
)
register(
    ModelSpec(
        "ma",
        "mean of the last --ma-window closes",
        lambda o: baselines.moving_average(o.ma_window),
        min_history=lambda o: o.ma_window + 1,
        forecaster=_CLOSED_FORM,
    )
)
register(
    ModelSpec(
        "arima",
        "AutoARIMA, fitted on the training window",
        lambda o: baselines.arima(),
        forecaster=baselines.FittedStatsforecast,
    )
)
register(
    ModelSpec(
        "prophet",
        f"Prophet, an optional extra: {INSTALL_HINT}",
        lambda o: ProphetForecaster(),
        forecaster=ProphetForecaster,
        requires="prophet",
        extra="prophet",
        universe=False,
    )
)
