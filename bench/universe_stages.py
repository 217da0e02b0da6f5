"""Where a universe run's seconds go: the command in one process, timed stage by stage.

Wraps the job's stages (planning, which reads the file; walks; scores; store writes;
aggregates; outputs) with timers, then runs `stockcaster universe` with the arguments given
(default: the cheap run of issue 16 on the shared panel) and prints each stage's seconds.
Stages nest: `evaluate` holds `walk` and `score`, `finish` holds `read_forecasts`,
`cross_section` and `outputs`.

    .venv/bin/python bench/universe_stages.py
    .venv/bin/python bench/universe_stages.py --data FILE --models naive,drift,ma,arima
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path

from _measure import record

ROOT = Path(__file__).resolve().parent.parent
PANEL = ROOT.parent / "shared" / "data" / "universe_daily.csv.gz"
seconds: dict[str, float] = collections.defaultdict(float)


def timed(owner, name: str, label: str) -> None:
    """Replace `owner.name` by the same function, adding its wall time to `seconds[label]`."""
    function = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[label] += time.perf_counter() - started

    setattr(owner, name, wrapper)


def main() -> None:
    started = time.perf_counter()
    app = importlib.import_module("stockcaster.cli.app")
    seconds["imports"] = time.perf_counter() - started
    job = importlib.import_module("stockcaster.jobs.universe")
    work = importlib.import_module("stockcaster.evaluation.symbol_work")
    store = importlib.import_module("stockcaster.store.results").ResultsStore
    for owner, name, label in [
        (job, "plan_universe", "plan"), (job, "evaluate_symbols", "evaluate"),
        (work, "walk_paths", "walk"), (work, "score_walks", "score"),
        (store, "write_many", "store"), (job, "_finish", "finish"),
        (store, "forecasts", "read_forecasts"), (job, "cross_section", "cross_section"),
        (job, "write_universe_outputs", "outputs"),
    ]:  # fmt: skip
        timed(owner, name, label)
    given = sys.argv[1:] or ["--data", str(PANEL), "--models", "naive,drift,ma", "--all"]
    with tempfile.TemporaryDirectory(prefix="bench-stages-") as scratch:
        sys.argv = ["stockcaster", "universe", "--mode", "per-symbol", "--quiet",
                    "--out", str(Path(scratch) / "run"), *given]  # fmt: skip
        command = time.perf_counter()
        with contextlib.suppress(SystemExit):  # typer exits when the command ends
            app.main()
        seconds["command"] = time.perf_counter() - command
    print(json.dumps({k: round(v, 2) for k, v in seconds.items()}, indent=2), file=sys.stderr)
    record("universe_stages", {"arguments": given, "seconds": seconds})


if __name__ == "__main__":
    main()
