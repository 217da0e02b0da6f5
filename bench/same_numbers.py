"""The same numbers before and after a change of the code's shape.

Runs, through the installed command, the results a user sees:
  run_default   `stockcaster run` (default preset, embedded MSFT)
  run_seed      `stockcaster run --preset seed`
  backtest      `stockcaster backtest` (every installed model, embedded MSFT)
  predict       `stockcaster train --save B` then `stockcaster predict --bundle B`
  universe      `stockcaster universe` on the first 20 symbols of the shared panel
  predict_universe  that universe's bundle (`--save B`), then `stockcaster predict --bundle B`
  tune          `stockcaster tune --trials 4 --seed 0` (default model, embedded MSFT)
and records every number of their `--json` output (timings, folders and the command line
left out). With `--against FILE` it compares them with an earlier record, to a relative
tolerance of 1e-9, and exits 1 naming every value that differs.

    .venv/bin/python bench/same_numbers.py --record bench/results/same_numbers.json
    .venv/bin/python bench/same_numbers.py --against bench/results/same_numbers.json

bench/results/same_numbers.json was recorded by commit 3d4ef78 (before issue 25's
changes), twice: the two records were identical (743 values, none differ). On 2026-12-06 it
was recorded again by fde47fd, with the universe bundle's case added (1815 values); that run
compared with the 3d4ef78 record: 743 values, none differ. Git keeps the earlier record.
bench/results/same_numbers_f25116c.json was recorded by f25116c later that day, in a new
virtual environment where the seed run's numbers had moved by about 1e-7 for the code before
and after alike (docs/architecture.md, "Same numbers").
bench/results/same_numbers_19fc3df.json was recorded by 19fc3df (stop 41), whose one change
of a value was meant: a book that never held a position (naive's) has no annual return,
drawdown, volatility or information ratio (7 values of the universe, None where they were 0
or the benchmark's ratio negated; nothing else differed from the f25116c record). Compare
later changes against it.

A setting that a change moved, not changed, is compared at its new place: `relaid` moves
each such value of the record as `MOVED` says (each entry names the commit that moved it),
so the comparison still reads every value, and `ADDED` names the keys a change added.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PANEL = ROOT.parent / "shared" / "data" / "universe_daily.csv.gz"
STOCKCASTER = Path(sys.executable).parent / "stockcaster"
RTOL = 1e-9
# Keys whose values change from run to run by design: timings, paths, the command line, and
# a saved network's checksum (model.keras holds the time it was saved).
VOLATILE = {"folder", "report", "reproducibility", "bundle", "model.keras"}
# d8478ea folded the universe's GlobalConfig into the one settings type (RunConfig): its
# fields moved into sections, and its target "return" is the registry's one "log_return".
_GLOBAL = ("universe", "settings", "config", "global_model")
MOVED = {
    (*_GLOBAL, key): (*_GLOBAL, section, key)
    for section, keys in (
        ("features", ("lookback", "validation", "center_returns", "normalise", "target")),
        ("model", ("embedding_dim",)),
        ("training", ("warm_epochs", "windows_per_epoch")),
    )
    for key in keys
} | {(*_GLOBAL, "features"): (*_GLOBAL, "features", "inputs")}
RENAMED = {((*_GLOBAL, "features", "target"), "return"): "log_return"}
# ... and it added the preset's name and description, and the series' feature settings
# (a panel reads none of them).
ADDED = {(*_GLOBAL, "name"), (*_GLOBAL, "description")} | {
    (*_GLOBAL, "features", key) for key in ("scaler", "layout", "test_fraction")
}
# Keys a later issue added wherever they appear (new outputs and settings, no recorded value
# changed): issue 26's VaR columns of a backtest, the books' weighting, the variance
# estimator and `predict`'s risk; issue 28's target horizon and the universe's tear sheet;
# and the case added on 2026-12-06, when both bundles took one path: a universe bundle's,
# whose bundle.json then records its family's own settings as a symbol's does; and a universe's
# models that failed on some symbol's windows (8667ba7; empty when none did); a search's
# verdict's baseline (naive, or the variance target's random walk: 9c061f9); the |t| a tear
# sheet's mean IC must reach (2 one session ahead, as the universe's: 1ed0190).
NEW_KEYS = {"var_level", "var_rate", "var_kupiec_p", "var_cc_p", "weights", "estimator", "risk",
            "horizon", "tear_sheet", "predict_universe", "settings", "model_failures",
            "notes", "test_dm_pvalue", "baseline", "t_needed"}  # fmt: skip


def cli(*args: str) -> dict:
    done = subprocess.run([str(STOCKCASTER), *args], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def first_symbols(path: Path, count: int) -> list[str]:
    with gzip.open(path, "rt") as handle:
        header = handle.readline().strip().split(",")
        column = header.index("symbol")
        seen: set[str] = set()
        for line in handle:
            seen.add(line.split(",")[column])
    return sorted(seen)[:count]


def cases(out: Path, panel: Path, bundles: bool = True) -> dict[str, dict]:
    results = {}
    saved = ("--save", str(out / "universe_bundle")) if bundles else ()
    quiet = ("--json", "--quiet")
    results["run_default"] = cli("run", *quiet, "--out", str(out / "run"))
    results["run_seed"] = cli("run", "--preset", "seed", *quiet, "--out", str(out / "run"))
    results["backtest"] = cli("backtest", *quiet, "--out", str(out / "backtest"))
    subprocess.run(
        [str(STOCKCASTER), "train", "--save", str(out / "bundle")], check=True, capture_output=True
    )
    results["predict"] = cli(
        "predict", "--bundle", str(out / "bundle"), "--json", "--out", str(out / "predict")
    )
    results["tune"] = cli(
        "tune", "--trials", "4", "--seed", "0", *quiet, "--out", str(out / "tune")
    )
    symbols = ",".join(first_symbols(panel, 20))
    results["universe"] = cli(
        "universe", "--data", str(panel), "--symbols", symbols, *quiet,
        "--out", str(out / "universe"), *saved,
    )  # fmt: skip
    if saved:  # the universe's bundle, then tomorrow for each of its symbols
        results["predict_universe"] = cli(
            "predict", "--bundle", saved[1], "--data", str(panel), "--horizon", "3", "--json",
            "--out", str(out / "predict_universe"),
        )  # fmt: skip
    return results


def stable(value):
    """The value without the keys that change from run to run."""
    if isinstance(value, dict):
        return {
            k: stable(v)
            for k, v in value.items()
            if k not in VOLATILE and not k.endswith("seconds") and k != "seconds_this_session"
        }
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def differences(before, after, where: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        found = [f"{where}.{k}: missing after" for k in before if k not in after]
        found += [f"{where}.{k}: new after" for k in after if k not in before and k not in NEW_KEYS]
        for key in before.keys() & after.keys():
            found += differences(before[key], after[key], f"{where}.{key}")
        return found
    if isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            return [f"{where}: {len(before)} items before, {len(after)} after"]
        return [d for i, (b, a) in enumerate(zip(before, after, strict=True)) for d in
                differences(b, a, f"{where}[{i}]")]  # fmt: skip
    numbers = (int, float)
    if isinstance(before, numbers) and isinstance(after, numbers):
        if isinstance(before, bool) or isinstance(after, bool):
            return [] if before == after else [f"{where}: {before} before, {after} after"]
        if math.isclose(before, after, rel_tol=RTOL, abs_tol=1e-12):
            return []
        return [f"{where}: {before!r} before, {after!r} after"]
    return [] if before == after else [f"{where}: {before!r} before, {after!r} after"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", type=Path, help="write the numbers to this JSON file")
    parser.add_argument("--against", type=Path, help="compare with an earlier record")
    parser.add_argument("--panel", type=Path, default=PANEL, help="the universe's price file")
    args = parser.parse_args()
    if not args.panel.exists():
        sys.exit(f"{args.panel}: expected the universe panel (--panel FILE), received no file")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        numbers = stable(cases(Path(out), args.panel))
    print(f"{len(numbers)} commands in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.record:
        args.record.parent.mkdir(parents=True, exist_ok=True)
        args.record.write_text(json.dumps(numbers, indent=1, sort_keys=True) + "\n")
    if args.against:
        before = stable(json.loads(args.against.read_text()))  # a key made volatile later
        counted = sum(1 for _ in _leaves(before))
        compare(relaid(before, numbers), numbers, f"{counted} recorded values compared")


def relaid(before: dict, after: dict) -> dict:
    """The record with each moved setting at its new place (`MOVED`, `RENAMED`), and each
    added key (`ADDED`) taken from `after`; values are moved, never changed. A record made
    after the move holds a section where the setting was, and is left as it is."""
    record = json.loads(json.dumps(before))
    moved = [(old, new, _pop(record, old)) for old, new in MOVED.items()
             if _has(record, old) and not isinstance(_get(record, old), dict)]  # fmt: skip
    for _, new, value in moved:
        _put(record, new, RENAMED.get((new, value), value))
    for path in ADDED:
        if _has(after, path) and _has(record, path[:-1]):
            _put(record, path, _get(after, path))
    return record


def _has(record, path) -> bool:
    for key in path:
        if not isinstance(record, dict) or key not in record:
            return False
        record = record[key]
    return True


def _get(record, path):
    for key in path:
        record = record[key]
    return record


def _pop(record, path):
    return _get(record, path[:-1]).pop(path[-1])


def _put(record, path, value) -> None:
    for key in path[:-1]:
        record = record.setdefault(key, {})
    record[path[-1]] = value


def compare(before, after, what: str) -> None:
    """Print every value that differs and `what` with the count, then exit 1 if any did."""
    found = differences(before, after)
    for line in found:
        print(line)
    print(f"{what}: {len(found)} differ (rtol {RTOL:g})")
    sys.exit(1 if found else 0)


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


if __name__ == "__main__":
    main()
