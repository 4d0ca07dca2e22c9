# Shouhu (守护). Two commands: `make demo` serves the demo, `make test` runs the whole test suite.
# Needs only python3: the virtual environment and the packages are installed on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo runs on SQLite in var/ with Celery inline, a development key and DEBUG off.
DEMO_ENV := env -u DATABASE_URL -u CELERY_BROKER_URL SHOUHU_INSECURE_DEV_KEY=true DEBUG=false
PYTEST_ARGS ?=
# Test processes (pytest-xdist), one per core of a 2-core machine; TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= 2
# e.g. SCREENSHOTS_ARGS='--keep var/screenshots-demo' to seed once and reuse the demo
SCREENSHOTS_ARGS ?=
BENCH_CHILDREN ?= 100000
# Translation catalogues, compiled by msgfmt (Debian package gettext) when it is there.
PO := $(wildcard src/shouhu/locale/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)

.PHONY: help demo seed-demo messages test lint audit bench screenshots

help:
	@echo "make demo   install, migrate, seed the demo (once) and serve it on http://$(HOST):$(PORT) (PORT=...)"
	@echo "make test   install the test tools and run the whole test suite"
	@echo "make lint   ruff, bandit and mypy"
	@echo "make audit  pip-audit: known vulnerabilities in the pinned packages (a report, not a CI gate)"
	@echo "make bench  the search benchmark (tests/bench/search.py), not part of make test"
	@echo "make screenshots  PNGs of the five journeys' pages, phone and desk, zh-hans and en, in var/screenshots"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Shouhu needs Python 3.11 or newer; $(PYTHON) is older (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Stamp files: pip runs again only when the requirements (or the package metadata) change.
$(VENV)/.installed-base: requirements/base.txt pyproject.toml | $(BIN)/python
	@echo "Installing the runtime packages into $(VENV) (about a minute the first time) ..."
	$(PIP) install -q -r requirements/base.txt
	$(PIP) install -q --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt $(VENV)/.installed-base
	@echo "Installing the test tools into $(VENV) ..."
	$(PIP) install -q -r requirements/dev.txt
	@touch $@

%.mo: %.po
	@if ! command -v msgfmt >/dev/null; then \
		echo "msgfmt not found (Debian package gettext): $@ not compiled, the interface stays in Chinese"; \
	elif ! msgfmt --check-format -o $@ $<; then echo "warning: $< does not compile; $@ not updated"; fi

messages: $(MO)

# One start of Django: `shouhu demo-ready` migrates if a migration is pending, seeds the demo if it is
# missing, prints the accounts and (--serve) serves, without runserver's reloader.
seed-demo: $(VENV)/.installed-base messages
	$(DEMO_ENV) $(BIN)/shouhu demo-ready

demo: $(VENV)/.installed-base messages
	$(DEMO_ENV) $(BIN)/shouhu demo-ready --serve $(HOST):$(PORT)

test: $(VENV)/.installed-dev messages
	$(BIN)/pytest --ignore=tests/bench -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests
	$(BIN)/bandit -c pyproject.toml -r src -q
	$(BIN)/mypy

# Known vulnerabilities in the pinned requirements (PyPI's advisory data). Prints the report; not part of
# `make test` or CI, since a new advisory can appear without any change here.
audit: $(VENV)/.installed-dev
	$(BIN)/pip-audit --progress-spinner off -r requirements/base.txt -r requirements/dev.txt

# The search benchmark fills a scratch SQLite database in var/bench (or the DATABASE_URL given, which
# must be a scratch database: the benchmark refuses one that already holds children).
bench: $(VENV)/.installed-dev
	rm -rf var/bench
	SHOUHU_VAR=$(CURDIR)/var/bench $(BIN)/python tests/bench/search.py --children $(BENCH_CHILDREN)

# Screenshots for reviewers: a scratch demo (SQLite in a temporary directory), each journey's persona
# signed in with Debian's Chromium, each key page at 390x844 and 1366x768 in zh-hans and en, as PNGs
# in var/screenshots/. Took 9 minutes on a busy 2-core machine, seeding included; not part of `make test`.
screenshots: $(VENV)/.installed-dev messages
	$(BIN)/python tests/e2e/screenshots.py --out var/screenshots $(SCREENSHOTS_ARGS)
