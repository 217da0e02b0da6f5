"""A universe run's outputs: summary JSON, per-symbol table, figures and report sections.

Each file is written aside and then renamed into place, so an interrupted run never
leaves a half-written summary for `stockcaster report` to read back.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from stockcaster.reporting.figures import save  # noqa: E402
from stockcaster.reporting.run_folder import jsonable, write_atomic  # noqa: E402

SUMMARY_FILE = "universe.json"
SYMBOLS_FILE = "symbols.csv"
IC_FILE = "ic_daily.csv"
PORTFOLIO_FILE = "portfolio_daily.csv"
RATIO_FIGURE = "ratios.png"
IC_FIGURE = "ic.png"
PORTFOLIO_FIGURE = "portfolio.png"

_SYMBOL_COLUMNS = ("symbol", "model", "n", "mse", "mse_ratio", "mae", "directional_accuracy",
                   "dm_statistic", "dm_pvalue", "lag_flag")  # fmt: skip


def write_universe_outputs(
    folder: Path, summary: dict, metrics: pd.DataFrame, aggregates: dict | None
) -> Path:
    """Write the summary, tables and figures of a universe run, then its report.

    Returns:
        The report's path.
    """
    from stockcaster.reporting.html import write_report

    # With no symbol scored there are no metric columns, but the table keeps its header.
    shown = [c for c in _SYMBOL_COLUMNS if c in metrics.columns] or list(_SYMBOL_COLUMNS)
    table = metrics.reindex(columns=shown)
    write_atomic(folder / SYMBOLS_FILE, lambda p: table.to_csv(p, index=False))
    if aggregates:
        daily = aggregates["daily"]
        with_ic = {m: d["ic"] for m, d in daily.items() if len(d["ic"])}
        empty = pd.DataFrame(
            columns=["ic", "rank_ic", "symbols"], index=pd.MultiIndex.from_arrays([[], []])
        )
        ic = pd.concat(with_ic, names=["model"]) if with_ic else empty
        book = pd.concat({m: d["returns"] for m, d in daily.items()}, names=["model"])
        write_atomic(folder / IC_FILE, lambda p: ic.rename_axis(["model", "date"]).to_csv(p))
        write_atomic(
            folder / PORTFOLIO_FILE, lambda p: book.rename_axis(["model", "date"]).to_csv(p)
        )
        write_atomic(folder / RATIO_FIGURE, lambda p: ratio_figure(metrics, p))
        write_atomic(folder / IC_FIGURE, lambda p: ic_figure(aggregates["daily"], p))
        write_atomic(folder / PORTFOLIO_FIGURE, lambda p: portfolio_figure(aggregates["daily"], p))
    text = json.dumps(summary, indent=2, default=jsonable) + "\n"
    write_atomic(folder / SUMMARY_FILE, lambda p: p.write_text(text))
    return write_report(folder)


def ratio_figure(metrics: pd.DataFrame, path: Path) -> None:
    """Each model's MSE gap to naive across symbols, as box plots.

    The x axis is the gap in percent on a scale that is linear within +-1% and logarithmic
    beyond, so models within a fraction of a percent of naive and a model twice as bad
    are both readable.
    """
    others = metrics[metrics["model"] != "naive"]
    groups = {
        model: 100 * (pd.to_numeric(group["mse_ratio"], errors="coerce").dropna().to_numpy() - 1)
        for model, group in others.groupby("model")
    }
    groups = {model: values for model, values in groups.items() if len(values)}
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.6 * max(1, len(groups))))
    if groups:
        ax.boxplot(
            list(groups.values()), orientation="horizontal", tick_labels=list(groups), whis=(5, 95)
        )
        ax.set_xscale("symlog", linthresh=1.0)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:+g}%"))
    ax.axvline(0.0, color="k", linestyle="--", linewidth=1)
    ax.set_xlabel("MSE vs naive per symbol, % (left of 0 beats naive; linear within 1%, "
                  "log beyond; whiskers 5-95%)")  # fmt: skip
    save(fig, path, dates=False)


def ic_figure(daily: dict, path: Path) -> None:
    """Cumulative daily rank IC of each model (a flat line means no skill)."""
    fig, ax = plt.subplots(figsize=(9, 4))
    for model, parts in daily.items():
        if len(parts["ic"]):
            ax.plot(parts["ic"].index, parts["ic"]["rank_ic"].cumsum(), label=model)
    ax.axhline(0.0, color="k", linewidth=0.8)
    ax.set_ylabel("cumulative rank IC")
    _legend(ax)
    save(fig, path)


def portfolio_figure(daily: dict, path: Path) -> None:
    """Growth of 1 in each model's long/short top-k book and in the equal-weight universe."""
    fig, ax = plt.subplots(figsize=(9, 4))
    benchmark = None
    for model, parts in daily.items():
        returns = parts["returns"]
        benchmark = returns["benchmark"]
        if not returns["portfolio"].any():
            continue  # a model that never ranks symbols apart (naive) holds no book
        ax.plot(returns.index, (1 + returns["portfolio"]).cumprod(), label=f"{model} long/short")
    if benchmark is not None:
        ax.plot(benchmark.index, (1 + benchmark).cumprod(), "k--", label="equal weight")
    ax.set_ylabel("growth of 1")
    _legend(ax, fontsize=8)
    save(fig, path)


def universe_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    """Title and sections of a universe run's report."""
    from stockcaster.reporting.html import image_html, paragraph, record_html, table_html

    s = json.loads((folder / SUMMARY_FILE).read_text())
    scores = pd.DataFrame(s["scores"])
    settings = s["settings"]
    counts = s["symbols"]
    rows = []
    for model, parts in s["cross_section"].items():
        ic, book = parts["ic"], parts["portfolio"]
        rows.append(
            {
                "model": model,
                "mean IC": ic["mean_ic"],
                "mean rank IC": ic["mean_rank_ic"],
                "ICIR": ic["icir"],
                "annual return": book["annual_return"],
                "information ratio": book["information_ratio"],
                "max drawdown": book["max_drawdown"],
                "turnover/day": book["mean_turnover"],
            }
        )
    cross = pd.DataFrame(rows)
    bench = next(iter(s["cross_section"].values()), {}).get("portfolio", {})
    per_symbol = pd.read_csv(folder / SYMBOLS_FILE)
    reasons = {**s["skipped"], **s["failed"]}
    skipped = pd.DataFrame({"symbol": list(reasons), "reason": list(reasons.values())})
    model = s.get("global_model")
    return f"stockcaster universe: {counts.get('done', 0)} symbols", [
        ("Verdict", f"<ul class='verdict'>{_verdicts(s['scores'])}</ul>"),
        (
            "Data",
            paragraph(
                f"{settings['data']['source']}: {len(settings['symbols'])} symbols chosen, "
                f"{counts.get('done', 0)} run, {counts.get('skipped', 0)} skipped, "
                f"{counts.get('failed', 0)} failed. Training days up to {settings['cutoff']} "
                f"for every symbol; every later day forecast one step ahead. Mode "
                f"{settings['config']['mode']}."
            ),
        ),
        ("Scores across symbols", table_html(scores)),
        ("MSE ratio to naive, per symbol", image_html(folder, RATIO_FIGURE, "ratio histogram")),
        (
            "Cross-section: information coefficient and top-k portfolio",
            paragraph(
                f"Daily IC: correlation across symbols of predicted and realised one-day "
                f"returns. Portfolio: long the top {bench.get('k', '?')} and short the bottom "
                f"{bench.get('k', '?')} predicted returns, rebuilt daily, "
                f"{bench.get('cost_bps', 0):g} bp per unit traded; benchmark: the equal-weight "
                f"universe (annual return "
                f"{_pct(bench.get('benchmark', {}).get('annual_return'))})."
            )
            + table_html(cross)
            + image_html(folder, IC_FIGURE, "cumulative rank IC")
            + image_html(folder, PORTFOLIO_FIGURE, "portfolio growth"),
        ),
        ("Global model", paragraph(_global_text(model)) if model else paragraph("Not used.")),
        (
            "Per symbol",
            table_html(per_symbol) if len(per_symbol) else paragraph("No symbol finished."),
        ),
        ("Skipped and failed symbols", table_html(skipped) if len(skipped) else paragraph("None.")),
        (
            "Reproducibility",
            record_html(s) + "<pre>" + html.escape(json.dumps(settings, indent=2)) + "</pre>",
        ),  # fmt: skip
    ]


def _verdicts(scores: list[dict]) -> str:
    """One line per model scored against naive; `scores` as stored in the summary."""
    items = []
    for r in scores:
        if r["model"] == "naive" or r["median_mse_ratio"] is None:
            continue
        items.append(
            f"<li><b>{html.escape(str(r['model']))}</b>: median MSE ratio to naive "
            f"{r['median_mse_ratio']:.4f}; beats naive on {r['share_beating_naive']:.0%} of "
            f"{r['symbols']} symbols, significantly (Diebold-Mariano, 5%) on "
            f"{r['dm_wins']}, significantly worse on {r['dm_losses']}.</li>"
        )
    return "".join(items) or "<li>No model was scored.</li>"


def _global_text(model: dict) -> str:
    return (
        f"One LSTM trained on {model['train_windows']:,} windows of {model['symbols']} symbols "
        f"(validation: {model['validation_windows']:,}); best epoch {model['best_epoch']} of "
        f"{model['epochs']}, {model['seconds']:.0f} s of training."
    )


def _legend(ax, **options) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**options)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
