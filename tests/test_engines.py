"""Engines: every key's outcome, a failing key retried once, a dying worker survived.

Every test that runs on the shared Ray instance is here, a universe's and a search's
included: the instance is started once per module (`conftest.ray_instance`), and its
start is seconds of CPU."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from stockcaster.engines import LocalEngine
from stockcaster.process import COLLECT_EVERY


def flaky_work(shared: dict, job: Path, key: str) -> str:
    """Counts its tries in files under `job`; fails for BAD, dies once for DIE."""
    marks = job / key
    marks.mkdir(exist_ok=True)
    tries = len(list(marks.iterdir())) + 1
    (marks / str(tries)).touch()
    if key == "BAD":
        raise ValueError(f"broken symbol, try {tries}")
    if key == "DIE" and tries == 1:
        os._exit(9)  # the worker process dies, as if killed
    if key == "GC":
        return gc.get_threshold()[0]
    return f"{shared['prefix']}{key}"


def run(engine, tmp_path: Path, keys: list[str]) -> dict:
    outcomes = {}
    engine.run(flaky_work, {"prefix": "ok:"}, tmp_path, keys, lambda o: outcomes.update({o.key: o}))
    return outcomes


def tries(tmp_path: Path, key: str) -> int:
    return len(list((tmp_path / key).iterdir()))


def test_local_engine_in_process_retries_a_failing_key_once(tmp_path):
    outcomes = run(LocalEngine(workers=1), tmp_path, ["A", "BAD", "B"])
    assert outcomes["A"].value == "ok:A" and outcomes["B"].ok
    assert outcomes["BAD"].error == "ValueError: broken symbol, try 2"
    assert tries(tmp_path, "BAD") == 2 and tries(tmp_path, "A") == 1


def test_local_engine_pool_survives_a_dying_worker_and_a_failing_key(tmp_path):
    outcomes = run(LocalEngine(workers=2), tmp_path, ["A", "DIE", "BAD", "B", "C", "GC"])
    assert {k for k, o in outcomes.items() if o.ok} == {"A", "DIE", "B", "C", "GC"}
    assert outcomes["GC"].value == COLLECT_EVERY  # a worker collects as the command does
    assert outcomes["DIE"].value == "ok:DIE" and tries(tmp_path, "DIE") == 2
    assert outcomes["BAD"].error.startswith("ValueError: broken symbol")
    assert tries(tmp_path, "BAD") == 2


def test_ray_engine_retries_once_then_records_the_error(ray_instance, tmp_path):
    from stockcaster.engines.ray import RayEngine

    outcomes = run(RayEngine(), tmp_path, ["A", "DIE", "BAD", "B"])
    assert outcomes["A"].value == "ok:A" and outcomes["B"].value == "ok:B"
    assert outcomes["DIE"].value == "ok:DIE" and tries(tmp_path, "DIE") == 2
    assert not outcomes["BAD"].ok and "broken symbol, try 2" in outcomes["BAD"].error
    assert tries(tmp_path, "BAD") == 2


def test_ray_engine_puts_the_shared_data_in_the_object_store_once(
    ray_instance, tmp_path, monkeypatch
):
    from stockcaster.engines.ray import RayEngine

    puts = []
    real_put = ray_instance.put
    monkeypatch.setattr(ray_instance, "put", lambda value: puts.append(value) or real_put(value))
    shared = {"prefix": "ok:"}
    outcomes = {}
    RayEngine().run(flaky_work, shared, tmp_path, ["A", "B", "C", "D"],
                    lambda o: outcomes.update({o.key: o}))  # fmt: skip
    assert {k: o.value for k, o in outcomes.items()} == {k: f"ok:{k}" for k in "ABCD"}
    assert puts.count(shared) == 1 and len(puts) == 2  # the data and the job, once each


# Ray's workers import this module for `flaky_work`: what the two tests below need from
# their own modules is imported inside them, not by every worker.


def test_ray_engine_gives_the_local_engine_results(tmp_path, ray_instance):
    import dataclasses

    import numpy as np
    import pandas as pd
    from test_universe import stored, tiny_config, toy_file, universe

    data = toy_file(tmp_path)
    config = dataclasses.replace(tiny_config("per-symbol"), models=("naive", "drift", "arima"))
    universe(data, config, out=tmp_path / "local", workers=1)  # here; Ray: its workers
    universe(data, config, out=tmp_path / "ray", engine="ray")
    for local, ray in zip(stored(tmp_path / "local"), stored(tmp_path / "ray"), strict=True):
        pd.testing.assert_frame_equal(local, ray)
    assert np.isfinite(stored(tmp_path / "ray")[1]["mse_ratio"]).all()


def test_ray_tune_runs_the_same_trials_as_the_local_engine(tmp_path, ray_instance, monkeypatch):
    """The same trials and verdict on both engines; on Ray the trials reuse their workers'
    processes (4 trials, 2 workers: 2 processes, each importing the library once)."""
    import dataclasses

    import pandas as pd
    import pytest
    from test_tune_engines import searched

    from conftest import ohlcv, write_kaggle
    from stockcaster.errors import StockcasterError
    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.tune import TuneConfig, tune

    same = TuneConfig(family="linear", trials=4, sampler="random", pruner="none", seed=5)
    on_ray = dataclasses.replace(same, engine="ray", workers=2)
    source = Source(write_kaggle(tmp_path / "msft.csv", ohlcv(400, "MSFT", 3)))
    from stockcaster.tuning import ray_search

    processes = []
    records = ray_search._records

    def seen(results):
        processes.extend(result.metrics["pid"] for result in results)
        return records(results)

    monkeypatch.setattr(ray_search, "_records", seen)
    local = tune(source, same, tmp_path / "local")
    ray = tune(source, on_ray, tmp_path / "ray")  # on the instance running for the tests
    assert len(processes) == 4 and len(set(processes)) <= 2, processes
    pd.testing.assert_frame_equal(searched(tmp_path / "local"), searched(tmp_path / "ray"))
    assert local["verdict"] == ray["verdict"]
    with pytest.raises(StockcasterError, match="expected the local engine"):
        tune(source, on_ray, tmp_path / "ray", resume=True)


def test_a_failed_ray_trial_is_kept_with_its_model_s_error_as_a_local_one_is():
    """A Ray trial whose model raised was dropped from trials.csv and the summary, without a
    word; the local engine keeps it with its error's one line, and so does Ray now (its
    own wrapper unwrapped: the model's error, not Ray's)."""
    from types import SimpleNamespace

    import pytest
    from ray.exceptions import RayTaskError

    from stockcaster.errors import StockcasterError
    from stockcaster.tuning.ray_search import NUMBER, _records

    said = "linear: expected a model that fits, received an error at fit: MemoryError: 3 TiB"
    error = RayTaskError(
        "trial", "Traceback (most recent call last):\n  ...", StockcasterError(said)
    )
    ran = SimpleNamespace(config={NUMBER: 0, "alpha": 1.0}, error=None,
                          metrics={"ratio": 0.9, "final": True, "seconds": 1.0})  # fmt: skip
    broke = SimpleNamespace(config={NUMBER: 1, "alpha": 2.0}, metrics={"ratio": 1.1},
                            error=error.as_instanceof_cause())  # fmt: skip
    records = _records([broke, ran])
    assert [(r.number, r.state, r.value) for r in records] == [(0, "complete", 0.9),
                                                               (1, "failed", None)]  # fmt: skip
    assert records[1].params == {"alpha": 2.0} and records[1].attrs == {"error": said}
    with pytest.raises(StockcasterError, match=r"^--engine ray: every trial failed \(linear: "):
        _records([broke])
