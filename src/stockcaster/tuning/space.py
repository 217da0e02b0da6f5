"""Search spaces: what a hyper-parameter search may try for each model family.

Every family has a default space (`default_space`): the networks' lookback, size, depth,
dropout, learning rate, batch size and epochs; LightGBM's leaves, depth, learning rate,
feature fraction and rounds; the ridge penalty of `linear`. A TOML file overrides any of
its parameters, one table per parameter:

    [lookback]
    low = 20
    high = 60

    [learning_rate]
    low = 1e-4
    high = 1e-2
    log = true

    [batch_size]
    choices = [32, 64]

A parameter the family does not have, a key other than low, high, log and choices, a value
of the wrong type, an inverted (empty) range, or a log range that reaches 0 stops in one
line naming the file and the parameter.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from stockcaster.errors import StockcasterError
from stockcaster.models.families import NEURAL, TABULAR
from stockcaster.settings import read_toml

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
_KEYS = ("low", "high", "log", "choices")


def longest(space: Space, name: str, otherwise: int) -> int:
    """The largest value `space` may give the integer parameter `name` (`otherwise` when
    it does not search it)."""
    param = space.get(name)
    if param is None:
        return otherwise
    return int(max(param.choices) if param.kind == "choice" else param.high)


def default_space(family: str) -> Space:
    """The parameters `family` is searched over by default.

    Raises:
        StockcasterError: a family that has no search space (the baselines, ARIMA).
    """
    if family in NEURAL:
        return dict(NETWORK_SPACE)
    if family in TABULAR:
        return dict(LIGHTGBM_SPACE if family == "lightgbm" else RIDGE_SPACE)
    searched = ", ".join([*NEURAL, *TABULAR])
    raise StockcasterError(
        f"--model: expected a family with hyper-parameters ({searched}), received {family!r}"
    )


def read_space(path: str | Path, family: str) -> Space:
    """`family`'s default space with the overrides of a TOML space file."""
    space = default_space(family)
    for name, table in read_toml(path, "--space").items():
        where = f"{path}: [{name}]"
        if name not in space:
            raise StockcasterError(
                f"{path}: expected a parameter of {family} ({', '.join(space)}), received {name!r}"
            )
        if not isinstance(table, dict):
            raise StockcasterError(
                f"{where}: expected a table of {', '.join(_KEYS)}, received {table!r}"
            )
        space[name] = _override(space[name], table, where)
    return space


def _override(default: Param, table: dict, where: str) -> Param:
    """`default` with the keys of one parameter's table, checked."""
    allowed = ("choices",) if default.kind == "choice" else _KEYS
    unknown = [key for key in table if key not in allowed]
    if unknown:
        raise StockcasterError(
            f"{where} {unknown[0]}: expected one of {', '.join(allowed)}, received an unknown key"
        )
    if "choices" in table:
        choices = table["choices"]
        if not isinstance(choices, list):
            raise StockcasterError(f"{where} choices: expected a list, received {choices!r}")
        param = Param("choice", choices=tuple(choices))
    else:
        if "log" in table and not isinstance(table["log"], bool):
            raise StockcasterError(
                f"{where} log: expected true or false, received {table['log']!r}"
            )
        changed = {key: _number(table[key], default.kind, f"{where} {key}")
                   for key in ("low", "high") if key in table}  # fmt: skip
        param = dataclasses.replace(default, **changed, log=table.get("log", default.log))
    param.check(where)
    return param


def _number(value: object, kind: str, where: str) -> float:
    """A range end: an integer for an integer parameter, any number for a float one."""
    if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise StockcasterError(f"{where}: expected an integer, received {value!r}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StockcasterError(f"{where}: expected a number, received {value!r}")
    return value
