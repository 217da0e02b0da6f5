"""Universe bundles from a universe run (`universe --save`) or from all the data
(`train --universe --save`).

A run's bundle holds the first global network pair of `--models` as its last fit left it:
the network that fit saved beside the results store, and the per-symbol statistics of the
rows up to that fit's cutoff, computed again from the same prices (so a resumed run, whose
fits were not made in this process, saves the same bundle). `train --universe` fits one
global network on every day of every symbol with enough history (its last 15% of days the
validation part its callbacks watch) and saves it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.calendar import (
    DEFAULT_EXCHANGE,
    advised,
    bundle_hint,
    check_sessions,
    off_sessions,
)
from stockcaster.data.panel import load_panel, select_symbols
from stockcaster.data.quality import price_notes
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.symbol_work import history_shortfall
from stockcaster.jobs.envelope import check_new_folder, job
from stockcaster.jobs.universe_panel import Schedule, pair_name
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.models.global_files import check_features
from stockcaster.models.global_model import GlobalNetwork, learned_features
from stockcaster.models.options import check_settings_run
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import Capability, ModelOptions, models_with, network_model
from stockcaster.settings import check_count
from stockcaster.store import files
from stockcaster.store.bundle import open_bundle, panel_where, save_bundle


def check_save(save: str | Path | None, models: tuple[str, ...] | None = None) -> None:
    """Refuse a `--save` folder that exists or, when `models` are given (the global
    models a run trains), a run without a global network; before anything runs."""
    if save is None:
        return
    check_new_folder(save)
    networks = models_with(Capability.BUNDLE)
    if models is not None and not any(m in networks for m in models):
        raise StockcasterError(
            f"--save: expected a global network ({', '.join(networks)}) to bundle, received "
            f"{','.join(models) or 'none (per-symbol mode, or no global model)'}"
        )


def check_saved_days(save: str | Path | None, prices: pd.DataFrame, source: str) -> None:
    """Refuse `universe --save` for prices off XNYS's days: the bundle a run saves forecasts
    XNYS's sessions (`universe` has no --exchange); before anything runs.

    Raises:
        StockcasterError: naming the days, the symbols and `train --universe --exchange`.
    """
    if save is None:
        return
    off = off_sessions(prices[C.DATE], DEFAULT_EXCHANGE, source, prices[C.SYMBOL])
    if off is not None:  # another calendar is the fix for daily prices of one calendar only
        fix = "train one for these prices with train --universe --exchange"
        hint = bundle_hint(DEFAULT_EXCHANGE, "a universe run's bundle", fix)
        raise StockcasterError(f"--save: {advised(off, hint)}")


def save_from_run(save: Path, folder: Path, when: Schedule, config, source: str) -> Path:
    """Bundle the first network pair of a finished universe run, as its last fit left it.

    Args:
        folder: the run folder (its global networks are saved there, one per fit).
        when: the run's fits (`universe_panel.schedule`).
        config: the run's `UniverseConfig`.
    """
    model, feature_set = bundled(config)
    options = config.model_options()
    settings = _family_config(config.global_model, model, feature_set, options)
    j = len(when.cutoffs) - 1
    name = pair_name(model, feature_set, settings.features.target)
    forecaster = GlobalNetwork(settings, name=model)
    rows = when.training_rows(j)
    features = learned_features(rows, when.cutoffs[j], settings)
    forecaster.adopt(files.global_network_file(folder, name, j), features)
    where = panel_where(rows, features, settings.features.lookback, source, DEFAULT_EXCHANGE)
    save_bundle(save, model, forecaster, _saved(options, settings), where)
    return save


def bundled(config) -> tuple[str, str]:
    """The global network a universe run's `--save` bundles (`save_from_run`): the run's
    first pair of a global network and its feature set."""
    networks = models_with(Capability.BUNDLE)
    return next((m, f) for m, f in config.panel_pairs() if m in networks)


@job
def train_universe(
    source: PanelSource,
    config: RunConfig,
    family: str,
    save: str | Path,
    min_history: int = 60,
    exchange: str = DEFAULT_EXCHANGE,
    settings: tuple[tuple[str, object], ...] = (),
) -> Path:
    """Fit `family`'s global network on every day of the panel and save it as a bundle
    (`settings`: the models' own, `--set`; kept in the bundle).

    Raises:
        StockcasterError: bad input, a family without a global network, or no symbol with
            `min_history` closes, before anything is trained or written.
    """
    check_save(save, (family,))
    check_settings_run(settings, [family])
    check_count(min_history, "--min-history")  # a Python caller's "60" or 2.5
    panel = load_panel(source.data, source.columns, source.fill, source.strict)
    asked = select_symbols(panel, source.symbols)
    chosen = [s for s in asked if s not in panel.broken]
    prices = panel.prices[panel.prices[C.SYMBOL].isin(chosen)]
    last = np.datetime64(prices[C.DATE].max(), "ns")
    check_sessions(prices[C.DATE], exchange, panel.source, symbols=prices[C.SYMBOL])
    eligible = trainable(prices, min_history)  # no test period: every day trains
    if not eligible:
        raise StockcasterError(
            f"{panel.source}: expected at least one symbol with {min_history} closes, not all "
            "the same, received none"
        )
    rows = prices[prices[C.SYMBOL].isin(eligible)].reset_index(drop=True)
    options = ModelOptions(settings=settings)
    settings = _family_config(config, family, config.features.inputs, options)
    model = GlobalNetwork(settings, name=family)
    model.fit(rows, last)
    lookback = settings.features.lookback
    notes = price_notes(rows) + _left_out(panel.broken, prices, asked, eligible, min_history)
    where = panel_where(rows, model.fitted.features, lookback, panel.source, exchange, notes)
    save_bundle(Path(save), family, model, _saved(options, settings), where)
    return Path(save)


def _left_out(broken: dict, prices: pd.DataFrame, asked: list, kept: list, least: int) -> list:
    """The note on the symbols asked for and not trained on, and why: broken rows, fewer
    than `least` closes or one close all along (five named, then how many more)."""
    counts = prices.groupby(C.SYMBOL)[C.CLOSE].agg(["size", "nunique"])
    why = {s: broken.get(s) or (f"{counts.at[s, 'size']} closes, expected at least {least}"
                                if counts.at[s, "size"] < least else "one close all along")
           for s in asked if s not in kept}  # fmt: skip
    if not why:
        return []
    named = "; ".join(f"{s} ({reason})" for s, reason in list(why.items())[:5])
    more = f"; and {len(why) - 5} more" if len(why) > 5 else ""
    return [f"{len(why)} of the {len(asked)} symbols are not trained on: {named}{more}"]


@job
def resume_universe(
    bundle_path: str | Path, source: PanelSource, save: str | Path, min_history: int = 60
) -> Path:
    """Continue training a universe bundle's network on newer data; save a new bundle.

    The old bundle is only read. The network starts from the bundle's weights (for at
    most the config's `training.warm_epochs`), and every symbol's statistics are fitted again on
    the newer data's rows. Without a symbol embedding, every symbol of the newer data
    with `min_history` closes trains, new ones included; with one, the embedding knows
    only the bundle's symbols, so those are the ones trained (new symbols are listed as
    not covered) and every one of them must be in the newer data.

    Raises:
        StockcasterError: a bad bundle or data, or data that does not reach past the
            bundle's training, before anything is trained or written.
    """
    old = open_bundle(Path(bundle_path), panel=True)
    check_save(save)
    panel = load_panel(source.data, source.columns, source.fill, source.strict)
    panel = panel.spelled_as(old.forecaster.symbols)  # `msft` is the bundle's MSFT
    prices = panel.prices[~panel.prices[C.SYMBOL].isin(list(panel.broken))]
    kept = set(trainable(prices, min_history))
    if old.config.model.embedding_dim > 0:
        missing = [s for s in old.forecaster.symbols if s not in kept]
        if missing:
            raise StockcasterError(
                f"{panel.source}: expected every symbol of the bundle's embedding, received "
                f"data without {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}"
            )
        kept = set(old.forecaster.symbols)
    rows = prices[prices[C.SYMBOL].isin(kept)].reset_index(drop=True)
    rows = check_features(old.forecaster.scales, old.config.features.inputs, rows,
                          f"--resume {bundle_path}")  # fmt: skip
    last = np.datetime64(rows[C.DATE].max(), "ns")
    if not last > np.datetime64(old.trained_until, "ns"):
        raise StockcasterError(
            f"{panel.source}: expected data past the bundle's last training day "
            f"{pd.Timestamp(old.trained_until):%Y-%m-%d}, received data up to "
            f"{pd.Timestamp(last):%Y-%m-%d}"
        )
    check_sessions(rows[C.DATE], old.meta["exchange"], panel.source, True, rows[C.SYMBOL])
    model = old.forecaster  # its next fit continues from the bundle's network
    model.fit(rows, last)
    where = panel_where(rows, model.fitted.features, old.config.features.lookback,
                        panel.source, old.meta["exchange"], price_notes(rows))  # fmt: skip
    save_bundle(Path(save), old.meta["model"], model, old.options, where)
    return Path(save)


def trainable(prices: pd.DataFrame, min_history: int) -> list[str]:
    """The symbols a bundle trains on: `history_shortfall`'s rule with every day a training
    day (at least `min_history` closes, not all the same)."""
    closes = prices.groupby(C.SYMBOL)[C.CLOSE]
    counts, levels, last = closes.size(), closes.nunique(), prices[C.DATE].max()
    return [s for s in counts.index
            if history_shortfall(counts[s], 1, last, min_history, levels[s]) is None]  # fmt: skip


def _family_config(
    config: RunConfig, family: str, feature_set: str, options: ModelOptions
) -> RunConfig:
    """The global model's config as the registry builds `family` (its own network)."""
    model = network_model(family, config.model, options)
    return dataclasses.replace(config.with_inputs(feature_set), model=model)


def _saved(options: ModelOptions, config: RunConfig) -> ModelOptions:
    """What a panel's bundle records: its global model's `config` (config.toml) and the
    family's own settings in `options` (bundle.json), which rebuild the same network."""
    return dataclasses.replace(options, preset=config, global_model=config)
