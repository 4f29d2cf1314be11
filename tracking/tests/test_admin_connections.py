"""Courier connections in admin: Managers add and correct a partner's USPS app with write-only
credentials (sealed, audited, never shown), and read its health and what is left of its quota."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from shipdesk.audit import SYSTEM, audit_for
from shipdesk.sealing import unseal
from shipdesk.services import partner_get_or_create
from tracking.carriers import budget
from tracking.carriers.usps.client import app_keys
from tracking.models import CourierConnection
from tracking.services.courier_connections import connection_create, connection_outcome

pytestmark = pytest.mark.django_db

ADMIN = "/admin/tracking/courierconnection/"


@pytest.fixture
def connection(partner):
    return connection_create(
        connection=CourierConnection(partner=partner, courier_slug="usps", requests_per_hour=10),
        credentials={"client_id": "acme-own-app", "client_secret": "acme-own-secret"},
        actor=SYSTEM,
    )


def test_a_manager_adds_a_connection_whose_secret_is_sealed_and_audited(manager_client, partner):
    response = manager_client.post(
        f"{ADMIN}add/",
        {
            "partner": partner.pk,
            "courier_slug": "usps",
            "client_id": "acme-own-app",
            "client_secret": "acme-own-secret",
            "requests_per_hour": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    made = CourierConnection.objects.get()
    assert "acme-own-secret" not in made.client_secret_sealed
    assert unseal(made.client_secret_sealed) == "acme-own-secret"
    actions = [(e.action, e.actor_label) for e in audit_for(made)]
    assert actions == [("courier_connection.create", "max.manager")]


def test_adding_needs_both_credentials_and_one_connection_per_courier(
    manager_client, partner, connection
):
    response = manager_client.post(
        f"{ADMIN}add/",
        {"partner": partner.pk, "courier_slug": "usps", "client_id": "x", "client_secret": ""},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "client_secret" in errors and "__all__" in errors  # blank secret; one per courier
    assert CourierConnection.objects.count() == 1


def test_the_change_page_never_shows_the_credentials_and_tells_health_and_quota(
    manager_client, connection, settings
):
    budget_key, _ = app_keys(settings.USPS_BASE_URL, "acme-own-app", "acme-own-secret")
    budget.take_slots(carrier=budget_key, per_hour=10, kinds=["token", "tracking", "tracking"])
    connection_outcome(connection, error="USPS token request failed: credentials refused")

    page = manager_client.get(f"{ADMIN}{connection.pk}/change/").content.decode()

    assert "acme-own-secret" not in page and "acme-own-app" not in page
    assert "set (leave blank to keep)" in page
    assert "7 of 10" in page
    assert "failing" in page and "credentials refused" in page


def test_saving_without_new_credentials_keeps_them_and_new_ones_are_sealed(
    manager_client, connection
):
    url = f"{ADMIN}{connection.pk}/change/"
    kept = connection.client_secret_sealed

    manager_client.post(url, {"requests_per_hour": "30", "client_id": "", "client_secret": ""})
    connection.refresh_from_db()
    assert connection.requests_per_hour == 30 and connection.client_secret_sealed == kept

    manager_client.post(
        url, {"requests_per_hour": "30", "client_id": "new-app", "client_secret": "new-secret"}
    )
    connection.refresh_from_db()
    assert unseal(connection.client_secret_sealed) == "new-secret"
    assert audit_for(connection).first().action == "courier_connection.update"


def test_an_agent_cannot_open_connections(agent_client, connection):
    assert agent_client.get(ADMIN).status_code in (302, 403)


def test_the_list_reads_the_same_number_of_queries_however_many_connections(
    manager_client, connection
):
    def queries() -> int:
        with CaptureQueriesContext(db) as seen:
            assert manager_client.get(ADMIN).status_code == 200
        return len(seen)

    one = queries()
    for name in ("Initech", "Umbrella Post", "Hooli Freight"):
        connection_create(
            connection=CourierConnection(partner=partner_get_or_create(name=name)),
            credentials={"client_id": f"{name}-app", "client_secret": "s"},
            actor=SYSTEM,
        )
    assert queries() == one
