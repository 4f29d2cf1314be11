"""Log-in throttling: per username and per client address, counted in the shared cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from shipdesk.login import username_key

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
THROTTLED = "Too many failed log-in attempts"
FULLWIDTH_AGENT = "\uff41\uff47\uff45\uff4e\uff54"  # what NFKC makes `agent`


def attempt(client, username, password, *, address="10.0.0.1", url=LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURES_PER_USERNAME = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    settings.LOGIN_LOCKOUT_SECONDS = 900


@pytest.mark.django_db
def test_a_username_is_locked_after_repeated_failures_even_with_the_right_password(
    client, agent_user
):
    for _ in range(3):
        response = attempt(client, "ada.agent", "wrong")
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()

    response = attempt(client, "ADA.agent ", PASSWORD, address="10.0.0.2")

    assert response.status_code == 429
    assert THROTTLED in response.content.decode()
    assert "Wait up to 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another person's log-in from the same address still works.
    other = attempt(client, "someone.else", "wrong")
    assert other.status_code == 200 and THROTTLED not in other.content.decode()


@pytest.mark.django_db
def test_an_address_is_locked_after_failures_over_many_usernames(client, agent_user):
    for i in range(5):
        attempt(client, f"guess{i}", "wrong", address="10.9.9.9")

    assert attempt(client, "ada.agent", PASSWORD, address="10.9.9.9").status_code == 429
    response = attempt(client, "ada.agent", PASSWORD, address="10.1.1.1")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(agent_user.pk)


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_has_its_own_address_limit(client, settings):
    settings.TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"  # every request reaches shipdesk from the proxy
    for i in range(5):
        client.post(
            LOGIN,
            {"username": f"guess{i}", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="6.6.6.6",
        )

    def from_client(forwarded: str):
        return client.post(
            LOGIN,
            {"username": "someone", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    assert from_client("6.6.6.6").status_code == 429
    # The attacker's own X-Forwarded-For entry is not trusted: the proxy's is.
    assert from_client("1.2.3.4, 6.6.6.6").status_code == 429
    assert from_client("7.7.7.7").status_code == 200


@pytest.mark.django_db
def test_a_successful_log_in_clears_the_username_count(client, agent_user):
    attempt(client, "ada.agent", "wrong")
    attempt(client, "ada.agent", "wrong")
    assert attempt(client, "ada.agent", PASSWORD).status_code == 302
    client.logout()
    attempt(client, "ada.agent", "wrong")
    attempt(client, "ada.agent", "wrong")
    assert attempt(client, "ada.agent", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_counts_live_in_the_shared_cache_until_the_lockout_after_the_last_failure(
    client, agent_user
):
    for _ in range(3):
        attempt(client, "ada.agent", "wrong")
    before_last = timezone.now()
    attempt(client, "someone.else", "wrong")  # the address's window starts again

    rows = _cache_rows()
    assert sorted(count for count, _ in rows.values()) == [1, 3, 4]  # 2 usernames, 1 address
    for _, expires in rows.values():
        assert expires <= timezone.now() + timedelta(seconds=900)
    address_expires = max(expires for _, expires in rows.values())
    assert address_expires >= before_last + timedelta(seconds=899)
    assert attempt(client, "ada.agent", PASSWORD).status_code == 429

    cache.clear()  # what the expiry does

    assert attempt(client, "ada.agent", PASSWORD).status_code == 302


def _cache_rows() -> dict:
    """{key: (count, expires)} straight from the cache table, as another process reads it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, expires FROM shipdesk_cache")
        rows = cursor.fetchall()
    found = {}
    for raw_key, expires in rows:
        key = raw_key.split(":", 2)[-1]
        if key.startswith("login-failures:"):
            if isinstance(expires, str):
                expires = datetime.fromisoformat(expires)
            if timezone.is_naive(expires):
                expires = timezone.make_aware(expires, UTC)
            found[key] = (cache.get(key), expires)
    return found


@pytest.mark.django_db
def test_admin_log_in_is_throttled_too(client, manager_user):
    for _ in range(3):
        attempt(client, "max.manager", "wrong", url=ADMIN_LOGIN)

    response = attempt(client, "max.manager", PASSWORD, url=ADMIN_LOGIN)

    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "spelling",
    [FULLWIDTH_AGENT, FULLWIDTH_AGENT.upper(), "Agent", " agent\u3000", "\u1d43gent"],
)
def test_username_key_folds_what_log_in_would_match(spelling):
    assert username_key(spelling) == username_key("agent") == "agent"


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "staff"), [(LOGIN, False), (ADMIN_LOGIN, True)])
def test_a_fullwidth_username_shares_the_locked_count(
    client, django_user_model, settings, url, staff
):
    """The issue's scenario: five wrong passwords for `agent`, then fullwidth `agent` (which
    Django's log-in form NFKC-normalises to `agent`) with the right password is refused."""
    settings.LOGIN_FAILURES_PER_USERNAME = 5
    user = django_user_model.objects.create_user("agent", password=PASSWORD, is_staff=staff)
    for _ in range(5):
        assert THROTTLED not in attempt(client, "agent", "wrong", url=url).content.decode()

    response = attempt(client, FULLWIDTH_AGENT, PASSWORD, address="10.0.0.2", url=url)

    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()  # the lockout over: the fullwidth spelling is the same user
    assert attempt(client, FULLWIDTH_AGENT, PASSWORD, url=url).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_look_alike_spellings_count_together(client, agent_user):
    for spelling in [
        "\uff41\uff44\uff41.\uff41\uff47\uff45\uff4e\uff54",
        "ADA.AGENT",
        "ada.agent\u3000",
    ]:
        attempt(client, spelling, "wrong")

    assert attempt(client, "ada.agent", PASSWORD, address="10.0.0.2").status_code == 429
