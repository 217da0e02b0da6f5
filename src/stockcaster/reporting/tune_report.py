"""The report of a search (`stockcaster tune`): what was tried, what won, what it is worth.

Figures: the optimisation history (each trial's validation ratio, the best so far, the
baseline at 1: naive, or the variance target's random walk) and the parameters'
importances (Optuna's fANOVA). Sections: the verdict in words, validation against test for
the best trial, its parameters, the trials, the record.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster.reporting.figures import drawing, save, subplots
from stockcaster.reporting.html_parts import (
    left_out_html,
    notes_html,
    paragraph,
    record_html,
    table_html,
)
from stockcaster.reporting.numbers import p_value
from stockcaster.reporting.readback import csv_table, json_object
from stockcaster.reporting.report_charts import history_chart, importance_chart
from stockcaster.reporting.verdicts import BASELINE_WORDS
from stockcaster.store import files

TRIALS_FILE = "trials.csv"
HISTORY_FIGURE = "history.png"
IMPORTANCE_FIGURE = "importances.png"


@drawing
def history_figure(trials: pd.DataFrame, path: Path, baseline: str = "naive") -> None:
    """Each scored trial's validation ratio in the order run, and the best so far, against
    `baseline` (`naive`, or `random_walk`) at 1."""
    scored = trials.dropna(subset=["validation_ratio"])
    fig, ax = subplots(figsize=(8, 4.5))
    ax.scatter(scored["trial"], scored["validation_ratio"], s=14, label="trial")
    ax.step(scored["trial"], np.minimum.accumulate(scored["validation_ratio"]), where="post",
            color="C1", label="best so far")  # fmt: skip
    ax.axhline(1.0, color="grey", ls=":", label=BASELINE_WORDS[baseline])
    ax.set_xlabel("trial")
    ax.set_ylabel(f"validation {_LOSS[baseline]}")
    ax.set_title("Optimisation history")
    ax.legend()
    save(fig, path, dates=False)


@drawing
def importance_figure(importances: dict[str, float], path: Path) -> None:
    """fANOVA importances, largest on top."""
    names = list(importances)[::-1]
    fig, ax = subplots(figsize=(7, 0.4 * len(names) + 1.5))
    ax.barh(names, [importances[n] for n in names])
    ax.set_xlabel("share of the validation ratio's variance (fANOVA)")
    ax.set_title("Parameter importances")
    save(fig, path, dates=False)


def write_tune_figures(folder: Path, summary: dict) -> None:
    """The search's figures, from its `trials.csv` and summary."""
    history_figure(pd.read_csv(folder / TRIALS_FILE), folder / HISTORY_FIGURE, baseline_of(summary))
    if summary.get("importances"):
        importance_figure(summary["importances"], folder / IMPORTANCE_FIGURE)


_LOSS = {"naive": "MSE ratio to naive", "random_walk": "QLIKE ratio to the random walk"}


def baseline_of(summary: dict) -> str:
    """The baseline a search's trials were judged against: its verdict's (`naive`, or the
    variance target's `random_walk`); a search written before the verdict named it, by its
    `--target`."""
    said = summary["verdict"].get("baseline")
    return said or ("random_walk" if summary["settings"].get("target") == "variance" else "naive")


def holdout_tested(pvalue: float | None, baseline: str) -> str:
    """The test ratio's Diebold-Mariano clause: its p-value against the baseline it is a
    ratio to (a test ratio below 1 is no win by itself); none where no test is possible."""
    if pvalue is None:
        return ""
    return f" (Diebold-Mariano {p_value(pvalue)} against {BASELINE_WORDS[baseline]})"


def deflated_words(probability: float, tries: int) -> str:
    """The Deflated Sharpe Ratio in words: a probability, which its name hides (read as a
    Sharpe ratio, 0.85 looks like a good rule)."""
    if probability != probability:  # NaN: the rule's returns never vary
        return "deflated Sharpe ratio: none (the best trial's long/flat rule never traded)"
    return (f"deflated Sharpe ratio {probability:.2f}: the probability, after {tries} tries, "
            "that the best trial's long/flat rule on the validation days has a true Sharpe "
            "ratio above 0 (not above buy-and-hold's)")  # fmt: skip


def _deflated(sharpe: float | None, tries: int) -> str:
    """The deflated Sharpe ratio's clause (none for a model without a trading rule)."""
    return "" if sharpe is None else deflated_words(sharpe, tries) + "; "


def tune_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    """Title and sections of a search's report."""
    s = json_object(folder / files.TUNE_FILE, ("settings", "best", "verdict", "trials"))
    finished, failed = s["trials"]["finished"], s["trials"].get("failed", 0)  # since stop 53
    trials = csv_table(folder / TRIALS_FILE, ("trial", "state"), rows=finished + failed,
                       filled=("trial", "state"))  # fmt: skip
    settings, best, verdict = s["settings"], s["best"], s["verdict"]
    sides = pd.DataFrame(
        {
            "period": ["validation (training years' folds)", "test (read once, after)"],
            _LOSS[baseline_of(s)]: [
                best["validation_ratio"],
                best["test_ratio"],
            ],
            "rank IC": [best.get("validation_ic"), best.get("test_ic")],
            "Diebold-Mariano p": [None, best.get("test_dm_pvalue")],
        }
    )
    params = pd.DataFrame(
        {"parameter": list(best["params"]), "value": list(best["params"].values())}
    )
    importances = s.get("importances") or {}
    ranked = pd.DataFrame(
        {"parameter": list(importances), "importance": list(importances.values())}
    )
    kept = ", ".join(verdict["confidence_set"])
    return f"stockcaster tune: {settings['family']} on {settings['symbol']}", [
        (
            "Verdict",
            f"<div class='verdict'>{paragraph(verdict['sentence'])}"
            + paragraph(
                f"White's Reality Check {p_value(verdict['reality_check_pvalue'])}; "
                + _deflated(verdict["deflated_sharpe"], finished)  # every try counts
                + f"model confidence set: {kept}."
            )
            + notes_html(s)
            + left_out_html(s, files.TUNE_FILE)
            + "</div>",
        ),
        ("Validation and test", table_html(sides)),
        (f"Best trial ({best['trial']})", table_html(params)),
        ("Optimisation history", history_chart(trials)),
        (
            "Parameter importances",
            (table_html(ranked) if importances else paragraph("Too few scored trials."))
            + importance_chart(importances),
        ),
        (f"Trials ({finished} finished{f', {failed} failed' * bool(failed)})", table_html(trials)),
        (
            "Record",
            record_html(
                {
                    "data": {"source": settings["data"], "symbols": settings["symbol"]},
                    "reproducibility": s["reproducibility"],
                },
                (folder / "best.toml").read_text(),
            ),
        ),
    ]
