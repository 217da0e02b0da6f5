"""`stockcaster universe --target variance`: its plan from the universe's options, and its
table (the run itself: `jobs/risk_universe.py`)."""

from __future__ import annotations

from rich.markup import escape

from stockcaster.cli.options import options_of, refuse_unread, value
from stockcaster.cli.output import console, print_json
from stockcaster.errors import StockcasterError
from stockcaster.jobs.choices import (
    DEFAULT_VARIANCE_MODELS,
    VOLATILITY_BASELINES,
    model_settings,
    parse_variance_models,
)
from stockcaster.jobs.requests import check_estimator
from stockcaster.jobs.requests import preset as preset_config
from stockcaster.jobs.risk_universe import RiskUniversePlan, risk_universe
from stockcaster.process import native_log_filtered
from stockcaster.reporting.lines import notes, reasons
from stockcaster.reporting.risk_tables import risk_universe_table

PRICE_ONLY = "it for price forecasts only (--target variance does not read it)"


def risk_plan(models, split, network, run) -> RiskUniversePlan:
    """`universe --target variance`'s plan from the universe's option groups: baselines per
    symbol, families global or per symbol by --mode (default: every baseline and the global
    lstm)."""
    if run.resume or run.save is not None:
        raise StockcasterError(
            "--resume/--save: expected neither with --target variance (its run is one pass "
            "and leaves no bundle)"
        )
    refuse_unread(options_of(split, "top_k", "cost_bps", "weights", "window", "min_history")
                  | options_of(models, "ma_window")
                  | options_of(network, "features", "normalise", "quantiles", "embedding_dim"),
                  PRICE_ONLY)  # fmt: skip
    names = parse_variance_models(models.models) or DEFAULT_VARIANCE_MODELS
    families = tuple(n for n in names if n not in VOLATILITY_BASELINES)
    apart = value(models.mode) == "per-symbol"
    return RiskUniversePlan(
        models=tuple(n for n in names if apart or n in VOLATILITY_BASELINES),
        global_models=() if apart else families, horizon=split.horizon,
        retrain_every=split.retrain_every, test_fraction=split.test_fraction,
        estimator=value(network.estimator) or "garman_klass",
        preset=preset_config(models.preset), global_model=network.config(),
        settings=model_settings(models.settings),
    )  # fmt: skip


def run_risk(source, plan: RiskUniversePlan, run, shown, tracking, tracked) -> None:
    """Run `plan` on the panel `source` (`run`: the universe's Execution group) and show it."""
    with native_log_filtered():
        result = risk_universe(source, plan, out=run.out, engine=run.engine_config())
    tracked = tracking.log(tracked, result.folder, result.summary, shown.json_output)
    if shown.json_output:
        print_json({**result.summary, "folder": str(result.folder), "tracked": tracked})
        return
    summary = result.summary
    title = (f"{summary['symbols']} symbols · tomorrow's variance ({summary['estimator']}), "
             f"test period after {summary['cutoff']}")  # fmt: skip
    risk_universe_table(console, result.leaderboard, result.var, title)
    reasons(console, "left out", summary["left_out"], "universe_risk.json")
    notes(console, summary["notes"])
    console.print(f"outputs: {escape(str(result.folder))} (universe_risk.json, leaderboard.csv, "
                  "var.csv, risk_daily.csv, risk.png, report.html)")  # fmt: skip


def refuse_variance_options(horizon: int, estimator, target: str) -> None:
    """A universe of prices (`target`) forecasts one day ahead and measures no day's
    variance: `--horizon` and `--estimator` are the variance target's."""
    if horizon != 1:
        raise StockcasterError(
            f"--horizon: expected 1 without --target variance, received {horizon}"
        )
    check_estimator(value(estimator), target)
