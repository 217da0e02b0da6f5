"""stockcaster: daily stock price forecasts with LSTM networks, beside honest baselines."""

__version__ = "0.1.0"
