"""Engines: every key's outcome, a failing key retried once, a dying worker survived."""

from __future__ import annotations

import os
from pathlib import Path

from stockcaster.engines import LocalEngine


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
    outcomes = run(LocalEngine(workers=2), tmp_path, ["A", "DIE", "BAD", "B", "C"])
    assert {k for k, o in outcomes.items() if o.ok} == {"A", "DIE", "B", "C"}
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
