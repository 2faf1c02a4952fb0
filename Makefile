# Two commands: `make run` (the app on SQLite) and `make test` (the whole suite).
# Each creates or reuses the virtual environment in .venv and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint bench validate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

run: $(VENV)/.installed
	PORT=$(PORT) $(BIN)/mse serve

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

validate: $(VENV)/.installed
	$(BIN)/mse validate questionnaires

bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_app.py
	$(BIN)/python bench/bench_workshop.py

clean:
	rm -rf $(VENV) .pytest_cache
