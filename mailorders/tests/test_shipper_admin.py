"""Live USPS shipper accounts in admin: write-only credentials, and "Check credentials" asking
the fake USPS server (over HTTP) and saying plainly what is wrong."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from mailorders.models import ShipperAccount
from mailorders.services.usps_credentials import account_credentials
from shipdesk.audit import SYSTEM
from tracking.carriers.usps.fake import CLIENT_ID, CLIENT_SECRET
from tracking.carriers.usps.fake.fixtures import usps_server  # noqa: F401
from tracking.models import CourierConnection
from tracking.services.courier_connections import connection_create

pytestmark = pytest.mark.django_db

ADMIN = "/admin/mailorders/shipperaccount/"


@pytest.fixture(autouse=True)
def _usps_settings(settings, usps_server):  # noqa: F811
    settings.USPS_TEST_BASE_URL = usps_server.url
    settings.USPS_CLIENT_ID = ""
    settings.USPS_CLIENT_SECRET = ""
    settings.USPS_TIMEOUT_SECONDS = 2.0
    settings.USPS_MAX_RETRIES = 0


@pytest.fixture
def fake(usps_server):  # noqa: F811
    return usps_server.fake


def form(partner, **overrides) -> dict:
    data = {
        "partner": partner.pk,
        "description": "USPS Ship",
        "usps_environment": "test",
        "mailer_id": "904128936",
        "crid": "56982563",
        "manifest_mid": "904128937",
        "eps_account": "1000000001",
        "credentials_ref": "",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    return {**data, **overrides}


@pytest.fixture
def live(partner, manager_client):
    response = manager_client.post(ADMIN + "add/", form(partner), follow=True)
    assert response.redirect_chain, response.content  # saved (its message read and gone)
    return ShipperAccount.objects.get()


def check(manager_client, account) -> list[tuple[str, str]]:
    list(get_messages(manager_client.get(ADMIN).wsgi_request))  # earlier saves' messages read
    response = manager_client.post(
        ADMIN, {"action": "check_credentials", "_selected_action": [account.pk]}, follow=True
    )
    assert response.status_code == 200
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_saved_credentials_are_sealed_and_never_shown_again(
    live, manager_client, django_assert_max_num_queries
):
    assert CLIENT_SECRET not in live.client_secret_sealed
    assert CLIENT_ID not in live.client_id_sealed
    assert account_credentials(live).client_secret == CLIENT_SECRET

    with django_assert_max_num_queries(10):
        page = manager_client.get(f"{ADMIN}{live.pk}/change/").content.decode()
    assert CLIENT_SECRET not in page and CLIENT_ID not in page
    assert "set (stored on the account)" in page
    assert 'placeholder="set (leave blank to keep)"' in page

    # Saved again with the boxes left blank: the stored key and secret stay.
    sealed = live.client_secret_sealed
    response = manager_client.post(
        f"{ADMIN}{live.pk}/change/",
        form(live.partner, description="USPS Ship (main)", client_id="", client_secret=""),
    )
    assert response.status_code == 302, response.content
    live.refresh_from_db()
    assert live.description == "USPS Ship (main)"
    assert live.client_secret_sealed == sealed
    assert account_credentials(live).client_id == CLIENT_ID


def test_a_key_without_its_secret_is_refused_on_the_form(partner, manager_client):
    response = manager_client.post(ADMIN + "add/", form(partner, client_secret=""))
    assert response.status_code == 200
    assert "Enter the consumer key and the consumer secret together." in response.content.decode()
    assert not ShipperAccount.objects.exists()


def test_the_stored_credentials_can_be_forgotten(live, manager_client, settings):
    settings.USPS_CLIENT_ID, settings.USPS_CLIENT_SECRET = "from-settings", "settings-secret"
    response = manager_client.post(
        f"{ADMIN}{live.pk}/change/",
        form(live.partner, client_id="", client_secret="", clear_credentials="on"),
    )
    assert response.status_code == 302, response.content
    live.refresh_from_db()
    assert live.client_id_sealed == live.client_secret_sealed == ""
    assert account_credentials(live).client_id == "from-settings"


def test_check_credentials_says_the_account_works(live, manager_client, fake):
    [(level, message)] = check(manager_client, live)
    assert level == "success", message
    assert "works" in message and "CRID 56982563" in message
    assert "USPS's test environment" in message
    assert len(fake.calls_of("token")) == 1 and len(fake.calls_of("payments")) == 1
    roles = fake.calls_of("payments")[0].body["roles"]
    assert {r["roleName"] for r in roles} == {"PAYER", "LABEL_OWNER"}


def test_a_wrong_secret_is_named_with_usps_words_and_changes_nothing(live, manager_client, fake):
    response = manager_client.post(
        f"{ADMIN}{live.pk}/change/", form(live.partner, client_secret="not-the-secret")
    )
    assert response.status_code == 302
    live.refresh_from_db()
    before = ShipperAccount.objects.values().get(pk=live.pk)

    [(level, message)] = check(manager_client, live)
    assert level == "error"
    assert "USPS refused the consumer key and secret" in message
    assert "Client credentials invalid" in message  # USPS's own words
    assert not fake.calls_of("payments")
    assert ShipperAccount.objects.values().get(pk=live.pk) == before


def test_missing_crid_and_mid_are_named_before_usps_is_asked_to_pay(live, manager_client, fake):
    ShipperAccount.objects.filter(pk=live.pk).update(crid="", manifest_mid="")
    [(level, message)] = check(manager_client, ShipperAccount.objects.get(pk=live.pk))
    assert level == "error"
    assert "has no CRID, manifest MID" in message
    assert not fake.calls_of("payments")


def test_a_crid_not_enrolled_passes_usps_message_on(live, manager_client, fake):
    fake.not_enrolled_crids.add("56982563")
    [(level, message)] = check(manager_client, live)
    assert level == "error"
    assert "refused the payment authorization for CRID 56982563" in message
    assert "Must be enrolled in USPS Ship Outbound in order to create labels" in message


def test_an_app_without_the_payments_scope_is_told_so(live, manager_client, fake):
    fake.scopes = "addresses prices labels tracking"
    [(level, message)] = check(manager_client, live)
    assert level == "error"
    assert "HTTP 401" in message and "payments scope" in message


def test_no_credentials_anywhere_names_the_settings(partner, manager_client, fake):
    response = manager_client.post(
        ADMIN + "add/", form(partner, client_id="", client_secret="", credentials_ref="ACME")
    )
    assert response.status_code == 302
    [(level, message)] = check(manager_client, ShipperAccount.objects.get())
    assert level == "error"
    assert "ACME_CLIENT_ID and ACME_CLIENT_SECRET are not set" in message
    assert not fake.calls


def test_a_sandbox_account_needs_no_credentials(partner, manager_client, fake):
    account = ShipperAccount.objects.create(partner=partner, description="USPS Sandbox")
    [(level, message)] = check(manager_client, account)
    assert level == "success" and "sandbox account" in message
    assert not fake.calls


def test_a_live_account_saved_without_its_crid_is_warned(partner, manager_client):
    response = manager_client.post(
        ADMIN + "add/", form(partner, crid="", eps_account=""), follow=True
    )
    messages = [m.message for m in get_messages(response.wsgi_request)]
    assert any("cannot buy USPS labels until it has its CRID, EPS account" in m for m in messages)


def test_credentials_stay_readable_through_a_key_rotation_with_fallbacks(
    live, manager_client, manager_user, settings, fake
):
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert account_credentials(live).client_secret == CLIENT_SECRET

    settings.SECRET_KEY_FALLBACKS = []
    manager_client.force_login(manager_user)  # the session was signed with the old key too
    [(level, message)] = check(manager_client, live)
    assert level == "error"
    assert "cannot be read with this SECRET_KEY: enter them again" in message
    assert not fake.calls_of("payments")


def test_the_account_list_reads_a_fixed_number_of_queries(
    partner, other_partner, manager_client, django_assert_max_num_queries
):
    for owner in (partner, other_partner) * 3:
        ShipperAccount.objects.create(partner=owner, description="USPS", sandbox=False)
    with django_assert_max_num_queries(9):
        page = manager_client.get(ADMIN).content.decode()
    assert page.count("not set here (the settings USPS_CLIENT_ID") == 6


def test_the_account_page_checks_its_credentials(live, manager_client, fake):
    page = manager_client.get(f"{ADMIN}{live.pk}/change/").content.decode()
    check_url = f"{ADMIN}{live.pk}/check-credentials/"
    assert f'action="{check_url}"' in page
    assert manager_client.get(check_url).status_code == 405  # asking USPS is a POST
    response = manager_client.post(check_url, follow=True)
    assert response.redirect_chain[-1][0] == f"{ADMIN}{live.pk}/change/"
    [message] = [m.message for m in get_messages(response.wsgi_request)]
    assert "works" in message
    assert len(fake.calls_of("payments")) == 1


def test_staff_outside_the_managers_cannot_check(live, client, django_user_model, fake):
    clerk = django_user_model.objects.create_user("sam.staff", is_staff=True)
    client.force_login(clerk)
    assert client.post(f"{ADMIN}{live.pk}/check-credentials/").status_code == 403
    assert not fake.calls


def test_an_account_without_credentials_says_it_uses_the_partners_courier_connection(
    manager_client, partner
):
    account = ShipperAccount.objects.create(partner=partner, description="USPS Ship")
    made = connection_create(
        connection=CourierConnection(partner=partner, courier_slug="usps"),
        credentials={"client_id": "acme-own-app", "client_secret": "acme-own-secret"},
        actor=SYSTEM,
    )

    page = manager_client.get(f"{ADMIN}{account.pk}/change/").content.decode()

    assert f"the partner&#x27;s USPS courier connection {made.public_id}" in page
    assert "acme-own-secret" not in page
