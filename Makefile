# shipdesk: `make run` serves the product on http://127.0.0.1:8000; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

# A Python >= 3.12: pyenv's (selected by .python-version), else the first python3.x on PATH.
PYTHON ?= $(shell for p in "$$(pyenv which python 2>/dev/null)" $$HOME/.pyenv/versions/3.12*/bin/python \
	$$HOME/.pyenv/versions/3.13*/bin/python python3.13 python3.12 python3; do \
	  [ -n "$$p" ] && command -v "$$p" >/dev/null 2>&1 && \
	  "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$$p"; break; }; \
	done)

.PHONY: run test lint venv system-packages clean

$(VENV)/.created:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "shipdesk needs Python 3.12 or newer (Django 6.1 does not install on older Pythons)."; \
	  echo "Install it (e.g. 'apt-get install python3.12 python3.12-venv' or 'pyenv install 3.12')"; \
	  echo "and run make again, or point PYTHON=/path/to/python3.12 at it."; exit 1; fi
	"$(PYTHON)" -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	touch $@

$(VENV)/.runtime: $(VENV)/.created requirements.txt
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime

.env:
	@echo "Writing .env for local use (DEBUG on, a fresh SECRET_KEY)."
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" > .env

run: $(VENV)/.runtime .env
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py demo_login
	$(PY) manage.py seed_demo
	$(PY) manage.py schedule_refresh
	@bash scripts/serve.sh

# WeasyPrint and Chromium need system libraries; install them on Debian when running as root.
system-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=""; for p in chromium libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	elif ! command -v chromium >/dev/null; then \
	  echo "Browser tests need Chromium at /usr/bin/chromium (Debian package 'chromium')."; fi

test: $(VENV)/.dev system-packages
	$(VENV)/bin/pytest -q

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .test-db.sqlite3* .pytest_cache
