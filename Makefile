# Two commands: `make run` (the app on SQLite) and `make test` (the whole suite).
# Each creates or reuses the virtual environment in .venv and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test test-fast lint bench validate messages clean

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

# The quick loop while coding: everything but the tests marked slow (browser, PDF, PostgreSQL,
# fuzzing, several processes); `make test` still runs them all.
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/ruff format --check app tests bench scripts

validate: $(VENV)/.installed
	$(BIN)/mse validate questionnaires

bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_app.py
	$(BIN)/python bench/bench_save.py
	$(BIN)/python bench/bench_workshop.py
	$(BIN)/python bench/bench_note.py
	$(BIN)/python bench/bench_huge_body.py
	$(BIN)/python bench/bench_scale.py --backend both

# Extract the UI strings and merge them into the English catalog, which a translator then edits
# (new strings arrive untranslated; tests/web/test_i18n.py fails until each has its translation).
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--project mse-autodiagnostic -o app/locale/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i app/locale/messages.pot \
		-d app/locale -l en --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache
