import pytest
from django.contrib.auth.models import Group

from shipdesk.roles import AGENTS, MANAGERS
from shipdesk.services import partner_get_or_create

PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def partner(db):
    return partner_get_or_create(name="Acme Parcels")


@pytest.fixture
def other_partner(db):
    return partner_get_or_create(name="Globex Mail")


@pytest.fixture
def agent_user(django_user_model):
    """A customer-service agent (group Agents) with password PASSWORD."""
    user = django_user_model.objects.create_user("ada.agent", password=PASSWORD)
    user.groups.add(Group.objects.get(name=AGENTS))
    return user


@pytest.fixture
def manager_user(django_user_model):
    """A manager (group Managers, staff for admin) with password PASSWORD."""
    user = django_user_model.objects.create_user("max.manager", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=MANAGERS))
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
