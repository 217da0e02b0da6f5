"""The command line: a thin layer of Typer commands over `stockcaster.jobs`."""

from stockcaster.cli.app import app, main

__all__ = ["app", "main"]
