"""Evaluation: metrics, computed only from forecasts made from the past."""

from stockcaster.evaluation.metrics import METRIC_NAMES, directional_accuracy, point_metrics
from stockcaster.evaluation.one_step import compare_with_naive, forecast_table

__all__ = [
    "METRIC_NAMES",
    "compare_with_naive",
    "directional_accuracy",
    "forecast_table",
    "point_metrics",
]
