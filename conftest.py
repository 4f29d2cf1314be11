"""Fixtures every test may use: partners, people in their roles, and the browser (Debian's
Chromium driven by Playwright; `playwright install` cannot download a browser here, and
`make test` installs the `chromium` package on Debian as root)."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from shipdesk.roles import AGENTS, MANAGERS, managers_grant_permissions
from shipdesk.services import partner_get_or_create

PASSWORD = "correct-horse-battery-42"


@pytest.fixture(autouse=True)
def _api_keys_read_once_per_test(settings):
    """A key read stays in this process's memory for the whole test, however slow the machine
    (the key memory runs on the monotonic clock, which a frozen test clock does not stop), so
    query counts hold. A change to a key or partner still applies at once; how long another
    process may answer from its copy is tested with real processes (test_throttle_processes)
    and the expiry itself in shipdesk/tests/test_api_keys_memory.py."""
    settings.API_KEY_CACHE_SECONDS = 3600


@pytest.fixture
def partner(db):
    return partner_get_or_create(name="Acme Parcels")


@pytest.fixture
def other_partner(db):
    return partner_get_or_create(name="Globex Mail")


def role_group(name: str) -> Group:
    """The role's group. Live-server tests flush the database after each test, taking the groups
    the migration made with them: make the group again, with the Managers' permissions."""
    group, created = Group.objects.get_or_create(name=name)
    if created and name == MANAGERS:
        managers_grant_permissions()
    return group


@pytest.fixture
def agent_user(django_user_model):
    """A customer-service agent (group Agents) with password PASSWORD."""
    user = django_user_model.objects.create_user("ada.agent", password=PASSWORD)
    user.groups.add(role_group(AGENTS))
    return user


@pytest.fixture
def manager_user(django_user_model):
    """A manager (group Managers, staff for admin) with password PASSWORD."""
    user = django_user_model.objects.create_user("max.manager", password=PASSWORD, is_staff=True)
    user.groups.add(role_group(MANAGERS))
    return user


@pytest.fixture
def agent_client(client, agent_user):
    client.force_login(agent_user)
    return client


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def browser_login(live_server):
    """`browser_login(page, user)` logs `user` in through the login page in Chromium."""

    def log_in(page, user):
        page.goto(live_server.url + "/login/")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    return log_in


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
SCREENSHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"


@pytest.fixture
def screenshot():
    """`screenshot(page, "search")` saves artifacts/screenshots/search.png (full page)."""

    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
