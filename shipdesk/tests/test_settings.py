"""Settings come from the environment. Each case starts a fresh Python, as a deployment would."""

import os
import re
import subprocess

import pytest

from shipdesk.tests.processes import BASE_DIR, SHOW_SETTINGS, python, settings_shown

SETTINGS = (BASE_DIR / "shipdesk" / "settings.py").read_text()
# Every variable settings.py reads: env("NAME"), env.bool("NAME"), env.db("NAME"), ...
VARIABLES = sorted(set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", SETTINGS)))


def start(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run Python in the project with the test run's environment, changed by `env`."""
    return python(args, {**os.environ, "DJANGO_SETTINGS_MODULE": "shipdesk.settings", **env})


def settings_of(*names: str, **env: str) -> dict:
    return settings_shown(start(["-c", SHOW_SETTINGS, *names], **env))


def test_with_debug_off_and_no_secret_key_shipdesk_refuses_to_start_and_says_why():
    result = start(["manage.py", "check"], DEBUG="false", SECRET_KEY="")

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not")
    assert "Set SECRET_KEY" in last_line and "DEBUG=true" in last_line


def test_with_debug_on_a_development_key_is_used():
    result = start(["manage.py", "check"], DEBUG="true", SECRET_KEY="")
    assert result.returncode == 0, result.stderr

    shown = settings_of("DEBUG", "SECRET_KEY", DEBUG="true", SECRET_KEY="")
    assert shown["DEBUG"] is True
    assert shown["SECRET_KEY"].startswith("insecure-")


def test_with_debug_off_and_a_secret_key_cookies_are_https_only():
    environment = {k: v for k, v in os.environ.items() if not k.endswith("_COOKIE_SECURE")}
    result = python(
        ["-c", SHOW_SETTINGS, "SECRET_KEY", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"],
        {**environment, "DEBUG": "false", "SECRET_KEY": "s" * 50},
    )

    shown = settings_shown(result)
    assert shown == {
        "SECRET_KEY": "s" * 50,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_the_sqlite_database_is_shared_safely_by_the_web_server_and_the_worker(tmp_path):
    database = settings_of("DATABASES", DATABASE_URL=f"sqlite:///{tmp_path}/shipdesk.sqlite3")[
        "DATABASES"
    ]["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == f"{tmp_path}/shipdesk.sqlite3"
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


def test_database_url_points_shipdesk_at_postgresql():
    database = settings_of(
        "DATABASES", DATABASE_URL="postgres://desk:pw@db.example:5433/shipdesk", CONN_MAX_AGE="30"
    )["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["HOST"], database["PORT"]) == (
        "shipdesk",
        "desk",
        "db.example",
        5433,
    )
    assert database["CONN_MAX_AGE"] == 30


def test_lists_numbers_and_usps_settings_are_read_from_the_environment():
    shown = settings_of(
        "ALLOWED_HOSTS",
        "USPS_BASE_URL",
        "USPS_REQUESTS_PER_HOUR",
        "TRACKING_EXPIRE_DAYS",
        "TIME_ZONE",
        ALLOWED_HOSTS="desk.example.com,localhost",
        USPS_BASE_URL="https://apis-tem.usps.com/",
        USPS_REQUESTS_PER_HOUR="30",
        TRACKING_EXPIRE_DAYS="45",
        TIME_ZONE="America/Chicago",
    )

    assert shown == {
        "ALLOWED_HOSTS": ["desk.example.com", "localhost"],
        "USPS_BASE_URL": "https://apis-tem.usps.com",
        "USPS_REQUESTS_PER_HOUR": 30,
        "TRACKING_EXPIRE_DAYS": 45,
        "TIME_ZONE": "America/Chicago",
    }


def env_example() -> dict[str, str]:
    """Each `NAME=value` of .env.example, commented out (a default) or not."""
    text = (BASE_DIR / ".env.example").read_text()
    return dict(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.MULTILINE))


def test_settings_reads_the_variables_these_tests_know_of():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "USPS_CLIENT_ID"} <= set(VARIABLES)


@pytest.mark.parametrize("name", VARIABLES)
def test_every_variable_is_documented_in_env_example_and_the_readme(name):
    assert name in env_example(), f"{name} is missing from .env.example"
    readme = (BASE_DIR / "README.md").read_text()
    assert f"`{name}`" in readme, f"{name} is missing from README.md's configuration table"


def test_the_values_env_example_shows_are_valid_settings():
    values = env_example()
    values["SECRET_KEY"] = values["SECRET_KEY"] or "k" * 50
    result = start(["manage.py", "check"], **values)
    assert result.returncode == 0, result.stderr
