"""The HTML report: self-contained, small, and clean in a real browser (headless Chromium)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stockcaster.cli import app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("STOCKCASTER_ARTIFACTS", Path(__file__).parent / "artifacts"))


@pytest.fixture(scope="module")
def reports(tmp_path_factory, request):
    """A report of every kind: a run, a backtest and a 3-symbol universe of small files, a
    variance backtest, a volatility bundle's prediction, a search, a universe bundle's
    prediction, and the factors of the 3 symbols judged as signals."""
    import pandas as pd

    from conftest import ohlcv, write_kaggle

    folder = tmp_path_factory.mktemp("report")
    data = write_kaggle(folder / "msft.csv", ohlcv(260))
    out = folder / "runs"
    runner = CliRunner()
    bundle = str(folder / "har")
    for args in (
        ["run", "--epochs", "1", "--quiet"],
        ["backtest", "--models", "naive,drift,ma"],
        ["backtest", "--target", "variance", "--models", "random_walk,ewma,har"],
        ["train", "--target", "variance", "--model", "har", "--save", bundle],
        ["predict", "--bundle", bundle, "--horizon", "3"],
    ):
        more = ["--out", str(out), "--report"] if args[0] != "train" else []
        result = runner.invoke(app, [*args, "--data", str(data), *more])
        assert result.exit_code == 0, result.output
    searched = runner.invoke(app, ["tune", "--data", str(data), "--model", "linear", "--trials",
                                   "2", "--folds", "2", "--out", str(out / "tune")])  # fmt: skip
    assert searched.exit_code == 0, searched.output
    many = write_kaggle(
        folder / "three.csv", pd.concat([ohlcv(200, s, i) for i, s in enumerate("ABC")])
    )
    result = runner.invoke(app, ["universe", "--data", str(many), "--out", str(out / "universe"),
                                 "--mode", "per-symbol", "--models", "naive,drift,ma",
                                 "--top-k", "1", "--workers", "1", "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    book = str(folder / "book")
    for args in (
        ["train", "--universe", "--epochs", "1", "--save", book],
        ["predict", "--bundle", book, "--top-k", "1", "--out", str(out), "--report"],
        ["signals", "--horizon", "1,5", "--out", str(out), "--quiet"],
    ):
        result = runner.invoke(app, [*args, "--data", str(many)])
        assert result.exit_code == 0, result.output
    return sorted(out.glob("*/report.html"))


def test_reports_are_self_contained_and_small(reports):
    assert len(reports) == 8
    for path in reports:
        text = path.read_text()
        assert "data-chart=" in text  # an interactive chart, drawn by the inline BokehJS
        # Nothing is fetched: no script file, and no remote address in any src or href of
        # the page (BokehJS's own code names a CDN for MathJax, which no chart here uses:
        # the browser test sees that no request leaves the file).
        assert not re.search(r"<script[^>]*\ssrc\s*=", text)
        page = re.sub(r"<script.*?</script>", "", text, flags=re.S)
        assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:|//)""", page)
        assert path.stat().st_size < 5_000_000
        assert "<td>None</td>" not in text, path  # an empty cell, as a missing number's


def test_a_universe_report_of_three_symbols_says_why_its_deciles_are_empty(reports):
    (universe,) = [p for p in reports if p.parent.name == "universe"]
    assert "quantile books are empty: no day had 10 symbols with a score" in universe.read_text()


def test_run_report_says_the_verdict_in_words(reports):
    (run,) = [p for p in reports if "-default-" in str(p)]
    text = run.read_text()
    for heading in ("Verdict", "Data", "Actual vs predicted", "Training", "Residual diagnostics",
                    "Reproducibility"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in text
    assert "the naive forecast" in text and "Diebold-Mariano" in text
    assert "sha256" in text and "stockcaster run" in text  # fingerprint and command line


def test_report_command_rebuilds_a_report(reports):
    folder = reports[0].parent
    reports[0].unlink()
    result = CliRunner().invoke(app, ["report", str(folder)])
    assert result.exit_code == 0 and reports[0].is_file()


def test_report_of_a_folder_stockcaster_did_not_write(tmp_path):
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "expected a folder written by stockcaster" in result.stderr


_RANGES = """() => Bokeh.documents.map(d => d.roots()).flat().flatMap(r =>
    (r.children || [r]).map(f => f.x_range ? [f.x_range.start, f.x_range.end] : null))"""


def _check_charts(page, path) -> None:
    """Every chart is drawn; hovering the first shows its values at the pointer; a wheel
    over it zooms its x-axis (and the charts linked to it)."""
    charts = page.locator("script[data-chart]").count()
    page.wait_for_function(f"() => window.Bokeh && Bokeh.documents.length >= {charts}")
    assert page.locator("div.chart canvas").count() >= charts, path
    first = page.locator("div.chart").first
    first.scroll_into_view_if_needed()
    box = first.bounding_box()
    shown = ""
    for share in (0.5, 0.3, 0.7, 0.1, 0.9, 0.05, 0.95):  # a points chart: until one is hit
        page.mouse.move(box["x"] + box["width"] * share, box["y"] + 120)
        for _ in range(6):  # the tooltip is drawn on the next frames
            page.wait_for_timeout(25)
            shown = " ".join(t.text_content() or "" for t in page.locator("[class*=tooltip]").all())
            if any(ch.isdigit() for ch in shown):
                break
        if any(ch.isdigit() for ch in shown):
            break
    assert any(ch.isdigit() for ch in shown), (path, "hover showed no values")
    before = page.evaluate(_RANGES)[0]
    page.mouse.wheel(0, -400)
    zoomed = (f"(before) => {{ const now = ({_RANGES})()[0]; "
              "return now[0] !== before[0] || now[1] !== before[1]; }")  # fmt: skip
    page.wait_for_function(zoomed, arg=before, timeout=3000)  # raises if it never zooms


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")
def test_reports_open_in_chromium_with_interactive_charts_and_no_errors(reports):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=flags)
        for path in reports:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors, failed = [], []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.on("requestfailed", lambda r, failed=failed: failed.append(r.url))
            page.on("request", lambda r, failed=failed: r.url.startswith("file:")
                    or r.url.startswith("data:") or failed.append(r.url))  # fmt: skip
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            _check_charts(page, path)
            assert errors == [] and failed == [], (path, errors, failed)
            name = path.parent.name
            kind = (
                "universe" if name == "universe" else "backtest" if "-backtest-" in name else "run"
            )
            if kind != "run" or "-default-" in name:
                page.screenshot(path=ARTIFACTS / f"report_{kind}.png")
            page.close()
        browser.close()
    assert (ARTIFACTS / "report_run.png").stat().st_size > 10_000
