# shipdesk
#   make run    set up (virtualenv, packages, .env, database, demo login and data) and serve
#               http://127.0.0.1:8000 with the task worker beside it; one Ctrl-C stops both
#   make test   install what the tests need and run the whole suite
#   make lint   ruff check and ruff format --check
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV ?= .venv
PY := $(VENV)/bin/python
# Where `make run` serves.
ADDR ?= 127.0.0.1
PORT ?= 8000
# The address POD letters and e-mails link to: SITE_URL from the environment, else from .env,
# else where `make run` serves (so `make run PORT=8101` links to :8101).
SITE_URL_IN_ENV_FILE := $(shell grep -sqE '^[[:space:]]*(export[[:space:]]+)?SITE_URL=' .env && echo yes)
RUN_SITE_URL := $(if $(SITE_URL),$(SITE_URL),$(if $(SITE_URL_IN_ENV_FILE),,http://$(ADDR):$(PORT)))
# Extra pytest arguments for `make test`, e.g. PYTEST_ARGS="-k login -x".
PYTEST_ARGS ?=
# Debian packages WeasyPrint (PDFs), the browser tests (Chromium) and bench/api.py (wrk) need.
SYSTEM_PACKAGES := chromium libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core wrk

.PHONY: help run test lint venv install install-dev system-packages sdk-venvs

help:
	@echo "make run    set up shipdesk with demo data and serve http://$(ADDR):$(PORT) (Ctrl-C stops)"
	echo "make test   install the test requirements and run the whole test suite"
	echo "make lint   ruff check and ruff format --check"

# A virtualenv with Python >= 3.12 (Django 6.1 needs it). Tried in order: PYTHON=..., pyenv's
# python (it honours .python-version), ~/.pyenv/versions/3.12* and 3.13*, python3.13,
# python3.12, python3.
venv:
	@ok() { "$$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
	if [ -x "$(PY)" ] && ok "$(PY)"; then exit 0; fi
	if [ -e "$(VENV)" ]; then
	  echo "$(VENV) does not hold a working Python 3.12 or newer: making it again."
	  rm -rf "$(VENV)"
	fi
	pyenv_python=$$(command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null || true)
	found=
	for candidate in "$(PYTHON)" "$$pyenv_python" \
	    "$$HOME"/.pyenv/versions/3.12*/bin/python "$$HOME"/.pyenv/versions/3.13*/bin/python \
	    python3.13 python3.12 python3; do
	  if [ -n "$$candidate" ] && command -v "$$candidate" >/dev/null 2>&1 && ok "$$candidate"; then
	    found=$$candidate
	    break
	  fi
	done
	if [ -z "$$found" ]; then
	  echo "shipdesk needs Python 3.12 or newer and none was found (tried pyenv, python3.13," >&2
	  echo "python3.12 and python3). Install Python 3.12, for example with 'pyenv install 3.12'" >&2
	  echo "or your system's python3.12 and python3.12-venv packages, then run make again" >&2
	  echo "(or name it: make run PYTHON=/path/to/python3.12)." >&2
	  exit 1
	fi
	echo "Making $(VENV) with $$("$$found" -V) ($$found)."
	"$$found" -m venv "$(VENV)"

# Packages are installed again only when a requirements file changed since the last install.
install: venv
	@stamp="$(VENV)/.installed-requirements"
	if [ ! -f "$$stamp" ] || [ requirements.txt -nt "$$stamp" ]; then
	  echo "Installing shipdesk's Python packages into $(VENV) (the first time takes a minute or two)."
	  "$(PY)" -m pip install --quiet --disable-pip-version-check -r requirements.txt
	  touch "$$stamp"
	fi

install-dev: install
	@stamp="$(VENV)/.installed-requirements-dev"
	if [ ! -f "$$stamp" ] || [ requirements.txt -nt "$$stamp" ] || [ requirements-dev.txt -nt "$$stamp" ]; then
	  echo "Installing the test and lint packages into $(VENV)."
	  "$(PY)" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	  touch "$$stamp"
	fi

# A local .env is written once; edit it (or see .env.example) to configure shipdesk.
.env: | venv
	@echo "Writing .env for local use: DEBUG on and a freshly generated SECRET_KEY (see .env.example)."
	key=$$("$(PY)" -c 'import secrets; print(secrets.token_urlsafe(50))')
	umask 077
	printf '# Written by make run for local use. Every setting is described in .env.example.\nDEBUG=true\nSECRET_KEY=%s\n' "$$key" > .env

run: install .env
	@$(if $(RUN_SITE_URL),export SITE_URL="$(RUN_SITE_URL)",:)
	"$(PY)" manage.py migrate --no-input -v 0
	"$(PY)" manage.py seed_demo
	"$(PY)" manage.py seed_demo_labels
	"$(PY)" manage.py seed_demo_mail
	"$(PY)" manage.py schedule_refresh
	"$(PY)" manage.py schedule_webhook_sweep
	"$(PY)" manage.py pod_keys
	"$(PY)" manage.py schedule_pod_retention
	"$(PY)" manage.py schedule_housekeeping
	"$(PY)" manage.py schedule_label_reconcile
	"$(PY)" manage.py schedule_print_provider
	# The logins are printed here once, last before the servers start.
	"$(PY)" manage.py demo_login
	pids=()
	stop() {
	  trap '' INT TERM HUP
	  echo
	  echo "Stopping the web server and the task worker."
	  kill -TERM "$${pids[@]}" 2>/dev/null || true
	  for _ in $$(seq 150); do
	    [ -z "$$(jobs -pr)" ] && break
	    sleep 0.2
	  done
	  if [ -n "$$(jobs -pr)" ]; then
	    echo "Still running after 30 seconds: killing them."
	    kill -KILL $$(jobs -pr) 2>/dev/null || true
	  fi
	  wait 2>/dev/null || true
	  echo "shipdesk stopped."
	  exit "$$1"
	}
	trap 'stop 130' INT
	trap 'stop 143' TERM
	trap 'stop 129' HUP
	# Each in a session of its own: only this script signals them, once, when it stops.
	setsid "$(PY)" manage.py db_worker --no-reload --no-startup-delay & pids+=($$!)
	setsid "$(PY)" manage.py runserver --noreload "$(ADDR):$(PORT)" & pids+=($$!)
	echo
	echo "  shipdesk:  http://$(ADDR):$(PORT)/    admin: http://$(ADDR):$(PORT)/admin/"
	echo "  Log in with one of the demo logins printed above."
	echo "  The task worker runs beside the web server and moves the sandbox shipments on."
	echo "  Press Ctrl-C once to stop both."
	echo
	set +e
	wait -n "$${pids[@]}"
	status=$$?
	echo "A shipdesk process ended on its own (exit status $$status)." >&2
	stop 1

test: install-dev system-packages sdk-venvs
	@report=$$(mktemp)
	trap 'rm -f "$$report"' EXIT
	set +e
	"$(PY)" -m pytest --junitxml="$$report" $(PYTEST_ARGS)
	status=$$?
	set -e
	if [ "$$status" -eq 5 ]; then echo "pytest ran no tests: that is a failure." >&2; fi
	[ "$$status" -eq 0 ] || exit "$$status"
	"$(PY)" -c 'import sys, xml.etree.ElementTree as ET
	root = ET.parse(sys.argv[1]).getroot()
	suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
	ran = sum(int(s.get("tests", 0)) - int(s.get("skipped", 0)) for s in suites)
	sys.exit(0 if ran > 0 else "pytest ran no tests (all were skipped or deselected): that is a failure.")' "$$report"

# The official AfterShip SDKs (2.0.2 for 2024-04, 10.0.0 for 2026-07), each in its own
# virtualenv under var/sdk/ (their package `tracking` would shadow shipdesk's app), pinned in
# .ci/sdk-*.txt and made again only when those change.
sdk-venvs: venv
	@"$(PY)" tracking/tests/sdk/venvs.py

# On Debian as root, install the system packages WeasyPrint and Chromium need (only the missing).
system-packages:
	@if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
	  [ -x /usr/bin/chromium ] || echo "Note: the browser tests need Chromium at /usr/bin/chromium."
	  exit 0
	fi
	missing=()
	for package in $(SYSTEM_PACKAGES); do
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q " installed$$" || missing+=("$$package")
	done
	if [ "$${#missing[@]}" -eq 0 ]; then exit 0; fi
	if [ "$$(id -u)" -ne 0 ]; then
	  echo "Note: missing Debian packages $${missing[*]} (sudo apt-get install $${missing[*]})."
	  exit 0
	fi
	echo "Installing Debian packages for WeasyPrint and the browser tests: $${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq "$${missing[@]}" >/dev/null

lint: install-dev
	@"$(VENV)/bin/ruff" check .
	"$(VENV)/bin/ruff" format --check .
