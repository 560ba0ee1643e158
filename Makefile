# duban — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Test processes (pytest-xdist); "auto" = one per CPU core.
TEST_WORKERS ?= auto

.PHONY: run test bench install install-dev lint browser-deps demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load the demo institution on an empty database, serve with the worker.
run: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_demo --if-empty
	PORT=$(PORT) bin/serve

demo: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_demo

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run -v0

browser-deps:
	bin/ensure-chromium

# The browser tests run separately, on a SQLite database in a file (TEST_SQLITE_FILE): the live
# server answers each request in a thread of its own, and with the default in-memory database all
# those threads and the test itself share one connection, so two requests at once (a page polling
# while another posts) interleave their transactions ("no such savepoint"). With a file each thread
# has its own connection, as in production. BROWSER_TESTS=no leaves them out (CI's PostgreSQL pass).
BROWSER_TESTS ?= yes

## make test: lint, checks, and the whole suite including the browser tests.
test: install-dev $(if $(filter yes,$(BROWSER_TESTS)),browser-deps) lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope -m "not browser"
ifeq ($(BROWSER_TESTS),yes)
	TEST_SQLITE_FILE=1 $(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope -m browser
endif

## make bench: tiers S, M and L in fresh databases, pages, Excel, the ballot burst, the sweep (issue 8).
## BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/x runs it on PostgreSQL. Figures in var/bench/.
bench: install-dev
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
