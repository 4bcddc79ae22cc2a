# The two commands of the README's quick start: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Quick start: DEBUG on, demo accounts and demo progress on, SQLite unless DATABASE_URL is set.
# The demo's "today" sits inside the seed plans' year (both end 2025-12-31), so the first dashboard
# shows a plan in progress; DEMO_TODAY is ignored outside demo mode.
RUN_ENV := DEBUG=1 DEMO_MODE=1 DEMO_TODAY=2025-06-18
SEEDS  := fixtures/000_a62ce10d14304788.txt fixtures/004_81e3937e704ee9fc.txt

.PHONY: run test setup lint bench clean bundle

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt requirements-ldap.txt $(VENV)/.installed
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py import_plan $(SEEDS)
	$(RUN_ENV) $(BIN)/python manage.py create_demo_accounts
	$(RUN_ENV) $(BIN)/python manage.py load_demo_progress
	$(RUN_ENV) $(BIN)/python manage.py snapshots_backfill --periods 12
	$(RUN_ENV) $(BIN)/python manage.py scores_compute --freeze-as office

# The worker (jobs_worker: django-q2's qcluster; jobs, reminders, digests) runs beside the server and stops with it.
run: setup
	@echo "Serving on http://127.0.0.1:8000, with the background worker  (Ctrl+C to stop)"
	$(RUN_ENV) $(BIN)/python manage.py jobs_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev
	bin/run-tests

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=lint $(BIN)/mypy

# Offline install: dist/minhang-plans-<sha>.tar.gz (project at HEAD, wheels, static files,
# INSTALL.md). `make bundle ARCH=aarch64` adds wheels-aarch64/. Needs PyPI while building.
ARCH ?= x86_64
bundle: $(VENV)/.installed
	ARCH=$(ARCH) BUNDLE_PYTHON=$(CURDIR)/$(BIN)/python bin/make-bundle

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/import_seeds.py
	$(BIN)/python bench/import_fidelity.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache test-artifacts
