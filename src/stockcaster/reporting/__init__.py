"""Reporting: figures, terminal tables, HTML reports, reading results back, and tracking
(MLflow)."""
