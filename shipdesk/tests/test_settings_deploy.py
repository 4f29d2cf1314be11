"""Production settings: the production `.env` that .env.example and the README document passes
`manage.py check --deploy` without a warning, and the HTTPS settings come from the environment.
Each case starts a fresh Python, as a deployment would."""

import os
import re
import secrets
import subprocess

from shipdesk.tests.processes import BASE_DIR, SHOW_SETTINGS, python, settings_shown


def production_env() -> dict[str, str]:
    """The `#   NAME=value` lines of .env.example's "A production .env", a real secret key."""
    text = (BASE_DIR / ".env.example").read_text()
    block = text.split("# --- A production .env", 1)[1]
    values = dict(re.findall(r"^#   ([A-Z][A-Z0-9_]*)=(.*)$", block, flags=re.MULTILINE))
    assert values["SECRET_KEY"].startswith("<")
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    return values


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Python in the project with only `env` (none of the test run's settings)."""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "shipdesk.settings",
        **env,
    }
    return python(args, environment)


def settings_of(*names: str, **env: str) -> dict:
    return settings_shown(run(["-c", SHOW_SETTINGS, *names], **env))


def test_the_documented_production_env_passes_check_deploy_without_a_warning():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production_env())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr and "ERRORS" not in result.stderr


def test_the_readme_shows_the_same_production_env():
    readme = (BASE_DIR / "README.md").read_text()
    block = readme.split("### A production `.env`", 1)[1].split("```sh\n", 1)[1].split("```")[0]
    text = (BASE_DIR / ".env.example").read_text().split("# --- A production .env", 1)[1]
    documented = re.findall(r"^#   ([A-Z][A-Z0-9_]*=.*)$", text, flags=re.MULTILINE)

    assert block.splitlines() == documented


def test_https_and_hsts_are_set_from_the_environment():
    shown = settings_of(
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        **production_env(),
    )

    assert shown == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }


def test_without_them_a_plain_http_install_keeps_working():
    shown = settings_of(
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        DEBUG="false",
        SECRET_KEY="k" * 50,
    )

    assert shown == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_HSTS_SECONDS": 0,
    }


def test_a_proxy_header_without_its_value_is_refused_with_the_reason():
    result = run(
        ["manage.py", "check"],
        DEBUG="false",
        SECRET_KEY="k" * 50,
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
    )

    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER takes a header and its value" in result.stderr


def test_e_mail_is_written_to_files_in_development_and_sent_by_smtp_with_debug_off():
    development = settings_of("MAILERS", DEBUG="true")["MAILERS"]["default"]
    production = settings_of("MAILERS", DEBUG="false", SECRET_KEY="k" * 50)["MAILERS"]["default"]

    assert development["BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert production["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert production["OPTIONS"] == {"host": "localhost", "port": 25}
