"""Forwarding over real HTTP to a live PostGrid-compatible provider: shipdesk's own print-mail
API (live_server), another partner's test key acting as the provider account, its signed
webhooks (shipdesk's outbound PostGrid webhooks) coming back to the provider endpoint."""

from __future__ import annotations

import pytest
from postgrid import PostGrid

from mailorders.models import Letter, Postcard, PrintJob, PrintRoute, SelfMailer
from mailorders.print_models import PrintJobState
from mailorders.printhouse import PROVIDER
from mailorders.services.print_provider import provider_forwards_due, provider_orders_poll
from mailorders.tests.conftest import FROM, TO, PostGridClient, ok, url
from shipdesk.services import api_key_create
from shipdesk.webhooks.models import WebhookDelivery, WebhookEvent
from shipdesk.webhooks.services import webhook_create
from shipdesk.webhooks.tasks import webhooks_sweep_once
from tracking.models import Shipment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def upstream(live_server, settings, partner, other_partner):
    """The other partner's account on shipdesk, as the provider `upstream`; its webhook points
    at shipdesk's provider endpoint. Returns the provider's own PostGrid client."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.PRINT_PROVIDER_POLL_INTERVAL_SECONDS = 0
    _, key = api_key_create(partner=other_partner, name="provider account", is_test=True)
    hook = webhook_create(
        partner=other_partner,
        live=False,
        url=f"{live_server.url}/print-mail/provider-webhooks/upstream",
        enabled_events=["letter.created", "letter.updated"],
    )
    settings.PRINT_PROVIDERS = {
        "upstream": {
            "BASE_URL": live_server.url,
            "API_KEY": key,
            "WEBHOOK_SECRET": hook.secret,
            "TIMEOUT_SECONDS": 30,
        }
    }
    PrintRoute.objects.create(partner=partner, house=PROVIDER, provider="upstream")
    return PostGrid(print_mail_api_key=key, base_url=live_server.url, max_retries=0)


@pytest.fixture
def partner_api(partner):
    _, key = api_key_create(partner=partner, name="partner", is_test=True)
    return PostGridClient(key)


def statuses_told(partner, order_id: str) -> list[str]:
    """What the partner's webhooks were told about the order, in order."""
    return [
        e.data["status"]
        for e in WebhookEvent.objects.filter(partner=partner).order_by("id")
        if e.data.get("id") == order_id
    ]


def test_an_order_is_forwarded_and_followed_to_completed_by_webhooks_and_polls(
    upstream, partner, other_partner, partner_api
):
    mine = ok(
        partner_api.post(
            url("letters"),
            {
                "to": TO,
                "from": FROM,
                "html": "<p>Your certificate</p>",
                "mailingClass": "usps_first_class_certified",
            },
        )
    )
    job = PrintJob.objects.get(order_id=mine["id"])
    theirs = Letter.objects.get(partner=other_partner)  # the provider's copy
    assert (job.state, job.provider, job.external_id) == ("submitted", "upstream", theirs.id)
    assert theirs.metadata == {"shipdeskOrderId": mine["id"]}
    assert theirs.mailing_class == "usps_first_class_certified" and theirs.page_count == 1
    assert theirs.to.name == "Ada Lovelace" and theirs.from_contact.company_name == "Acme Parcels"

    printer = upstream.print_mail.letters
    printer.progress(theirs.id)  # printing, told by the provider's signed webhook
    webhooks_sweep_once()
    assert WebhookDelivery.objects.filter(status="delivered").count() == 2  # created, updated
    assert Letter.objects.get(pk=mine["id"]).status == "printing"

    processed = printer.progress(theirs.id)  # no webhook sent yet: the poll finds it
    assert provider_orders_poll().as_dict() == {"polled": 1, "changed": 1, "errors": 0}
    letter = Letter.objects.get(pk=mine["id"])
    assert letter.status == "processed_for_delivery"
    assert letter.tracking_number == processed.tracking_number  # the number on the piece
    assert Shipment.objects.get(partner=partner, tracking_number=processed.tracking_number)

    printer.progress(theirs.id)
    webhooks_sweep_once()  # the late webhook of processing, and completed
    assert Letter.objects.get(pk=mine["id"]).status == "completed"
    job.refresh_from_db()
    assert job.external_status == "completed"
    assert provider_orders_poll().polled == 0  # nothing left to follow
    # Every step told once to the partner, whichever way it came.
    assert statuses_told(partner, mine["id"]) == [
        "ready",
        "printing",
        "processed_for_delivery",
        "completed",
    ]
    assert Letter.objects.filter(partner=other_partner).count() == 1


def test_a_create_sent_again_reaches_the_provider_once(upstream, other_partner, partner_api):
    mine = ok(partner_api.post(url("letters"), {"to": TO, "from": FROM, "html": "<p>x</p>"}))
    job = PrintJob.objects.get(order_id=mine["id"])
    # A worker that died after the call: the job is pending again, the same key is sent.
    PrintJob.objects.filter(pk=job.pk).update(state=PrintJobState.PENDING, next_attempt_at=None)
    assert provider_forwards_due() == 1
    job.refresh_from_db()
    assert job.state == "submitted" and job.attempts == 2
    assert Letter.objects.filter(partner=other_partner).count() == 1


def test_a_cancel_is_withdrawn_at_the_provider(upstream, other_partner, partner_api):
    mine = ok(partner_api.post(url("letters"), {"to": TO, "from": FROM, "html": "<p>x</p>"}))
    cancelled = ok(partner_api.delete(url("letters", mine["id"])))
    assert cancelled["status"] == "cancelled"
    assert Letter.objects.get(partner=other_partner).status == "cancelled"


def test_postcards_and_self_mailers_are_forwarded_at_their_size(
    upstream, other_partner, partner_api
):
    card = ok(
        partner_api.post(
            url("postcards"),
            {"to": TO, "frontHTML": "<h1>Hi</h1>", "backHTML": "<p>Back</p>", "size": "9x6"},
        )
    )
    mailer = ok(
        partner_api.post(
            url("self_mailers"),
            {
                "to": TO,
                "from": FROM,
                "insideHTML": "<p>In</p>",
                "outsideHTML": "<p>Out</p>",
                "size": "8.5x11_trifold",
            },
        )
    )
    their_card = Postcard.objects.get(partner=other_partner)
    their_mailer = SelfMailer.objects.get(partner=other_partner)
    assert (their_card.size, their_card.page_count) == ("9x6", 2)
    assert their_card.metadata == {"shipdeskOrderId": card["id"]}
    assert (their_mailer.size, their_mailer.page_count) == ("8.5x11_trifold", 2)
    assert PrintJob.objects.get(order_id=mailer["id"]).external_id == their_mailer.id
