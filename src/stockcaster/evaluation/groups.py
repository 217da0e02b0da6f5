"""Many series scored at once: each one a row of a matrix, padded to the longest.

A universe run scores every model of every symbol, a few hundred days each. One NumPy
expression over a `[groups, days]` matrix costs what one series' expression costs, where a
Python loop over the series pays NumPy's call overhead thousands of times. The flat
arrays hold group after group (as statsforecast's `GroupedArray`); a row holds one group,
padded after its end. A single series is one group, so the scores of one symbol and of a
whole universe come from the same code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Groups:
    """The layout of flat arrays that hold `sizes[0]` rows of group 0, then of group 1, ...

    Attributes:
        sizes: `[groups]` rows of each group, each at least 1.
    """

    sizes: np.ndarray

    @classmethod
    def of(cls, sizes) -> Groups:
        sizes = np.asarray(sizes, dtype="int64")
        if (sizes < 1).any():
            raise ValueError(f"expected groups of at least one row, received sizes {sizes}")
        return cls(sizes)

    @property
    def count(self) -> int:
        return len(self.sizes)

    @property
    def mask(self) -> np.ndarray:
        """`[groups, longest]`: True where a row holds one of its group's values."""
        width = int(self.sizes.max()) if self.count else 0
        return np.arange(width)[None, :] < self.sizes[:, None]

    def matrix(self, flat: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """`[groups, longest]` float64: group g's values in row g, then `fill`."""
        mask = self.mask
        out = np.full(mask.shape, fill, dtype="float64")
        out[mask] = flat  # row-major: the flat order, group after group
        return out

    def sum(self, values: np.ndarray) -> np.ndarray:
        """`[groups]` sums of a padded matrix whose padding is 0."""
        return values.sum(axis=1)

    def mean(self, values: np.ndarray) -> np.ndarray:
        """`[groups]` means of a padded matrix whose padding is 0."""
        return values.sum(axis=1) / self.sizes

    def last(self, values: np.ndarray) -> np.ndarray:
        """`[groups]`: each row's value at its group's last row."""
        return values[np.arange(self.count), self.sizes - 1]


def plain(value: float | bool | np.generic) -> float | bool | None:
    """One score as a plain Python value, None for NaN (a score that could not be made)."""
    value = value.item() if isinstance(value, np.generic) else value
    return None if isinstance(value, float) and np.isnan(value) else value


def score_one(grouped, *series: np.ndarray) -> dict:
    """A grouped score (`grouped(groups, *matrices)` returning `[groups]` arrays) of one
    series, as plain values: the 1-D functions are these, so one code scores both."""
    one = Groups.of([len(series[0])])
    scores = grouped(one, *(one.matrix(np.asarray(v, "float64")) for v in series))
    return {name: plain(values[0]) for name, values in scores.items()}
