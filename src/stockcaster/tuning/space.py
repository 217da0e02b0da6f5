"""Search spaces: what a hyper-parameter search may try for a model.

Every model with hyper-parameters brings its default space in its registry entry
(`models/space.py` holds the spaces and their `Param`). A TOML file overrides any of its
parameters, one table per parameter:

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
from pathlib import Path

from stockcaster.errors import StockcasterError
from stockcaster.models.registry import MODELS, searchable_models
from stockcaster.models.space import Param, Space, longest
from stockcaster.settings import read_toml

__all__ = ["Param", "Space", "check_values", "default_space", "longest", "read_space"]

_KEYS = ("low", "high", "log", "choices")


def default_space(family: str) -> Space:
    """The parameters `family` is searched over by default.

    Raises:
        StockcasterError: a family that has no search space (the baselines, ARIMA).
    """
    spec = MODELS.get(family)
    if spec is None or spec.space is None:
        raise StockcasterError(
            f"--model: expected a model with hyper-parameters ({', '.join(searchable_models())}),"
            f" received {family!r}"
        )
    return dict(spec.space)


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
        kind = default.kind if default.kind != "choice" else _kind_of(default.choices)
        for choice in choices if kind is not None else ():
            _number(choice, kind, f"{where} choices")
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


def _kind_of(choices: tuple) -> str | None:
    """The kind of number a parameter's default choices are ("int" or "float"; None for
    choices of another kind, which only the model's own check judges: `check_values`)."""
    numbers = [c for c in choices if isinstance(c, int | float) and not isinstance(c, bool)]
    if len(numbers) < len(choices):
        return None
    return "int" if all(isinstance(c, int) for c in numbers) else "float"


def check_values(space: Space, build, where: str) -> None:
    """Build a trial's model (`build(params)`, not fitted) at each end of every range and
    with every choice, so that a value the model refuses (a unit count of 0, a dropout of
    2) stops the search in one line before any trial, not as every trial's failure.

    Raises:
        StockcasterError: naming `where`, the parameter, the value and the model's reason.
    """
    for name, param in space.items():
        values = param.choices if param.kind == "choice" else (param.low, param.high)
        for value in values:
            try:
                build({name: value})
            except StockcasterError as err:
                raise StockcasterError(f"{where}: [{name}] {value!r}: {err}") from None


def _number(value: object, kind: str, where: str) -> float:
    """A range end: an integer for an integer parameter, any number for a float one."""
    if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise StockcasterError(f"{where}: expected an integer, received {value!r}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StockcasterError(f"{where}: expected a number, received {value!r}")
    return value
