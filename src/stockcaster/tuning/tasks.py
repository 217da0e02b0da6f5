"""What one trial does: a family configured with its parameters, scored on the folds.

`SymbolTask` scores one symbol's model on its training closes (as a panel of one),
`PanelTask` a universe's global model on every symbol's training days, both by
`trials.score_trial`. Each holds only the training part (it is
what an engine ships to a trial's worker), and each is called as
`task(params, after_fold) -> TrialScore`. The best configuration's one look at the test
period is `holdout`, which is given the whole data by the job.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from stockcaster.models.configure import configure, configure_settings
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import MODELS, ModelOptions
from stockcaster.tuning.trials import PanelCloses, SeriesPanel, holdout, score_trial
from stockcaster.tuning.validation import AfterFold, Fold, TrialScore

TUNED = "tuned"  # the name of a search's best.toml preset


@dataclass(frozen=True)
class SymbolTask:
    """Trials of one symbol's `family` on its training closes."""

    BASELINE: ClassVar[str] = "naive"  # whose losses a trial's `naive_losses` are
    family: str
    preset: RunConfig
    training: pd.Series
    folds: list[Fold]
    seed: int = 0
    cost_bps: float = 5.0
    settings: tuple[tuple[str, object], ...] = ()  # the models' own (`--set`)

    def configured(self, params: dict) -> RunConfig:
        """The preset with a trial's parameters (and the search's seed)."""
        return tuned(self.family, self.preset, params, self.seed)

    def options(self, params: dict) -> ModelOptions:
        """What a trial's model is built with: the configured preset, its own settings."""
        settings = configure_settings(self.family, self.settings, params)
        return ModelOptions(preset=self.configured(params), settings=settings)

    def make(self, params: dict):
        options, spec = self.options(params), MODELS[self.family]
        return lambda: spec.make(options)

    def __call__(self, params: dict, after_fold: AfterFold | None = None) -> TrialScore:
        closes = PanelCloses.of_series(self.training)  # a symbol is a panel of one
        panel = functools.partial(SeriesPanel, self.make(params))
        return score_trial(closes, panel, self.folds, after_fold, self.cost_bps)

    def holdout(self, series: pd.Series, params: dict) -> tuple[dict, object]:
        """The configuration refitted on the training closes, scored once on the rest;
        and the refitted model."""
        made, make = [], self.make(params)

        def kept():
            made.append(make())
            return made[-1]

        closes = PanelCloses.of_series(series)
        cutoff = np.datetime64(self.training.index[-1], "ns")
        score = holdout(closes, cutoff, lambda: SeriesPanel(kept), self.cost_bps)
        return score, made[-1]


@dataclass(frozen=True)
class PanelTask:
    """Trials of a universe's global `family` model on every symbol's training days."""

    BASELINE: ClassVar[str] = "naive"
    family: str
    config: RunConfig
    closes: PanelCloses
    folds: list[Fold]
    seed: int = 0
    cost_bps: float = 5.0

    def configured(self, params: dict) -> RunConfig:
        """The global model's config with a trial's parameters (and the search's seed)."""
        return tuned(self.family, self.config, params, self.seed)

    def make(self, params: dict):
        spec = MODELS[self.family]
        settings = configure_settings(self.family, (), params)  # a family's own sizes
        options = ModelOptions(global_model=self.configured(params), settings=settings)
        return lambda: spec.make_panel(options)

    def __call__(self, params: dict, after_fold: AfterFold | None = None) -> TrialScore:
        return score_trial(self.closes, self.make(params), self.folds, after_fold, self.cost_bps)

    def holdout(self, closes: PanelCloses, params: dict) -> tuple[dict, object]:
        """Refitted on every training day, scored once on the days after the last one;
        and the refitted model."""
        model = self.make(params)()
        score = holdout(closes, self.closes.days[-1], lambda: model, self.cost_bps)
        return score, model

    def preset(self, params: dict) -> RunConfig:
        """best.toml of a universe search: its global model's settings, which `universe
        --global-preset` and `train --universe --global-preset` take as they are."""
        best = self.configured(params)
        inputs = best.features.inputs
        return dataclasses.replace(
            best, description=f"tune --universe: the global {self.family} on {inputs}"
        )


def tuned(family: str, config: RunConfig, params: dict, seed: int) -> RunConfig:
    """`config` (a symbol's preset or a universe's global model) with a trial's `params`
    set on `family`, and the search's seed."""
    configured = configure(family, config, params)
    training = dataclasses.replace(configured.training, seed=seed)
    return dataclasses.replace(configured, name=TUNED, training=training)
