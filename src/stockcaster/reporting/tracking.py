"""`--track mlflow`: a command's settings, figures and outputs as an MLflow run.

Every tracked command (`run`, `backtest`, `universe`, `tune`) becomes one run in the
experiment "stockcaster": its settings as parameters (nested keys joined by dots), every
number of its summary as a metric, and the files of its output folder as artifacts. A
search adds one child run per trial (its parameters, fold scores, validation ratio and
config TOML); the parent holds the best trial's refit (test metrics, best.toml, report,
and for a network of one symbol its bundle).

The tracking URI is `--tracking-uri`, else `MLFLOW_TRACKING_URI`, else a local `mlruns/`
folder inside the command's `--out` (an SQLite database in it, with the artifacts beside;
MLflow no longer accepts its plain-file store). It is checked before the command's work.
MLflow is an optional extra (`pip install 'stockcaster[mlflow]'`), imported only when
tracking is asked for.
"""

from __future__ import annotations

import logging
import math
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from stockcaster.errors import StockcasterError
from stockcaster.process import quiet_storage_pool

EXPERIMENT = "stockcaster"
TRACKERS = ("mlflow",)
LOCAL_FOLDER = Path("mlruns")
_SKIPPED = (".sqlite", ".sqlite3", ".sqlite-wal", ".sqlite-shm", ".lock")
_MAX_PARAM = 6000  # MLflow's longest parameter value


@dataclass(frozen=True)
class Tracking:
    """Where runs are tracked: `tracker` ("mlflow") at `uri`.

    The URI is the one the user named: `--tracking-uri`, else `MLFLOW_TRACKING_URI`, else
    a local `mlruns/` folder inside the command's `out` (so that nothing is written
    outside `--out` unless the user named the place).
    """

    tracker: str = "mlflow"
    uri: str | None = None
    out: Path = Path(".")

    @property
    def where(self) -> str:
        """The URI runs go to (an SQLite database in `out/mlruns` by default)."""
        named = self.uri or os.environ.get("MLFLOW_TRACKING_URI") or None
        return named or f"sqlite:///{(Path(self.out) / LOCAL_FOLDER / 'mlflow.db').resolve()}"

    def check(self) -> None:
        """Before any work: the tracker known and installed, its URI well formed, and a
        server answering within a few seconds.

        Raises:
            StockcasterError: an unknown tracker, MLflow missing, a malformed or
                unsupported URI, or a server that does not answer.
        """
        if self.tracker not in TRACKERS:
            raise StockcasterError(
                f"--track: expected one of {', '.join(TRACKERS)}, received {self.tracker!r}"
            )
        _mlflow()
        check_uri(self.where, "--tracking-uri" if self.uri else "MLFLOW_TRACKING_URI")

    def client(self):
        """An `MlflowClient` for the URI, and the experiment's id (created if new)."""
        # MLflow prints each run's address to stdout (which --json keeps for the JSON),
        # and logs its database's creation; the command reports the run itself.
        os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
        # A server that went away after the check: one try, not minutes of retries.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(_ANSWER_S))
        for name in ("mlflow", "alembic"):
            logging.getLogger(name).setLevel(logging.WARNING)
        quiet_storage_pool()
        _mlflow()
        # Delayed import: MLflow, only when tracking is asked for.
        from mlflow.tracking import MlflowClient

        uri, artifacts = self.where, None
        if uri.startswith("sqlite:///"):  # artifacts beside the database, not in ./mlruns
            database = Path(uri.removeprefix("sqlite:///"))
            database.parent.mkdir(parents=True, exist_ok=True)
            artifacts = (database.parent / "artifacts").resolve().as_uri()
        client = MlflowClient(tracking_uri=uri)
        found = client.get_experiment_by_name(EXPERIMENT)
        experiment = (
            found.experiment_id
            if found is not None
            else client.create_experiment(EXPERIMENT, artifact_location=artifacts)
        )
        return client, experiment


_ANSWER_S = 5  # seconds a tracking server has to answer
_SCHEMES = "http(s)://HOST:PORT, sqlite:///PATH or a database URI"
# What MLflow tracks to besides a server: its SQLAlchemy databases, and Databricks; of the
# databases, those whose driver is a package of its own.
_DRIVEN = ("postgresql", "mysql", "mssql")
_STORES = ("sqlite", *_DRIVEN, "databricks", "file", "")


def check_uri(uri: str, option: str) -> None:
    """A tracking URI MLflow can write to, its server answering (for http and https).

    Raises:
        StockcasterError: "--tracking-uri: expected ..., received ...".
    """
    parts = urllib.parse.urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme in ("", "file") and not os.environ.get("MLFLOW_ALLOW_FILE_STORE"):
        raise StockcasterError(
            f"{option}: expected {_SCHEMES} (MLflow 3 no longer writes its plain-file store; "
            f"use sqlite:///FOLDER/mlflow.db), received {uri!r}"
        )
    if scheme not in ("http", "https"):
        store = scheme.split("+")[0]  # "postgresql+psycopg2": a driver named
        if store not in _STORES:
            raise StockcasterError(f"{option}: expected {_SCHEMES}, received {uri!r}")
        if scheme == "sqlite" and not parts.path.lstrip("/"):
            raise StockcasterError(f"{option}: expected sqlite:///PATH, received {uri!r}")
        if store in _DRIVEN:
            _check_driver(uri, option)
        return
    try:
        host = parts.hostname if parts.port is None or parts.port > 0 else None
    except ValueError:  # a port that is not a number
        host = None
    if not host:
        raise StockcasterError(f"{option}: expected {_SCHEMES}, received {uri!r}")
    try:
        urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=_ANSWER_S).close()
    except urllib.error.HTTPError:
        return  # the server answered (a proxy in front of it may not know /health)
    except (OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        cause = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        raise StockcasterError(
            f"{option}: expected a tracking server answering within {_ANSWER_S} s, received "
            f"{uri!r} ({' '.join(cause.split())[:80]})"
        ) from None


def _check_driver(uri: str, option: str) -> None:
    """A database URI whose driver is installed (SQLAlchemy loads it without connecting).

    Raises:
        StockcasterError: the driver's module missing, or a URI SQLAlchemy cannot read.
    """
    # Delayed import: SQLAlchemy comes with MLflow, only when tracking is asked for.
    from sqlalchemy import create_engine

    try:
        create_engine(uri).dispose()
    except Exception as err:  # noqa: BLE001 - a missing module, a bad URL, an unknown dialect
        raise StockcasterError(
            f"{option}: expected a database URI whose driver is installed, received {uri!r} "
            f"({type(err).__name__}: {' '.join(str(err).split())[:80]})"
        ) from None


def track(
    tracking: Tracking,
    command: str,
    settings: dict,
    summary: dict,
    folder: Path,
    children: list[dict] = (),
) -> dict:
    """Log one command's run (and its children); return where: tracker, URI and run id.

    Args:
        command: the command's name (the run's name and a tag).
        settings: what the command was asked (logged as parameters).
        summary: what it found (its numbers logged as metrics).
        folder: its output folder (its files logged as artifacts).
        children: per child run, {"name", "params", "metrics", "text": {file: content}}.
    """
    client, experiment = tracking.client()
    run = client.create_run(experiment, run_name=command, tags={"command": command})
    run_id = run.info.run_id
    try:
        _log(client, run_id, flatten(settings), numbers(summary))
        for child in children:
            _log_child(client, experiment, run_id, command, child)
        for path in sorted(Path(folder).rglob("*")):
            inner = set(path.relative_to(folder).parts)
            if path.is_file() and not path.name.endswith(_SKIPPED) and not _INNER & inner:
                where = path.parent.relative_to(folder).as_posix()
                client.log_artifact(run_id, str(path), None if where == "." else where)
    except BaseException:  # a signal or a failure: the run is marked, never left running
        client.set_terminated(run_id, "KILLED")
        raise
    client.set_terminated(run_id)
    return {"tracker": tracking.tracker, "uri": client.tracking_uri, "run_id": run_id}


_INNER = {"ray", "mlruns"}  # folders of an output that are not its results


def _log_child(client, experiment: str, parent: str, command: str, child: dict) -> None:
    """One child run (a trial): its parameters, metrics and text files."""
    tags = {"mlflow.parentRunId": parent, "command": f"{command} trial"}
    sub = client.create_run(experiment, run_name=child["name"], tags=tags)
    try:
        _log(client, sub.info.run_id, flatten(child["params"]), numbers(child["metrics"]))
        for name, text in child.get("text", {}).items():
            client.log_text(sub.info.run_id, text, name)
    except BaseException:
        client.set_terminated(sub.info.run_id, "KILLED")
        raise
    client.set_terminated(sub.info.run_id)


def _log(client, run_id: str, params: dict, metrics: dict) -> None:
    # Delayed import: MLflow's entities, only when tracking is asked for.
    from mlflow.entities import Metric, Param

    metrics = [Metric(k, v, 0, 0) for k, v in metrics.items()]
    params = [Param(k, str(v)[:_MAX_PARAM]) for k, v in params.items()]
    # MLflow takes at most 1000 metrics and 100 parameters in one batch.
    for at in range(0, max(len(metrics), 1), 1000):
        client.log_batch(run_id, metrics=metrics[at : at + 1000])
    for at in range(0, len(params), 100):
        client.log_batch(run_id, params=params[at : at + 100])


def flatten(value, prefix: str = "") -> dict:
    """Nested dicts as {"a.b": leaf}; lists kept whole (as text)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}{_name(key)}."))
        return out
    return {prefix.rstrip("."): value} if prefix else {}


def numbers(value, prefix: str = "") -> dict[str, float]:
    """Every finite number of a nested dict (lists: item by item), keyed by its path."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple) and len(value) <= 50:
        items = enumerate(value)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        return {}
    else:
        return {prefix.rstrip("."): float(value)} if math.isfinite(value) and prefix else {}
    out = {}
    for key, item in items:
        out.update(numbers(item, f"{prefix}{_name(key)}."))
    return out


def _name(key) -> str:
    """A metric or parameter name MLflow accepts (letters, digits, _ - . / and spaces)."""
    return re.sub(r"[^\w\-. /]", "_", str(key))


def _mlflow():
    try:
        # Delayed import: MLflow is an optional extra, and slow to import.
        import mlflow
    except ImportError:
        raise StockcasterError(
            "--track mlflow: expected MLflow to be installed, received an installation "
            "without it (pip install 'stockcaster[mlflow]')"
        ) from None
    return mlflow
