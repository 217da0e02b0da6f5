"""`stockcaster tune`: search a network family's hyper-parameters, and say what the search is worth.

The steps: read one symbol's prices (data/) and cut the test period off before anything
else; check the search space (tuning/space.py) against the history the folds leave; run
the trials as an Optuna study kept in the output folder (tuning/search.py), each one scored
by walk-forward folds inside the training part (tuning/validation.py); refit the best
configuration on the whole training part and score it once on the test period; then ask
how often a search this wide finds that much by luck (evaluation/snooping.py) and write
`trials.csv`, `best.toml` and `tune.json`.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError
from stockcaster.evaluation.backtest import BacktestConfig, walk_paths
from stockcaster.evaluation.snooping import confidence_set, deflated_sharpe, superior_ability
from stockcaster.evaluation.trading import positions, strategy_returns
from stockcaster.features.pipeline import min_fit_rows
from stockcaster.features.split import training_rows
from stockcaster.jobs.envelope import Source, check_output, read_source, reproducibility
from stockcaster.models.presets import load_preset, to_toml
from stockcaster.store import files
from stockcaster.tuning.configure import configure_network
from stockcaster.tuning.search import STUDY_FILE, finished, open_study, run_trials, suggest
from stockcaster.tuning.space import Space, default_space, read_space
from stockcaster.tuning.validation import score_trial, validation_folds

SETTINGS_FILE = "search.json"  # the search's settings, checked by --resume


@dataclass(frozen=True)
class TuneConfig:
    """What a search tries and how.

    Attributes:
        family: a network family of the model registry (lstm, gru, seed, tcn, ...).
        trials: trials to finish (run or pruned).
        space: a TOML file overriding the family's default space.
        sampler, pruner: Optuna's (tuning/search.py lists them).
        folds: validation folds tiling the training part's last 30%.
        timeout_minutes: stop starting trials after this long (None: no limit).
        seed: the sampler's and the networks' seed.
        preset: the preset every trial starts from.
        cost_bps: trading cost of the long/flat rule in the Deflated Sharpe Ratio.
    """

    family: str = "lstm"
    trials: int = 20
    space: str | Path | None = None
    sampler: str = "tpe"
    pruner: str = "median"
    folds: int = 3
    timeout_minutes: float | None = None
    seed: int = 0
    preset: str = "default"
    cost_bps: float = 5.0


def tune(source: Source, config: TuneConfig, out: str | Path, resume: bool = False) -> dict:
    """Run (or continue) a search in the folder `out`; return the summary in `tune.json`.

    Raises:
        StockcasterError: bad input, a bad space file, a space that needs more history
            than the data has, or a folder holding another search, before any trial.
    """
    folder = Path(out)
    check_output(folder)
    preset = load_preset(config.preset)
    prices = read_source(source)
    series = prices.series
    train_rows = training_rows(len(series), preset.features.test_fraction)
    training = series.iloc[:train_rows]  # the test period is never handed to a trial
    space = (
        read_space(config.space, config.family) if config.space else default_space(config.family)
    )
    folds = validation_folds(train_rows, config.folds)
    _check_history(space, preset, folds[0].last_fit + 1, config)
    settings = {**_settings(config), "data": prices.source, "symbol": prices.symbol}
    _open_folder(folder, resume, settings)
    study = open_study(folder, config.sampler, config.pruner, config.seed, space)
    study.set_user_attr("settings", settings)

    def objective(trial) -> float:
        started = time.perf_counter()
        params = suggest(trial, space)
        make = _network(config.family, preset, params, config.seed)
        score = score_trial(training, make, folds, lambda k, ratio: _prune(trial, k, ratio))
        trial.set_user_attr("fold_ratios", list(score.fold_ratios))
        trial.set_user_attr("yhat", score.yhat.tolist())
        trial.set_user_attr("seconds", time.perf_counter() - started)
        return score.ratio

    timeout = config.timeout_minutes * 60 if config.timeout_minutes else None
    run_trials(study, objective, config.trials, timeout)
    return _finish(folder, study, config, preset, series, train_rows, folds, settings)


def _network(family: str, preset, params: dict, seed: int):
    """The trial's forecaster factory."""
    features, model, training = configure_network(family, preset, params)
    training = dataclasses.replace(training, seed=seed)

    def make():
        # Delayed import: a network brings Keras and its backend (seconds to import).
        from stockcaster.models.neural import NetworkForecaster

        return NetworkForecaster(features, model, training, name=family)

    return make


def _prune(trial, fold: int, ratio: float) -> None:
    """Report the ratio so far to the pruner; stop the trial if it says so."""
    import optuna  # Delayed import: Optuna, only for `tune`.

    trial.report(ratio, fold)
    if trial.should_prune():
        raise optuna.TrialPruned()


def _check_history(space: Space, preset, fit_rows: int, config: TuneConfig) -> None:
    """Refuse a space whose longest lookback needs more closes than the first fold has."""
    lookback = space.get("lookback")
    longest = int(max(lookback.choices) if lookback.kind == "choice" else lookback.high)
    needed = min_fit_rows(dataclasses.replace(preset.features, lookback=longest))
    if needed > fit_rows:
        where = config.space or "the default space"
        raise StockcasterError(
            f"{where}: expected a longest lookback the data can fit (its first fold has "
            f"{fit_rows} closes to fit on), received lookback {longest}, which needs {needed}"
        )


def _settings(config: TuneConfig) -> dict:
    space = Path(config.space).read_text() if config.space else None
    return {**dataclasses.asdict(config), "space": space}


def _open_folder(folder: Path, resume: bool, settings: dict) -> None:
    """A new folder for a new search; with `resume`, one that holds the same search."""
    study = folder / STUDY_FILE
    if study.exists() and not resume:
        raise StockcasterError(
            f"{folder}: expected a new folder, received one that holds a search "
            "(add --resume to continue it, or choose another --out)"
        )
    if resume and study.exists():
        kept = folder / SETTINGS_FILE
        stored = json.loads(kept.read_text()) if kept.exists() else None
        if stored is not None and stored != json.loads(files.json_text(settings)):
            key = next(k for k in settings if stored.get(k) != settings[k])
            raise StockcasterError(
                f"{folder}: expected --resume with the settings of the stored search, "
                f"received a different {key!r}"
            )
    folder.mkdir(parents=True, exist_ok=True)
    files.write_atomic(folder / SETTINGS_FILE, lambda p: files.write_json(p, settings))


def _finish(folder, study, config, preset, series, train_rows, folds, settings) -> dict:
    """Score the best trial on the test period, judge the search, write the outputs."""
    trials = finished(study)
    complete = [t for t in trials if t.value is not None and "yhat" in t.user_attrs]
    if not complete:
        raise StockcasterError(f"{folder}: no trial finished with a score (see trials.csv)")
    values = series.to_numpy(dtype="float64")
    days = np.concatenate([np.arange(f.last_fit + 1, f.last_day + 1) for f in folds])
    actual, previous = values[days], values[days - 1]
    yhat = np.column_stack([t.user_attrs["yhat"] for t in complete])  # [days, trials]
    naive_losses = (previous - actual) ** 2
    snooping = superior_ability(naive_losses, (yhat - actual[:, None]) ** 2, seed=config.seed)
    best = complete[snooping.best]
    names = ["naive", *(f"trial {t.number}" for t in complete)]
    losses = np.column_stack([naive_losses, (yhat - actual[:, None]) ** 2])
    kept = confidence_set(losses, names, seed=config.seed) if len(complete) > 1 else names
    rules = [
        _long_flat(yhat[:, j], previous, actual, config.cost_bps) for j in range(len(complete))
    ]
    sharpes = np.array([r.mean() / r.std(ddof=1) if r.std(ddof=1) > 0 else 0.0 for r in rules])
    dsr = deflated_sharpe(rules[snooping.best], sharpes)
    test_ratio = _test_ratio(series, train_rows, config, preset, best.params)
    summary = {
        "settings": settings,
        "trials": {"finished": len(trials), "scored": len(complete)},
        "best": {"trial": best.number, "params": best.params, "validation_ratio": best.value,
                 "test_ratio": test_ratio},
        "verdict": {"sentence": snooping.sentence(), "spa_pvalue": snooping.spa_pvalue,
                    "reality_check_pvalue": snooping.reality_check_pvalue,
                    "confidence_set": kept, "deflated_sharpe": dsr},
        "reproducibility": reproducibility(config.seed),
    }  # fmt: skip
    _write_outputs(
        folder, trials, summary, configure_network(config.family, preset, best.params), preset
    )
    return summary


def _long_flat(yhat, previous, actual, cost_bps: float) -> np.ndarray:
    held = positions(yhat - previous, "long_flat")
    return strategy_returns(held, actual / previous - 1, cost_bps)


def _test_ratio(series: pd.Series, train_rows: int, config, preset, params: dict) -> float:
    """The best configuration refitted on the whole training part, once on the test days."""
    make = _network(config.family, preset, params, config.seed)
    _, (origins, yhat, _, _), _ = walk_paths(
        series, make, BacktestConfig(retrain_every=0), train_rows - 1
    )
    values = series.to_numpy(dtype="float64")
    actual, naive = values[origins + 1], values[origins]
    return float(np.mean((yhat[:, 0] - actual) ** 2) / np.mean((naive - actual) ** 2))


def _write_outputs(folder: Path, trials: list, summary: dict, best, preset) -> None:
    rows = [{"trial": t.number, "state": t.state.name.lower(), **t.params,
             **{f"fold_{k + 1}": r for k, r in enumerate(t.user_attrs.get("fold_ratios", []))},
             "validation_ratio": t.value, "seconds": t.user_attrs.get("seconds")}
            for t in trials]  # fmt: skip
    table = pd.DataFrame(rows)
    features, model, training = best
    tuned = dataclasses.replace(
        preset, name="tuned", features=features, model=model, training=training
    )
    files.write_atomic(folder / "trials.csv", lambda p: table.to_csv(p, index=False))
    files.write_atomic(folder / "best.toml", lambda p: p.write_text(to_toml(tuned)))
    files.write_atomic(folder / "tune.json", lambda p: files.write_json(p, summary))
