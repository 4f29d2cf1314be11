"""A fresh Python in the project, as a deployment starts one: for tests of settings and
commands that must not see the test run's own Django."""

import json
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
# Prints the named settings as JSON; a name neither settings.py nor Django defines fails.
SHOW_SETTINGS = (
    "import json, sys, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({n: getattr(settings, n) for n in sys.argv[1:]}, default=str))"
)


def python(args: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    """Run Python in the project folder with exactly `environment`."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_shown(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
