"""`stockcaster explain RUN`: what a universe run's global models looked at (one symbol's
network, of a run or a bundle: jobs/explain_run.py).

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
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.frames import FRAME_SOURCE
from stockcaster.data.panel import load_panel
from stockcaster.errors import StockcasterError, found_at
from stockcaster.jobs.envelope import job
from stockcaster.jobs.explain_run import explain_series
from stockcaster.jobs.explained import EXPLAIN_FILE, REPEATS, Explained, explained
from stockcaster.jobs.requests import refuse_covariates
from stockcaster.jobs.universe_panel import pair_name
from stockcaster.jobs.universe_plan import PanelSource, UniverseConfig, plan_universe
from stockcaster.models.global_files import check_features
from stockcaster.models.held_out import bundle_held_out, held_out
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import MODELS, ModelOptions
from stockcaster.reporting.html import holding_results, write_report, written_by
from stockcaster.settings import build, check_count
from stockcaster.store import files
from stockcaster.store.bundle import open_bundle
from stockcaster.store.bundle_files import holds_panel, peek


@job
def explain(
    folder: str | Path,
    model: str | None = None,
    repeats: int = REPEATS,
    data: PanelSource | None = None,
) -> list:
    """Explain every global model of the universe run in `folder` (or the one named); or a
    universe bundle's network, on its validation days of the panel `data`; or one symbol's
    network, of a run's folder or a bundle (`data`: its file, if moved).

    Raises:
        StockcasterError: a folder that is no global universe run nor universe bundle, a
            model it did not train, or a bundle without its panel, before anything is fitted.
    """
    check_count(repeats, "--repeats")  # 0 gave every importance as NaN
    folder = Path(folder)
    meta = peek(folder)
    if (folder / files.METRICS_FILE).is_file() or (meta and not holds_panel(meta)):
        if data is not None:
            refuse_covariates(data, str(folder))
        given = None if data is None else Path(data.data)  # one symbol's network
        return [explain_series(folder, model, repeats, given)]
    bundle = holds_panel(meta)
    summary = None if bundle else _summary(folder)  # a folder it cannot read: said first
    _check_read(folder, bundle, model, data)
    if bundle:
        return [_bundle(folder, data, repeats)]
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
    pairs = _chosen(pairs, model)
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
        done.append(explained(name, held_out(forecaster, prices), _caveat(name, scores),
                               repeats, scores.get("median_mse_ratio")))  # fmt: skip
    files.write_atomic(folder / EXPLAIN_FILE, lambda p: files.write_json(
        p, {"cutoff": settings["cutoff"], "models": {e.name: e.record for e in done}}))  # fmt: skip
    if (folder / files.REPORT_FILE).is_file():
        write_report(folder)
    return done


def _chosen(pairs: list[tuple[str, str]], model: str | None) -> list[tuple[str, str]]:
    """The run's (family, feature set) pairs `--model` names (a family or a pair); None: all.

    Raises:
        StockcasterError: a model the run did not train.
    """
    if model is None:
        return pairs
    chosen = [p for p in pairs if model in (p[0], pair_name(*p))]
    if not chosen:
        known = ", ".join(pair_name(*p) for p in pairs)
        raise StockcasterError(
            f"--model: expected a global model of the run ({known}), received {model!r}"
        )
    return chosen


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
    symbols = bundle.forecaster.symbols
    panel = load_panel(data.data, data.columns, data.fill, data.strict)
    prices = panel.spelled_as(symbols).prices
    prices = check_features(bundle.forecaster.scales, bundle.config.features.inputs, prices,
                            str(path))  # fmt: skip
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
    return explained(name, view, caveat, repeats)


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


def _panel(settings: dict, config: dict, network: RunConfig):
    """The run's panel (its eligible symbols) and cutoff, read again as the run read it."""
    data = settings["data"]
    if data["source"] == FRAME_SOURCE:  # nothing on disk to read again
        raise StockcasterError(
            "expected a run of prices read from a file (explain reads them again), received "
            "a run of a DataFrame in memory: save it, to_csv, and run the universe on that file"
        )
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
    kind = written_by(folder)
    if kind is not None:
        return (f"the results of stockcaster {kind} (explain reads a universe's global "
                "network or a run's network)")  # fmt: skip
    named = holding_results(folder, ("universe", "run"))  # `runs/`: one to explain
    if named is None and holding_results(folder) is not None:
        return "a folder of command folders, none of them a universe run or a run"
    return named or "neither"


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
