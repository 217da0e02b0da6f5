"""`stockcaster explain RUN`: what a universe run's global models looked at.

The steps: read the run's settings (universe.json: the file, its symbols, covariates and
cutoff, the global models and their feature sets); read the panel again as the run did
(jobs/universe_plan.py) and fit each global model at the run's cutoff, as its first fit
was (models/held_out.py gives its validation windows: the last training days, kept out of
the fit, before the test period, which nothing here reads); then measure, per feature and
per group of features, how much the model's error on those windows grows when the feature
is shuffled (permutation importance, every family), and for `linear` and `lightgbm` the
mean absolute SHAP value (evaluation/explain.py). A model that did not beat naive on the
test period gets the caveat in words: its importances say what moves its forecasts, not
what predicts prices. The result is `explain.json` in the run folder, and a section of its
report.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.panel import load_panel
from stockcaster.errors import StockcasterError, found_at
from stockcaster.evaluation.explain import linear_shap, permutation_importance, ranked, tree_shap
from stockcaster.jobs.envelope import job
from stockcaster.jobs.explain_run import run_caveat, run_view, week
from stockcaster.jobs.universe_panel import pair_name
from stockcaster.jobs.universe_plan import PanelSource, UniverseConfig, plan_universe
from stockcaster.models.held_out import HeldOut, bundle_held_out, held_out
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import MODELS, ModelOptions
from stockcaster.reporting.html import holding_results, write_report, written_by
from stockcaster.settings import build
from stockcaster.store import files
from stockcaster.store.bundle import open_bundle
from stockcaster.store.bundle_files import holds_panel, peek

EXPLAIN_FILE = "explain.json"
REPEATS = 5


@dataclass(frozen=True)
class Explained:
    """One global model's explanation, and what it was computed on (for tests and the API)."""

    name: str
    features: pd.DataFrame  # feature, importance, share, std (, shap), ranked
    groups: pd.DataFrame  # group, importance, ranked
    view: HeldOut
    shap: np.ndarray | None  # [windows, lags * features] for a tabular model
    record: dict


@job
def explain(
    folder: str | Path,
    model: str | None = None,
    repeats: int = REPEATS,
    data: PanelSource | None = None,
) -> list:
    """Explain every global model of the universe run in `folder` (or the one named); or a
    universe bundle's network, on its validation days of the panel `data`.

    Raises:
        StockcasterError: a folder that is no global universe run nor universe bundle, a
            model it did not train, or a bundle without its panel, before anything is fitted.
    """
    folder = Path(folder)
    if (folder / files.METRICS_FILE).is_file():  # one symbol's run: the days its network read
        return [_run(folder, model, repeats, data)]
    bundle = holds_panel(peek(folder))
    _check_read(folder, bundle, model, data)
    if bundle:
        return [_bundle(folder, data, repeats)]
    summary = _summary(folder)
    settings = summary["settings"]
    config = settings["config"]
    where = str(folder / files.SUMMARY_FILE)
    network = build(RunConfig, _table(config["global_model"]), where)
    pairs = [(m, f) for m in config["models"] if MODELS[m].make_panel is not None
             for f in (config.get("features") or [network.features.inputs])]  # fmt: skip
    if config.get("mode") != "global" or not pairs:
        raise StockcasterError(
            f"{where}: expected a run with a global model (--mode global), received one of "
            f"per-symbol models only"
        )
    if model is not None:
        known = ", ".join(pair_name(*p) for p in pairs)
        pairs = [p for p in pairs if model in (p[0], pair_name(*p))]
        if not pairs:
            raise StockcasterError(
                f"--model: expected a global model of the run ({known}), received {model!r}"
            )
    prices, cutoff = _panel(settings, config, network)
    board = {row["model"]: row for row in summary.get("leaderboard") or []}
    done = []
    for family, inputs in pairs:
        name = pair_name(family, inputs)
        given = dataclasses.replace(network.features, inputs=inputs)
        chosen = dataclasses.replace(network, features=given)
        forecaster = MODELS[family].make_panel(ModelOptions(global_model=chosen))
        forecaster.fit(prices, cutoff)
        scores = board.get(name) or {}
        done.append(_explained(name, held_out(forecaster, prices), _caveat(name, scores),
                               repeats, scores.get("median_mse_ratio")))  # fmt: skip
    files.write_atomic(folder / EXPLAIN_FILE, lambda p: files.write_json(
        p, {"cutoff": settings["cutoff"], "models": {e.name: e.record for e in done}}))  # fmt: skip
    if (folder / files.REPORT_FILE).is_file():
        write_report(folder)
    return done


def _run(folder: Path, model: str | None, repeats: int, data: PanelSource | None) -> Explained:
    """One symbol's network run: each day of its window shuffled (`jobs/explain_run.py`)."""
    if model is not None:
        raise StockcasterError(
            f"--model: expected a universe run's folder to choose among its global models, "
            f"received {model!r} for the run {folder}, which holds one network"
        )
    name, view, held = run_view(folder, None if data is None else Path(data.data))
    done = _explained(name, view, run_caveat(folder), repeats, group=week)
    record = {**done.record, **held, "shuffled": "lags"}
    files.write_atomic(folder / EXPLAIN_FILE, lambda p: files.write_json(
        p, {"symbol": name, "models": {name: record}}))  # fmt: skip
    if (folder / files.REPORT_FILE).is_file():
        write_report(folder)
    return dataclasses.replace(done, record=record)


def _check_read(folder: Path, bundle: bool, model: str | None, data) -> None:
    """Refuse what would be ignored: `--model` for a bundle (it holds one network), `--data`
    for a run (its validation days come from its own panel)."""
    if bundle and model is not None:
        raise StockcasterError(
            f"--model: expected a universe run's folder to choose among its global models, "
            f"received {model!r} for the bundle {folder}, which holds one"
        )
    if not bundle and data is not None:
        raise StockcasterError(
            f"--data: expected a universe bundle with it (a run reads its own panel), "
            f"received {data.data} for the run {folder}"
        )


def _bundle(path: Path, data: PanelSource | None, repeats: int) -> Explained:
    """A universe bundle's network on its validation days of `data` (its own panel)."""
    bundle = open_bundle(path, panel=True)
    if data is None:
        raise StockcasterError(
            f"--data: expected the panel of the bundle {path} (its validation days are read "
            "from it), received none"
        )
    prices = load_panel(data.data, data.columns, data.fill, data.strict).prices
    symbols = bundle.forecaster.symbols
    missing = sorted(set(symbols) - set(prices[C.SYMBOL]))
    if missing:
        raise StockcasterError(
            f"{data.data}: expected the bundle's {len(symbols)} symbols, received a "
            f"panel without {', '.join(missing[:3])}"
        )
    model = bundle.forecaster
    until = np.datetime64(bundle.trained_until, "ns")
    view = bundle_held_out(model.network, bundle.config, model.scales, prices, until)
    name = pair_name(bundle.meta["model"], bundle.config.features.inputs)
    caveat = (f"{name} is a bundle: no test period is scored here, so whether it beats "
              "naive is its universe run's to say; these importances say what moves its "
              "forecasts")  # fmt: skip
    return _explained(name, view, caveat, repeats)


def _caveat(name: str, scores: dict) -> str | None:
    """The caveat of a model that did not beat naive on the run's test period (`scores`: its
    leaderboard row): unless its median MSE ratio is below 1 and its MSE is significantly
    below naive's (Diebold-Mariano, after Benjamini-Hochberg) on more symbols than it is
    significantly above. A median ratio below 1 alone is no skill: it is often chance."""
    ratio = scores.get("median_mse_ratio")
    wins, losses = (int(n) if n is not None and n == n else 0  # None or NaN: no test
                    for n in (scores.get("dm_wins_bh"), scores.get("dm_losses_bh")))  # fmt: skip
    if ratio is not None and ratio < 1 and wins > losses:
        return None
    shown = "n/a" if ratio is None else f"{ratio:.3f}"
    return (f"{name} does not beat naive on the test period (median MSE ratio {shown}; an MSE "
            f"significantly below naive's on {wins} symbols, above on {losses}): these "
            "importances say what moves its forecasts, not what predicts prices")  # fmt: skip


def _explained(
    name: str,
    view: HeldOut,
    caveat: str | None,
    repeats: int,
    ratio: float | None = None,
    group=None,
) -> Explained:
    """Permutation importance (and SHAP) of one fitted model on its held-out windows, each
    feature in its `group` (default: its indicator's)."""
    groups = [np.array([j]) for j in range(len(view.names))]
    grown = permutation_importance(view.predict, view.x, view.y, groups, repeats)
    error = float(np.mean((np.asarray(view.predict(view.x)) - view.y) ** 2))
    features, grouped = ranked(list(view.names), grown.mean(axis=1), group or _group)
    features = features.rename(columns={"score": "importance"})
    features["share"] = features["importance"] / error
    features["std"] = pd.Series(grown.std(axis=1), index=list(view.names))[
        features["feature"]
    ].to_numpy()
    shap = _shap(view)
    if shap is not None:
        per_feature = np.abs(shap).mean(axis=0).reshape(-1, len(view.names)).sum(axis=0)
        features["shap"] = pd.Series(per_feature, index=list(view.names))[
            features["feature"]
        ].to_numpy()
    record = {"validation_windows": len(view.y), "validation_mse": error,
              "test_median_mse_ratio": ratio, "caveat": caveat,
              "features": files.records(features), "groups": files.records(
                  grouped.rename(columns={"score": "importance"}))}  # fmt: skip
    return Explained(name, features, grouped, view, shap, record)


def _shap(view: HeldOut) -> np.ndarray | None:
    """SHAP values of a tabular model's held-out windows (None for a network)."""
    regressor = view.regressor
    if regressor is None:
        return None
    if hasattr(regressor, "booster_"):  # LightGBM
        return tree_shap(regressor, view.flat())
    return linear_shap(regressor.coef_, view.flat(), view.flat())


def _group(feature: str) -> str:
    """A feature's group: the indicator over its windows (`roc_5`, `roc_10`: `roc`)."""
    return re.sub(r"_?\d+$", "", feature) or feature


def _panel(settings: dict, config: dict, network: RunConfig):
    """The run's panel (its eligible symbols) and cutoff, read again as the run read it."""
    data = settings["data"]
    source = PanelSource(data["source"], settings["symbols"], data.get("columns") or None,
                         data.get("fill"))  # fmt: skip
    plan = plan_universe(source, UniverseConfig(
        mode="global", models=tuple(config["models"]), test_fraction=config["test_fraction"],
        min_history=config["min_history"], global_model=network,
        features=tuple(config.get("features") or ())))  # fmt: skip
    if f"{pd.Timestamp(plan.cutoff):%Y-%m-%d}" != settings["cutoff"]:
        raise StockcasterError(
            f"{data['source']}: expected the data the run read (cutoff {settings['cutoff']}), "
            f"received data whose cutoff is {pd.Timestamp(plan.cutoff):%Y-%m-%d}"
        )
    prices = plan.prices[plan.prices[C.SYMBOL].isin(plan.eligible)].reset_index(drop=True)
    return prices, plan.cutoff


def _other(folder: Path) -> str:
    """What a folder that is no universe run, universe bundle or symbol's run is, in words."""
    symbols, kind = peek(folder).get("symbols"), written_by(folder)
    reads = "explain reads a universe's global network or a run's network"
    if isinstance(symbols, list) and len(symbols) == 1:
        return f"a bundle of one symbol's model ({symbols[0]}; {reads})"
    if kind is not None:
        return f"the results of stockcaster {kind} ({reads})"
    if holding_results(folder) is not None:  # `runs/`: a universe run, or none of them
        return (
            holding_results(folder, ("universe", "run"))
            or "a folder of command folders, none of them a universe run or a run"
        )
    return "neither"


def _summary(folder: Path) -> dict:
    path = folder / files.SUMMARY_FILE
    if not path.is_file():
        raise StockcasterError(
            f"{folder}: expected a universe run folder (with {files.SUMMARY_FILE}), a universe "
            f"bundle or a network's run (with {files.METRICS_FILE}), received "
            f"{found_at(folder, _other(folder))}"
        )
    try:
        summary = json.loads(path.read_text())
        summary["settings"]["config"]["global_model"]
    except (ValueError, KeyError, TypeError):
        raise StockcasterError(
            f"{path}: expected a universe run's summary, received a damaged file"
        ) from None
    return summary


def _table(value):
    """A config read back from JSON as the TOML table `build` takes (None left out)."""
    if isinstance(value, dict):
        return {k: _table(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_table(v) for v in value]
    return value
