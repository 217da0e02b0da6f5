"""Model bundles, `train` and `predict`: round trip, safe mode, calendar, intervals, resume."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ohlcv, one_line, tiny_forecast_preset, write_kaggle
from stockcaster.cli import app
from stockcaster.data.series import load_series, price_series
from stockcaster.errors import StockcasterError


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A bundle trained on 250 days of a seeded MSFT series ending 2015-12-22."""
    folder = tmp_path_factory.mktemp("bundle")
    prices = ohlcv(250)
    prices["date"] = pd.bdate_range(end="2015-12-22", periods=250)
    data = write_kaggle(folder / "msft.csv", prices)
    preset = tiny_forecast_preset(folder)
    result = CliRunner().invoke(
        app, ["train", "--data", str(data), "--preset", preset, "--save", str(folder / "b")]
    )
    assert result.exit_code == 0, result.output
    return folder / "b", data, prices


def _copy(bundle: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(bundle, target)
    return target


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_bundle_holds_everything_and_no_pickle(trained):
    bundle, _, _ = trained
    assert {p.name for p in bundle.iterdir()} == {
        "model.keras", "config.toml", "scaler.json", "bundle.json"
    }  # fmt: skip
    meta = json.loads((bundle / "bundle.json").read_text())
    assert meta["symbols"] == ["MSFT"] and meta["exchange"] == "XNYS" and meta["model"] == "lstm"
    assert meta["settings"] == {}  # the lstm family has no settings of its own
    assert meta["data"]["rows"] == 250 and meta["data"]["end"] == meta["trained_until"]
    assert meta["trained_until"] == "2015-12-22" and meta["format"] == 2
    assert len(meta["data"]["sha256"]) == 64
    assert {"stockcaster", "keras", "backend", "backend_version"} <= set(meta["versions"])
    assert json.loads((bundle / "scaler.json").read_text())["kind"] == "standard"


def test_round_trip_gives_identical_predictions(trained, tmp_path):
    from stockcaster.store.bundle import open_bundle, save_bundle, series_where

    bundle, data, _ = trained
    history = price_series(load_series(data)[0])
    first = open_bundle(bundle)
    before = first.forecaster.predict_quantiles(history, 5)
    where = series_where(history, "MSFT", "x", "XNYS")
    save_bundle(tmp_path / "again", "lstm", first.forecaster, first.options, where)
    after = open_bundle(tmp_path / "again").forecaster.predict_quantiles(history, 5)
    np.testing.assert_array_equal(before, after)


def test_safe_mode_refuses_a_model_with_a_lambda_layer(trained, tmp_path):
    import keras

    from stockcaster.store.bundle import open_bundle

    copy = _copy(trained[0], tmp_path)
    evil = keras.Sequential(
        [keras.Input((5, 1)), keras.layers.Lambda(lambda x: x * 2), keras.layers.LSTM(2),
         keras.layers.Dense(15), keras.layers.Reshape((5, 3))]
    )  # fmt: skip
    evil.save(copy / "model.keras")
    meta = json.loads((copy / "bundle.json").read_text())
    meta["files"]["model.keras"] = hashlib.sha256((copy / "model.keras").read_bytes()).hexdigest()
    (copy / "bundle.json").write_text(json.dumps(meta))
    with pytest.raises(StockcasterError, match="safe mode"):
        open_bundle(copy)


def test_predict_writes_trading_days_across_a_holiday(trained, tmp_path):
    bundle, data, _ = trained
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["predict", "--bundle", str(bundle), "--data", str(data),
                                      "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    assert {p.name for p in folder.iterdir()} == {"forecast.csv", "fan.png", "prediction.json"}
    forecast = pd.read_csv(folder / "forecast.csv")
    assert list(forecast.columns) == ["date", "symbol", "horizon", "yhat", "lo", "hi"]
    # The data ends on 2015-12-22; Christmas Day (a Friday) is not a trading day.
    assert forecast["date"].tolist() == [
        "2015-12-23", "2015-12-24", "2015-12-28", "2015-12-29", "2015-12-30"
    ]  # fmt: skip
    assert (forecast["lo"] <= forecast["yhat"]).all() and (forecast["yhat"] <= forecast["hi"]).all()
    assert (forecast["lo"] < forecast["hi"]).all()
    assert "lo, hi: the 10%-90% interval (the quantile head)" in result.stdout  # it said none
    assert "the bundle was trained on" not in result.stdout  # the file it was trained on
    # A forecast reads as advice: it says that its skill is measured elsewhere, not here
    said = " ".join(result.stdout.split())
    assert ("note: a bundle has no test score (it was trained on every day it was given): "
            f"`stockcaster backtest --data {data} --models lstm,naive` walks lstm forward against "
            "naive, yesterday's close, on these prices") in said, said  # fmt: skip
    meta = json.loads((folder / "prediction.json").read_text())
    assert meta["caveat"] in said and meta["notes"] == []  # the prices it was trained on
    assert CliRunner().invoke(app, ["report", str(folder)]).exit_code == 0
    assert "Note: a bundle has no test score" in (folder / "report.html").read_text()


def test_calendar_skips_2016_christmas_and_weekends():
    from stockcaster.data.calendar import next_sessions

    days = next_sessions(pd.Timestamp("2016-12-22"), 4)
    assert [f"{d:%Y-%m-%d}" for d in days] == [
        "2016-12-23",
        "2016-12-27",
        "2016-12-28",
        "2016-12-29",
    ]
    with pytest.raises(StockcasterError, match="--exchange"):
        next_sessions(pd.Timestamp("2016-12-22"), 4, "NOPE")


def test_predict_refuses_prices_that_trade_on_days_the_bundle_s_exchange_is_closed(
    trained, tmp_path
):
    """A series of every day, weekends included: an XNYS bundle would date Sunday's forecast
    for Monday, the forecast after it for Tuesday."""
    bundle, _, _ = trained
    days = pd.date_range(end="2016-01-30", periods=400, freq="D")
    data = write_kaggle(tmp_path / "daily.csv", ohlcv(400).assign(date=days))
    weekends = int((days.dayofweek >= 5).sum())
    out = tmp_path / "runs"
    result = CliRunner().invoke(app, ["predict", "--bundle", str(bundle), "--data", str(data),
                                      "--out", str(out)])  # fmt: skip
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert (
        f"{data} symbol MSFT: expected prices on XNYS's trading days, received {weekends} of 400 "
        in (result.stderr)
    )
    assert "the bundle forecasts XNYS's sessions" in result.stderr
    assert not out.exists()


def test_quantiles_are_ordered_even_when_the_network_crosses_them(trained, monkeypatch):
    from stockcaster.store.bundle import open_bundle

    bundle, data, _ = trained
    forecaster = open_bundle(bundle).forecaster
    crossed = np.array([[[1.0, 0.0, -1.0]] * 5], dtype="float32")  # q10 > q50 > q90
    monkeypatch.setattr(forecaster.network, "predict_on_batch", lambda x: crossed)
    paths = forecaster.predict_quantiles(price_series(load_series(data)[0]), 5)
    assert (np.diff(paths, axis=1) >= 0).all()


def test_resume_writes_a_new_bundle_and_leaves_the_old_one_byte_identical(trained, tmp_path):
    bundle, _, prices = trained
    before = _hashes(bundle)
    newer = prices.copy()
    extra = ohlcv(270).iloc[250:].assign(date=pd.bdate_range("2015-12-23", periods=20))
    newer = pd.concat([newer, extra], ignore_index=True)
    data = write_kaggle(tmp_path / "newer.csv", newer)
    result = CliRunner().invoke(
        app, ["train", "--resume", str(bundle), "--data", str(data), "--save", str(tmp_path / "n")]
    )
    assert result.exit_code == 0, result.output
    assert _hashes(bundle) == before
    meta = json.loads((tmp_path / "n" / "bundle.json").read_text())
    assert (
        meta["data"]["end"] == f"{newer['date'].iloc[-1]:%Y-%m-%d}" and meta["data"]["rows"] == 270
    )


def _edit(bundle: Path, name: str, old: str, new: str) -> None:
    """Change a file of a bundle and record its new checksum, as a careless edit would."""
    path = bundle / name
    path.write_text(path.read_text().replace(old, new))
    meta = json.loads((bundle / "bundle.json").read_text())
    meta["files"][name] = hashlib.sha256(path.read_bytes()).hexdigest()
    (bundle / "bundle.json").write_text(json.dumps(meta))


def _meta(bundle: Path, **changes) -> None:
    """bundle.json with some fields replaced (it holds the other files' checksums)."""
    path = bundle / "bundle.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def _forge_scaler(bundle: Path, value, keys: tuple[str, ...] = ()) -> None:
    """Every number of scaler.json (or those of `keys`) set to `value`, its checksum
    rewritten to match."""
    path = bundle / "scaler.json"
    state = json.loads(path.read_text())
    forged = {k: [value] if k != "kind" and (not keys or k in keys) else v
              for k, v in state.items()}  # fmt: skip
    path.write_text(json.dumps(forged))
    _edit(bundle, "scaler.json", "", "")


@pytest.mark.parametrize(
    "damage, fragment",
    [
        (lambda b: (b / "model.keras").write_bytes((b / "model.keras").read_bytes()[:500]),
         "checksum differs"),
        (lambda b: (b / "scaler.json").unlink(), "expected scaler.json in the bundle"),
        (lambda b: (b / "bundle.json").write_text("{"), "unreadable JSON"),
        (lambda b: (b / "bundle.json").write_text(
            (b / "bundle.json").read_text().replace('"stockcaster": "', '"stockcaster": "9')),
         "received one from stockcaster 9"),
        (lambda b: shutil.rmtree(b), "does not exist"),
        (lambda b: (shutil.rmtree(b), b.write_text("x")), "received a file, not a folder"),
        (lambda b: _edit(b, "config.toml", "lookback = 5", "lookback = 7"),
         "expected a model taking [7, 1]"),
        (lambda b: _edit(b, "scaler.json", '"standard"', '"minmax"'), "expected a standard scaler"),
        # Forged values with their checksums rewritten: checked for what they must be.
        (lambda b: _forge_scaler(b, float("nan")),
         "scaler.json mean_: expected a finite number, received [nan]"),
        (lambda b: _forge_scaler(b, 0.0),
         "scaler.json scale_: expected a positive finite number, received [0.0]"),
        (lambda b: _forge_scaler(b, [1.0, 2.0]),
         "scaler.json mean_: expected a list of one number, received an array of shape (1, 2)"),
        (lambda b: _forge_scaler(b, "x"), "scaler.json mean_: expected numbers, received"),
        (lambda b: _meta(b, files=[]), "bundle.json: expected bundle metadata"),
        (lambda b: _meta(b, trained_until="soon"), "bundle.json trained_until: expected a date"),
        (lambda b: _meta(b, symbols=["MSFT", "AAPL"]),
         "bundle.json symbols: expected one symbol's name"),
        (lambda b: _meta(b, symbols="MSFT"), "bundle.json symbols: expected a list"),
        (lambda b: _meta(b, settings=[]), "bundle.json settings: expected a dict"),
        (lambda b: _meta(b, exchange=7), "bundle.json exchange: expected a str, received '7'"),
        # Finite but absurd (a mean daily log-return of 17,219): no price comes out.
        (lambda b: _forge_scaler(b, 17219.0, ("mean_",)),
         "expected forecasts of prices between 1e-08 and 1e+12, received inf in yhat"),
        (lambda b: _edit(b, "scaler.json", '"mean_": [', '"mean_": 0, "x": ['),
         "scaler.json mean_: expected a list of one number, received an array of shape ()"),
    ],
)  # fmt: skip
def test_damaged_bundles_are_refused_in_one_line(trained, tmp_path, damage, fragment):
    copy = _copy(trained[0], tmp_path)
    damage(copy)
    result = CliRunner().invoke(
        app,
        ["predict", "--bundle", str(copy), "--data", str(trained[1]), "--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message and fragment in message, message
    assert not (tmp_path / "o").exists()


def test_predict_on_prices_whose_range_never_moves_forecasts_and_says_the_risk_is_unmeasured(
    trained, tmp_path
):
    """A file of closes written as open = high = low = close (as some sources give them)
    ended in HAR's error ("expected at least 30 days ... received 0"): the range measures
    no day's variance. The forecast is made; the risk is said to be unmeasured."""
    _, _, prices = trained
    flat_range = prices.assign(open=prices["close"], high=prices["close"], low=prices["close"])
    data = write_kaggle(tmp_path / "closes.csv", flat_range)
    ask = ["predict", "--bundle", str(trained[0]), "--data", str(data), "--out"]
    result = CliRunner().invoke(app, [*ask, str(tmp_path / "o"), "--horizon", "2"])
    assert result.exit_code == 0, result.output
    assert (
        "risk: not measured (too short a history, or too few days with a price range, "
        "for HAR)" in " ".join(result.stdout.split())
    )
    # Another file than the bundle's: said, as the embedded history without --data was not
    said = " ".join(result.stdout.split())
    assert f"prices from {data}; the bundle was trained on {trained[1]}" in said, said
    (folder,) = (tmp_path / "o").iterdir()
    assert len(pd.read_csv(folder / "forecast.csv")) == 2


def test_predict_refuses_another_symbol_and_older_data(trained, tmp_path):
    bundle, _, prices = trained
    other = write_kaggle(tmp_path / "aapl.csv", prices.assign(symbol="AAPL"))
    older = write_kaggle(tmp_path / "old.csv", prices.iloc[:200])
    # Without --symbol it said "expected a symbol in the file (AAPL), received 'MSFT'", as if
    # the user had asked for MSFT.
    cases = ((other, ["--symbol", "AAPL"], "expected symbol MSFT, the one the bundle was trained"),
             (other, [], "aapl.csv: expected prices of MSFT, the bundle's symbol, received a "
              "file of AAPL"),
             (older, [], "ends on or after the bundle's training end 2015-12-22"),
             (prices_file := write_kaggle(tmp_path / "msft.csv", prices), ["--top-k", "3"],
              "--top-k: expected a universe bundle to pick from"),
             (prices_file, ["--covariates", "vix"], "--covariates: expected a universe bundle"
              f" of --features columns, received --bundle {bundle}, one symbol's"))  # fmt: skip
    for data, extra, fragment in cases:
        result = CliRunner().invoke(
            app,
            ["predict", "--bundle", str(bundle), "--data", str(data), "--out", str(tmp_path / "o"),
             *extra],
        )  # fmt: skip
        assert result.exit_code == 2 and fragment in result.stderr, result.stderr
    assert prices_file.is_file() and not (tmp_path / "o").exists()  # it was silently ignored
    # the bundle's symbol in another case is the same symbol, as --symbol reads it (it was
    # "expected symbol MSFT, the one the bundle was trained on, received msft")
    lower = write_kaggle(tmp_path / "lower.csv", prices.assign(symbol="msft"))
    done = CliRunner().invoke(app, ["predict", "--bundle", str(bundle), "--data", str(lower),
                                    "--out", str(tmp_path / "o")])  # fmt: skip
    assert done.exit_code == 0, done.output


def test_predict_from_fewer_closes_than_its_window_reads_names_the_file_and_how_many(
    trained, tmp_path
):
    """A window of k log-returns reads k + 1 closes: from k the forecast was NaN and the
    bundle was blamed ("its weights or scales give no usable forecast); retrain it")."""
    bundle, _, prices = trained
    k = int(re.search(r"lookback = (\d+)", (bundle / "config.toml").read_text()).group(1))
    for rows in (k, 1):
        short = write_kaggle(tmp_path / "short.csv", prices.tail(rows))
        result = CliRunner().invoke(app, ["predict", "--bundle", str(bundle), "--data",
                                          str(short), "--out", str(tmp_path / "o")])  # fmt: skip
        one_line(result, f"short.csv symbol MSFT: expected {k + 1} closes before each day "
                         f"forecast (a window of {k}), received {rows}")  # fmt: skip
    assert not (tmp_path / "o").exists()
    done = CliRunner().invoke(app, ["predict", "--bundle", str(bundle), "--data", str(write_kaggle(
        tmp_path / "enough.csv", prices.tail(k + 1))), "--out", str(tmp_path / "o")])  # fmt: skip
    assert done.exit_code == 0, done.output


def test_predict_of_the_folder_above_the_bundles_names_one(trained):
    """`predict --bundle bundles` (the folder `train --save bundles/msft` made) was "received
    a folder without bundle.json"."""
    one_line(CliRunner().invoke(app, ["predict", "--bundle", str(trained[0].parent)]),
             f"expected a model bundle, received a folder of 1 bundle (name one, such as "
             f"{trained[0]})")  # fmt: skip


@pytest.mark.parametrize("given", [["--top-k", "3"], ["--data", "x.csv", "--covariates", "vix"]])
def test_predict_of_a_missing_bundle_says_so_before_what_a_bundle_of_one_symbol_refuses(
    tmp_path, given
):
    """`predict --bundle gone --top-k 3` said "received gone, a bundle of one symbol", of a
    bundle that does not exist."""
    gone = tmp_path / "gone"
    one_line(CliRunner().invoke(app, ["predict", "--bundle", str(gone), *given]),
             f"{gone}: expected a model bundle, received a path that does not exist")  # fmt: skip


def test_predict_without_data_names_the_file_a_bundle_of_another_symbol_was_trained_on(
    trained, tmp_path
):
    """A bundle of BTC given no --data read the embedded MSFT and said only "expected prices
    of BTC, the bundle's symbol, received a file of MSFT", not where BTC's prices are."""
    bundle = _copy(trained[0], tmp_path)
    meta = json.loads((bundle / "bundle.json").read_text())
    (bundle / "bundle.json").write_text(json.dumps({**meta, "symbols": ["BTC"]}))
    one_line(
        CliRunner().invoke(app, ["predict", "--bundle", str(bundle), "--out", str(tmp_path)]),
        "embedded MSFT (pmdarima): expected prices of BTC, the bundle's symbol (trained on "
        f"{trained[1]}: give --data the file of its prices), received a file of MSFT",
    )


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        (["--model", "gru"], "--model: expected none or"),
        (["--set", "tcn.width=4"], "--set: expected none or"),
    ],
)
def test_resume_refuses_a_model_or_setting_it_would_ignore(trained, tmp_path, given, fragment):
    """`train --resume B --model gru` fine-tuned B's lstm and said nothing of gru."""
    bundle, data, _ = trained
    out = tmp_path / "new"
    result = CliRunner().invoke(app, ["train", "--resume", str(bundle), "--data", str(data),
                                      "--save", str(out), *given])  # fmt: skip
    one_line(result, f"{fragment} the bundle's own (lstm) with --resume")
    assert not out.exists()


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        (["--epochs", "3"], "--epochs: expected none with --resume, which fine-tunes the bundle "
         "with its own warm_epochs, received 3"),
        (["--exchange", "XLON"], "--exchange: expected none with --resume, which fine-tunes the "
         "bundle with its calendar, XNYS, received XLON"),
    ],
)  # fmt: skip
def test_resume_refuses_the_epochs_and_calendar_it_would_ignore(trained, tmp_path, given,
                                                                 fragment):  # fmt: skip
    """`train --resume B --epochs 3` fine-tuned for the bundle's own epochs, and `--exchange
    XLON` saved a bundle on B's calendar, XNYS, both without a word."""
    bundle, data, _ = trained
    out = tmp_path / "new"
    result = CliRunner().invoke(app, ["train", "--resume", str(bundle), "--data", str(data),
                                      "--save", str(out), *given])  # fmt: skip
    one_line(result, fragment)
    assert not out.exists()


@pytest.mark.parametrize("given", [["--model", "naive"], ["--set", "mlp.width=8"], []])
def test_resume_of_no_bundle_says_so_before_the_model_it_would_fine_tune(trained, tmp_path,
                                                                         given):  # fmt: skip
    """`train --resume MISSING --model naive` said "--model: expected none or the bundle's own
    (None)": a bundle that is not there was read as one with no model."""
    out = tmp_path / "new"
    result = CliRunner().invoke(app, ["train", "--resume", str(tmp_path / "gone"), "--data",
                                      str(trained[1]), "--save", str(out), *given])  # fmt: skip
    one_line(result, f"{tmp_path / 'gone'}: expected a model bundle, received a path that does "
                     "not exist")  # fmt: skip
    assert not out.exists()


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        (["--symbols", "A"], "--symbols: expected --universe with it, received A"),
        (["--features", "technical"], "--features: expected --universe with it"),
        (["--quantiles", "0.1,0.9"], "--quantiles: expected --universe with it"),
        (["--global-preset", "default"], "--global-preset: expected --universe with it"),
        (["--covariates", "A"], "--covariates: expected --universe with it, received A"),
    ],
)
def test_train_refuses_a_universe_s_options_without_universe(trained, tmp_path, given, fragment):
    """`train --symbols A` (or a feature set, a quantile head, a global preset) without
    --universe trained the symbol's network as if they were not there."""
    out = tmp_path / "new"
    result = CliRunner().invoke(app, ["train", "--data", str(trained[1]), "--save", str(out),
                                      *given])  # fmt: skip
    one_line(result, fragment)
    assert not out.exists()


@pytest.mark.parametrize(("given", "shown"), [(["--preset", "seed"], "seed"),
                                             (["--target", "close"], "close")])  # fmt: skip
def test_train_universe_refuses_one_symbol_s_options(trained, tmp_path, given, shown):
    """`train --universe --preset seed` (or `--target close`) trained the global preset's
    model on the next log-return as if they were not there."""
    out = tmp_path / "new"
    result = CliRunner().invoke(app, ["train", "--universe", "--data", str(trained[1]),
                                      "--save", str(out), *given])  # fmt: skip
    one_line(result, f"{given[0]}: expected one symbol's bundle with it (--universe trains "
                     f"--global-preset's model), received {shown}")  # fmt: skip
    assert not out.exists()


def test_predict_of_a_run_s_folder_says_where_bundles_come_from(tmp_path, small_csv):
    """A run's folder given to `predict --bundle` was "a folder without bundle.json"."""
    ran = CliRunner().invoke(app, ["run", "--data", str(small_csv), "--model", "naive",
                                   "--out", str(tmp_path / "runs")])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    (folder,) = (tmp_path / "runs").iterdir()
    one_line(CliRunner().invoke(app, ["predict", "--bundle", str(folder)]),
             "received a command's results (bundles are written by train --save, universe "
             "--save, tune)")  # fmt: skip


def test_train_on_a_split_notes_it_and_the_bundle_records_it(trained, tmp_path):
    """`train` saved a bundle from unadjusted prices without a word (run, backtest, universe
    and signals note such a day); a clean history's bundle records no note (the control)."""
    assert json.loads((trained[0] / "bundle.json").read_text())["notes"] == []
    prices = ohlcv(250)
    prices.loc[200:, ["open", "high", "low", "close"]] /= 7
    data = write_kaggle(tmp_path / "split.csv", prices)
    preset = tiny_forecast_preset(tmp_path)
    done = CliRunner().invoke(app, ["train", "--data", str(data), "--preset", preset, "--save",
                                    str(tmp_path / "b")])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "note: MSFT's close moved -85.8%" in " ".join(done.output.split())
    (note,) = json.loads((tmp_path / "b" / "bundle.json").read_text())["notes"]
    assert "as a 7-for-1 split would" in note


def test_report_of_a_bundle_says_it_is_one_and_explain_reads_its_network(trained, tmp_path):
    """`report` of a symbol's bundle said "received one without universe_risk.json, var.csv,
    ..."; `explain` of it said "received neither". It now shuffles each day of the window on
    the validation tail the bundle's fit kept out (the last 15% of its 250 days, less the
    direct head's reach of 4 more days: 34 windows), with a caveat, and writes nothing into the
    bundle; prices other than the ones it was trained on are refused."""
    bundle, data, prices = trained
    one_line(
        CliRunner().invoke(app, ["report", str(bundle)]),
        f"received a bundle (predict --bundle {bundle} --report reports its forecast)",
    )
    before = _hashes(bundle)
    done = CliRunner().invoke(app, ["explain", str(bundle), "--json"])
    assert done.exit_code == 0, done.output
    (record,) = [v for k, v in json.loads(done.stdout).items() if k != "folder"]
    assert {f["feature"] for f in record["features"]} == {f"lag {k}" for k in range(1, 6)}
    assert record["validation_windows"] == 38 - (5 - 1) and record["windows"] == "validation"
    assert record["caveat"].startswith("a bundle scores no test period, so whether its network")
    assert _hashes(bundle) == before and not (bundle / "explain.json").exists()
    other = write_kaggle(tmp_path / "other.csv", prices.assign(close=prices["close"] * 2))
    one_line(CliRunner().invoke(app, ["explain", str(bundle), "--data", str(other)]),
             f"expected the prices the bundle {bundle} was trained on (250 rows to "
             "2015-12-22), received others")  # fmt: skip


def test_train_refuses_to_overwrite(trained, tmp_path):
    bundle, data, _ = trained
    before = _hashes(bundle)
    result = CliRunner().invoke(app, ["train", "--data", str(data), "--save", str(bundle)])
    assert result.exit_code == 2 and "expected a new folder" in result.stderr
    assert _hashes(bundle) == before


def test_predict_on_the_numpy_backend_matches_tensorflow(trained, tmp_path):
    """`stockcaster predict` runs Keras on NumPy; its forecasts equal TensorFlow's."""
    import os
    import subprocess
    import sys

    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.predict import predict

    bundle, data, _ = trained
    here = predict(bundle, Source(data), out=tmp_path / "tf").forecast
    env = {**os.environ, "KERAS_BACKEND": "numpy"}
    code = (
        "import sys, keras; from stockcaster.jobs.predict import predict; "
        "from stockcaster.jobs.envelope import Source; "
        "assert keras.backend.backend() == 'numpy'; "
        "assert 'tensorflow' not in sys.modules; "
        f"predict({str(bundle)!r}, Source({str(data)!r}), out={str(tmp_path / 'np')!r})"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    (folder,) = list((tmp_path / "np").iterdir())
    there = pd.read_csv(folder / "forecast.csv")
    for column in ("yhat", "lo", "hi"):
        np.testing.assert_allclose(there[column], here[column], rtol=1e-5)


def test_predict_json(trained, tmp_path):
    bundle, data, _ = trained
    result = CliRunner().invoke(app, ["predict", "--bundle", str(bundle), "--data", str(data),
                                      "--out", str(tmp_path), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [r["date"] for r in payload["forecast"]][:2] == ["2015-12-23", "2015-12-24"]
    assert all(r["lo"] <= r["yhat"] <= r["hi"] for r in payload["forecast"])


def test_predict_notes_a_split_in_the_prices_it_reads(trained, tmp_path):
    """New prices handed to `predict` were read without a word: an unadjusted 2:1 split in
    their last days went into the network's window and the volatility band as a 50% fall.
    `predict` notes it as every other command does: in the terminal, prediction.json and
    the report."""
    bundle, _, prices = trained
    split = prices.copy()
    split.loc[split.index[-10:], ["open", "high", "low", "close"]] /= 2
    data = write_kaggle(tmp_path / "split.csv", split)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["predict", "--bundle", str(bundle), "--data", str(data),
                                      "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    day = f"{split['date'].iloc[-10]:%Y-%m-%d}"
    assert "note: MSFT's close moved -" in said, said
    assert f"% on {day}, as a 2-for-1 split would: if the prices are not adjusted" in said
    (folder,) = list(out.iterdir())
    meta = json.loads((folder / "prediction.json").read_text())
    assert len(meta["notes"]) == 1 and "2-for-1 split" in meta["notes"][0]
    assert CliRunner().invoke(app, ["report", str(folder)]).exit_code == 0
    assert "as a 2-for-1 split would" in (folder / "report.html").read_text()


def test_train_refuses_a_model_that_cannot_save_itself_in_one_line(tmp_path, small_csv):
    out = tmp_path / "b"
    result = CliRunner().invoke(app, ["train", "--model", "arima", "--data", str(small_csv),
                                      "--save", str(out)])  # fmt: skip
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert "expected a model a bundle can hold" in result.stderr and "'arima'" in result.stderr
    assert not out.exists()


def test_a_model_whose_fit_fails_is_one_line_and_no_bundle(tmp_path, small_csv, monkeypatch):
    """A fit the machine cannot do (here, as a network too large for its memory would fail)
    is named in one line, and no bundle is left."""
    from stockcaster.models.neural import NetworkForecaster

    def too_large(self, history):
        raise MemoryError("Unable to allocate 80.0 GiB for an array")

    monkeypatch.setattr(NetworkForecaster, "fit", too_large)
    out = tmp_path / "b"
    result = CliRunner().invoke(app, ["train", "--model", "mlp", "--data", str(small_csv),
                                      "--save", str(out)])  # fmt: skip
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith("error: --model mlp: expected a model that fits")
    assert "received an error at fit: MemoryError: Unable to allocate 80.0 GiB" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("asked", "fragment"),
    [
        ({"horizon": 0}, "--horizon: expected 1 to 5 trading days for this bundle, received 0"),
        ({"horizon": "5"}, "--horizon: expected 1 to 5 trading days for this bundle, "
                           "received '5'"),
        ({"horizon": 2.5}, "received 2.5"),
        ({"history_days": 0}, "history_days: expected 1 or more closes before the forecast, "
                              "received 0"),
        ({"history_days": -5}, "received -5"),
    ],
)  # fmt: skip
def test_a_python_caller_s_horizon_and_history_are_checked(trained, tmp_path, asked, fragment):
    """`predict(bundle, source, 0)` forecast the bundle's 5 days (0 read as none), "5" and 2.5
    were TypeErrors, `history_days=0` an IndexError and -5 a chart of all but 5 closes."""
    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.predict import predict

    bundle, data, _ = trained
    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        predict(bundle, Source(data), **{"horizon": 1, **asked}, out=tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_a_python_caller_s_model_names_a_registered_model(trained, tmp_path):
    """`run(..., model="foo")` and `train_bundle(..., model="foo")` raised KeyError 'foo'."""
    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.requests import preset
    from stockcaster.jobs.run import run
    from stockcaster.jobs.train import train_bundle

    said = "--model: expected one of lstm, gru, seed, tcn, transformer, mlp, linear, "
    source = Source(trained[1])
    with pytest.raises(StockcasterError, match=re.escape(said)):
        run(preset("default"), source, out=tmp_path / "runs", verbose=False, model="foo")
    with pytest.raises(StockcasterError, match=re.escape(said)):
        train_bundle(preset("default"), tmp_path / "b", source, model="foo")
    assert not (tmp_path / "runs").exists() and not (tmp_path / "b").exists()
