"""The one error type stockcaster raises for bad input.

Every message names the file (and line or symbol), what was expected and what was
received, so the CLI can print it as a single line and exit with code 2.
"""


class StockcasterError(Exception):
    """Bad input from the user: a file, a symbol, a config or an argument."""

    exit_code = 2
