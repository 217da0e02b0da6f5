"""Chronological train / validation / test split of one series' rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stockcaster.errors import StockcasterError


@dataclass(frozen=True)
class Split:
    """Row boundaries of a chronological split: fit | validation | test.

    Rows `[0, fit_end)` train the model and fit every scaler; rows `[fit_end, train_end)`
    are the validation part the callbacks watch (empty when the test period is used for
    validation, as the reference does); rows `[train_end, n_rows)` are the test period.
    """

    fit_end: int
    train_end: int
    n_rows: int

    @property
    def n_test(self) -> int:
        return self.n_rows - self.train_end


def training_rows(n_rows: int, test_fraction: float) -> int:
    """The one cutoff rule: of `n_rows` in time order, the first this many are training rows.

    `int((1 - test_fraction) * n_rows)`, as in the reference (1,321 of 1,762); the rows
    (or trading days) after them are the test period. Used for one series' split, the
    backtest's first origin, a universe's common cutoff day and the global model's
    validation days.
    """
    return int((1 - test_fraction) * n_rows)


def last_training_day(days: np.ndarray, test_fraction: float) -> np.datetime64:
    """The last training day of sorted, distinct `days`, by the same rule."""
    return days[max(0, training_rows(len(days), test_fraction) - 1)]


def chronological_split(
    n_rows: int, test_fraction: float = 0.25, validation_fraction: float | None = 0.15
) -> Split:
    """Split `n_rows` in time order, the test period last.

    Args:
        n_rows: rows of the series.
        test_fraction: share of rows in the test period; the training part is the first
            `int((1 - test_fraction) * n_rows)` rows, as in the reference (1,321 of 1,762).
        validation_fraction: share of the training part, taken from its end, that
            validates; None validates on the test period (the reference's choice).

    Raises:
        StockcasterError: a fraction outside (0, 1).
    """
    if not 0 < test_fraction < 1:
        raise StockcasterError(f"expected test_fraction in (0, 1), received {test_fraction}")
    train_end = training_rows(n_rows, test_fraction)
    if validation_fraction is None:
        return Split(fit_end=train_end, train_end=train_end, n_rows=n_rows)
    if not 0 < validation_fraction < 1:
        raise StockcasterError(
            f"expected validation fraction in (0, 1), received {validation_fraction}"
        )
    fit_end = train_end - int(round(validation_fraction * train_end))
    return Split(fit_end=fit_end, train_end=train_end, n_rows=n_rows)
