# Two commands on a fresh machine with Python 3.11+ and make:
#   make run   - set up, migrate, load demo data if empty, serve on $(PORT)
#   make test  - set up and run the whole suite (SQLite, then PostgreSQL)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres bench lint format lock migrate clean

$(STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.lock
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py demo_logins --port $(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

test: test-sqlite test-postgres

test-sqlite: $(STAMP)
	DATABASE_URL=sqlite:///:memory: $(PY) -m pytest -m "not postgres" $(PYTEST_ARGS)

# Runs the whole suite on PostgreSQL: on $(POSTGRES_URL) when given, otherwise on a
# throwaway cluster that scripts/with-postgres starts from the machine's PostgreSQL binaries.
test-postgres: $(STAMP)
	$(PY) scripts/with_postgres.py $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) scripts/with_postgres.py $(PY) bench/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Re-resolve the pinned versions (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) var/
