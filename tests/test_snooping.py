"""What a search is worth: SPA, the model confidence set and the Deflated Sharpe Ratio, on
synthetic searches whose truth is known (a planted winner, or pure noise)."""

from __future__ import annotations

import numpy as np
import pytest

from stockcaster.evaluation.snooping import (
    SnoopingTest,
    confidence_set,
    deflated_sharpe,
    superior_ability,
)
from stockcaster.reporting.numbers import p_value, share
from stockcaster.reporting.verdicts import against_naive, search_sentence


def search(days: int, trials: int, winner: bool, seed: int) -> tuple:
    """Naive's and the trials' squared errors on `days` validation days, as in a real
    search where every forecast stays near the last close: each trial's error is naive's
    plus a little noise of its own (1% larger loss on average), except trial 3's when a
    winner is planted: 0.95 times naive's plus less noise (9.5% smaller loss)."""
    rng = np.random.default_rng(seed)
    error = rng.normal(size=days)
    trials_errors = error[:, None] + 0.1 * rng.normal(size=(days, trials))
    if winner:
        trials_errors[:, 3] = 0.95 * error + 0.05 * rng.normal(size=days)
    return error**2, trials_errors**2


def test_a_planted_winner_is_found_and_pure_noise_is_not():
    naive, losses = search(500, 50, winner=True, seed=1)
    found = superior_ability(naive, losses, reps=500, seed=0)
    assert found.best == 3 and found.gain > 0.05
    assert found.spa_pvalue < 0.05 and found.reality_check_pvalue < 0.05
    naive, losses = search(500, 50, winner=False, seed=2)
    noise = superior_ability(naive, losses, reps=500, seed=0)
    assert noise.spa_pvalue > 0.2
    assert noise.reality_check_pvalue >= noise.spa_pvalue  # White's test is the conservative one
    said = search_sentence(noise)
    assert "configurations" in said and f"{noise.spa_pvalue:.2f}" in said


@pytest.mark.parametrize(
    ("gain", "says"),
    [
        (-0.0001, "loses to naive on validation days by 0.01%: no sign of skill"),
        (-0.006, "loses to naive on validation days by 0.6%: no sign of skill"),
        (0.0, "does exactly as well as naive on validation days: no sign of skill"),
        (0.0004, "beats naive on validation days by 0.04%, and a search this wide"),
    ],
)
def test_the_sentence_never_rounds_a_gain_to_zero(gain, says):
    """A search 0.01% worse than naive read "loses to naive ... by 0.0%"."""
    verdict = SnoopingTest(trials=5, best=0, gain=gain, spa_pvalue=0.52, reality_check_pvalue=0.6)
    assert search_sentence(verdict).startswith(f"the best of 5 configurations {says}")


def test_no_p_value_is_written_as_zero():
    """A search whose SPA p was 0 (no bootstrap draw reached its gain) read "finds that much
    by luck 0% of the time (SPA p = 0.00)", and a Diebold-Mariano p of 1.7e-05 "p = 0.000":
    a p-value is never zero, and a model 0.04% below naive is not 0.0% below it."""
    assert [p_value(p) for p in (0.193, 0.0006, 0.0004, 1.7e-05, 0.0)] == [
        "p = 0.193", "p = 0.001", "p < 0.001", "p < 0.001", "p < 0.001"]  # fmt: skip
    assert p_value(0.004, 2) == "p < 0.01" and p_value(0.52, 2) == "p = 0.52"
    lucky = SnoopingTest(trials=5, best=0, gain=0.01, spa_pvalue=0.0, reality_check_pvalue=0.0)
    assert search_sentence(lucky).endswith("by luck under 1% of the time (SPA p < 0.01)")
    # nor a share of a percent: a ratio to naive of 0.99996 read "0.0% below naive's MSE"
    assert [share(x) for x in (0.0, 0.006, 0.0004, 0.00004, -0.000031, -0.2)] == [
        "0.0%", "0.6%", "0.04%", "0.004%", "-0.0031%", "-20.0%"]  # fmt: skip
    # a universe's share of symbols below naive: 1 of 437 read "0%"
    assert [share(x, 0) for x in (0.0, 0.5, 1 / 437, 0.0004)] == ["0%", "50%", "0.2%", "0.04%"]
    assert against_naive(0.9996, 0.4).startswith("0.04% below naive's MSE: could well be")
    assert against_naive(0.99999, 0.4).startswith("0.001% below naive's MSE")


def test_the_same_losses_and_seed_give_the_same_verdict():
    naive, losses = search(200, 10, winner=False, seed=4)
    first = superior_ability(naive, losses, reps=200, seed=7)
    assert first == superior_ability(naive, losses, reps=200, seed=7)


def test_the_confidence_set_keeps_the_winner_and_drops_the_clearly_worse():
    naive, losses = search(600, 6, winner=True, seed=3)
    losses[:, 5] = 1.5 * naive  # clearly worse
    names = ["naive"] + [f"trial {i}" for i in range(6)]
    kept = confidence_set(np.column_stack([naive, losses]), names, reps=500, seed=0)
    assert "trial 3" in kept and "trial 5" not in kept and "naive" not in kept


def test_the_deflated_sharpe_ratio_shrinks_as_more_trials_are_made():
    rng = np.random.default_rng(5)
    returns = rng.normal(0.0008, 0.01, size=750)  # a daily Sharpe ratio near 0.08
    alone = deflated_sharpe(returns, np.array([returns.mean() / returns.std(ddof=1)]))
    many = deflated_sharpe(returns, rng.normal(0, 0.04, size=200))
    assert alone > 0.9 and many < alone
    assert many < 0.5  # two hundred tries find a Sharpe ratio like this by luck
    assert np.isnan(deflated_sharpe(np.zeros(100), np.array([0.0, 0.1])))


def test_the_deflated_sharpe_ratio_of_one_trial_is_the_probabilistic_sharpe_ratio():
    """With one trial there is nothing to deflate: Phi(SR sqrt(T - 1) / sqrt(...)), here
    with normal returns (skew 0, kurtosis 3) checked by hand to within sampling error."""
    rng = np.random.default_rng(6)
    returns = rng.normal(0.001, 0.01, size=2000)
    sharpe = returns.mean() / returns.std(ddof=1)
    expected = __import__("scipy").stats.norm.cdf(
        sharpe * np.sqrt(1999) / np.sqrt(1 + sharpe**2 / 2)
    )
    assert deflated_sharpe(returns, np.array([sharpe])) == pytest.approx(expected, abs=5e-3)


def test_trials_stopped_early_still_count_as_tries():
    rng = np.random.default_rng(4)
    returns = rng.normal(0.002, 0.01, size=500)
    sharpes = rng.normal(0, 0.04, size=10)
    scored_only = deflated_sharpe(returns, sharpes)
    assert deflated_sharpe(returns, sharpes, tries=10) == scored_only
    assert deflated_sharpe(returns, sharpes, tries=50) < scored_only


def test_models_with_the_same_losses_are_in_or_out_of_the_confidence_set_together():
    """Two trials that drew one configuration (or one equal to naive) have the same losses
    every day: the set over the distinct columns, each one's names together, no crash."""
    rng = np.random.default_rng(4)
    good, bad = rng.normal(0, 1, (300, 2)).T
    losses = np.column_stack([good**2, (bad + 1.5) ** 2])
    distinct = confidence_set(losses, ["good", "bad"])
    assert distinct == ["good"]  # the worse one is told apart
    twice = np.column_stack([losses[:, 0], losses[:, 1], losses[:, 0], losses[:, 1]])
    assert confidence_set(twice, ["good", "bad", "good again", "bad again"]) == [
        "good",
        "good again",
    ]
    assert confidence_set(twice[:, [0, 2]], ["a", "b"]) == ["a", "b"]
