"""From prices to model inputs, without leakage: the split, the targets and scalings (one
registry each), a series' lag windows (`pipeline.py`) and a panel's feature sets (`panel.py`)."""

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
