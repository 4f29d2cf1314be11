"""What `make run` sets up and prints: the SITE_URL its links use, the logins printed once, and
log lines of the web server and the worker written once each. The processes run as `make run`
runs them (DEBUG on, a SQLite file), each in a fresh Python."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from shipdesk.tests.processes import BASE_DIR, python


def make_dry_run(tmp_path: Path, *args: str, env_file: str | None = None, **env: str) -> str:
    """The commands `make run` would run, for the Makefile in a folder of its own."""
    shutil.copy(BASE_DIR / "Makefile", tmp_path / "Makefile")
    if env_file is not None:
        (tmp_path / ".env").write_text(env_file)
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL" and k != "MAKEFLAGS"}
    result = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=tmp_path,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_make_run_on_another_port_links_pod_letters_and_e_mails_to_that_port(tmp_path):
    commands = make_dry_run(tmp_path, "PORT=8101")

    assert 'export SITE_URL="http://127.0.0.1:8101"' in commands
    assert 'runserver --noreload "127.0.0.1:8101"' in commands


def test_a_site_url_in_the_environment_wins(tmp_path):
    commands = make_dry_run(tmp_path, "PORT=8101", SITE_URL="https://desk.example.com")

    assert 'export SITE_URL="https://desk.example.com"' in commands
    assert '8101"\n' not in commands.split("export SITE_URL", 1)[1].split("\n", 1)[0]


def test_a_site_url_in_the_env_file_is_left_to_it(tmp_path):
    commands = make_dry_run(tmp_path, "PORT=8101", env_file="SITE_URL=https://desk.example.com\n")

    assert "export SITE_URL" not in commands


def test_the_logins_are_printed_once_by_demo_login(tmp_path):
    commands = make_dry_run(tmp_path)

    assert commands.count("manage.py demo_login") == 1
    assert "-login.txt" not in commands


# The web server and the worker, as make run starts them


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A migrated SQLite file; each test works on a copy."""
    path = tmp_path_factory.mktemp("db") / "shipdesk.sqlite3"
    result = manage("migrate", "--no-input", "-v", "0", database=path)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def db_file(database, tmp_path):
    copy = tmp_path / "shipdesk.sqlite3"
    shutil.copy(database, copy)
    return copy


def manage(*args: str, database: Path, debug: str = "true") -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"LOG_LEVEL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(
        DEBUG=debug,
        SECRET_KEY="k" * 50,
        DATABASE_URL=f"sqlite:///{database}",
        ALLOWED_HOSTS="testserver",
    )
    return python(["manage.py", *args], environment)


def test_each_worker_log_line_is_written_once(db_file):
    assert manage("schedule_housekeeping", database=db_file).returncode == 0

    result = manage("db_worker", "--batch", "--no-startup-delay", database=db_file)

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert output.count("housekeeping_cycle state=RUNNING") == 1, output
    assert output.count("housekeeping_cycle state=SUCCESSFUL") == 1, output
    assert output.count("Starting worker") == 1, output


REFUSED = """
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.create_user("nobody"))
print("status", client.get("/shipments/").status_code)
"""


@pytest.mark.parametrize("debug", ["true", "false"])
def test_a_refused_page_logs_one_warning_line_and_no_traceback(db_file, debug):
    result = manage("shell", "-v", "0", "-c", REFUSED, database=db_file, debug=debug)

    assert result.returncode == 0, result.stderr
    assert "status 403" in result.stdout
    output = result.stdout + result.stderr
    assert output.count("Forbidden (Permission denied): /shipments/") == 1, output
    assert "WARNING django.request: Forbidden (Permission denied): /shipments/" in output
    assert "Traceback" not in output, output
