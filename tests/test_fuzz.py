"""Property-based tests (Hypothesis), short profile: generated price files through the readers
and through the commands. `bench/fuzz.py` runs the same cases at length."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fuzz_cases import check_table, price_files, run_command, write_file
from hypothesis import HealthCheck, given, settings

from stockcaster.data import load_prices
from stockcaster.errors import StockcasterError

QUICK = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
COMMANDS = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))


@QUICK
@given(case=price_files())
def test_a_price_file_reads_to_a_valid_table_or_one_error(case):
    with tempfile.TemporaryDirectory() as folder:
        path = write_file(Path(folder), case)
        try:
            table = load_prices(path)
        except StockcasterError as err:
            assert "\n" not in str(err) and str(path) in str(err)
            return
        check_table(table)


@COMMANDS
@given(case=price_files())
def test_backtest_on_a_generated_file_keeps_every_rule(case):
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        data = write_file(work, case)
        args = ["backtest", "--models", "naive,drift", "--quiet", "--json", "--symbol", case[2]]
        run_command(args, data, work)
