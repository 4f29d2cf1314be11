"""Webhooks in the admin: health flag and notice, secret once, refused targets, Enable again…,
Replay… (confirmed first, audited, the same bytes)."""

import re

from django.utils import timezone

from shipdesk.models import AuditEvent
from shipdesk.webhooks.delivery import deliveries_attempt, events_fan_out
from shipdesk.webhooks.models import Webhook, WebhookDelivery, WebhookEvent

CHANGELIST = "/admin/shipdesk/webhook/"
DELIVERIES = "/admin/shipdesk/webhookdelivery/"


def test_the_list_flags_an_endpoint_disabled_after_failures(
    admin_client, make_webhook, django_assert_max_num_queries
):
    make_webhook(url="http://127.0.0.1:9/fine")
    broken = make_webhook(
        url="http://127.0.0.1:9/broken",
        enabled=False,
        disabled_at=timezone.now(),
        disabled_reason="Disabled by shipdesk after 10 failed deliveries in a row.",
        consecutive_failures=10,
    )

    with django_assert_max_num_queries(12):
        page = admin_client.get(CHANGELIST).content.decode()

    assert "⚠ Disabled after failures" in page
    assert f"Disabled after failing in a row: {broken.public_id}" in page
    detail = admin_client.get(f"{CHANGELIST}{broken.pk}/change/").content.decode()
    assert "10 failed deliveries in a row" in detail


def test_a_webhook_added_in_admin_shows_its_secret_once(admin_client, partner):
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {
            "partner": partner.pk,
            "url": "http://127.0.0.1:9/hook",
            "enabled_events": ["letter.created", "tracking.updated"],
            "payload_format": "json",
            "description": "Order system",
        },
        follow=True,
    )

    webhook = Webhook.objects.get()
    assert webhook.enabled_events == ["letter.created", "tracking.updated"]
    assert webhook.secret in response.content.decode()
    change_page = admin_client.get(f"{CHANGELIST}{webhook.pk}/change/").content.decode()
    assert webhook.secret not in change_page
    assert webhook.secret[:19] + "…" in change_page
    assert AuditEvent.objects.filter(action="webhook.create").exists()


def test_a_private_target_is_refused_in_admin(admin_client, partner, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {
            "partner": partner.pk,
            "url": "http://10.0.0.8/hook",
            "enabled_events": ["letter.created"],
        },
    )

    assert response.status_code == 200
    assert "loopback or private network" in response.content.decode()
    assert not Webhook.objects.exists()


def test_enable_again_asks_first_then_resumes(admin_client, make_webhook):
    webhook = make_webhook(enabled=False, disabled_at=timezone.now(), consecutive_failures=10)
    chosen = {"action": "enable_again", "_selected_action": [webhook.pk]}

    confirm = admin_client.post(CHANGELIST, chosen)
    assert "Enable 1 again" in confirm.content.decode()
    webhook.refresh_from_db()
    assert not webhook.enabled  # nothing changed yet

    admin_client.post(CHANGELIST, {**chosen, "apply": "yes"})

    webhook.refresh_from_db()
    assert (webhook.enabled, webhook.consecutive_failures, webhook.disabled_at) == (True, 0, None)
    assert AuditEvent.objects.get(action="webhook.enable").actor_label == "admin"


def test_replay_asks_first_then_sends_the_same_bytes(
    admin_client, partner, make_webhook, httpserver
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_webhook(httpserver.url_for("/hook"), payload_format="json")
    event = WebhookEvent.objects.create(partner=partner, type="letter.created", data={"id": "x"})
    deliveries_attempt(deliveries=events_fan_out(event_ids=[event.pk]))
    delivery = WebhookDelivery.objects.get()
    chosen = {"action": "replay", "_selected_action": [delivery.pk]}

    confirm = admin_client.post(DELIVERIES, chosen).content.decode()
    assert "Replay 1" in confirm and event.public_id in confirm
    assert len(httpserver.log) == 1

    done = admin_client.post(DELIVERIES, {**chosen, "apply": "yes"}, follow=True)

    assert "1 accepted" in done.content.decode()
    (first, _), (again, _) = httpserver.log
    assert again.get_data() == first.get_data()
    assert again.headers["PostGrid-Signature"] == first.headers["PostGrid-Signature"]
    assert delivery.invocations.filter(replay=True).count() == 1
    assert AuditEvent.objects.filter(action="webhook.replay").count() == 1
    page = admin_client.get(f"{DELIVERIES}{delivery.pk}/change/").content.decode()
    assert re.search(r"&quot;id&quot;:&quot;" + event.public_id, page)
    assert 'name="_save"' not in page
