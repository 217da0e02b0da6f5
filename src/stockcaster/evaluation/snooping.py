"""What a search is worth: is the best of N tries better than naive by more than luck?

The best of fifty configurations always looks good on the days it was chosen on. These
tests ask how often a search this wide finds that much by chance:

- Hansen's (2005) test for superior predictive ability (SPA) and White's (2000) Reality
  Check: "no trial beats naive", tested on every trial's per-day losses at once with a
  stationary block bootstrap (`arch.bootstrap.SPA`);
- Hansen, Lunde and Nason's (2011) model confidence set: the trials (and naive) that cannot
  be told from the best (`arch.bootstrap.MCS`);
- Bailey and Lopez de Prado's (2014) Deflated Sharpe Ratio: the probability that the best
  trial's trading rule has a true Sharpe ratio above zero, given how many rules were tried
  and how far their Sharpe ratios spread. No maintained library computes it; it is the
  paper's closed form (equations 2 and 9), a few lines of SciPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EULER_GAMMA = 0.5772156649015329


@dataclass(frozen=True)
class SnoopingTest:
    """The SPA and Reality Check p-values of "the best trial beats naive".

    Attributes:
        trials: how many trials were compared with naive.
        best: the index of the trial with the lowest mean loss.
        gain: 1 - the best trial's mean loss / naive's (0.006: 0.6% lower).
        spa_pvalue: Hansen's SPA p-value (his "consistent" one).
        reality_check_pvalue: White's Reality Check p-value (SPA's "upper" one).
    """

    trials: int
    best: int
    gain: float
    spa_pvalue: float
    reality_check_pvalue: float


def superior_ability(
    naive_losses: np.ndarray,
    trial_losses: np.ndarray,
    reps: int = 1000,
    block_size: int | None = None,
    seed: int = 0,
) -> SnoopingTest:
    """Test whether any of the trials has a lower expected loss than naive.

    Args:
        naive_losses: `[days]` naive's loss on each validation day (e.g. squared error).
        trial_losses: `[days, trials]` each trial's loss on the same days.
        reps: bootstrap replications.
        block_size: the bootstrap's mean block length (None: arch's default, the square
            root of the days, rounded down: 21 over 441 days).
        seed: the bootstrap's seed: the same losses give the same p-values.
    """
    # Delayed import: arch's bootstrap, only for the verdict of a search.
    from arch.bootstrap import SPA

    naive_losses = np.asarray(naive_losses, dtype="float64")
    trial_losses = np.asarray(trial_losses, dtype="float64").reshape(len(naive_losses), -1)
    test = SPA(naive_losses, trial_losses, block_size=block_size, reps=reps, seed=seed)
    test.compute()
    means = trial_losses.mean(axis=0)
    best = int(np.argmin(means))
    return SnoopingTest(
        trials=trial_losses.shape[1],
        best=best,
        gain=float(1 - means[best] / naive_losses.mean()),
        spa_pvalue=float(test.pvalues["consistent"]),
        reality_check_pvalue=float(test.pvalues["upper"]),
    )


def confidence_set(
    losses: np.ndarray,
    names: list[str],
    size: float = 0.1,
    reps: int = 1000,
    block_size: int | None = None,
    seed: int = 0,
) -> list[str]:
    """The model confidence set at level 1 - `size`: the names not told apart from the best.

    Models whose losses are the same on every day (two trials that drew the same
    configuration, or one that is naive) cannot be told apart: the set is computed over
    the distinct columns, and each one's models are in it or out of it together.

    Args:
        losses: `[days, models]` each model's loss per day (naive among them).
        names: the models' names, in the columns' order.
    """
    # Delayed import: arch's bootstrap, only for the verdict of a search.
    from arch.bootstrap import MCS

    losses = np.asarray(losses, dtype="float64")
    _, first, group = np.unique(losses, axis=1, return_index=True, return_inverse=True)
    order = np.argsort(first)  # the distinct columns, in the order they first come
    if len(order) == 1:
        return list(names)
    test = MCS(losses[:, first[order]], size, reps, block_size, seed=seed)
    test.compute()
    kept = {int(order[int(i)]) for i in test.included}  # the unique columns' numbers
    return [name for name, g in zip(names, group.ravel(), strict=True) if int(g) in kept]


def deflated_sharpe(
    returns: np.ndarray, trial_sharpes: np.ndarray, tries: int | None = None
) -> float:
    """The probability that the best trial's true Sharpe ratio exceeds zero, after N trials.

    Bailey and Lopez de Prado (2014): the Sharpe ratio a search of N independent trials
    finds by luck is `SR0 = sd(SR_n) * ((1 - g) Z(1 - 1/N) + g Z(1 - 1/(N e)))` (g the
    Euler-Mascheroni constant, Z the normal quantile); the Deflated Sharpe Ratio is the
    probabilistic Sharpe ratio of the best trial against that benchmark,
    `Phi((SR - SR0) sqrt(T - 1) / sqrt(1 - skew SR + (kurtosis - 1) / 4 SR^2))`, all per
    period (daily, not annualised).

    Args:
        returns: `[days]` the best trial's daily strategy returns.
        trial_sharpes: `[trials]` every trial's daily Sharpe ratio, the best one included.
        tries: N, the configurations tried (None: as many as `trial_sharpes`); more than
            the Sharpe ratios when some trials were stopped early.

    Returns:
        The probability in [0, 1]; NaN when the returns never vary.
    """
    # Delayed import: scipy.stats costs half a second, and only a search's verdict needs it.
    from scipy import stats

    returns = np.asarray(returns, dtype="float64")
    sharpes = np.asarray(trial_sharpes, dtype="float64")
    spread = returns.std(ddof=1)
    if len(returns) < 3 or not spread > 0:
        return float("nan")
    sharpe = returns.mean() / spread
    n = max(len(sharpes), tries or 0)
    luck = 0.0
    if n > 1:
        quantile = stats.norm.ppf
        expected_max = (1 - EULER_GAMMA) * quantile(1 - 1 / n)
        expected_max += EULER_GAMMA * quantile(1 - 1 / (n * np.e))
        spread = sharpes.std(ddof=1) if len(sharpes) > 1 else 0.0
        luck = spread * expected_max
    skew = stats.skew(returns)
    kurtosis = stats.kurtosis(returns, fisher=False)
    scale = np.sqrt(1 - skew * sharpe + (kurtosis - 1) / 4 * sharpe**2)
    return float(stats.norm.cdf((sharpe - luck) * np.sqrt(len(returns) - 1) / scale))
