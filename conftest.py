import pytest
from django.contrib.auth.models import Group

from shipdesk.roles import AGENTS, MANAGERS, managers_grant_permissions
from shipdesk.services import partner_get_or_create

PASSWORD = "correct-horse-battery-42"


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
