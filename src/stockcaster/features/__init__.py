"""From a close series to model inputs: split, target, scaler and lag windows, without leakage."""

from stockcaster.features.pipeline import FeatureConfig, FeaturePipeline, Windows
from stockcaster.features.split import Split, chronological_split
from stockcaster.features.windows import lag_windows

__all__ = [
    "FeatureConfig",
    "FeaturePipeline",
    "Split",
    "Windows",
    "chronological_split",
    "lag_windows",
]
