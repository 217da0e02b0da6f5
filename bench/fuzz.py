"""The long fuzzing profile: generated price files through the readers and the commands.

The cases are those of `tests/fuzz_cases.py` (the short profile runs in `make test`), drawn
by Hypothesis: hostile symbols (paths, markup, formulas, control characters), bad cells
(garbage, infinities, absurd magnitudes, other date formats), broken headers, other
encodings. Every reader case must give a validated table or one `StockcasterError`; every
command case exit code 0 or 2, no traceback, no warning from stockcaster, nothing written
outside `--out`, no partial folder and strict JSON. The value cases (`tests/fuzz_values.py`)
forge one value of a bundle, a universe bundle, a results store, a config file or a `tune`
option (NaN, infinities, zero, negatives, huge numbers, wrong types and shapes) under the
same rules, and a forecast written with exit 0 must hold finite numbers. Prints the counts;
exits 1 on the first case that breaks a rule (Hypothesis then shows it, shrunk).

    .venv/bin/python bench/fuzz.py [--readers 10000] [--commands 300] [--values 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _measure import record  # noqa: E402
from fuzz_cases import Tally, check_table, price_files, run_command, write_file  # noqa: E402
from fuzz_values import KINDS, ValueFixtures, option_values, values  # noqa: E402

from stockcaster.data import load_prices  # noqa: E402
from stockcaster.errors import StockcasterError  # noqa: E402

COMMANDS = {
    "backtest": ["backtest", "--models", "naive,drift", "--quiet", "--json"],
    "run": ["run", "--epochs", "1", "--quiet", "--json"],
    "universe": ["universe", "--models", "naive,drift", "--mode", "per-symbol", "--workers",
                 "1", "--min-history", "30", "--quiet", "--json"],
}  # fmt: skip


def readers(count: int) -> Tally:
    tally = Tally()

    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=price_files())
    def one(case):
        with tempfile.TemporaryDirectory() as folder:
            path = write_file(Path(folder), case)
            try:
                check_table(load_prices(path))
                tally.count("table")
            except StockcasterError as err:
                assert "\n" not in str(err)
                tally.count("refused")

    one()
    return tally


def commands(count: int) -> Tally:
    tally = Tally()

    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=price_files(), command=st.sampled_from(["backtest"] * 4 + ["run", "universe"]))
    def one(case, command):
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            data = write_file(work, case)
            args = list(COMMANDS[command])
            if command != "universe":
                args += ["--symbol", case[2]]
            run_command(args, data, work, tally)

    one()
    return tally


def value_cases(count: int) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory() as made:
        fixtures = ValueFixtures(Path(made))

        @settings(max_examples=count, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(kind=st.sampled_from(KINDS), pick=st.integers(0, 10_000), value=values,
               option=option_values)  # fmt: skip
        def one(kind, pick, value, option):
            with tempfile.TemporaryDirectory() as folder:
                work = Path(folder)
                given_value = option if kind == "tune" else value
                args, data = fixtures.case(kind, pick, given_value, work)
                run_command(args, data, work, tally)

        one()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--values", type=int, default=1000)
    args = parser.parse_args()
    found = {}
    for name, job, count in (("readers", readers, args.readers),
                             ("commands", commands, args.commands),
                             ("values", value_cases, args.values)):  # fmt: skip
        if count == 0:
            continue
        started = time.perf_counter()
        tally = job(count)
        seconds = time.perf_counter() - started
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(tally.outcomes.items()))
        counts = ("tracebacks", "warnings", "outside_out", "partial_folders", "nonstrict_json",
                  "silent_empty")  # fmt: skip
        found[name] = {"cases": tally.cases, "seconds": seconds, "outcomes": dict(tally.outcomes),
                       **{count: getattr(tally, count) for count in counts}}  # fmt: skip
        print(
            f"{name}: {tally.cases} cases in {seconds:.0f} s ({outcomes}); tracebacks "
            f"{tally.tracebacks}, warnings {tally.warnings}, writes outside --out "
            f"{tally.outside_out}, partial folders {tally.partial_folders}, non-strict JSON "
            f"{tally.nonstrict_json}, silent empty forecasts {tally.silent_empty}",
            flush=True,
        )

    print(f"written to {record('fuzz', found)}")


if __name__ == "__main__":
    main()
