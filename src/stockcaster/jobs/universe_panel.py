"""The universe's global models: every (family, feature set) pair, retrained as time moves on.

Each pair is fitted at the cutoff and, with `retrain_every = K`, again every K trading
days of the test period (on an expanding window, or a sliding one as long as the first);
the forecasts of fit j are those of the days after its cutoff up to the next fit's. A
network's refit starts from the weights of the fit before (saved beside the store, so a
resumed run continues from them); a tabular model is refitted from scratch. Each fit's
forecasts are one stage of the results store, so `--resume` skips every finished fit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import failing_fit
from stockcaster.models.base import Checkpointed
from stockcaster.models.registry import MODELS, ModelOptions
from stockcaster.store import files
from stockcaster.store.results import ResultsStore

GLOBAL_STAGE = "global_model"  # the store's record of each fit: "global_model:NAME:FIT"
DEFAULT_FEATURES = "returns"
COVARIATE_SET = "columns"  # the feature set that reads a file's covariates (--covariates)


def pair_name(model: str, feature_set: str, target: str = "log_return") -> str:
    """The name a pair is scored under: the model's, with the feature set unless "returns"
    and the target unless "log_return" (`lstm`, `lstm:technical`, `lstm:technical:rank`)."""
    parts = [model]
    if feature_set != DEFAULT_FEATURES or target != "log_return":
        parts.append(feature_set)
    if target != "log_return":
        parts.append(target)
    return ":".join(parts)


def retrain_cutoffs(dates: np.ndarray, cutoff: np.datetime64, every: int) -> list[np.datetime64]:
    """The first cutoff, then one every `every` trading days of the test period (0: none)."""
    days = np.unique(dates)
    later = days[days > cutoff]
    if every <= 0 or len(later) <= every:
        return [cutoff]
    return [cutoff, *later[every - 1 : -1 : every]]


@dataclass(frozen=True)
class Schedule:
    """When the global models are fitted, and on which rows.

    Attributes:
        learn: the eligible symbols' prices.
        days: their trading days, sorted.
        cutoffs: the last training day of each fit.
        sliding: train on as many days as the first fit had, not on every day before.
    """

    learn: pd.DataFrame
    days: np.ndarray
    cutoffs: list
    sliding: bool

    def training_rows(self, j: int) -> pd.DataFrame:
        """Rows fit j learns from: every day up to its cutoff, or the last `span` of them."""
        if not self.sliding or j == 0:
            return self.learn
        span = int(np.searchsorted(self.days, self.cutoffs[0], side="right"))
        end = int(np.searchsorted(self.days, self.cutoffs[j], side="right"))
        return self.learn[self.learn[C.DATE] > self.days[end - span - 1]]

    def until(self, j: int):
        """The last day whose forecasts fit j makes (the next fit's cutoff)."""
        return self.cutoffs[j + 1] if j + 1 < len(self.cutoffs) else self.days[-1]


def schedule(plan, config) -> Schedule:
    """The fits of a universe run: `plan` a `UniversePlan`, `config` its `UniverseConfig`."""
    learn = plan.prices[plan.prices[C.SYMBOL].isin(plan.eligible)].reset_index(drop=True)
    days = np.unique(learn[C.DATE].to_numpy(dtype="datetime64[ns]"))
    cutoffs = retrain_cutoffs(days, plan.cutoff, config.retrain_every)
    return Schedule(learn, days, cutoffs, config.window == "sliding")


def stage_name(name: str, fit: int) -> str:
    """The results store's stage of a global model's fit number `fit`."""
    return f"{GLOBAL_STAGE}:{name}:{fit}"


def panel_forecasts(
    store: ResultsStore,
    folder,
    when: Schedule,
    prices: pd.DataFrame,
    config,
    options: ModelOptions,
    advance: Callable[[], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every pair's one-step test forecasts, aligned with `prices`' rows (NaN: none):
    yhat, and lo and hi (NaN but for a quantile head).

    Args:
        when: the fits (`schedule`).
        prices: the universe's price table (`UniversePlan.prices`).
        config: the run's `UniverseConfig`.
        advance: called after each fit.
    """
    keys = pd.MultiIndex.from_frame(prices[[C.SYMBOL, C.DATE]])
    out = {}
    for model, feature_set in config.panel_pairs():
        name = pair_name(model, feature_set, options.global_model.features.target)
        settings = options.global_model.with_inputs(feature_set)
        forecaster = MODELS[model].make_panel(dataclasses.replace(options, global_model=settings))
        parts = []
        for j in range(len(when.cutoffs)):
            stage = stage_name(name, j)
            if store.stage(stage) is None:
                _fit_once(store, folder, forecaster, when, j, name)
                if advance:
                    advance()
            parts.append(store.stage_forecasts(stage))
        values = pd.concat(parts).set_index([C.SYMBOL, C.DATE])[[C.YHAT, C.LO, C.HI]]
        out[name] = pd.DataFrame(values.reindex(keys).to_numpy(), index=prices.index,
                                 columns=[C.YHAT, C.LO, C.HI])  # fmt: skip
    return out


def fit_and_forecast(forecaster, when: Schedule, j: int) -> tuple[pd.DataFrame, dict]:
    """Fit at cutoff j; return the forecasts it owns (up to the next fit) and its record."""
    cutoff, until = when.cutoffs[j], when.until(j)
    rows = when.training_rows(j)
    forecaster.fit(rows, cutoff)
    forecasts = forecaster.predict_after(when.learn[when.learn[C.DATE] <= until])
    forecasts = forecasts[forecasts[C.DATE] > cutoff].reset_index(drop=True)
    record = {
        "fit": j,
        "cutoff": f"{pd.Timestamp(cutoff):%Y-%m-%d}",
        "until": f"{pd.Timestamp(until):%Y-%m-%d}",
        "symbols": int(rows[C.SYMBOL].nunique()),
        **forecaster.record(),
    }
    return forecasts, record


def _fit_once(store, folder, forecaster, when: Schedule, j: int, name: str) -> None:
    """Fit pair `name` at cutoff j and store the forecasts it owns (up to the next fit)."""
    checkpointed = isinstance(forecaster, Checkpointed)
    if j > 0 and checkpointed and forecaster.fitted is None:
        # A resumed run: continue from the network the fit before saved.
        forecaster.restore(files.global_network_file(folder, name, j - 1))
    kept = f"; {folder} keeps the run so far (--resume continues it, another --out starts afresh)"
    with failing_fit(f"--models: expected global model {name} to fit the panel",
                     f"fit {j + 1} of {len(when.cutoffs)}", kept):  # fmt: skip
        forecasts, record = fit_and_forecast(forecaster, when, j)
    if checkpointed:
        files.write_atomic(files.global_network_file(folder, name, j), forecaster.checkpoint)
    store.write_stage(stage_name(name, j), {"model": name, **record}, forecasts)


def fit_records(store: ResultsStore, config, n_fits: int) -> dict[str, list[dict]]:
    """Every pair's stored fit records, in fit order."""
    records = {}
    for model, feature_set in config.panel_pairs():
        name = pair_name(model, feature_set, config.global_model.features.target)
        found = [store.stage(stage_name(name, j)) for j in range(n_fits)]
        records[name] = [r for r in found if r is not None]
    return records
