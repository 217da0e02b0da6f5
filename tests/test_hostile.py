"""Hostile input: names that are paths or markup, numbers that are not plausible, strict JSON."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ohlcv, one_line, write_kaggle
from stockcaster.cli import app
from stockcaster.errors import Interrupted
from stockcaster.store.files import safe_name

HOSTILE = ["../x", "/tmp/abs", "a/b", "X[/bold]Y", "[red]Z", "$X$", "A" * 300, "CON", ".env"]


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.mark.parametrize("name", HOSTILE)
def test_safe_names_stay_one_readable_component(name):
    safe = safe_name(name)
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert 0 < len(safe) <= 60 and safe == safe_name(name)
    assert safe_name("MSFT") == "MSFT" and safe_name("BRK.B") == "BRK.B"
    others = {safe_name(n) for n in HOSTILE}
    assert len(others) == len(HOSTILE)  # names that differ stay apart


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_symbol_writes_only_inside_out(tmp_path, name):
    work = tmp_path / "work"
    work.mkdir()
    data = write_kaggle(work / "prices.csv", ohlcv(200, name))
    out = work / "out"
    before = files_under(tmp_path)
    result = CliRunner().invoke(
        app,
        ["backtest", "--data", str(data), "--models", "naive", "--out", str(out), "--quiet"],
    )
    assert result.exit_code == 0, result.output
    created = files_under(tmp_path) - before
    assert created and all(p == out or out in p.parents for p in created), sorted(created)
    assert not [p for p in created if p.name.endswith(".partial")]
    assert not Path("/tmp/abs-backtest").exists()


def test_markup_and_mathtext_in_a_symbol_are_shown_as_text(tmp_path):
    """And in a note on its prices: `run`'s notes were printed as Rich markup, so a split of
    a symbol named `X[/bold]$Y` ended the run in Rich's MarkupError."""
    table = ohlcv(200, "X[/bold]$Y")
    table.loc[150:, ["open", "high", "low", "close"]] /= 7  # a note names the symbol
    data = write_kaggle(tmp_path / "prices.csv", table)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", "--data", str(data), "--epochs", "1", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    assert str(folder) in result.output.replace("\n", "")  # the path as it is, markup and all
    assert "X[/bold]$Y" in result.output
    assert "note: X[/bold]$Y's close moved" in result.output
    inspect = CliRunner().invoke(app, ["inspect", str(data)])
    assert inspect.exit_code == 0 and "X[/bold]$Y" in inspect.output


def test_a_terminal_that_cannot_show_the_tables_characters_gets_question_marks(tmp_path):
    """With stdout in ASCII (PYTHONIOENCODING=ascii, an old console's code page), printing
    the tables' `·` and box lines raised UnicodeEncodeError: a traceback, exit 1, after a
    run's outputs were written. The process's own streams are under test: a subprocess."""
    data = write_kaggle(tmp_path / "prices.csv", ohlcv(60))
    done = subprocess.run([str(Path(sys.executable).parent / "stockcaster"), "inspect", str(data)],
                          capture_output=True, env={**os.environ, "PYTHONIOENCODING": "ascii"},
                          timeout=120)  # fmt: skip
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr[-2000:]
    assert b"60 rows ? 1 symbol ?" in done.stdout and b"MSFT" in done.stdout, done.stdout


def _write(path: Path, table: pd.DataFrame) -> Path:
    return write_kaggle(path, table)


@pytest.mark.parametrize(
    "change, fragment",
    [
        (lambda t: t.assign(close=t["close"].where(t.index != 20, np.inf)),
         "line 22: expected a finite number in column 'close', received 'inf'"),
        (lambda t: t.assign(close=t["close"].where(t.index != 190, -np.inf)),
         "line 192: expected a finite number in column 'close'"),
        (lambda t: t.assign(close=t["close"].where(t.index != 5, 1e308)),
         "line 7: expected a price between 1e-08 and 1e+12 in column 'close'"),
        (lambda t: t.assign(close=t["close"].where(t.index != 5, 1e-308)),
         "expected a price between 1e-08 and 1e+12"),
        (lambda t: t.assign(open=7.0, high=7.0, low=7.0, close=7.0),
         "expected closes that change, received the same close 7 on all 200 rows"),
    ],
)  # fmt: skip
def test_implausible_numbers_are_refused_in_one_line(tmp_path, change, fragment):
    data = _write(tmp_path / "prices.csv", change(ohlcv(200)))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message and fragment in message, message
    assert not out.exists()


def test_a_datetime_parquet_close_is_refused(tmp_path):
    table = ohlcv(200)
    table["close"] = pd.to_datetime(table["date"])
    path = tmp_path / "prices.parquet"
    table.to_parquet(path)
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 2
    assert "expected numbers in column 'close', received datetime64" in result.stderr


def _strict(text: str) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"non-strict JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def test_every_json_file_written_is_strict(tmp_path):
    data = write_kaggle(tmp_path / "prices.csv", ohlcv(200))
    out = tmp_path / "out"
    runner = CliRunner()
    for args in (
        ["run", "--data", str(data), "--epochs", "1", "--json"],
        ["backtest", "--data", str(data), "--models", "naive,drift", "--json"],
    ):
        result = runner.invoke(app, [*args, "--out", str(out), "--quiet"])
        assert result.exit_code == 0, result.output
        _strict(result.stdout)
    written = list(out.rglob("*.json"))
    assert len(written) == 2
    for path in written:
        _strict(path.read_text())


def test_an_out_that_cannot_be_a_folder_is_refused_before_any_work(tmp_path, small_csv):
    taken = tmp_path / "a-file"
    taken.write_text("not a folder")
    commands = (
        ["run", "--out", str(taken), "--data", str(small_csv)],
        ["train", "--save", str(taken / "b"), "--data", str(small_csv)],
        ["inspect", str(small_csv), "--plot", "--out", str(taken)],  # was exit 1, after the table
        ["init", str(taken / "c.toml")],
    )
    for command in commands:
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "expected a folder that can be created and written" in result.stderr
        assert result.stderr.count("\n") == 1 and result.stdout == "", result.output
    assert taken.read_text() == "not a folder"


def test_init_names_a_folder_in_its_way_and_makes_the_folders_it_is_given(tmp_path):
    taken = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert taken.exit_code == 2
    assert taken.stderr.strip() == f"error: {tmp_path}: expected a new file, received a folder"
    made = CliRunner().invoke(app, ["init", str(tmp_path / "new" / "c.toml")])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "new" / "c.toml").read_text().startswith("# stockcaster config")
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["c.toml"]


def test_a_write_that_fails_leaves_no_scratch_file(tmp_path):
    from stockcaster.store.files import write_atomic

    def half(scratch):
        scratch.write_text("half a file")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(tmp_path / "chart.png", half)
    assert list(tmp_path.iterdir()) == []


def _stockcaster(args: list[str], **options) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "stockcaster"), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)


def _limit_file_size(size: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


@pytest.mark.parametrize("command", ["run", "train"])
def test_a_file_size_limit_gives_one_line_and_leaves_nothing(tmp_path, small_csv, command):
    out = tmp_path / "out"
    args = ["run", "--out", str(out)] if command == "run" else ["train", "--save", str(out / "b")]
    process = _stockcaster([*args, "--data", str(small_csv), "--epochs", "2"],
                           preexec_fn=_limit_file_size(20_000))  # fmt: skip
    _, stderr = process.communicate(timeout=240)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 1, stderr.decode()[-2000:]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert "file-size limit of 20000 bytes" in lines[0], lines
    assert "Traceback" not in stderr.decode()
    assert not out.exists() or not list(out.rglob("*"))


@pytest.mark.parametrize("command", ["run", "train"])
def test_sigterm_stops_cleanly_and_leaves_nothing(tmp_path, small_csv, command):
    out = tmp_path / "out"
    args = ["run", "--out", str(out)] if command == "run" else ["train", "--save", str(out / "b")]
    process = _stockcaster([*args, "--data", str(small_csv), "--preset", "seed"])
    _wait_until_loaded(process, "tensorflow")
    time.sleep(1.0)  # past the imports, into building and training the network
    assert process.poll() is None, "finished before the signal"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr.decode()[-2000:]
    assert "interrupted by SIGTERM" in stderr.decode() and "Traceback" not in stderr.decode()
    assert not out.exists() or not list(out.rglob("*"))


def _wait_until_loaded(process: subprocess.Popen, library: str, timeout: float = 60) -> None:
    """Wait until `library` is mapped into the process (its import is done)."""
    maps = Path(f"/proc/{process.pid}/maps")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if library in maps.read_text(errors="replace"):
            return
        time.sleep(0.05)


def test_two_runs_in_the_same_second_into_one_out_both_succeed(tmp_path, small_csv):
    out = tmp_path / "out"
    args = ["backtest", "--data", str(small_csv), "--models", "naive", "--out", str(out)]
    first, second = _stockcaster(args), _stockcaster(args)
    for process in (first, second):
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr.decode()[-2000:]
    folders = sorted(p.name for p in out.iterdir())
    assert len(folders) == 2 and all((out / f / "leaderboard.json").is_file() for f in folders)


@pytest.fixture(scope="module")
def one_run(tmp_path_factory) -> Path:
    """The folder of one `run` (1 epoch), shared by the tests that damage copies of it."""
    work = tmp_path_factory.mktemp("one_run")
    data = write_kaggle(work / "prices.csv", ohlcv(260))
    out = work / "out"
    done = CliRunner().invoke(app, ["run", "--data", str(data), "--epochs", "1",
                                    "--out", str(out), "--quiet"])  # fmt: skip
    assert done.exit_code == 0, done.output
    (folder,) = list(out.iterdir())
    return folder


def _truncate(path: Path) -> None:
    """A file cut in the middle of a line, as a full disk leaves it."""
    text = path.read_bytes()
    path.write_bytes(text[: len(text) // 2 + 7])


@pytest.mark.parametrize(
    "damage, fragment",
    [
        (lambda folder: (folder / "metrics.json").write_text('{"symbol": "MSFT", "mse'),
         "metrics.json: expected the results `stockcaster run` writes"),
        (lambda folder: (folder / "metrics.json").write_text("{}"),
         "metrics.json: expected the results `stockcaster run` writes, received an object "
         "without 'model'"),
        (lambda folder: (folder / "metrics.json").write_text("[1, 2]"),
         "metrics.json: expected the results `stockcaster run` writes, received a JSON list "
         "instead of an object"),
        (lambda folder: _truncate(folder / "predictions.csv"),
         "predictions.csv: expected the results `stockcaster run` writes, received "),
        (lambda folder: (folder / "predictions.csv").write_bytes(bytes(range(256)) * 8),
         "predictions.csv: expected the results `stockcaster run` writes, received unreadable "
         "CSV"),
    ],
)  # fmt: skip
def test_report_on_a_damaged_folder_names_the_file(tmp_path, one_run, damage, fragment):
    folder = tmp_path / "copy"
    shutil.copytree(one_run, folder)
    damage(folder)
    one_line(CliRunner().invoke(app, ["report", str(folder)]), fragment)


def test_resume_on_a_damaged_store_says_what_to_do(tmp_path, kaggle_csv):
    out = tmp_path / "u"
    out.mkdir()
    (out / "results.sqlite").write_bytes(b"this is not a database" * 100)
    args = ["universe", "--data", str(kaggle_csv), "--models", "naive", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--resume", "--mode", "per-symbol"])
    one_line(result, "results.sqlite: expected a stockcaster results store")


def test_a_lookback_too_long_is_refused_before_the_store_is_made(tmp_path, kaggle_csv):
    out = tmp_path / "u"
    args = ["universe", "--data", str(kaggle_csv), "--out", str(out), "--models", "naive,lstm"]
    too_long = CliRunner().invoke(app, [*args, "--lookback", "400", "--min-history", "30"])
    one_line(too_long, "expected training windows of 400 days before the cutoff")
    assert not out.exists()  # so the same command with a shorter lookback is not refused


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda path: Path("/dev/zero"), "/dev/zero (no regular file)"),
        (lambda path: (os.mkfifo(path), path)[1], "(no regular file)"),
        (lambda path: (path.write_bytes(b"[run]\nepochs = 3\nsymbol = '\xff'\n"), path)[1],
         "expected UTF-8 text, received other bytes at byte"),
        (lambda path: (path.write_text("a = " + "[" * 100_000 + "]" * 100_000), path)[1],
         "nesting too deep"),
        (lambda path: (path.write_text("# " + "x" * 2_000_000), path)[1],
         "expected a settings file of at most 1,000,000 bytes"),
    ],
)  # fmt: skip
def test_config_files_are_read_defensively(tmp_path, make, fragment):
    path = make(tmp_path / "config.toml")
    result = CliRunner().invoke(app, ["run", "--config", str(path)])
    one_line(result, fragment)


def test_a_formula_symbol_is_written_as_text_in_csv_outputs(tmp_path):
    data = write_kaggle(tmp_path / "prices.csv", ohlcv(200, "=1+1"))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["backtest", "--data", str(data), "--models", "naive",
                                      "--out", str(out), "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    cells = pd.read_csv(folder / "forecasts.csv", dtype=str)["symbol"]
    assert set(cells) == {"'=1+1"}


@pytest.mark.parametrize("symbol", ["x\ty", "a\x00b", "esc\x1b[31m"])
def test_a_symbol_with_control_characters_is_refused(tmp_path, symbol):
    table = ohlcv(200)
    table["symbol"] = symbol
    path = tmp_path / "prices.parquet"
    table.to_parquet(path)
    result = CliRunner().invoke(app, ["inspect", str(path)])
    one_line(result, "expected a symbol without control characters")


def test_a_tiny_valid_file_runs_without_warnings(tmp_path):
    data = write_kaggle(tmp_path / "tiny.csv", ohlcv(39))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = CliRunner().invoke(app, ["run", "--data", str(data), "--epochs", "1",
                                          "--out", str(tmp_path / "out"), "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [str(w.message) for w in caught if w.category is RuntimeWarning] == []


def test_a_preset_whose_name_is_a_path_stays_a_name(tmp_path, small_csv):
    from stockcaster.models.presets import load_preset, to_toml

    preset = tmp_path / "mine.toml"
    preset.write_text(
        to_toml(load_preset("default")).replace('name = "default"', 'name = "../a/b"')
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--data", str(small_csv), "--preset", str(preset),
                                      "--epochs", "1", "--out", str(out), "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    assert folder.name.startswith("MSFT-_a_b-")


def test_run_refuses_a_multi_step_preset_in_one_line(tmp_path, small_csv):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--data", str(small_csv), "--preset", "forecast",
                                      "--out", str(out)])  # fmt: skip
    one_line(result, "--preset: expected a one-step preset for run")
    assert not out.exists()


@pytest.mark.parametrize("command", [["inspect"], ["run", "--data"]])
def test_a_file_whose_every_date_is_missing_is_one_line(tmp_path, command):
    """Found by bench/fuzz.py: no date at all crashed the date-format guess, and
    `inspect` (which drops incomplete rows) crashed on the empty table left."""
    path = tmp_path / "prices.csv"
    path.write_text("date,symbol,open,high,low,close,volume\n,MSFT,50.1,50.6,49.6,50.1,511\n")
    result = CliRunner().invoke(app, [*command, str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_an_out_path_too_long_is_one_line(tmp_path, small_csv):
    out = tmp_path / ("x" * 300)
    result = CliRunner().invoke(app, ["backtest", "--data", str(small_csv), "--models", "naive",
                                      "--out", str(out)])  # fmt: skip
    one_line(result, "File name too long")


def _universe_run(tmp_path, kaggle_csv) -> Path:
    out = tmp_path / "u"
    args = ["universe", "--data", str(kaggle_csv), "--models", "naive", "--mode", "per-symbol",
            "--out", str(out), "--workers", "1", "--quiet", "--min-history", "30"]  # fmt: skip
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    return out


@pytest.mark.parametrize("command", ["report", "explain"])
@pytest.mark.parametrize("what", ["a file, not a folder", "a path that does not exist"])
def test_a_folder_to_read_that_is_a_file_or_missing_is_named_so(tmp_path, command, what):
    path = tmp_path / "prices.csv"
    if what.startswith("a file"):
        path.write_text("date,close\n")
    result = CliRunner().invoke(app, [command, str(path)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.strip().endswith(f"received {what}"), result.stderr


def test_report_on_a_truncated_universe_summary_names_it(tmp_path, kaggle_csv):
    out = _universe_run(tmp_path, kaggle_csv)
    summary = out / "universe.json"
    summary.write_text(summary.read_text()[:200])
    result = CliRunner().invoke(app, ["report", str(out)])
    one_line(result, "universe.json: expected the results `stockcaster universe` writes")


@pytest.mark.parametrize(
    "fault, code, fragment",
    [
        (Interrupted("SIGTERM", 143), 143, "interrupted: finished symbols are kept in"),
        (OSError(28, "No space left on device", "u/results.sqlite"), 1,
         "(No space left on device); finished symbols are kept in"),
    ],
)  # fmt: skip
def test_universe_stopped_by_a_signal_or_a_full_disk_says_how_to_resume(
    tmp_path, kaggle_csv, monkeypatch, fault, code, fragment
):
    import stockcaster.cli.universe as command

    def stopped(*args, **options):
        raise fault

    monkeypatch.setattr(command, "universe_job", stopped)
    result = CliRunner().invoke(app, ["universe", "--data", str(kaggle_csv),
                                      "--out", str(tmp_path / "u")])  # fmt: skip
    assert result.exit_code == code and fragment in result.stderr, result.output
    assert "--resume" in result.stderr and result.stderr.count("\n") == 1


def test_the_command_line_and_recording_versions_never_import_tensorflow():
    """Importing the CLI (every command's module) and recording versions start neither Keras
    nor TensorFlow: `predict` chooses its NumPy backend before Keras starts, and `--help`
    and `--version` stay quick."""
    code = ("import sys; import stockcaster.cli; from stockcaster.provenance import versions; "
            "v = versions(); "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, v; "
            "assert v['keras'][0].isdigit(), v; "
            "from typer.testing import CliRunner; said = CliRunner().invoke(stockcaster.cli.app, "
            "['--version']); assert 'tensorflow' not in sys.modules, said.output; "
            "print(said.exit_code, said.output)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True)  # fmt: skip
    # `stockcaster --version` (there was none) says it and the libraries' versions
    assert re.fullmatch(r"0 stockcaster \S+ \(Python 3\.\S+, Keras 3\.\S+ on tensorflow \S+, "
                        r"NumPy \S+, pandas \S+\)", done.stdout.strip()), done.stdout  # fmt: skip


def test_an_out_removed_by_another_command_s_probe_is_probed_again(tmp_path, monkeypatch):
    """Two commands started at once into one new --out: each makes it for its probe and
    removes it again; one found it gone between its mkdir and its probe and said "expected a
    folder that can be created and written ... (No such file or directory)" instead of being
    refused by the other's lock (tests/test_signals.py's two searches, once in a CI run)."""
    import tempfile

    from stockcaster.store.files import check_writable

    real, gone = tempfile.NamedTemporaryFile, []

    def other_command_removed_it(dir, **options):
        if not gone:
            gone.append(dir)
            Path(dir).rmdir()  # the other command's clean-up, just before our probe
        return real(dir=dir, **options)

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", other_command_removed_it)
    check_writable(tmp_path / "new" / "out")
    assert gone and not (tmp_path / "new").exists()  # probed again, and no trace left


@pytest.mark.parametrize("where", ["flag", "environment"])
def test_a_keras_backend_that_is_not_installed_is_one_line(tmp_path, small_csv, monkeypatch,
                                                           where):  # fmt: skip
    """`KERAS_BACKEND=torch` without PyTorch failed each network's fit in a backtest ("lstm
    failed on every window: ModuleNotFoundError"), and `universe --backend torch` kept a run
    whose global model failed; the backend is refused before anything runs."""
    import importlib.util

    import stockcaster.process

    found = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "jax" else found(name, *a))  # fmt: skip
    monkeypatch.setattr(stockcaster.process, "_running_backend", lambda: None)  # a new process
    out = tmp_path / "runs"
    if where == "flag":
        args = ["universe", "--data", str(small_csv), "--backend", "jax", "--models", "naive"]
        option = "--backend"
    else:
        monkeypatch.setenv("KERAS_BACKEND", "jax")
        args, option = ["run", "--model", "naive", "--data", str(small_csv)], "KERAS_BACKEND"
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    one_line(result, f"error: {option}: expected a backend whose package is installed, "
                     "received 'jax' (pip install jax)")  # fmt: skip
    assert not out.exists()


def test_an_unknown_keras_backend_in_the_environment_is_one_line(tmp_path, small_csv,
                                                                 monkeypatch):  # fmt: skip
    """`KERAS_BACKEND=bogus` ended in a KeyError traceback (`run --model naive`), or blamed
    the model's fit; a `--backend` flag still overrides it."""
    import stockcaster.process

    monkeypatch.setattr(stockcaster.process, "_running_backend", lambda: None)  # a new process
    monkeypatch.setenv("KERAS_BACKEND", "bogus")
    out = tmp_path / "runs"
    result = CliRunner().invoke(app, ["run", "--model", "naive", "--data", str(small_csv),
                                      "--out", str(out)])  # fmt: skip
    one_line(result, "error: KERAS_BACKEND: expected one of tensorflow, jax, torch, numpy")
    assert not out.exists()
    stockcaster.process.choose_backend("jax")  # the flag's: chosen, not refused
    assert os.environ["KERAS_BACKEND"] == "jax"
