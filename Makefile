# Two commands: `make run` (the app with demo data, no server needed) and `make test` (the suite);
# `make lint` is ruff and mypy.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test lint format check-deploy vendor clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	@echo "Starting the web app on http://127.0.0.1:8000 and a Celery worker with beat (Ctrl-C stops all)"
	DEBUG=$${DEBUG:-1} PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.dev

test: $(STAMP)
	bin/audit-dependencies
	bin/run-tests

# The benchmark (minutes): creates, migrates and seeds PostgreSQL database sp_bench
# (100k patients) if needed, then load, query counts, EXPLAIN and the reminder sweep.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--users 8 --duration 60 --label after".
bench: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# mypy loads the settings (the django-stubs plugin): DEBUG=1 lets them load without secrets.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the vendored NHS.UK frontend and htmx from the npm registry.
vendor:
	bin/vendor-frontend

clean:
	rm -rf $(VENV) var
