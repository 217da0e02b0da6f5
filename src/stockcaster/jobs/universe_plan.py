"""What a universe run is asked to do, checked before anything is written.

`UniverseConfig` holds the run's settings; `PanelSource` where its prices come from;
`plan_universe` reads the panel, picks the symbols and the common cutoff, and refuses
a panel on which nothing could run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data import FillPolicy
from stockcaster.data.panel import Panel, load_panel, select_symbols
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.backtest import WINDOWS, check_sliding
from stockcaster.evaluation.risk_books import WEIGHTINGS
from stockcaster.evaluation.symbol_work import shortfalls
from stockcaster.evaluation.trading import check_cost
from stockcaster.features.feature_sets import FEATURE_SETS, feature_set_spec, window_rows
from stockcaster.features.split import last_training_day
from stockcaster.features.targets import check_cross_section
from stockcaster.models.options import check_settings_run
from stockcaster.models.presets import RunConfig, load_preset
from stockcaster.models.registry import MODELS, ModelOptions, check_models, universe_models
from stockcaster.process import current_backend
from stockcaster.settings import check_count, check_names, check_share
from stockcaster.store.files import json_text

Mode = Literal["per-symbol", "global"]
MODES: tuple[str, ...] = ("per-symbol", "global")


@dataclass(frozen=True)
class UniverseConfig:
    """How a universe run is done (besides the data and the folder).

    Attributes:
        mode: "global" (one model for all symbols, where a model has a panel form) or
            "per-symbol" (one per symbol).
        models: model names from the registry.
        test_fraction: share of the panel's trading days, from the end, forecast.
        min_history: fewest closes up to the cutoff for a symbol to be run.
        retrain_every: refits of per-symbol models, in origins (0: fit once).
        top_k: symbols long and short in the cross-sectional portfolio.
        cost_bps: trading cost per unit of weight traded, in basis points.
        ma_window: closes averaged by the moving-average baseline.
        global_model: the global models' config (a preset, `universe` by default).
        preset: the per-symbol networks' preset.
        features: the feature sets every global model is trained on, one pair each;
            empty for the global model's own (`features.inputs`) alone.
        window: the global models' training rows at a refit: "expanding" (all days up
            to it) or "sliding" (as many days as the first fit had).
        settings: the models' own settings (`--set`, `registry.model_settings`).
        weights: the book's weights within each leg: "equal", or "inverse-vol" (by each
            symbol's predicted volatility, `evaluation/risk_books.py`).
    """

    mode: Mode = "global"
    models: tuple[str, ...] = field(default_factory=universe_models)
    test_fraction: float = 0.25
    min_history: int = 60
    retrain_every: int = 0
    top_k: int = 10
    cost_bps: float = 5.0
    ma_window: int = 5
    global_model: RunConfig = field(default_factory=lambda: load_preset("universe"))
    preset: str = "default"
    features: tuple[str, ...] = ()
    window: str = "expanding"
    settings: tuple[tuple[str, object], ...] = ()
    weights: str = "equal"

    def model_options(self) -> ModelOptions:
        """What the run's models are built with."""
        return ModelOptions(load_preset(self.preset), self.ma_window, self.global_model,
                            self.settings)  # fmt: skip

    def check(self) -> None:
        """Raises: StockcasterError for a value out of range, or settings of no model run."""
        check_models(self.models)  # none: signals' factors alone
        check_settings_run(self.settings, self.models)
        check_share(self.test_fraction, "--test-fraction")
        for name, least in (("min_history", 1), ("top_k", 1), ("ma_window", 1),
                            ("retrain_every", 0)):  # fmt: skip
            check_count(getattr(self, name), f"--{name.replace('_', '-')}", least)
        check_cost(self.cost_bps)
        if not isinstance(self.global_model, RunConfig):
            raise StockcasterError(f"--global-preset: expected a RunConfig, received "
                                   f"{self.global_model!r:.40}")  # fmt: skip
        check_names(self.features, "--features", FEATURE_SETS)
        for option, value, allowed in (("--mode", self.mode, MODES),
                                       ("--window", self.window, WINDOWS),
                                       ("--weights", self.weights, WEIGHTINGS)):  # fmt: skip
            if value not in allowed:
                raise StockcasterError(
                    f"{option}: expected one of {', '.join(allowed)}, received {value!r}"
                )
        if self.panel_models():  # per-symbol models take no --window (cli/universe.py)
            check_sliding(self.window, self.retrain_every)
        for name in self.feature_sets():
            feature_set_spec(name)

    def panel_models(self) -> tuple[str, ...]:
        """The models trained once for all symbols (global mode, models with a panel form)."""
        if self.mode != "global":
            return ()
        return tuple(m for m in self.models if MODELS[m].make_panel is not None)

    def reads_preset(self) -> bool:
        """Whether a model is trained per symbol on `preset` (per-symbol mode, a model with
        a panel form: the baselines read none)."""
        return self.mode != "global" and any(MODELS[m].make_panel for m in self.models)

    def feature_sets(self) -> tuple[str, ...]:
        """The feature sets the global models are trained on."""
        return self.features or (self.global_model.features.inputs,)

    def panel_pairs(self) -> list[tuple[str, str]]:
        """Every (global model, feature set) pair this run trains, model by model."""
        return [(m, f) for m in self.panel_models() for f in self.feature_sets()]


@dataclass(frozen=True)
class PanelSource:
    """Where a universe's prices come from.

    Attributes:
        data: the long-format price file (one row per date and symbol), a folder of a
            file a symbol, or a DataFrame of prices in memory.
        symbols: symbols to run, in order; None for every symbol in the file.
        columns, fill: as for the other commands.
        strict: stop at the first broken row instead of setting its symbol aside.
    """

    data: str | Path | pd.DataFrame
    symbols: list[str] | None = None
    columns: Mapping[str, str] | None = None
    fill: FillPolicy | None = None
    strict: bool = False


@dataclass(frozen=True)
class UniversePlan:
    """The checked panel: which symbols run, the cutoff and the run's settings."""

    panel: Panel
    chosen: list[str]  # every symbol asked for, broken ones included
    runnable: list[str]  # the chosen symbols without broken rows
    prices: pd.DataFrame  # the runnable symbols' prices
    cutoff: np.datetime64
    eligible: list[str]  # runnable symbols with enough history (the global model's)
    settings: dict
    left_out: dict[str, str]  # each chosen symbol not eligible: why (broken rows, history)


def plan_universe(source: PanelSource, config: UniverseConfig) -> UniversePlan:
    """Read the panel and check that something can run on it.

    Raises:
        StockcasterError: bad input, no symbol without broken rows, or none with enough
            history before the cutoff.
    """
    panel = load_panel(source.data, source.columns, source.fill, source.strict)
    chosen = select_symbols(panel, source.symbols)
    runnable = [s for s in chosen if s not in panel.broken]
    prices = panel.prices[panel.prices[C.SYMBOL].isin(runnable)].reset_index(drop=True)
    if prices.empty:
        first = next((f" ({s}: {panel.broken[s]})" for s in chosen if s in panel.broken), "")
        raise StockcasterError(
            f"{panel.source}: expected at least one symbol without broken rows, received "
            f"none among {len(chosen)}{first}"
        )
    days = np.unique(prices[C.DATE].to_numpy(dtype="datetime64[ns]"))
    cutoff = last_training_day(days, config.test_fraction)
    short = shortfalls(prices, cutoff, config.min_history)
    eligible = sorted(s for s, why in short.items() if why is None)
    if not eligible:
        raise StockcasterError(
            f"{panel.source}: expected at least one symbol with {config.min_history} closes up "
            f"to the cutoff {pd.Timestamp(cutoff):%Y-%m-%d} and one after it, received none "
            f"among {len(runnable)} (lower --min-history or --test-fraction)"
        )
    if config.panel_models():
        check_cross_section(config.global_model.features, eligible)
        _check_windows(prices, eligible, cutoff, config, panel.source)
    settings = _settings(panel, chosen, config, cutoff)
    if source.columns or source.fill:  # how to read the file again (`explain`); none: as before
        settings["data"].update(columns=dict(source.columns or {}), fill=source.fill)
    why = {**panel.broken, **{s: said for s, said in short.items() if said is not None}}
    left_out = {s: why[s] for s in chosen if s in why}  # as chosen, a subset's too
    return UniversePlan(panel, chosen, runnable, prices, cutoff, eligible, settings, left_out)


def _check_windows(
    prices: pd.DataFrame,
    eligible: list[str],
    cutoff: np.datetime64,
    config: UniverseConfig,
    source: str,
) -> None:
    """Refuse, before the store is made, feature sets whose columns are missing and a
    lookback that leaves a global model no windows.

    A symbol with r closes up to the cutoff has r - warmup rows with every feature, and
    r - warmup - lookback windows whose target is a training day.
    """
    lookback = config.global_model.features.lookback
    rows = prices[prices[C.SYMBOL].isin(eligible) & (prices[C.DATE] <= cutoff)]
    counts = rows.groupby(C.SYMBOL).size().to_numpy()
    for name in config.feature_sets():
        spec = FEATURE_SETS[name]
        missing = [c for c in spec.needs if c not in prices.columns]
        if missing:
            raise StockcasterError(
                f"{source}: expected columns {', '.join(spec.needs)} for --features {name}, "
                f"received a file without {', '.join(missing)}"
            )
        if spec.names is not None and len(spec.feature_names(prices)) < 2:
            raise StockcasterError(
                f"--features {name}: expected covariates in the prices (--covariates COL,...), "
                "received a table without any"
            )
        windows = int(np.maximum(counts - window_rows(lookback, spec.warmup), 0).sum())
        if windows < 2:
            raise StockcasterError(
                f"{source}: expected training windows of {lookback} days before the cutoff "
                f"{pd.Timestamp(cutoff):%Y-%m-%d} (after the {spec.warmup}-day warm-up of "
                f"--features {name}), received {windows} (lower --lookback or --test-fraction)"
            )


def _settings(panel: Panel, chosen: list[str], config: UniverseConfig, cutoff) -> dict:
    """What makes two runs comparable; a resumed run must match it exactly."""
    prices = panel.prices
    digest = hashlib.sha256()
    digest.update(prices[C.SYMBOL].to_numpy().astype(str).astype("U").tobytes())
    digest.update(prices[C.DATE].to_numpy(dtype="datetime64[ns]").tobytes())
    digest.update(prices[C.CLOSE].to_numpy(dtype="float64").tobytes())
    for column in (c for c in prices.columns if str(c).startswith(C.COVARIATE)):
        digest.update(column.encode() + prices[column].to_numpy(dtype="float64").tobytes())
    settings = {
        "data": {"source": panel.source, "rows": len(prices), "sha256": digest.hexdigest()},
        "symbols": chosen,
        "cutoff": f"{pd.Timestamp(cutoff):%Y-%m-%d}",
        "config": asdict(config),
        "backend": current_backend(),
    }
    if not config.settings:  # none set: the settings as before they existed, so a run
        del settings["config"]["settings"]  # stored then resumes
    if config.weights == "equal":  # likewise
        del settings["config"]["weights"]

    # Through JSON and back: tuples become lists, as they will be when read from the store.
    return json.loads(json_text(settings, indent=None))


def check_judgeable(universe: UniversePlan, horizons: tuple[int, ...]) -> None:
    """Raise unless `signals` can judge some day: three symbols to rank (a rank correlation
    of two is always +1 or -1, and `cross_section.information_coefficients` leaves such a
    day out), and a horizon shorter than the sessions from the cutoff (a longer one among
    several is judged on no day, and says so).

    Raises:
        StockcasterError: naming the file, what it allows and what it holds.
    """
    where, eligible = universe.panel.source, universe.eligible
    if len(eligible) < 3:
        out = [f"{s} ({r})" for s, r in universe.left_out.items()]  # why the others are not
        why = "".join(f"; left out: {o}" for o in out[:3]) + f"; {len(out) - 3} more" * (
            len(out) > 3
        )
        raise StockcasterError(
            f"{where}: expected at least 3 symbols with enough history to rank against each "
            f"other, received {len(eligible)} ({', '.join(eligible)}){why}"
        )
    dates = universe.prices.loc[universe.prices[C.SYMBOL].isin(eligible), C.DATE]
    sessions = dates[dates >= universe.cutoff].nunique()
    if min(horizons) >= sessions:
        raise StockcasterError(
            f"--horizon: expected at most {sessions - 1} sessions, the days of {where} from its "
            f"cutoff {pd.Timestamp(universe.cutoff):%Y-%m-%d} being {sessions}, received "
            f"{','.join(map(str, horizons))}"
        )
