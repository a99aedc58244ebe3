# Two entry points: `make demo` seeds the bundled scale-seed recipe into a local
# SQLite file; `make test` runs the test suite. Both set up .venv on first use.
# `make lint` runs the gates CI runs too (ruff, ruff format, mypy); `make test-fast`
# leaves out the tests marked slow.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint bench clean

$(BIN)/seedbed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@# compiled, as an installed wheel is: commands start without compiling the sources
	$(BIN)/python -m compileall -q src
	touch $(BIN)/seedbed

demo: $(BIN)/seedbed
	rm -f demo.db
	$(BIN)/seedbed seed --recipe scale-seed --db sqlite:///demo.db --seed 123 --scale 0.01
	$(BIN)/seedbed verify --recipe scale-seed --db sqlite:///demo.db --seed 123

test: $(BIN)/seedbed
	$(BIN)/python -m pytest -q

test-fast: $(BIN)/seedbed
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(BIN)/seedbed
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

bench: $(BIN)/seedbed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo.db seedbed-runs
