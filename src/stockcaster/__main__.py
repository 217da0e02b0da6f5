"""`python -m stockcaster` runs the CLI."""

from stockcaster.cli import main

main()
