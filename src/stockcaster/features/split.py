"""Chronological train / validation / test split of one series' rows."""

from __future__ import annotations

from dataclasses import dataclass

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
    train_end = int((1 - test_fraction) * n_rows)
    if validation_fraction is None:
        return Split(fit_end=train_end, train_end=train_end, n_rows=n_rows)
    if not 0 < validation_fraction < 1:
        raise StockcasterError(
            f"expected validation fraction in (0, 1), received {validation_fraction}"
        )
    fit_end = train_end - int(round(validation_fraction * train_end))
    return Split(fit_end=fit_end, train_end=train_end, n_rows=n_rows)
