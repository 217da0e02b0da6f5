"""Search spaces: what a hyper-parameter search may try, one space per registry entry.

A model's entry (`registry.ModelSpec.space`) holds its default space: the networks'
lookback, size, depth, dropout, learning rate, batch size and epochs; LightGBM's leaves,
depth, learning rate, feature fraction and rounds; the ridge penalty of `linear`. The
parameters are the ones `configure.py` knows how to set. `tuning/space.py` reads a TOML
file's overrides on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from stockcaster.errors import StockcasterError

Kind = Literal["int", "float", "choice"]


@dataclass(frozen=True)
class Param:
    """One searched parameter: an integer or float range (log-uniform if `log`), or choices."""

    kind: Kind
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple = ()

    def check(self, where: str) -> None:
        """Raise a one-line `StockcasterError` (naming `where`) if the range is unusable."""
        if self.kind == "choice":
            if not self.choices:
                raise StockcasterError(f"{where}: expected at least one choice, received none")
            return
        if not self.low <= self.high:  # equal ends: the one value
            raise StockcasterError(
                f"{where}: expected low <= high, received low = {self.low}, high = {self.high}"
            )
        if self.log and self.low <= 0:
            raise StockcasterError(
                f"{where}: expected low > 0 on a log scale, received low = {self.low}"
            )


Space = dict[str, Param]

# Small networks by default: on daily returns every family ties naive, so a search's CPU
# is better spent on more small trials than on few large ones (a 3-layer, 128-unit LSTM on
# 90 lags costs ten times a trial here). A space file widens any range.
NETWORK_SPACE: Space = {
    "lookback": Param("int", 10, 60),
    "units": Param("int", 8, 64, log=True),
    "layers": Param("int", 1, 2),
    "dropout": Param("float", 0.0, 0.5),
    "learning_rate": Param("float", 1e-4, 1e-2, log=True),
    "batch_size": Param("choice", choices=(32, 64, 128)),
    "epochs": Param("int", 10, 40),
}
LIGHTGBM_SPACE: Space = {
    "num_leaves": Param("int", 7, 127, log=True),
    "max_depth": Param("int", 3, 12),
    "learning_rate": Param("float", 0.01, 0.3, log=True),
    "feature_fraction": Param("float", 0.5, 1.0),
    "rounds": Param("int", 50, 500, log=True),
}
RIDGE_SPACE: Space = {"alpha": Param("float", 1e-4, 1e2, log=True)}


SIZES = ("units", "layers", "dropout")
"""The parameters that size a network: the preset's layers, or a family's own settings."""


def takes(settings: type | None, name: str) -> bool:
    """Whether a family whose own settings are `settings` (None: the preset's layers) takes
    the parameter `name`: not a size its settings lack (`TRIAL`: the post's network has its
    two layers, so a search of `seed` sizes its units and dropout only)."""
    return settings is None or name not in SIZES or name in settings.TRIAL


def sized_by(space: Space, settings: type | None) -> Space:
    """`space` less the sizes a family's own settings do not take."""
    return {k: p for k, p in space.items() if takes(settings, k)}


def longest(space: Space, name: str, otherwise: int) -> int:
    """The largest value `space` may give the integer parameter `name` (`otherwise` when
    it does not search it)."""
    param = space.get(name)
    if param is None:
        return otherwise
    return int(max(param.choices) if param.kind == "choice" else param.high)
