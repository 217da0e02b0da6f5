"""The Python examples of the README and the docs, run exactly as printed, in a fresh process
with a time limit."""

from __future__ import annotations

import multiprocessing
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ohlcv, write_kaggle

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]  # the README and the docs
EXAMPLES = [e for page in PAGES for e in re.findall(r"```python\n(.*?)```", page.read_text(),
                                                       flags=re.S)]  # fmt: skip


def test_the_readme_has_python_examples():
    assert EXAMPLES and all("import" in example for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.splitlines()[0][:40])
def test_a_readme_example_runs_as_printed(tmp_path, example):
    # The examples read "prices.csv": two symbols, MSFT among them, of 260 days.
    write_kaggle(tmp_path / "prices.csv", pd.concat([ohlcv(260, "MSFT"), ohlcv(260, "AAPL", 1)]))
    script = tmp_path / "example.py"
    script.write_text(example)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=240)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "E0000" not in done.stderr, done.stderr[-3000:]
    assert done.stdout.strip()  # it printed its results


def test_every_bench_script_the_docs_name_writes_its_figures_to_bench_results():
    """Every figure in the docs comes from a file in bench/results/: each bench script a page
    names writes one, or is the reference that such a script times."""
    named = {n for page in PAGES for n in re.findall(r"bench/(\w+)\.py", page.read_text())}
    scripts = {path.stem: path.read_text() for path in (ROOT / "bench").glob("*.py")}
    writing = re.compile(r'record\(|"results"|bench/results/')  # record(), RESULTS, --out
    writes = {n for n, text in scripts.items() if writing.search(text)}
    timed = {n for n in scripts if any(f'bench/{n}.py")' in scripts[w] for w in writes - {n})}
    assert len(named) > 20 and named <= scripts.keys(), named - scripts.keys()
    assert sorted(named - writes - timed) == []


def test_a_job_run_by_a_worker_importing_its_script_again_stops_quietly(monkeypatch):
    from stockcaster.engines.local import WORKER_NAME
    from stockcaster.jobs.envelope import job

    ran = []
    monkeypatch.setattr(multiprocessing.current_process(), "name", WORKER_NAME)
    with pytest.raises(SystemExit) as stopped:
        job(lambda: ran.append(1))()
    assert stopped.value.code == 2 and ran == []
