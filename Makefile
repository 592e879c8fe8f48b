# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= auto

.PHONY: install run test lint format check clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Migrate the SQLite database, load reference and demo data, create a dev super user, serve on :8000.
run: install
	$(PY) manage.py migrate
	$(PY) manage.py loadfixtures
	$(PY) manage.py createsuperuser --dev
	$(PY) manage.py runserver

## Install and run the whole suite (SQLite, plus PostgreSQL/Redis/MariaDB when running).
test: install
	$(PY) -m ruff check lys apps tests manage.py
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mypy
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check lys apps tests manage.py
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mypy

format: install
	$(PY) -m ruff format lys apps tests manage.py

check: install
	$(PY) manage.py check

## Lys next to the peers of ../shared/bench on PostgreSQL (see bench/README.md).
## Quick look: make bench BENCH_ARGS="--runs 1 --duration 5"
bench: install
	bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache
