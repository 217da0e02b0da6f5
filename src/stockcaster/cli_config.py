"""Config files for the CLI: `--config FILE.toml` on every command, flags winning over the file.

A file holds one table per command (`[run]`, `[backtest]`, ...), whose keys are the
command's option names (`retrain_every` or `retrain-every`). The values become the
command's defaults (Click's `default_map`), so a flag typed on the command line still
wins. `stockcaster init` writes an example with every option, generated from the
commands themselves so that it cannot drift from them.
"""

from __future__ import annotations

import inspect
import tomllib
import typing
from pathlib import Path
from typing import Any

from stockcaster.errors import StockcasterError

_SKIP = {"config", "help"}


def read_config(path: Path, command: Any) -> dict[str, Any]:
    """The validated values of `command`'s table in a config file.

    Raises:
        StockcasterError: an unreadable file, an unknown table or key, or a value of the
            wrong type, naming the file, the key, the expected type and the value.
    """
    try:
        table = tomllib.loads(Path(path).read_text())
    except OSError as err:
        raise StockcasterError(
            f"--config: expected a readable TOML file, received {path} ({err.strerror})"
        ) from None
    except tomllib.TOMLDecodeError as err:
        raise StockcasterError(f"{path}: expected valid TOML, received an error: {err}") from None
    commands = _command_names()
    for name, value in table.items():
        if name not in commands or not isinstance(value, dict):
            raise StockcasterError(
                f"{path}: expected tables among [{'], ['.join(sorted(commands))}], "
                f"received {name!r}"
            )
    params = {p.name: p for p in command.params if p.name not in _SKIP}
    values = {}
    for key, value in table.get(command.name, {}).items():
        name = key.replace("-", "_")
        if name not in params:
            raise StockcasterError(
                f"{path} [{command.name}]: expected keys among {', '.join(sorted(params))}, "
                f"received {key!r}"
            )
        values[name] = _check_type(command, name, value, f"{path} [{command.name}] {key}")
    return values


def example_config() -> str:
    """A commented config with every option of every command, at its default."""
    lines = [
        "# stockcaster config: pass it to any command with --config FILE.",
        "# One table per command; flags typed on the command line win over these values.",
        "# Uncomment a line to set it.",
    ]
    configurable = _command_names()
    for name, command in sorted(_commands().items()):
        if name not in configurable:
            continue  # init itself
        lines += ["", f"[{name}]", f"# {command.get_short_help_str(90)}"]
        for param in command.params:
            if param.name in _SKIP or param.param_type_name != "option":
                continue
            help_text = (param.help or "").replace("\n", " ")
            default = param.default
            if default is None or callable(default):
                lines.append(f"# {param.name} = ...  # {help_text}")
            else:
                lines.append(f"# {param.name} = {_toml_value(default)}  # {help_text}")
    return "\n".join(lines) + "\n"


def _check_type(command: Any, name: str, value: Any, where: str) -> Any:
    """Check a value against the Python type of the command function's parameter."""
    hint = _hints(command)[name]
    options = [t for t in typing.get_args(hint) if t is not type(None)] or [hint]
    kind = options[0]
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind is bool:
        ok, expected = isinstance(value, bool), "true or false"
    elif kind is int:
        ok, expected = isinstance(value, int) and not isinstance(value, bool), "an integer"
    elif kind is float:
        ok, expected = number, "a number"
    else:
        ok, expected = isinstance(value, str), "a string"
    if not ok:
        raise StockcasterError(f"{where}: expected {expected}, received {value!r}")
    return value


def _hints(command: Any) -> dict[str, Any]:
    from stockcaster import cli

    return typing.get_type_hints(inspect.unwrap(getattr(cli, command.name)))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _commands() -> dict[str, Any]:
    import typer.main

    from stockcaster.cli import app

    return dict(typer.main.get_command(app).commands)


def _command_names() -> set[str]:
    """Commands that take a config (all but init)."""
    return {n for n, c in _commands().items() if any(p.name == "config" for p in c.params)}
