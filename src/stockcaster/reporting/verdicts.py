"""What a model's numbers against naive mean, in words: the terminal's line and the report's.

A ratio below 1 is not a win by itself: on a test period of a few hundred days, an MSE a
percent below naive's is often chance. Both say the Diebold-Mariano test's p-value, and a
model "beats naive" only where that p-value is below `SIGNIFICANT`.
"""

from __future__ import annotations

import math

from stockcaster.evaluation.snooping import SnoopingTest
from stockcaster.evaluation.tear_sheet import T_ONE_SESSION
from stockcaster.reporting.numbers import p_value, share

SIGNIFICANT = 0.05
"""The p-value below which a difference is called unlikely to be chance."""

T_SIGNIFICANT = T_ONE_SESSION
"""The |t| of a mean rank IC (Newey-West) one session ahead below which it is within chance;
beyond one session, each tear sheet's `t_needed` (`evaluation/tear_sheet.py`)."""

LAGGING = (
    "its forecasts line up better with the previous day's close than with the actual close: "
    "the curve mostly follows the price a day late"
)


def _tested(pvalue: float | None) -> bool:
    return pvalue is not None and math.isfinite(pvalue)


def ic_t_words(t: float | None, digits: int = 2, needed: float = T_SIGNIFICANT) -> str:
    """A mean rank IC's Newey-West t in words: "t 2.50", "t 0.50, within chance" below the
    |t| `needed` (2 one session ahead; "t 2.20, within chance: 2.25 needed" beyond, where
    the bar is higher), or that there is none (too few days for its lags:
    `evaluation/tear_sheet.py`)."""
    if not _tested(t):
        return "no t-statistic: too few days"
    if abs(t) >= needed:
        return f"t {t:.{digits}f}"
    bar = "" if needed == T_SIGNIFICANT else f": {needed:.2f} needed"
    return f"t {t:.{digits}f}, within chance{bar}"


def book_held(k: int, asked: int, symbols: int, done: str) -> str | None:
    """A top-k book holding fewer picks than `--top-k` asked, in words; None when it holds
    them all.

    Args:
        k: the picks long (and as many short) the book holds; 0 for no book.
        asked: `--top-k`.
        symbols: the symbols ranked.
        done: what was done to each of them ("run", "forecast").
    """
    if k == 0:
        return f"book: none, a long and a short need 2 symbols, and {symbols} was {done}"
    if k < asked:
        return f"book: {k} long and {k} short, the most {symbols} symbols allow (--top-k {asked})"
    return None


def against_naive(
    ratio: float, pvalue: float | None, loss: str = "MSE", baseline: str = "naive"
) -> str:
    """A model's loss ratio to a baseline's (naive's MSE; the random walk's QLIKE for a
    variance), judged by Diebold-Mariano's p-value, in a few words."""
    if ratio == 1:
        return f"the same {loss} as {baseline}"
    gap = f"{share(abs(1 - ratio))} {'below' if ratio < 1 else 'above'} {baseline}'s {loss}"
    if not _tested(pvalue):
        return f"{gap}; no Diebold-Mariano test (too few days, or losses that never differ)"
    test = f"Diebold-Mariano {p_value(pvalue)}"
    if pvalue >= SIGNIFICANT:
        return f"{gap}: could well be chance, {test}"
    winner = f"the model beats {baseline}" if ratio < 1 else f"{baseline} beats the model"
    return f"{winner}: {gap}, {test}"


def best_against_naive(
    model: str,
    ratio: float | None,
    pvalue: float | None,
    loss: str = "MSE",
    baseline: str = "naive",
) -> str | None:
    """A leaderboard's model of lowest loss against the baseline (`baseline`: its name as a
    model, naive or random_walk), in words; None where the ratio is undefined (the baseline
    never errs, or is not run)."""
    if not _tested(ratio):
        return None
    said = {"random_walk": "the random walk"}.get(baseline, baseline)
    if model == baseline:
        return f"no model's {loss} is below {said}'s"
    return f"lowest {loss}, {model}: {against_naive(ratio, pvalue, loss, said)}"


def universe_lines(rows: list[dict], symbols: int) -> list[str]:
    """A universe leaderboard (`rows`, one per model) in words: on how many symbols a model's
    MSE is significantly below naive's (Diebold-Mariano, Benjamini-Hochberg across symbols),
    and the highest mean rank IC, with its t-statistic."""
    models = [r for r in rows if r["model"] != "naive"]
    wins = [r for r in models if (r.get("dm_wins_bh") or 0) > 0]  # NaN or None: none
    lines = [f"{r['model']}: an MSE significantly below naive's on {int(r['dm_wins_bh'])} of "
             f"{symbols} symbols (after Benjamini-Hochberg)" for r in wins]  # fmt: skip
    if models and not wins:
        lines.append("no model's MSE is significantly below naive's on any symbol "
                     "(after Benjamini-Hochberg)")  # fmt: skip
    ranked = [r for r in models if _tested(r.get("mean_rank_ic"))]
    if ranked:
        best = max(ranked, key=lambda r: r["mean_rank_ic"])
        said = ic_t_words(best.get("rank_ic_t"))
        lines.append(f"highest rank IC, {best['model']}: {best['mean_rank_ic']:.4f} ({said})")
    return lines


def plain_verdict(ratio: float | None, pvalue: float | None, lag: bool | None) -> str:
    """Say in words what the numbers mean for one model against naive."""
    if ratio is None:
        return "The close never moves on these days: naive has no error, and no ratio exists."
    gap = abs(1 - ratio) * 100
    words = [
        f"Its squared error is {gap:.1f}% {'below' if ratio < 1 else 'above'} that of "
        "repeating yesterday's close (the naive forecast)."
        if ratio != 1  # an ARIMA that chose the random walk: naive's error, to the digit
        else "Its squared error is that of repeating yesterday's close (the naive forecast)."
    ]
    if _tested(pvalue):
        words.append(
            f"The Diebold-Mariano test gives {p_value(pvalue)}: the difference "
            + ("is unlikely to be chance." if pvalue < SIGNIFICANT else "could well be chance.")
        )
    if lag:
        words.append(LAGGING[0].upper() + LAGGING[1:] + ".")
    elif lag is not None:
        words.append("Its forecasts do not merely trail the price by a day.")
    return " ".join(words)


BASELINE_WORDS = {"naive": "naive", "random_walk": "the random walk"}
"""A baseline's name in a sentence: naive for a price, the random walk for a variance."""


def search_sentence(test: SnoopingTest, baseline: str = "naive") -> str:
    """A search's verdict in plain words: its best trial against the baseline (`naive`, or
    the variance target's `random_walk`) on the validation days, and how often a search
    this wide finds that much by luck (SPA)."""
    best, against = f"the best of {test.trials} configurations", BASELINE_WORDS[baseline]
    spa = f"SPA {p_value(test.spa_pvalue, 2)}"
    if test.gain == 0:
        return (f"{best} does exactly as well as {against} on validation days: no sign of "
                f"skill ({spa})")  # fmt: skip
    if test.gain < 0:  # nothing to explain by luck
        return (f"{best} loses to {against} on validation days by {share(-test.gain)}: no "
                f"sign of skill ({spa})")  # fmt: skip
    often = "under 1%" if round(test.spa_pvalue, 2) == 0 else f"{test.spa_pvalue:.0%}"
    return (f"{best} beats {against} on validation days by {share(test.gain)}, and a search "
            f"this wide finds that much by luck {often} of the time ({spa})")  # fmt: skip
