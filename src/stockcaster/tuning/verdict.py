"""What a search is worth: its trials' per-day validation losses against naive's (the
random walk's, for the variance target).

Hansen's SPA test (and White's Reality Check) asks whether the best of the N trials beats
naive by more than a search this wide finds by luck; the model confidence set keeps the
trials (and naive) that cannot be told from the best; the Deflated Sharpe Ratio discounts
the best trial's long/flat rule for the N tries (`evaluation/snooping.py`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from stockcaster.evaluation.snooping import confidence_set, deflated_sharpe, superior_ability
from stockcaster.reporting.verdicts import search_sentence
from stockcaster.tuning.config import TuneConfig
from stockcaster.tuning.search import ERROR, TrialRecord, distributions
from stockcaster.tuning.space import Space


def judge(
    scored: list[TrialRecord], seed: int, tried: int, baseline: str = "naive"
) -> tuple[TrialRecord, dict]:
    """The best trial (by SPA's measure: the lowest mean loss) and the search's verdict
    against `baseline`, whose losses the trials kept as `naive_losses` (naive's, or the
    variance target's random walk's).

    Pruned trials have no loss on every validation day, so SPA and the confidence set see
    the scored ones only, and the sentence says how many more were tried; the deflated
    Sharpe ratio counts every try.

    Args:
        scored: the trials that ran every fold (`TrialRecord.scored`), all on the same days.
        tried: every finished trial, pruned ones included.
    """
    naive = np.asarray(scored[0].attrs["naive_losses"], dtype="float64")
    losses = np.column_stack([np.asarray(t.attrs["losses"], dtype="float64") for t in scored])
    snooping = superior_ability(naive, losses, seed=seed)
    best = scored[snooping.best]
    names = [baseline, *(f"trial {t.number}" for t in scored)]
    kept = (
        confidence_set(np.column_stack([naive, losses]), names, seed=seed)
        if len(scored) > 1
        else names
    )
    rules = [np.asarray(t.attrs["rule"], dtype="float64") for t in scored]
    traded = len(rules[0]) > 0  # a variance model has no trading rule
    sharpes = np.array([_sharpe(r) for r in rules]) if traded else None
    sentence = search_sentence(snooping, baseline)
    if tried > len(scored):
        sentence += (
            f"; {tried - len(scored)} more configurations were stopped before their last "
            f"fold, so this counts {len(scored)} of the {tried} tried and understates the luck"
        )
    verdict = {
        "sentence": sentence,
        "baseline": baseline,
        "spa_pvalue": snooping.spa_pvalue,
        "reality_check_pvalue": snooping.reality_check_pvalue,
        "confidence_set": kept,
        "deflated_sharpe": deflated_sharpe(rules[snooping.best], sharpes, tried)
        if traded
        else None,
    }
    return best, verdict


def _sharpe(returns: np.ndarray) -> float:
    spread = returns.std(ddof=1)
    return float(returns.mean() / spread) if spread > 0 else 0.0


def trials_table(records: list[TrialRecord]) -> pd.DataFrame:
    """`trials.csv`: per trial its parameters, state, fold scores, ratio, IC and seconds, and
    a failed trial's error."""
    rows = []
    for t in records:
        row = {"trial": t.number, "state": t.state, **t.params}
        for k, ratio in enumerate(t.attrs.get("fold_ratios", [])):
            row[f"fold_{k + 1}"] = ratio
        for k, ic in enumerate(t.attrs.get("fold_ics", [])):
            row[f"fold_{k + 1}_ic"] = ic
        row["validation_ratio"] = t.value
        if t.attrs.get("fold_ics"):
            row["validation_ic"] = t.attrs.get("ic")
        row["seconds"] = t.attrs.get("seconds")
        if t.state == "failed":
            row["error"] = t.attrs[ERROR]
        rows.append(row)
    return pd.DataFrame(rows)


def importances(scored: list[TrialRecord], space: Space, seed: int) -> dict[str, float]:
    """Each parameter's share of the validation ratio's variance (Optuna's fANOVA), largest
    first; empty with fewer than 3 scored trials or nothing varied."""
    # Delayed import: Optuna, only for `tune`.
    import optuna
    from optuna.importance import FanovaImportanceEvaluator

    shown = distributions(space)
    if len(scored) < 3:
        return {}
    study = optuna.create_study(direction="minimize")
    study.add_trials(
        [optuna.trial.create_trial(params=t.params, distributions=shown, value=t.value)
         for t in scored]
    )  # fmt: skip
    try:
        found = optuna.importance.get_param_importances(
            study, evaluator=FanovaImportanceEvaluator(seed=seed)
        )
    except (RuntimeError, ValueError):  # every trial alike, or a single value searched
        return {}
    return {name: float(value) for name, value in found.items()}


def search_notes(records: list[TrialRecord], config: TuneConfig, space: Space) -> list[str]:
    """What a search says of its trials beside its verdict: those that failed, judged by
    none of its figures (trials.csv has each one's reason), and why fewer trials ran than
    `--trials` asked: the grid had no more points, or `--timeout` passed."""
    # Delayed import: the grid sampler's values, with Optuna.
    from stockcaster.tuning.samplers import grid

    said, failed = [], [t for t in records if t.state == "failed"]
    if failed:
        said.append(
            f"{len(failed)} of the {len(records)} trials failed and are not judged (trial "
            f"{failed[0].number}: {failed[0].attrs[ERROR]}); trials.csv has each one's error"
        )
    if len(records) >= config.trials:
        return said
    points = math.prod(len(values) for values in grid(space).values())
    if config.sampler == "grid" and len(records) >= points:
        said.append(
            f"the grid holds {points} configurations (every choice, each range at its ends and "
            f"middle): each was tried once, not the {config.trials} trials --trials asked"
        )
    elif config.timeout_minutes is not None:
        again = "; --resume continues the search" if config.engine == "local" else ""
        said.append(
            f"--timeout {config.timeout_minutes:g} minutes passed after {len(records)} of the "
            f"{config.trials} trials asked{again}"
        )
    return said
