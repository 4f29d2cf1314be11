"""Loaded by pytest before Django (see pyproject's addopts): the environment tests run in."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
# Tests never reach USPS: carrier tests build their own client against a local server.
os.environ["USPS_CLIENT_ID"] = ""
os.environ["USPS_CLIENT_SECRET"] = ""
os.environ.setdefault("EMAIL_URL", "memorymail://")
# Playwright's event loop is running when live_server creates the test database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
