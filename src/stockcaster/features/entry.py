"""An entry of the features' small registries (targets, scalings): a name, what it does,
and whether a series' models or a panel's use it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One registered choice: its name, a line of help, and whether it is a panel's."""

    name: str
    help: str
    panel: bool


def registry(*entries: Entry) -> dict[str, Entry]:
    """The entries by name, in order."""
    return {entry.name: entry for entry in entries}


def names(entries: Mapping[str, Entry], panel: bool) -> tuple[str, ...]:
    """The names of a series' entries (`panel` False) or of a panel's (True), in order."""
    return tuple(name for name, entry in entries.items() if entry.panel == panel)
