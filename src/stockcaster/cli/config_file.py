"""Config files for the CLI: `--config FILE.toml` on every command, flags winning over the file.

A file holds one table per command (`[run]`, `[backtest]`, ...), whose keys are the
command's option names (`retrain_every` or `retrain-every`). The values become the
command's defaults (Click's `default_map`), so a flag typed on the command line still
wins. Values are checked by the one settings checker (`stockcaster.settings`) against the
command function's own types. `stockcaster init` writes an example with every option,
generated from the commands themselves so that it cannot drift from them.
"""

from __future__ import annotations

import enum
import inspect
import typing
from pathlib import Path
from typing import Any

from stockcaster.errors import StockcasterError
from stockcaster.settings import members, read_toml, value_of

_SKIP = {"config", "help"}


def read_config(path: Path, command: Any, group: Any) -> dict[str, Any]:
    """The validated values of `command`'s table in a config file.

    Args:
        path: the TOML file.
        command: the command it configures.
        group: the CLI, whose commands name the tables a file may hold.

    Raises:
        StockcasterError: an unreadable file, an unknown table or key, or a value of the
            wrong type, naming the file, the key, the expected type and the value.
    """
    table = read_toml(path)
    commands = _configurable(group)
    for name, section in table.items():
        if name not in commands or not isinstance(section, dict):
            raise StockcasterError(
                f"{path}: expected tables among [{'], ['.join(sorted(commands))}], "
                f"received {name!r}"
            )
    # A key is an option's name as typed (`json`, `retrain-every`) or as a parameter
    # (`retrain_every`); `init` writes the first.
    params = {
        alias: p.name
        for p in command.params
        if p.name not in _SKIP
        for alias in (p.name, *(_key(opt) for opt in getattr(p, "opts", ())))
    }
    hints = typing.get_type_hints(inspect.unwrap(command.callback), include_extras=False)
    values = {}
    for key, raw in table.get(command.name, {}).items():
        name = params.get(key.replace("-", "_"))
        if name is None:
            known = sorted({_key(p.opts[0]) for p in command.params if p.name not in _SKIP})
            raise StockcasterError(
                f"{path} [{command.name}]: expected keys among {', '.join(known)}, received {key!r}"
            )
        checked = value_of(
            hints[name], _as_typed(hints[name], raw), f"{path} [{command.name}] {key}"
        )
        values[name] = checked.value if isinstance(checked, enum.Enum) else checked
    return values


def _as_typed(hint: Any, raw: Any) -> Any:
    """A value as the command line would give it: a list of strings for a comma-separated
    option (`models = ["lstm", "linear"]`) joined by commas, and one string for a repeatable
    option (`set = "seed.units=64"`) a list of one."""
    kinds = members(hint)
    if isinstance(raw, list) and str in kinds and all(isinstance(v, str) for v in raw):
        return ",".join(raw)
    if isinstance(raw, str) and any(typing.get_origin(k) in (list, tuple) for k in kinds):
        return [raw]
    return raw


def example_config(group: Any) -> str:
    """A commented config with every option of every command, at its default."""
    lines = [
        "# stockcaster config: pass it to any command with --config FILE.",
        "# One table per command; flags typed on the command line win over these values.",
        "# Uncomment a line to set it.",
    ]
    configurable = _configurable(group)
    for name, command in sorted(group.commands.items()):
        if name not in configurable:
            continue  # init itself
        lines += ["", f"[{name}]", f"# {command.get_short_help_str(90)}"]
        for param in command.params:
            if param.name in _SKIP or param.param_type_name != "option":
                continue
            help_text = (param.help or "").replace("\n", " ")
            default = param.default
            if isinstance(default, enum.Enum):
                default = default.value
            key = _key(param.opts[0])
            if default is None or callable(default):
                lines.append(f"# {key} = ...  # {help_text}")
            else:
                lines.append(f"# {key} = {_toml_value(default)}  # {help_text}")
    return "\n".join(lines) + "\n"


def _key(option: str) -> str:
    """An option's TOML key: its flag without dashes, `_` between words (`--cost-bps`:
    `cost_bps`, `--json`: `json`)."""
    return option.lstrip("-").replace("-", "_")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _configurable(group: Any) -> set[str]:
    """Commands that take a config (all but init)."""
    return {n for n, c in group.commands.items() if any(p.name == "config" for p in c.params)}
