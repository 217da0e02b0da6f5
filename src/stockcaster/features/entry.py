"""An entry of the features' small registries (targets, scalings): a name, what it does,
and whether a series' models, a panel's, or both use it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One registered choice: its name, a line of help, and who uses it."""

    name: str
    help: str
    series: bool
    panel: bool


def registry(*entries: Entry) -> dict[str, Entry]:
    """The entries by name, in order."""
    return {entry.name: entry for entry in entries}


def names(entries: Mapping[str, Entry], panel: bool) -> tuple[str, ...]:
    """The names a series' models use (`panel` False) or a panel's (True), in order."""
    return tuple(name for name, e in entries.items() if (e.panel if panel else e.series))
