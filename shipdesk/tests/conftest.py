"""Browser tests drive Debian's Chromium through Playwright (`playwright install` cannot
download a browser here). `make test` installs the `chromium` package on Debian as root."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium keeps calling home, and a closed network refuses it noisily.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        message = (
            f"Chromium is not at {CHROMIUM}: install Debian's 'chromium' package "
            "(make test does, as root) or point CHROMIUM_PATH at a Chromium."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


# Screenshots the page tests save for people to look at (README: "Test artifacts").
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def screenshot():
    """`screenshot(page, "search")` saves artifacts/screenshots/search.png (full page)."""

    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
