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
    """A run and a backtest of a small file, each with --report, and a 3-symbol universe."""
    import pandas as pd

    from conftest import ohlcv, write_kaggle

    folder = tmp_path_factory.mktemp("report")
    data = write_kaggle(folder / "msft.csv", ohlcv(260))
    out = folder / "runs"
    runner = CliRunner()
    for args in (
        ["run", "--epochs", "1", "--quiet"],
        ["backtest", "--models", "naive,drift,ma"],
    ):
        result = runner.invoke(app, [*args, "--data", str(data), "--out", str(out), "--report"])
        assert result.exit_code == 0, result.output
    many = write_kaggle(
        folder / "three.csv", pd.concat([ohlcv(200, s, i) for i, s in enumerate("ABC")])
    )
    result = runner.invoke(app, ["universe", "--data", str(many), "--out", str(out / "universe"),
                                 "--mode", "per-symbol", "--models", "naive,drift,ma",
                                 "--top-k", "1", "--workers", "1", "--quiet"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return sorted(out.glob("*/report.html"))


def test_reports_are_self_contained_and_small(reports):
    assert len(reports) == 3
    for path in reports:
        text = path.read_text()
        assert "<img" in text and "data:image/png;base64," in text
        # Nothing is fetched: no remote address in any src or href, and no script at all.
        assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:|//)""", text)
        assert "<script" not in text
        assert path.stat().st_size < 5_000_000


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


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")
def test_reports_open_in_chromium_without_errors_or_failed_requests(reports):
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
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            assert errors == [] and failed == [], (path, errors, failed)
            assert page.locator("img").count() >= 3
            name = path.parent.name
            kind = (
                "universe" if name == "universe" else "backtest" if "-backtest-" in name else "run"
            )
            page.screenshot(path=ARTIFACTS / f"report_{kind}.png")
            page.close()
        browser.close()
    assert (ARTIFACTS / "report_run.png").stat().st_size > 10_000
