"""`manage.py demo_login`: the three logins `make run` prints."""

import io
import stat

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from shipdesk.roles import is_agent, is_manager


def demo_login() -> str:
    out = io.StringIO()
    call_command("demo_login", stdout=out)
    return out.getvalue()


@pytest.fixture
def base_dir(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_it_prints_an_administrator_an_agent_and_a_manager_who_can_log_in(base_dir, client):
    output = demo_login()

    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == {"demo", "agent", "manager"}
    demo, agent, manager = users["demo"], users["agent"], users["manager"]
    assert demo.is_superuser and demo.is_staff
    assert is_agent(agent) and not is_manager(agent) and not agent.is_staff
    assert is_manager(manager) and manager.is_staff and not manager.is_superuser
    for username in users:
        password = (base_dir / "var" / f"{username}-login.txt").read_text().strip()
        assert f"username {username:<8} password {password}" in output
        assert client.login(username=username, password=password)


@pytest.mark.django_db
def test_passwords_are_made_once_and_kept(base_dir, client):
    demo_login()
    kept = {p.name: p.read_text() for p in (base_dir / "var").iterdir()}
    get_user_model().objects.filter(username="agent").update(is_active=False)

    output = demo_login()

    assert {p.name: p.read_text() for p in (base_dir / "var").iterdir()} == kept
    assert kept["demo-login.txt"].strip() in output
    assert client.login(username="agent", password=kept["agent-login.txt"].strip())


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.django_db
def test_each_login_is_printed_once(base_dir):
    output = demo_login()

    for username in ("demo", "agent", "manager"):
        password = (base_dir / "var" / f"{username}-login.txt").read_text().strip()
        assert output.count(password) == 1
        assert output.count(f"username {username:<8}") == 1


@pytest.mark.django_db
def test_the_login_files_are_readable_by_their_owner_only(base_dir):
    demo_login()

    assert mode(base_dir / "var") == 0o700
    for username in ("demo", "agent", "manager"):
        assert mode(base_dir / "var" / f"{username}-login.txt") == 0o600


@pytest.mark.django_db
def test_login_files_left_readable_by_everyone_are_closed(base_dir):
    (base_dir / "var").mkdir()
    kept = base_dir / "var" / "agent-login.txt"
    kept.write_text("kept-password\n")
    kept.chmod(0o644)

    output = demo_login()

    assert mode(kept) == 0o600
    assert "password kept-password" in output
