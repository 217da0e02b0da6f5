"""Hyper-parameter search (issue 14): so far, each family's search space (`space.py`)."""
