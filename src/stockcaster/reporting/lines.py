"""The lines a command prints under its tables: notes on the data, and the symbols left out
and why; every text in them is the data's or the user's, so it is shown as text, never read
as Rich markup (a symbol named `[red]X` is printed so)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape


def notes(console: Console, said: Iterable[str] | None) -> None:
    """Print each note, as `note: ...` in yellow."""
    for note in said or ():
        console.print(f"[yellow]note:[/yellow] {escape(note)}")


def reasons(console: Console, label: str, why: dict[str, str], where: str) -> None:
    """Print each symbol left out of a result and why, the first 10 (the rest in `where`)."""
    for symbol, reason in list(why.items())[:10]:
        console.print(f"{label}: {escape(str(symbol))} ({escape(str(reason))})")
    if len(why) > 10:
        console.print(f"{label}: {len(why) - 10} more ({where})")
