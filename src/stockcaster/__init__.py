"""stockcaster: daily stock price forecasts with LSTM networks, beside honest baselines."""

import os

# TensorFlow prints C++ info lines (oneDNN, CPU features) at import; keep a user's own level.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
