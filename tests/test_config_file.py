"""`--config` files: flags win over the file, `init` output loads back, bad files in one line."""

from __future__ import annotations

import json
import re

import pytest
import typer.main
from typer.testing import CliRunner

from stockcaster.cli import app
from stockcaster.cli.config_file import read_config
from stockcaster.errors import StockcasterError


def _command(name):
    return typer.main.get_command(app).commands[name]


def test_every_command_but_init_takes_a_config():
    for name, command in typer.main.get_command(app).commands.items():
        has = any(p.name == "config" for p in command.params)
        assert has == (name != "init"), name


def test_init_output_loads_back_with_every_default_set(tmp_path):
    path = tmp_path / "stockcaster.toml"
    result = CliRunner().invoke(app, ["init", str(path)])
    assert result.exit_code == 0, result.output
    text = path.read_text()
    for name in ("run", "backtest", "train", "predict", "inspect", "report"):
        assert (
            read_config(path, _command(name), _group()) == {}
        )  # all commented out: loads, sets nothing
    # Uncomment every line that shows a concrete default: each loads back as that default.
    enabled = re.sub(r"^# (\w+ = (?!\.\.\.).*?)  # .*$", r"\1", text, flags=re.M)
    path.write_text(enabled)
    run = read_config(path, _command("run"), _group())
    assert run["preset"] == "default" and run["quiet"] is False and run["out"] == "runs"
    assert read_config(path, _command("backtest"), _group())["retrain_every"] == 21


def test_init_refuses_to_overwrite(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("keep me")
    result = CliRunner().invoke(app, ["init", str(path)])
    assert result.exit_code == 2 and path.read_text() == "keep me"


def test_flags_win_over_the_file(tmp_path, small_csv):
    out = tmp_path / "from-file"
    config = tmp_path / "run.toml"
    config.write_text(
        f'[run]\ndata = "{small_csv}"\nepochs = 3\nout = "{out}"\nquiet = true\npreset = "seed"\n'
    )
    result = CliRunner().invoke(app, ["run", "--config", str(config), "--epochs", "1",
                                      "--preset", "default"])  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())  # out came from the file
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["epochs_run"] == 1 and metrics["preset"] == "default"  # flags won


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[run]\nepochs = 'ten'\n", "[run] epochs: expected an integer, received 'ten'"),
        ("[run]\nepoch = 3\n", "[run]: expected keys among"),
        ("[run]\nquiet = 1\n", "[run] quiet: expected true or false, received 1"),
        ("[runn]\nepochs = 3\n", "expected tables among [backtest], [explain], [fetch], [inspect]"),
        ("[run\n", "expected valid TOML"),
        # a value of the right type that Typer refuses: its words, then where it came from
        ("[run]\nepochs = -1\n", "--epochs: expected at least 1, received -1 (from [run] in"),
        # a value the command itself refuses names the file too (it named only the option)
        (
            "[run]\ncolumns = 'close=Last'\n",
            "--columns: expected --data FILE whose headers it "
            "maps, received none (the embedded MSFT data needs no mapping) (from [run] in",
        ),
        ("[run]\nmodel = 'seed'\nset = ['seed.units=0']\n", "units=0 (from [run] in"),
    ],
)
def test_bad_config_is_one_line_naming_key_type_and_value(tmp_path, text, fragment):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    result = CliRunner().invoke(app, ["run", "--config", str(config), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message and fragment in message, message
    assert str(config) in message
    assert not (tmp_path / "o").exists()


def test_a_list_or_a_string_is_read_as_the_command_line_would_give_it(tmp_path):
    """A comma-separated option takes a TOML list of strings; a repeatable one, one string."""
    path = tmp_path / "config.toml"
    path.write_text('[backtest]\nmodels = ["naive", "drift"]\nset = "seed.units=8"\n'
                    '[universe]\nsymbols = ["AAA", "BBB"]\n')  # fmt: skip
    backtest = read_config(path, _command("backtest"), _group())
    assert backtest["models"] == "naive,drift" and list(backtest["settings"]) == ["seed.units=8"]
    assert read_config(path, _command("universe"), _group())["symbols"] == "AAA,BBB"
    path.write_text('[backtest]\nmodels = ["naive", 3]\n')  # not every item a string
    with pytest.raises(StockcasterError, match="models: expected a string, received"):
        read_config(path, _command("backtest"), _group())


def _group():
    return typer.main.get_command(app)


@pytest.mark.parametrize(
    ("where", "given", "fragment"),
    [
        (
            "file",
            'set = ["seed.units=0"]',
            "--set seed: expected sizes of at least 1, received units=0",
        ),
        ("flag", "tcn.blocks=0", "--set tcn: expected sizes of at least 1, received blocks=0"),
        ("flag", "mlp.dropout=1", "--set mlp: expected dropout in [0, 1), received 1"),
        ("file", 'set = "seed.units=0"', "--set seed: expected sizes of at least 1, received"),
        ("flag", "seed.units", "--set: expected MODEL.KEY=VALUE, received 'seed.units'"),
        (
            "flag",
            "naive.k=3",
            "--set: expected a model with settings of its own (seed, tcn, transformer, mlp)",
        ),
        ("flag", "seed.width=3", "--set seed: expected keys among dense, dropout, units"),
        ("flag", "seed.units=many", "--set seed units: expected an integer, received 'many'"),
    ],
)
def test_a_model_s_own_settings_are_checked_from_a_flag_or_a_file(tmp_path, where, given,
                                                                  fragment):  # fmt: skip
    """`--set MODEL.KEY=VALUE` (or `set = [...]` in a config file): one line, exit 2, before
    anything runs; the model's own dataclass checks each value."""
    args = ["backtest", "--models", "naive", "--out", str(tmp_path / "out")]
    if where == "file":
        path = tmp_path / "config.toml"
        path.write_text(f"[backtest]\n{given}\n")
        args += ["--config", str(path)]
    else:
        args += ["--set", given]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2 and fragment in done.stderr, done.output
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args, runs",
    [
        (["run", "--model", "naive"], "(naive)"),
        (["run", "--preset", "seed"], "(none but the preset's network; --model NAME runs one)"),
        (["backtest", "--models", "naive,drift"], "(naive, drift)"),
        (["backtest", "--target", "variance", "--models", "har"], "(har)"),
        (["tune", "--model", "lstm"], "(lstm)"),
        (["train"], "(lstm)"),
        (["universe", "--models", "naive"], "(naive)"),
    ],
)
def test_settings_of_a_model_the_command_does_not_run_are_refused(tmp_path, args, runs):
    """`--set seed.units=2` beside a command that runs no seed model was read by nothing, and
    the command ran as if it had not been given (`run --preset seed` included: the preset's
    network takes the preset's sizes)."""
    from conftest import ohlcv, write_kaggle

    data = write_kaggle(tmp_path / "prices.csv", ohlcv(120))
    where = ["--save", str(tmp_path / "out")] if args[0] == "train" else ["--out", str(tmp_path)]
    done = CliRunner().invoke(app, [*args, "--data", str(data), "--set", "seed.units=2", *where])
    assert done.exit_code == 2 and done.stderr.count("\n") == 1, done.output
    assert done.stderr.startswith(
        f"error: --set seed: expected settings of a model this command runs {runs}, received seed's"
    ), done.stderr
    assert list(tmp_path.iterdir()) == [data]  # nothing written
