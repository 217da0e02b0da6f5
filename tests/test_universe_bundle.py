"""Universe bundles: `universe --save`, `train --universe`, `predict` on a whole universe."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_universe import tiny_config, universe
from typer.testing import CliRunner

from conftest import ohlcv, write_kaggle
from stockcaster.cli import app
from stockcaster.data.calendar import next_sessions
from stockcaster.errors import StockcasterError
from stockcaster.jobs.bundles import predict_bundle
from stockcaster.jobs.envelope import Source
from stockcaster.jobs.predict_universe import predict_universe
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.models.global_forecast import session_paths
from stockcaster.models.presets import load_preset
from stockcaster.store.results import ResultsStore

NAMES = ["AA", "BB", "CC", "DD", "EE"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A global LSTM's universe run over five symbols, saved as a bundle."""
    folder = tmp_path_factory.mktemp("universe-bundle")
    table = pd.concat([ohlcv(200, name, seed) for seed, name in enumerate(NAMES)])
    data = write_kaggle(folder / "panel.csv", table.reset_index(drop=True))
    config = dataclasses.replace(tiny_config(), models=("naive", "lstm"))
    run = universe(data, config, out=folder / "run", save=folder / "bundle")
    return folder, data, table, run


def cut(table: pd.DataFrame, last, path: Path) -> Path:
    return write_kaggle(path, table[table["date"] <= last].reset_index(drop=True))


def test_a_panel_that_trades_every_day_is_refused_by_a_bundle_of_xnys_days(saved, tmp_path):
    """The bundle would date the forecast of the day after a Saturday for Monday."""
    folder, _, table, _ = saved
    days = pd.date_range("2015-01-02", periods=400, freq="D")
    daily = pd.concat([ohlcv(400, name, seed).assign(date=days) for seed, name in enumerate(NAMES)])
    data = write_kaggle(tmp_path / "daily.csv", daily.reset_index(drop=True))
    out = tmp_path / "p"
    result = CliRunner().invoke(app, ["predict", "--bundle", str(folder / "bundle"), "--data",
                                      str(data), "--out", str(out)])  # fmt: skip
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith(f"error: {data}: expected prices on XNYS's trading days, ")
    assert "(the first 2015-01-03, of AA, BB, CC ...); the bundle forecasts XNYS's sessions " in (
        result.stderr
    )
    assert "(train one for these prices with --exchange)" in result.stderr
    assert not out.exists()


def test_predict_from_the_saved_bundle_is_the_walk_forwards_last_forecast(saved, tmp_path):
    folder, _, table, run = saved
    with ResultsStore(run.folder) as store:
        walked = store.forecasts()
    walked = walked[walked["model"] == "lstm"]
    last_day = walked["date"].max()
    origin = np.sort(table["date"].unique())[-2]  # the last test origin
    data = cut(table, origin, tmp_path / "cut.csv")
    found = predict_universe(folder / "bundle", PanelSource(data), top_k=2, out=tmp_path / "p")
    expected = walked[walked["date"] == last_day].set_index("symbol")["yhat"]
    got = found.forecast.set_index("symbol")
    assert sorted(got.index) == NAMES and (got["date"] == pd.Timestamp(last_day)).all()
    np.testing.assert_allclose(got["yhat"].loc[expected.index], expected, rtol=1e-5)
    assert len(found.picks) == 4 and set(found.picks["side"]) == {"long", "short"}
    closes = table[table["date"] == origin].set_index("symbol")["close"]
    returns = got["yhat"] / closes.loc[got.index] - 1
    assert found.picks["symbol"].iloc[0] == returns.idxmax()  # long first: the highest
    assert found.picks["symbol"].iloc[-1] == returns.nsmallest(2).index[-1]
    written = {p.name for p in found.folder.iterdir()}
    assert {"forecast.csv", "picks.csv", "universe_prediction.json"} <= written
    # the bundle's symbols in another case are its symbols (each was "not in the bundle")
    lower = pd.read_csv(data).assign(symbol=lambda t: t["symbol"].str.lower())
    again = predict_universe(folder / "bundle", PanelSource(lower), top_k=2, out=tmp_path / "q")
    pd.testing.assert_frame_equal(again.forecast, found.forecast)


def test_later_sessions_are_the_network_fed_its_own_forecasts(saved, tmp_path):
    folder, data, table, _ = saved
    found = predict_universe(folder / "bundle", PanelSource(data), 3, top_k=2, out=tmp_path / "p")
    paths = found.forecast
    assert list(paths.columns) == ["date", "symbol", "horizon", "yhat", "lo", "hi"]
    last = table["date"].max()
    sessions = list(next_sessions(last, 3, "XNYS"))
    for _, rows in paths.groupby("symbol"):
        assert rows["horizon"].tolist() == [1, 2, 3] and rows["date"].tolist() == sessions
    one = predict_universe(folder / "bundle", PanelSource(data), 1, top_k=2, out=tmp_path / "1")
    first = paths[paths["horizon"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, one.forecast.reset_index(drop=True))
    pd.testing.assert_frame_equal(found.picks, one.picks)  # the book is tomorrow's
    # Step 2 is step 1 of the data with step 1's forecasts appended as closes.
    fed = first.assign(open=first["yhat"], high=first["yhat"], low=first["yhat"],
                       close=first["yhat"], volume=1000)  # fmt: skip
    longer = write_kaggle(tmp_path / "fed.csv", pd.concat([table, fed]).reset_index(drop=True))
    again = predict_universe(folder / "bundle", PanelSource(longer), 1, out=tmp_path / "2")
    second = paths[paths["horizon"] == 2].set_index("symbol")
    np.testing.assert_allclose(second["yhat"], again.forecast.set_index("symbol")["yhat"].loc[
        second.index], rtol=1e-9)  # fmt: skip
    assert (second["date"] == again.forecast.set_index("symbol")["date"].loc[second.index]).all()
    for horizon in (0, 31):
        with pytest.raises(StockcasterError, match="--horizon: expected 1 to 30"):
            predict_universe(folder / "bundle", PanelSource(data), horizon, out=tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_more_than_one_session_of_a_feature_set_beyond_the_close_is_refused(saved):
    config = load_preset("universe").with_inputs("ohlcv")
    with pytest.raises(StockcasterError, match="reads open, high, low, close, volume"):
        session_paths(None, config, {}, saved[2], np.datetime64("2015-06-01"), 2, "XNYS")
    # `factors` reads the volume where the prices have it (st_momentum): the closes fed back
    # would change its features, so more than one session is refused too.
    factors = load_preset("universe").with_inputs("factors")
    with pytest.raises(StockcasterError, match="'factors' feature set \\(it reads close, volume,"):
        session_paths(None, factors, {}, saved[2], np.datetime64("2015-06-01"), 2, "XNYS")


def test_symbols_missing_unknown_or_ending_early_are_listed_and_skipped(saved, tmp_path):
    folder, _, table, _ = saved
    table = table[table["symbol"] != "EE"]
    early = (table["symbol"] == "DD") & (table["date"] > table["date"].iloc[120])
    stranger = ohlcv(200, "ZZ", 11)
    data = write_kaggle(tmp_path / "mixed.csv",
                        pd.concat([table[~early], stranger]).reset_index(drop=True))  # fmt: skip
    found = predict_universe(folder / "bundle", PanelSource(data), top_k=1, out=tmp_path / "p")
    aside = found.meta["set_aside"]
    assert aside["EE"] == "in the bundle, not in the data" and aside["ZZ"] == "not in the bundle"
    assert "before the bundle's training" in aside["DD"]
    assert sorted(found.forecast["symbol"]) == ["AA", "BB", "CC"]


def test_one_symbol_of_the_bundle_is_forecast_alone_by_a_file_or_by_symbol(saved, tmp_path):
    """A file of one of the bundle's symbols ended in matplotlib's traceback (a figure of
    no pick); `--symbol BB` was ignored (every symbol forecast). One symbol makes no book."""
    folder, data, table, _ = saved
    alone = write_kaggle(tmp_path / "bb.csv", table[table["symbol"] == "BB"])
    for source, name in ((Source(alone), "file"), (Source(data, "BB"), "symbol")):
        found = predict_bundle(folder / "bundle", source, out=tmp_path / name)
        assert list(found.forecast["symbol"]) == ["BB"] and found.picks.empty, name
        assert (found.folder / "pick_fans.png").stat().st_size > 0


def test_predict_shows_the_book_its_forecasts_and_the_symbols_set_aside(saved, tmp_path):
    """The terminal said only "4 symbols forecast, 1 set aside" and a folder: no pick, no
    forecast, no reason. A split the prices were not adjusted for in DD's last days, which
    every other command notes, is noted here too (it read as a 50% fall)."""
    folder, _, table, _ = saved
    four = table[table["symbol"] != "EE"].reset_index(drop=True)
    last = four.index[four["symbol"] == "DD"][-5:]
    four.loc[last, ["open", "high", "low", "close"]] /= 2
    data = write_kaggle(tmp_path / "four.csv", four)
    ask = ["predict", "--bundle", str(folder / "bundle"), "--data", str(data), "--out"]
    shown = CliRunner().invoke(app, [*ask, str(tmp_path / "book"), "--top-k", "2"])
    assert shown.exit_code == 0, shown.output
    picks = pd.read_csv(next((tmp_path / "book").glob("*/picks.csv")))
    lines = shown.stdout.splitlines()
    assert len(picks) == 4 and "top 2 long and short for" in shown.stdout
    for _, pick in picks.iterrows():
        cells = (pick["side"], pick["symbol"], f"{pick['yhat']:.2f}",
                 f"{pick['predicted_return']:+.2%}", f"{pick['lo_return']:+.2%}")  # fmt: skip
        assert any(all(c in line for c in cells) for line in lines), (cells, shown.stdout)
    assert "set aside: EE (in the bundle, not in the data)" in lines
    # A book reads as advice: it says that its skill is measured elsewhere, not here.
    said = " ".join(shown.stdout.split())
    assert "whether such picks beat chance is not measured here: `stockcaster universe`" in said
    assert "note: DD's close moved -" in said and "as a 2-for-1 split would" in said, said
    meta = json.loads(next((tmp_path / "book").glob("*/universe_prediction.json")).read_text())
    assert len(meta["notes"]) == 1 and meta["notes"][0].startswith("DD's close moved")
    report = CliRunner().invoke(app, ["report", str(next((tmp_path / "book").iterdir()))])
    assert report.exit_code == 0 and "2-for-1 split" in next(
        (tmp_path / "book").glob("*/report.html")).read_text()  # fmt: skip
    alone = CliRunner().invoke(app, [*ask, str(tmp_path / "bb"), "--symbol", "BB", "--horizon",
                                     "2"])  # fmt: skip
    assert alone.exit_code == 0, alone.output
    forecast = pd.read_csv(next((tmp_path / "bb").glob("*/forecast.csv")))
    assert len(forecast) == 2 and "1 symbol forecast, 0 set aside" in alone.stdout, alone.stdout
    assert "not measured here" not in alone.stdout  # no book, no picks to judge
    for _, row in forecast.iterrows():
        cells = (row["date"], f"{row['yhat']:.2f}", f"{row['hi']:.2f}")
        assert any(all(c in line for c in cells) for line in alone.stdout.splitlines()), cells


def test_a_book_of_fewer_picks_than_asked_says_so_and_its_report_counts_its_picks(saved, tmp_path):
    """`--top-k 4` of five symbols picked 2 long and 2 short without a word, and the report
    said "The 4 highest and lowest predicted next-session returns" above them; of one symbol,
    "The 10 highest and lowest" above no pick at all."""
    folder, data, table, _ = saved
    alone = write_kaggle(tmp_path / "bb.csv", table[table["symbol"] == "BB"])
    held = ["book: 2 long and 2 short, the most 5 symbols allow (--top-k 4)",
            "book: none, a long and a short need 2 symbols, and 1 was forecast"]  # fmt: skip
    for name, file, asked, line in (("five", data, 4, held[0]), ("one", alone, 10, held[1])):
        shown = CliRunner().invoke(app, ["predict", "--bundle", str(folder / "bundle"), "--data",
                                         str(file), "--top-k", str(asked), "--report", "--out",
                                         str(tmp_path / name)])  # fmt: skip
        assert shown.exit_code == 0, shown.output
        assert (line in " ".join(shown.stdout.split())) == (name == "five"), shown.stdout
        run = next((tmp_path / name).iterdir())
        picks = pd.read_csv(run / "picks.csv")
        meta = json.loads((run / "universe_prediction.json").read_text())
        assert meta["top_k"] == asked and meta["book"] == len(picks) // 2 == (name == "five") * 2
        page = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", (run / "report.html")
                                                .read_text()).split()))  # fmt: skip
        assert f"{line[0].upper()}{line[1:]}." in page and f"The {asked} highest" not in page
    assert "The next-session forecasts of the global lstm" in page  # one symbol: no book


def test_a_bundle_that_compares_symbols_refuses_to_forecast_one_alone(tmp_path):
    """A bundle whose inputs are z-scored across each day's symbols forecast one symbol
    from inputs all 0, whatever its prices: `--symbol BB` gave BB another forecast than the
    whole file did, without a word."""
    from conftest import tiny_global

    table = pd.concat([ohlcv(150, name, seed) for seed, name in enumerate(NAMES[:3])])
    data = write_kaggle(tmp_path / "panel.csv", table.reset_index(drop=True))
    across = tiny_global(normalise="cross-section")
    config = dataclasses.replace(tiny_config(), models=("naive", "lstm"), global_model=across)
    universe(data, config, out=tmp_path / "run", save=tmp_path / "bundle")
    said = (r"--normalise cross-section \(the bundle's\): expected 2 symbols or more to compare "
            r"each day's values across, received 1 \(BB\)")  # fmt: skip
    with pytest.raises(StockcasterError, match=said):
        predict_universe(tmp_path / "bundle", PanelSource(data, ["BB"]), out=tmp_path / "p")
    assert not (tmp_path / "p").exists()
    found = predict_universe(tmp_path / "bundle", PanelSource(data), out=tmp_path / "q")
    assert sorted(set(found.forecast["symbol"])) == NAMES[:3]


def test_a_symbol_too_new_or_too_still_for_its_volatility_is_set_aside_alone(saved, tmp_path):
    """A recent listing (50 rows: enough to forecast from, too few for the HAR that gives
    its interval) made the whole prediction fail ("nan in lo ... retrain it"), and a symbol
    whose prices never moved ended it in HAR's error; each is set aside, saying why."""
    folder, _, table, _ = saved
    days = np.sort(table["date"].unique())
    recent = (table["symbol"] == "BB") & (table["date"] < days[-50])
    table = table[~recent].copy()
    table.loc[table["symbol"] == "CC", ["open", "high", "low", "close"]] = 10.0
    data = write_kaggle(tmp_path / "new.csv", table.reset_index(drop=True))
    found = predict_universe(folder / "bundle", PanelSource(data), top_k=1, out=tmp_path / "p")
    why = "no volatility for its interval: fewer than 80 rows, or too few that moved"
    assert found.meta["set_aside"] == {"BB": why, "CC": why}
    assert sorted(found.forecast["symbol"].unique()) == ["AA", "DD", "EE"]
    assert found.forecast[["lo", "hi"]].notna().all().all()
    # Every symbol's prices still: refused in one line (a pandas traceback once every one was
    # set aside), nothing written.
    still = table.assign(open=10.0, high=10.0, low=10.0, close=10.0)
    data = write_kaggle(tmp_path / "still.csv", still.reset_index(drop=True))
    with pytest.raises(StockcasterError, match="still.csv: expected a symbol whose volatility"):
        predict_universe(folder / "bundle", PanelSource(data), out=tmp_path / "none")
    # Every symbol with fewer rows than a window: refused in one line too (the same traceback).
    # A window of 5 log-returns reads 6 closes: 5 rows are too few, where it asked for 5.
    last = table[table["date"] >= days[-5]]
    data = write_kaggle(tmp_path / "last.csv", last.reset_index(drop=True))
    with pytest.raises(StockcasterError, match="last.csv: expected a symbol with 6 rows to fore"):
        predict_universe(folder / "bundle", PanelSource(data), out=tmp_path / "none")
    assert not (tmp_path / "none").exists()


def test_a_file_of_none_of_the_bundle_s_symbols_says_why_each_was_set_aside(saved, tmp_path):
    """It said only "received none", for a file of another symbol (the MSFT file of `run`)."""
    folder = saved[0]
    data = write_kaggle(tmp_path / "other.csv", ohlcv(200, "ZZ", 11))
    with pytest.raises(StockcasterError) as caught:
        predict_universe(folder / "bundle", PanelSource(data), out=tmp_path / "p")
    assert str(caught.value).endswith(
        "received none (ZZ: not in the bundle; AA: in the bundle, not in the data; BB: in the "
        "bundle, not in the data ...)"
    )
    assert not (tmp_path / "p").exists()


def _edit_json(bundle: Path, name: str, change) -> None:
    path = bundle / name
    value = json.loads(path.read_text())
    change(value)
    path.write_text(json.dumps(value))
    if name != "bundle.json":
        _rehash(bundle, name)


def _rehash(bundle: Path, name: str) -> None:
    meta = json.loads((bundle / "bundle.json").read_text())
    meta["files"][name] = hashlib.sha256((bundle / name).read_bytes()).hexdigest()
    (bundle / "bundle.json").write_text(json.dumps(meta))


def _replace_model(bundle: Path, lambda_layer: bool) -> None:
    import keras

    layers = [keras.Input((5, 1))]
    layers += [keras.layers.Lambda(lambda x: x * 2)] if lambda_layer else []
    layers += [keras.layers.LSTM(2), keras.layers.Dense(1)]
    keras.Sequential(layers if lambda_layer else [keras.Input((7, 1)), *layers[1:]]).save(
        bundle / "model.keras"
    )
    _rehash(bundle, "model.keras")


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        (lambda b: (b / "scales.json").unlink(), "expected scales.json in the bundle"),
        (lambda b: (b / "model.keras").write_bytes((b / "model.keras").read_bytes()[:400]),
         "checksum differs"),
        (lambda b: _edit_json(b, "bundle.json",
                              lambda m: m["versions"].update(stockcaster="9.9")),
         "received one from stockcaster 9.9"),
        (lambda b: _replace_model(b, lambda_layer=True), "safe mode"),
        (lambda b: _replace_model(b, lambda_layer=False), "expected a model taking windows"),
        (lambda b: _edit_json(b, "scales.json", lambda s: s.update(mean=[[0.0, 1.0]] * 5)),
         "expected statistics of 1 features per symbol"),
        # Forged values, checksums rewritten: checked for what they must be.
        (lambda b: _edit_json(b, "scales.json", lambda s: s.update(std=[[0.0]] * 5)),
         "scales.json std: expected positive finite numbers, received 0.0 at [0, 0]"),
        (lambda b: _edit_json(b, "scales.json", lambda s: s.update(mean=[[float("nan")]] * 5)),
         "scales.json mean: expected finite numbers, received nan"),
        (lambda b: _edit_json(b, "scales.json", lambda s: s.update(moments=[0.0, 0.0])),
         "scales.json moments: expected a positive deviation"),
        (lambda b: _edit_json(b, "scales.json", lambda s: s.update(symbols=["AA"] * 5)),
         "scales.json symbols: expected distinct non-empty names"),
    ],
)  # fmt: skip
def test_a_damaged_universe_bundle_is_refused_in_one_line_with_nothing_written(
    saved, tmp_path, damage, fragment
):
    copy = tmp_path / "copy"
    shutil.copytree(saved[0] / "bundle", copy)
    damage(copy)
    out = tmp_path / "o"
    result = CliRunner().invoke(
        app, ["predict", "--bundle", str(copy), "--data", str(saved[1]), "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message and fragment in message, message
    assert not out.exists()


def test_a_universe_bundle_saves_and_opens_by_the_one_path_a_symbol_s_does(saved, tmp_path):
    """store/bundle.py opens a panel's bundle as it opens a symbol's: the registry builds the
    model and the model reads its own files (`Saveable`); saved again by the same path, it
    opens to the same network, statistics and forecasts."""
    import keras

    from stockcaster.models.base import Saveable
    from stockcaster.store.bundle import open_bundle, save_bundle

    folder, data, table, _ = saved
    first = open_bundle(folder / "bundle")
    assert first.panel and isinstance(first.forecaster, Saveable)
    assert first.forecaster.symbols == tuple(NAMES) == tuple(first.meta["symbols"])
    again = tmp_path / "again"
    save_bundle(again, first.meta["model"], first.forecaster, first.options,
                {k: first.meta[k] for k in ("symbols", "source", "exchange", "data",
                                            "trained_until", "input_shape")})  # fmt: skip
    second = open_bundle(again, panel=True)
    assert second.config == first.config and second.meta["symbols"] == first.meta["symbols"]
    for key in ("mean", "std"):
        np.testing.assert_array_equal(second.forecaster.scales[key], first.forecaster.scales[key])
    pairs = zip(first.forecaster.network.weights, second.forecaster.network.weights, strict=True)
    for a, b in pairs:
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    found = [predict_universe(path, PanelSource(data), top_k=1, out=tmp_path / name).forecast
             for name, path in (("p1", folder / "bundle"), ("p2", again))]  # fmt: skip
    pd.testing.assert_frame_equal(found[0], found[1])


def test_train_universe_saves_a_bundle_predict_reads_and_symbol_bundles_refuse_it(saved, tmp_path):
    from stockcaster.store.bundle import open_bundle

    folder, data, _, _ = saved
    bundle = tmp_path / "all"
    result = CliRunner().invoke(app, ["train", "--universe", "--data", str(data), "--epochs", "1",
                                      "--save", str(bundle)])  # fmt: skip
    assert result.exit_code == 0, result.output
    meta = json.loads((bundle / "bundle.json").read_text())
    assert meta["trained_until"] == meta["data"]["end"] and meta["model"] == "lstm"
    scales = json.loads((bundle / "scales.json").read_text())
    assert meta["symbols"] == scales["symbols"] and len(meta["symbols"]) == 5  # the panel's
    with pytest.raises(StockcasterError, match="expected a bundle of one symbol"):
        open_bundle(bundle, panel=False)  # what `predict` and `train --resume` of a symbol ask
    ask = ["predict", "--bundle", str(bundle), "--data", str(data), "--top-k", "2", "--json",
           "--out", str(tmp_path / "p"), "--report", "--horizon", "2"]  # fmt: skip
    done = CliRunner().invoke(app, ask)
    assert done.exit_code == 0, done.output
    shown = json.loads(done.stdout)
    assert shown["symbols"] == {"forecast": 5, "set_aside": 0} and shown["horizon"] == 2
    page = Path(shown["report"]).read_text()
    assert "The book" in page and "alt='each pick&#x27;s forecast'" in page
    assert "data-chart=" in page  # the picks' predicted returns, interactive
    assert "fed its own median forecasts" in page
    again = CliRunner().invoke(app, ["train", "--universe", "--data", str(data),
                                     "--save", str(bundle)])  # fmt: skip
    assert again.exit_code == 2 and "which exists" in again.stderr


def test_train_universe_keeps_the_model_s_own_settings(saved, tmp_path):
    """`--set` shapes a universe bundle's network, as it does a symbol's (it was dropped)."""
    _, data, _, _ = saved
    bundle = tmp_path / "mlp"
    result = CliRunner().invoke(app, ["train", "--universe", "--data", str(data), "--model", "mlp",
                                      "--set", "mlp.width=3", "--epochs", "1",
                                      "--save", str(bundle)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads((bundle / "bundle.json").read_text())["settings"]["width"] == 3
    assert "width = 3" in (bundle / "config.toml").read_text()


def test_train_resume_continues_a_universe_bundle_and_leaves_it_byte_identical(saved, tmp_path):
    folder, _, table, _ = saved
    old = folder / "bundle"
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in old.iterdir()}
    newer = pd.concat([table, ohlcv(40, "AA", 3).assign(date=pd.bdate_range(
        table["date"].max() + pd.Timedelta(days=1), periods=40, freq="B"))])  # fmt: skip
    newer = pd.concat([newer[newer["symbol"] != "AA"], newer[newer["symbol"] == "AA"]])
    data = write_kaggle(tmp_path / "newer.csv", newer.reset_index(drop=True))
    new = tmp_path / "new"
    result = CliRunner().invoke(app, ["train", "--resume", str(old), "--data", str(data),
                                      "--save", str(new)])  # fmt: skip
    assert result.exit_code == 0, result.output
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in old.iterdir()}
    assert after == before  # the old bundle was only read
    meta = json.loads((new / "bundle.json").read_text())
    assert meta["trained_until"] == f"{newer['date'].max():%Y-%m-%d}"
    assert meta["data"]["sha256"] != json.loads((old / "bundle.json").read_text())["data"]["sha256"]
    until = pd.Timestamp(json.loads((old / "bundle.json").read_text())["trained_until"])
    older = cut(table, until, tmp_path / "older.csv")  # nothing after its training
    stale = CliRunner().invoke(app, ["train", "--resume", str(old), "--data", str(older),
                                     "--save", str(tmp_path / "stale")])  # fmt: skip
    assert stale.exit_code == 2 and "expected data past the bundle's last training day" in (
        stale.stderr
    )
    assert not (tmp_path / "stale").exists()


def test_a_quantile_head_gives_intervals_their_coverage_and_a_bundle_that_predicts_them(
    tmp_path,
):
    table = pd.concat([ohlcv(200, name, seed) for seed, name in enumerate(NAMES)])
    data = write_kaggle(tmp_path / "panel.csv", table.reset_index(drop=True))
    config = dataclasses.replace(tiny_config(), models=("naive", "lstm"))
    head = dataclasses.replace(config.global_model.model, quantiles=(0.1, 0.5, 0.9))
    config = dataclasses.replace(
        config, global_model=dataclasses.replace(config.global_model, model=head)
    )
    run = universe(data, config, out=tmp_path / "run", save=tmp_path / "bundle")
    scored = run.summary["intervals"]["lstm"]
    assert scored["level"] == pytest.approx(0.8) and scored["symbols"] == 5
    assert 0 <= scored["symbol_coverage_p10"] <= scored["median_symbol_coverage"] <= 1
    assert 0 < scored["coverage"] <= 1 and scored["interval_score_share"] > 0
    with ResultsStore(run.folder) as store:
        stage = store.stage_forecasts("global_model:lstm:0")
    assert (stage["lo"] <= stage["yhat"]).all() and (stage["yhat"] <= stage["hi"]).all()
    # The coverage, recomputed from the stored bands and the closes.
    closes = table.set_index(["symbol", "date"])["close"]
    actual = closes.loc[list(zip(stage["symbol"], stage["date"], strict=True))].to_numpy()
    inside = (stage["lo"].to_numpy() <= actual) & (actual <= stage["hi"].to_numpy())
    assert scored["coverage"] == pytest.approx(inside.mean())
    found = predict_universe(tmp_path / "bundle", PanelSource(data), out=tmp_path / "p")
    band = found.forecast
    assert band["lo"].notna().all() and (band["lo"] <= band["yhat"]).all()
    assert (band["yhat"] <= band["hi"]).all() and found.picks["hi_return"].notna().all()
    # Later sessions: step 1's band is the network's own, and none narrows after it.
    fan = predict_universe(tmp_path / "bundle", PanelSource(data), 4, out=tmp_path / "f").forecast
    pd.testing.assert_frame_equal(fan[fan["horizon"] == 1].reset_index(drop=True), band)
    assert (fan["lo"] <= fan["yhat"]).all() and (fan["yhat"] <= fan["hi"]).all()
    for _, rows in fan.groupby("symbol"):
        below, above = np.log(rows["yhat"] / rows["lo"]), np.log(rows["hi"] / rows["yhat"])
        assert (np.diff(below) >= 0).all() and (np.diff(above) >= 0).all()
        assert above.iloc[-1] > above.iloc[0]


def test_a_results_store_of_an_older_version_gains_the_interval_columns(tmp_path):
    import sqlite3

    with sqlite3.connect(tmp_path / "results.sqlite") as db:
        db.execute("CREATE TABLE stage_forecasts (stage TEXT NOT NULL, symbol TEXT NOT NULL, "
                   "date TEXT NOT NULL, yhat REAL NOT NULL)")  # fmt: skip
        db.execute("INSERT INTO stage_forecasts VALUES ('s', 'AA', '2015-01-02', 1.5)")
    with ResultsStore(tmp_path) as store:
        old = store.stage_forecasts("s")
        assert old["yhat"].tolist() == [1.5] and old["lo"].isna().all()


def test_universe_save_without_a_global_network_is_refused_before_anything_runs(saved, tmp_path):
    out, bundle = tmp_path / "run", tmp_path / "bundle"
    ask = ["universe", "--data", str(saved[1]), "--models", "naive", "--out", str(out),
           "--save", str(bundle), "--quiet"]  # fmt: skip
    result = CliRunner().invoke(app, ask)
    assert result.exit_code == 2 and "expected a global network" in result.stderr
    assert not out.exists() and not bundle.exists()


def test_a_point_bundle_s_paths_carry_each_symbol_s_volatility_interval(saved, tmp_path):
    """The bundle has no quantile head: each symbol's path gets the 80% interval its own
    volatility implies (HAR on its log range), around the path, wider at each session."""
    from stockcaster.models.variance import band_of, sigma_ahead

    folder, data, table, _ = saved
    found = predict_universe(folder / "bundle", PanelSource(data), 3, top_k=2, out=tmp_path / "p")
    assert "volatility" in found.meta["interval"]
    for symbol, rows in found.forecast.groupby("symbol"):
        band = band_of(sigma_ahead(table[table["symbol"] == symbol].reset_index(drop=True), 3))
        np.testing.assert_allclose(np.log(rows["hi"] / rows["yhat"]), band[:, 2], rtol=1e-9)
        np.testing.assert_allclose(np.log(rows["lo"] / rows["yhat"]), band[:, 1], rtol=1e-9)
        assert (np.diff(np.log(rows["hi"] / rows["lo"])) > 0).all()
    assert found.picks["hi_return"].notna().all()
    risk = pd.read_csv(found.folder / "risk.csv")
    assert len(risk) == len(NAMES) * 3 and (risk["es_0.01"] < risk["var_0.01"]).all()


@pytest.mark.parametrize("top_k", [2.5, "3"])
def test_a_python_caller_s_book_is_a_whole_number_of_names(saved, tmp_path, top_k):
    """`predict_universe(..., top_k=2.5)` picked 2 names a side without a word; "3" was a
    TypeError."""
    folder, data, _, _ = saved
    with pytest.raises(StockcasterError, match=re.escape(
            f"--top-k: expected at least 1, received {top_k!r}")):  # fmt: skip
        predict_universe(folder / "bundle", PanelSource(data), top_k=top_k, out=tmp_path / "p")
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("least", [0, 2.5, "60"])
def test_a_python_caller_s_least_history_is_a_whole_number(saved, tmp_path, least):
    """`train_universe(..., min_history=0)` or 2.5 trained on any symbol, "60" was a NumPy
    UFuncTypeError."""
    from stockcaster.jobs.universe_bundle import train_universe
    from stockcaster.models.presets import load_preset

    _, data, _, _ = saved
    said = f"--min-history: expected a whole number, at least 1, received {least!r}"
    with pytest.raises(StockcasterError, match=re.escape(said)):
        train_universe(PanelSource(data), load_preset("universe"), "lstm", tmp_path / "b",
                       min_history=least)  # fmt: skip
    assert not (tmp_path / "b").exists()


def test_universe_save_says_which_global_network_it_bundled(saved):
    """`universe --save` bundles the run's first global network (and its first feature set)
    without a word of which, when it trained several: `--json` has it as `bundle`, and the
    terminal says it."""
    from stockcaster.cli.universe import _saved
    from stockcaster.jobs.universe_bundle import bundled

    folder, _, _, _ = saved
    config = dataclasses.replace(tiny_config(), models=("naive", "lstm"))
    meta = json.loads((folder / "bundle" / "bundle.json").read_text())
    assert bundled(config) == (meta["model"], "returns")  # the one the fixture saved
    several = dataclasses.replace(config, models=("naive", "linear", "gru", "lstm"),
                                  features=("technical", "returns"))  # fmt: skip
    assert bundled(several) == ("gru", "technical")  # linear is no network
    assert _saved(folder / "b", several) == {
        "bundle": {"folder": str(folder / "b"), "model": "gru", "features": "technical"}
    }
    assert _saved(None, several) == {}
