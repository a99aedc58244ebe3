# Two entry points: `make demo` seeds the bundled scale-seed recipe into a local
# SQLite file; `make test` runs the test suite. Both set up .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/seedbed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/seedbed

demo: $(BIN)/seedbed
	rm -f demo.db
	$(BIN)/seedbed seed --recipe scale-seed --db sqlite:///demo.db --seed 123 --scale 0.01
	$(BIN)/seedbed verify --recipe scale-seed --db sqlite:///demo.db --seed 123

test: $(BIN)/seedbed
	$(BIN)/python -m pytest -q

bench: $(BIN)/seedbed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo.db seedbed-runs
