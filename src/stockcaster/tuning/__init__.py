"""Hyper-parameter search: a model's space (its registry entry's, `space.py` reads a file's
overrides), trials scored on walk-forward folds of the training years (`tasks.py`,
`validation.py`) on Optuna (`search.py`) or Ray Tune (`ray_search.py`), and the verdict on
what the search is worth (`verdict.py`)."""
