# The two commands a new user types: `make run` and `make test`.
# Each sets up a local virtual environment (.venv) first, once per change of pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/stockcaster run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Two test processes, one a core. A third, to fill the CPU the suite leaves idle while tests
# wait on subprocesses, servers and signals, gained nothing beyond the machine's drift in
# fresh clones (`bench/suite.py --processes N`, docs/results/speed.md).
# `make test TEST_PROCESSES=N` chooses another number.
# Work stealing: an idle process takes tests queued for another, so the longest tests
# (the model families') do not leave one process working alone at the end. One thread each
# for TensorFlow, BLAS and OpenMP: each tiny op is not shared out.
# The 15 slowest tests are printed: a slow test is a design smell.
TEST_PROCESSES ?= 2
THREADS := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1
test: lint docs
	$(THREADS) $(BIN)/pytest -n $(TEST_PROCESSES) --dist worksteal --durations=15

# The docs site (docs/, mkdocs.yml), built strictly: a broken page or link fails `make test`.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

bench: $(STAMP)
	$(BIN)/python bench/make_run.py
	$(BIN)/python bench/seed_overhead.py

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache .site
