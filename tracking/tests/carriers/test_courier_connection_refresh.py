"""A partner's courier connection at work: its shipments are tracked by USPS (a real HTTP server
on 127.0.0.1, conftest's FakeUsps) with its own app's token and hourly budget, everyone else's
with the installation's, and the connection remembers how its asks went."""

import pytest

from shipdesk.audit import SYSTEM
from tracking.carriers import budget
from tracking.carriers.usps.client import app_keys
from tracking.choices import Tag
from tracking.models import CarrierRequest, CourierConnection, Shipment
from tracking.services.courier_connections import connection_create, connection_update
from tracking.services.shipments import shipment_create
from tracking.tests.carriers.conftest import CLIENT_ID, next_impb

pytestmark = pytest.mark.django_db

APP_ID, APP_SECRET = "acme-own-app", "acme-own-secret"


@pytest.fixture(autouse=True)
def usps_settings(settings, fake_usps):
    """Connections call USPS at USPS_BASE_URL: the fake, with no retries."""
    settings.USPS_BASE_URL = fake_usps.base_url
    settings.USPS_TIMEOUT_SECONDS = 5.0
    settings.USPS_MAX_RETRIES = 0
    settings.USPS_REQUESTS_PER_HOUR = 60


def connect(partner, client_id=APP_ID, client_secret=APP_SECRET, **fields):
    return connection_create(
        connection=CourierConnection(partner=partner, courier_slug="usps", **fields),
        credentials={"client_id": client_id, "client_secret": client_secret},
        actor=SYSTEM,
    )


def shipments_of(partner, count):
    return [shipment_create(partner=partner, tracking_number=next_impb()) for _ in range(count)]


def fresh(shipments):
    return list(Shipment.objects.filter(pk__in=[s.pk for s in shipments]).order_by("id"))


def app_budget_key(client_id=APP_ID, client_secret=APP_SECRET, *, base_url):
    return app_keys(base_url, client_id, client_secret)[0]


def test_a_connected_partner_is_tracked_with_its_own_app_and_the_others_with_the_installations(
    fake_usps, usps_carrier, refresh, partner, other_partner
):
    fake_usps.apps[APP_ID] = APP_SECRET
    connection = connect(partner)
    own, others = shipments_of(partner, 3), shipments_of(other_partner, 2)

    report = refresh(usps_carrier)

    assert report.shipments == 5 and report.errors == 0
    sent_by_app = {}
    for seen in fake_usps.tracking_requests:
        sent_by_app.setdefault(fake_usps.app_of(seen), []).extend(seen.numbers)
    assert sorted(sent_by_app[APP_ID]) == sorted(s.tracking_number for s in own)
    assert sorted(sent_by_app[CLIENT_ID]) == sorted(s.tracking_number for s in others)
    assert sorted(s.form["client_id"] for s in fake_usps.token_requests) == sorted(
        [APP_ID, CLIENT_ID]
    )
    for shipment in fresh(own + others):
        assert shipment.tag == Tag.IN_TRANSIT and shipment.last_error == ""
    # Each app's requests count against its own hourly budget.
    key = app_budget_key(base_url=fake_usps.base_url)
    assert CarrierRequest.objects.filter(carrier=key).count() == 2  # token + one batch
    assert CarrierRequest.objects.filter(carrier="usps").count() == 2
    connection.refresh_from_db()
    assert connection.last_success_at is not None and connection.last_error == ""


def test_refused_credentials_are_recorded_on_the_connection_and_its_shipments_only(
    fake_usps, usps_carrier, refresh, partner, other_partner
):
    connection = connect(partner, client_secret="a-wrong-secret")  # USPS does not know it
    own, others = shipments_of(partner, 2), shipments_of(other_partner, 2)

    refresh(usps_carrier)

    connection.refresh_from_db()
    assert "credentials refused" in connection.last_error
    assert "Client credentials invalid" in connection.last_error
    assert connection.last_error_at is not None and connection.last_success_at is None
    for shipment in fresh(own):
        assert "credentials refused" in shipment.last_error
    for shipment in fresh(others):
        assert shipment.tag == Tag.IN_TRANSIT and shipment.last_error == ""
    assert "a-wrong-secret" not in connection.last_error


def test_a_connection_spends_only_its_own_hourly_budget(
    fake_usps, usps_carrier, refresh, partner, other_partner
):
    fake_usps.apps[APP_ID] = APP_SECRET
    connection = connect(partner, requests_per_hour=2)  # the token and one batch of 35
    own, others = shipments_of(partner, 40), shipments_of(other_partner, 3)

    report = refresh(usps_carrier)

    assert report.budget_exhausted
    key = app_budget_key(base_url=fake_usps.base_url)
    assert budget.remaining(carrier=key, per_hour=2) == 0
    tracked = [s for s in fresh(own) if s.tracked_count]
    assert len(tracked) == 35  # the second batch waits for the next hour
    assert all(s.refresh_claimed_until is None for s in fresh(own) if not s.tracked_count)
    connection.refresh_from_db()
    assert "budget spent" in connection.last_error
    # The installation's app was not held back by the partner's quota.
    assert all(s.tracked_count == 1 for s in fresh(others))


def test_new_credentials_take_effect_and_forget_the_old_error(
    fake_usps, usps_carrier, refresh, partner
):
    connection = connect(partner, client_secret="a-wrong-secret")
    shipments = shipments_of(partner, 1)
    refresh(usps_carrier)
    connection.refresh_from_db()
    assert connection.last_error

    fake_usps.apps[APP_ID] = APP_SECRET
    connection_update(
        connection=connection,
        credentials={"client_id": APP_ID, "client_secret": APP_SECRET},
        actor=SYSTEM,
    )
    assert connection.last_error == "" and connection.last_error_at is None
    Shipment.objects.filter(pk=shipments[0].pk).update(next_check_at=shipments[0].created_at)
    refresh(usps_carrier)

    connection.refresh_from_db()
    assert connection.last_error == "" and connection.last_success_at is not None
    assert fresh(shipments)[0].tag == Tag.IN_TRANSIT
    assert fake_usps.app_of(fake_usps.tracking_requests[-1]) == APP_ID


def test_deleting_the_connection_returns_the_partner_to_the_installations_app(
    fake_usps, usps_carrier, refresh, partner
):
    from tracking.services.courier_connections import connection_delete

    connection = connect(partner)
    connection_delete(connection=connection, actor=SYSTEM)
    shipments_of(partner, 2)

    refresh(usps_carrier)

    assert {fake_usps.app_of(s) for s in fake_usps.tracking_requests} == {CLIENT_ID}


def test_credentials_sealed_under_a_lost_secret_key_track_nothing_on_another_app(
    fake_usps, usps_carrier, refresh, partner, other_partner, settings
):
    fake_usps.apps[APP_ID] = APP_SECRET
    connection = connect(partner)
    settings.SECRET_KEY = "another-installation-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = []
    own, others = shipments_of(partner, 2), shipments_of(other_partner, 1)

    refresh(usps_carrier)

    connection.refresh_from_db()
    assert "unreadable" in connection.last_error
    assert all("unreadable" in s.last_error for s in fresh(own))
    sent = fake_usps.numbers_sent()
    assert sorted(sent) == [others[0].tracking_number]


def test_numbers_usps_does_not_know_are_no_fault_of_the_connection(
    fake_usps, usps_carrier, refresh, partner
):
    fake_usps.apps[APP_ID] = APP_SECRET
    connection = connect(partner)
    unknown = shipments_of(partner, 2)
    for shipment in unknown:
        fake_usps.items[shipment.tracking_number] = lambda n: {
            "trackingNumber": n,
            "statusCode": "404",
            "error": {"code": "404", "message": "The tracking number may be incorrect."},
        }

    refresh(usps_carrier)

    assert all("may be incorrect" in s.last_error for s in fresh(unknown))
    connection.refresh_from_db()
    assert connection.last_error == "" and connection.last_success_at is not None
