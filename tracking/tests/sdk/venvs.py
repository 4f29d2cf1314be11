"""One virtualenv per official AfterShip SDK generation, made from `.ci/sdk-<version>.txt`.

The SDK's top-level package is named `tracking`, as shipdesk's app is: it never goes into
shipdesk's own environment. Each generation gets its own under var/sdk/<version> (git-ignored),
made again only when its requirements file changed. `make sdk-venvs` (which `make test` needs)
runs this module; the SDK tests also call `sdk_python()`, so a plain pytest run works too.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
GENERATIONS = ("2.0.2", "10.0.0")


def sdk_python(version: str) -> Path:
    """The Python of the virtualenv holding SDK `version`, made or brought up to date."""
    requirements = ROOT / ".ci" / f"sdk-{version}.txt"
    home = ROOT / "var" / "sdk" / version
    python = home / "bin" / "python"
    stamp = home / ".installed"
    if stamp.exists() and stamp.stat().st_mtime >= requirements.stat().st_mtime:
        return python
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", requirements], check=True)
    stamp.touch()
    return python


if __name__ == "__main__":
    for generation in sys.argv[1:] or GENERATIONS:
        print(f"SDK {generation}: {sdk_python(generation)}")
