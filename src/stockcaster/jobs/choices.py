"""What a command may choose from: every registry's names, for the CLI's options.

The CLI reads the registries here and nowhere else (an import-linter contract keeps it
out of `data/`, `features/`, `models/`, `store/` and `tuning/`), so adding a model, a
feature set, a target, a scaler, an engine, a tracker or a report kind is an entry in its
own registry, and every command lists it with no edit.
"""

from __future__ import annotations

from stockcaster.data.sources import DEFAULT_SOURCE, PRICE_KINDS, SOURCES
from stockcaster.data.validate import FILL_POLICIES
from stockcaster.engines import ENGINES
from stockcaster.evaluation.backtest import WINDOWS
from stockcaster.evaluation.risk_books import WEIGHTINGS
from stockcaster.features.feature_sets import FEATURE_SETS
from stockcaster.features.scaling import NORMALISATIONS
from stockcaster.features.targets import PANEL_TARGETS as TARGETS
from stockcaster.features.targets import SERIES_TARGETS
from stockcaster.features.volatility import ESTIMATORS
from stockcaster.jobs.universe_plan import MODES
from stockcaster.models.families import check_epochs_read
from stockcaster.models.presets import preset_names
from stockcaster.models.registry import (
    DEFAULT_MODEL,
    installed_models,
    model_settings,
    model_settings_help,
    models_help,
    parse_models,
    searchable_models,
    universe_models,
)
from stockcaster.models.variance import (
    DEFAULT_VARIANCE_MODELS,
    parse_variance_models,
    run_variance_models,
)
from stockcaster.models.volatility import BASELINES as VOLATILITY_BASELINES
from stockcaster.process import BACKENDS
from stockcaster.reporting.html import REPORT_KINDS
from stockcaster.reporting.tracking import TRACKERS
from stockcaster.settings import parse_names
from stockcaster.store.files import json_text
from stockcaster.tuning.search import PRUNERS, SAMPLERS

UNIVERSE_TARGETS = (*TARGETS, "variance")  # variance: `jobs/risk_universe.py`

__all__ = [
    "BACKENDS",
    "DEFAULT_MODEL",
    "DEFAULT_SOURCE",
    "DEFAULT_VARIANCE_MODELS",
    "ENGINES",
    "ESTIMATORS",
    "FEATURE_SETS",
    "FILL_POLICIES",
    "MODES",
    "NORMALISATIONS",
    "PRICE_KINDS",
    "PRUNERS",
    "REPORT_KINDS",
    "SAMPLERS",
    "SERIES_TARGETS",
    "SOURCES",
    "TARGETS",
    "TRACKERS",
    "UNIVERSE_TARGETS",
    "VOLATILITY_BASELINES",
    "WEIGHTINGS",
    "WINDOWS",
    "check_epochs_read",
    "every_model",
    "feature_sets",
    "json_text",
    "model_settings",
    "model_settings_help",
    "models_help",
    "parse_models",
    "parse_variance_models",
    "run_variance_models",
    "preset_names",
    "searchable_models",
    "universe_models",
]


def every_model() -> list[str]:
    """Every registered model this installation can run."""
    return installed_models(defaults_only=False)


def feature_sets(text: str) -> tuple[str, ...]:
    """`--features returns,ohlcv` as feature set names, each one checked."""
    return parse_names(text, "--features", FEATURE_SETS)
