"""Settings: TOML text -> small frozen dataclasses, checked once, with one error format.

Every settings file stockcaster reads (presets, `config.toml` of a run or bundle,
`--config` files) goes through here, and every bad value is reported the same way:
"FILE [table] key: expected ..., received ...". Allowed values come from the types
themselves: a `Literal[...]` or an `Enum` field accepts its members only.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import numbers
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from stockcaster.errors import StockcasterError

MAX_TOML_BYTES = 1_000_000  # a settings file is a few hundred bytes; more is not one


def read_toml(path: str | Path, what: str = "--config") -> dict[str, Any]:
    """Parse a TOML settings file: a regular file of at most `MAX_TOML_BYTES`, UTF-8.

    Raises:
        StockcasterError: not a regular file (a folder, a device, a pipe), too large,
            unreadable, not UTF-8 or not valid TOML, naming the file.
    """
    path = Path(path)
    try:
        if not path.is_file():
            kind = "a path that does not exist" if not path.exists() else "no regular file"
            raise StockcasterError(f"{what}: expected a TOML file, received {path} ({kind})")
        with path.open("rb") as handle:
            data = handle.read(MAX_TOML_BYTES + 1)
    except OSError as err:
        raise StockcasterError(
            f"{what}: expected a readable TOML file, received {path} ({err.strerror})"
        ) from None
    if len(data) > MAX_TOML_BYTES:
        raise StockcasterError(
            f"{path}: expected a settings file of at most {MAX_TOML_BYTES:,} bytes, received more"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise StockcasterError(
            f"{path}: expected UTF-8 text, received other bytes at byte {err.start}"
        ) from None
    return parse_toml(text, str(path))


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """Parse TOML text read from `where`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise StockcasterError(f"{where}: expected valid TOML, received an error: {err}") from None
    except RecursionError:
        raise StockcasterError(
            f"{where}: expected settings tables, received nesting too deep to read"
        ) from None


def build(cls: type, table: Any, where: str) -> Any:
    """Build the frozen dataclass `cls` from a TOML table, checking every key and value.

    Args:
        cls: the dataclass; its fields' types say what each key accepts.
        table: the parsed table.
        where: the file and table, e.g. "preset 'seed' [features]".

    Raises:
        StockcasterError: an unknown key, or a value of the wrong type or out of range.
    """
    if not isinstance(table, dict):
        raise StockcasterError(f"{where}: expected a table, received {table!r}")
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise StockcasterError(
            f"{where}: expected keys among {', '.join(sorted(known))}, received {unknown[0]!r}"
        )
    values = {
        key: value_of(hints[key], value, _place(where, key, hints[key]))
        for key, value in table.items()
    }
    try:
        return cls(**values)
    except StockcasterError as err:
        raise StockcasterError(f"{where}: {err}") from None


def value_of(hint: Any, value: Any, where: str) -> Any:
    """Check (and convert) one TOML value against a type hint.

    Integers are accepted for floats; lists become tuples (or stay lists for a `list`
    hint); tables become dataclasses; strings become `Enum` members.

    Raises:
        StockcasterError: "WHERE: expected ..., received ...".
    """
    if len(kinds := members(hint)) > 1:  # a union
        return _one_of_union(kinds, value, where)
    origin = typing.get_origin(hint)
    if origin in (tuple, list):  # a list of a repeatable option stays a list
        if not isinstance(value, list):
            raise StockcasterError(f"{where}: expected a list, received {value!r}")
        return origin(value_of(typing.get_args(hint)[0], item, where) for item in value)
    if dataclasses.is_dataclass(hint):
        return build(hint, value, where)
    allowed = choices(hint)
    if allowed is not None:
        if value not in allowed:
            raise StockcasterError(
                f"{where}: expected one of {', '.join(allowed)}, received {value!r}"
            )
        return hint(value) if isinstance(hint, type) and issubclass(hint, enum.Enum) else value
    return _scalar(hint, value, where)


def choices(hint: Any) -> tuple[str, ...] | None:
    """The values a `Literal` or string `Enum` type allows, or None for other types."""
    if typing.get_origin(hint) is typing.Literal:
        return tuple(str(v) for v in typing.get_args(hint))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return tuple(str(member.value) for member in hint)
    return None


def members(hint: Any) -> tuple:
    """A type hint's types: each of a union's (`str | None`), or the hint alone."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    return typing.get_args(hint) if union else (hint,)


def _place(where: str, key: str, hint: Any) -> str:
    """ "FILE [table] key" for a value, "FILE [table] [key]" for a nested table."""
    nested = any(dataclasses.is_dataclass(option) for option in members(hint))
    return f"{where} [{key}]" if nested else f"{where} {key}"


_EXPECTED = {
    bool: "true or false",
    int: "an integer",
    float: "a number",
    str: "a string",
    Path: "a path (a string)",
}


def _scalar(hint: type, value: Any, where: str) -> Any:
    if hint is Path and isinstance(value, str):
        return value  # a path is written as a string
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is float and isinstance(value, float) and not math.isfinite(value):
        # TOML writes nan and inf; no setting of stockcaster means either.
        raise StockcasterError(f"{where}: expected a finite number, received {value!r}")
    wrong_bool = isinstance(value, bool) and hint is not bool
    if not isinstance(value, hint) or wrong_bool:
        expected = _EXPECTED.get(hint, getattr(hint, "__name__", str(hint)))
        raise StockcasterError(f"{where}: expected {expected}, received {value!r}")
    return value


def _one_of_union(options: tuple, value: Any, where: str) -> Any:
    if value is None and type(None) in options:
        return None
    kinds = [o for o in options if o is not type(None)]
    if len(kinds) == 1:
        return value_of(kinds[0], value, where)
    expected = []
    for option in kinds:
        try:
            return value_of(option, value, where)
        except StockcasterError as err:
            text = str(err).removeprefix(f"{where}: expected ")
            expected.append(text.rpartition(", received ")[0] or text)
    raise StockcasterError(f"{where}: expected {' or '.join(expected)}, received {value!r}")


def whole_number(value: Any) -> bool:
    """Whether a Python caller's value is a whole number (an int or NumPy's, not a bool)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_count(value: Any, option: str, least: int = 1) -> None:
    """A count an option gives (days, names, repeats): a whole number, `least` or more.

    Raises:
        StockcasterError: "OPTION: expected a whole number, at least 1, received 2.5".
    """
    if not whole_number(value) or value < least:
        wanted = f"at least {least}" if least else "0 or more"
        raise StockcasterError(f"{option}: expected a whole number, {wanted}, received {value!r}")


def check_share(value: Any, option: str) -> None:
    """A share an option gives (the test period's): a number in (0, 1).

    Raises:
        StockcasterError: "OPTION: expected a share in (0, 1), received '0.3'".
    """
    if not (isinstance(value, float | int) and 0 < value < 1):
        raise StockcasterError(f"{option}: expected a share in (0, 1), received {value!r}")


def parse_names(text: str, option: str, known) -> tuple[str, ...]:
    """A comma-separated list of names from `known`, in order, without repeats.

    Raises:
        StockcasterError: an empty or unknown name.
    """
    names = [n.strip().lower() for n in text.split(",")]
    for name in names:
        if name not in known:
            raise StockcasterError(
                f"{option}: expected names among {', '.join(known)}, received {name!r}"
            )
    return tuple(dict.fromkeys(names))


def check_names(names: Any, option: str, known) -> tuple[str, ...]:
    """A Python caller's names among `known`, as a tuple (a string's letters are no names),
    returned as given; None or empty: () (the default).

    Raises:
        StockcasterError: a string, or a name not known.
    """
    if isinstance(names, str):
        raise StockcasterError(f"{option}: expected a tuple of names, received {names!r}")
    if names:
        parse_names(",".join(names), option, known)
    return tuple(names or ())
