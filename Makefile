# ember: make demo (the main job), make test (the whole suite), make bench.
PY ?= python3
VENV = .venv
BIN = $(VENV)/bin
LINT_DIRS = $(wildcard ember tests benchmarks examples)

.PHONY: demo test bench clean

demo: $(VENV)/.installed-demo
	$(BIN)/ember demo

# One BLAS/OpenMP thread per test worker: -n auto already uses every core, and OpenBLAS
# threads competing for busy cores make small matrix products several times slower.
test: $(VENV)/.installed-test
	$(BIN)/ruff check $(LINT_DIRS)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n auto -q

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

# The venv is created once; the stamps below reinstall only when pyproject.toml changes.
$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[demo]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
