"""The feature sets of the global model (and of a symbol's families on other sets than its
returns): a registry, where a new set is one function and one entry."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import StockcasterError
from stockcaster.features import factors, technical

FeatureSet = Literal["returns", "ohlcv", "technical", "market", "columns", "factors"]
CLIP = 10.0  # scaled features beyond this many deviations are clipped (technical, market)


@dataclass(frozen=True)
class FeatureSetSpec:
    """One feature set of the global model (a new one is one function and one entry).

    Attributes:
        name: the name `--features` takes.
        help: one line for `--help`.
        features: the names of the features, in column order.
        compute: `(prices, log_close) -> [rows] arrays`, one per feature (a list or a
            generator); the first is always the close's log-return (the target's scale).
        needs: the price columns it reads.
        warmup: rows at the start of each symbol before every feature has a value.
        clip: scaled features (but the log-return) are clipped to +-clip, and a
            missing one (a flat window) is set to the symbol's mean; None for neither.
        lags: rows a tabular model (`linear`, `lightgbm`) flattens: None for the
            model's lookback; 1 for sets whose features already summarise windows.
        universe_only: reads other symbols' rows, so it needs a universe.
        names: for a set whose features the table decides (`columns`: its covariates),
            `(prices) -> names`; None: `features`.
    """

    name: str
    help: str
    features: tuple[str, ...]
    compute: Callable[[pd.DataFrame, np.ndarray], Iterable[np.ndarray]]
    needs: tuple[str, ...] = (C.CLOSE,)
    warmup: int = 1
    clip: float | None = None
    lags: int | None = None
    universe_only: bool = False
    names: Callable[[pd.DataFrame], tuple[str, ...]] | None = None

    def feature_names(self, prices: pd.DataFrame) -> tuple[str, ...]:
        """The set's features on `prices`, in column order."""
        return self.features if self.names is None else self.names(prices)


def window_rows(lookback: int, warmup: int) -> int:
    """The rows of a symbol one window reads, from its first: `lookback` rows with every
    feature, after the `warmup` rows its features need (1 for a log-return: the close
    before it). The one rule of which symbols and rows have a window: a window ending on
    row e of a symbol starting on row s needs e - s + 1 >= this."""
    return lookback + warmup


FEATURE_SETS: dict[str, FeatureSetSpec] = {
    spec.name: spec
    for spec in (
        FeatureSetSpec("returns", "the close's log-return", ("log_return",), technical.returns),
        FeatureSetSpec(
            "ohlcv",
            "log-return, opening gap, high-low range, open-to-close body, log volume change",
            ("log_return", "gap", "range", "body", "log_volume_change"),
            technical.ohlcv,
            (C.OPEN, C.HIGH, C.LOW, C.CLOSE, C.VOLUME),
        ),
        FeatureSetSpec(
            "technical",
            "Alpha158-style: candle shape, price levels and 12 indicators over 5-60 days",
            technical.TECHNICAL_FEATURES,
            technical.technical,
            (C.OPEN, C.HIGH, C.LOW, C.CLOSE, C.VOLUME),
            warmup=technical.WARMUP,
            clip=CLIP,
            lags=1,
        ),
        FeatureSetSpec(
            "market",
            "universe only: equal-weight market return, beta, correlation, return rank",
            technical.MARKET_FEATURES,
            technical.market,
            warmup=technical.WARMUP,
            clip=CLIP,
            lags=1,
            universe_only=True,
        ),
        FeatureSetSpec(
            "columns",
            "the log-return and the file's own covariates (--covariates), each scaled by its "
            "symbol's training days",
            ("log_return",),
            technical.with_covariates,
            clip=CLIP,
            names=technical.covariate_names,
        ),
        FeatureSetSpec(
            "factors",
            "the log-return and the price-only factors (reversal, momentum, low volatility; "
            "st_momentum where there is volume), each scaled by its symbol's training days",
            ("log_return",),
            factors.factors_feature,
            warmup=factors.YEAR,
            clip=CLIP,
            lags=1,
            names=factors.factor_feature_names,
        ),
    )
}
FEATURE_NAMES = {name: spec.features for name, spec in FEATURE_SETS.items()}


def feature_set_spec(name: str) -> FeatureSetSpec:
    """The registry entry of `name`.

    Raises:
        StockcasterError: an unknown name.
    """
    if name not in FEATURE_SETS:
        raise StockcasterError(
            f"--features: expected names among {', '.join(FEATURE_SETS)}, received {name!r}"
        )
    return FEATURE_SETS[name]
