"""`POST /print-mail/provider-webhooks/<provider>`: a provider's signed webhooks move the order
it is about; a bad, stale or replayed one changes nothing."""

from __future__ import annotations

import time

import jwt
import pytest
from rest_framework.test import APIClient

from mailorders.models import Letter, PrintJob
from mailorders.print_models import PrintJobState
from mailorders.tests.conftest import PROVIDER_WEBHOOK_SECRET as SECRET
from mailorders.tests.conftest import error, ok
from shipdesk.webhooks.models import WebhookEvent
from shipdesk.webhooks.signing import compact_json, signature_header

OTHER_SECRET = "webhook_secret_someone_else_0123456789abcdef"
ENDPOINT = "/print-mail/provider-webhooks/fake"


def signed(body: bytes, *, secret: str = SECRET, age_seconds: float = 0) -> dict:
    stamp = int((time.time() - age_seconds) * 1000)
    return {
        "HTTP_POSTGRID_SIGNATURE": signature_header(secret=secret, body=body, timestamp_ms=stamp)
    }


def event(job: PrintJob, **data) -> dict:
    return {
        "id": "event_abc",
        "object": "event",
        "type": "letter.updated",
        "live": False,
        "data": {"id": job.external_id, "object": "letter", **data},
    }


def post(body: bytes, **headers):
    return APIClient().post(ENDPOINT, body, content_type="application/json", **headers)


@pytest.fixture
def job(fake_provider, forwarded) -> PrintJob:
    job = forwarded()
    job.refresh_from_db()
    assert job.state == PrintJobState.SUBMITTED
    return job


def updates(order_id: str) -> list[str]:
    return [
        e.data["status"]
        for e in WebhookEvent.objects.filter(type="letter.updated").order_by("id")
        if e.data["id"] == order_id
    ]


def test_a_signed_json_webhook_moves_the_order_step_by_step(job):
    body = compact_json(event(job, status="processed_for_delivery"))
    answer = ok(post(body, **signed(body)))
    assert answer == {"received": True, "type": "letter.updated", "changed": True}
    assert Letter.objects.get(pk=job.order_id).status == "processed_for_delivery"
    # The partner hears each step, as from shipdesk's own print room.
    assert updates(job.order_id) == ["printing", "processed_for_delivery"]
    job.refresh_from_db()
    assert job.external_status == "processed_for_delivery"


def test_a_jwt_webhook_with_an_imb_scan(job):
    claims = event(
        job,
        status="completed",
        imbStatus="entered_mail_stream",
        imbDate="2026-12-02T10:00:00Z",
        imbZIPCode="10013",
    ) | {"iat": int(time.time())}
    body = compact_json({"payload": jwt.encode(claims, SECRET, "HS256")})
    assert ok(post(body, **signed(body)))["changed"] is True
    letter = Letter.objects.get(pk=job.order_id)
    assert (letter.status, letter.imb_status, letter.imb_zip_code) == (
        "completed",
        "entered_mail_stream",
        "10013",
    )


def test_a_replayed_webhook_changes_nothing(job):
    body = compact_json(event(job, status="printing"))
    headers = signed(body)
    assert ok(post(body, **headers))["changed"] is True
    events = WebhookEvent.objects.count()
    assert ok(post(body, **headers))["changed"] is False  # the same request again
    older = compact_json(event(job, status="ready"))
    assert ok(post(older, **signed(older)))["changed"] is False  # late news
    assert Letter.objects.get(pk=job.order_id).status == "printing"
    assert WebhookEvent.objects.count() == events


@pytest.mark.parametrize(
    "headers, says",
    [
        ({}, "PostGrid-Signature is missing"),
        ({"HTTP_POSTGRID_SIGNATURE": "t=1,v2=abc"}, "PostGrid-Signature is missing"),
        ("wrong secret", "does not match"),
        ("stale", "stale or replayed"),
        ("future", "dated in the future"),
        ("other body", "does not match"),
    ],
)
def test_a_webhook_not_signed_by_the_provider_is_refused_and_changes_nothing(
    job, settings, headers, says
):
    body = compact_json(event(job, status="completed"))
    if headers == "wrong secret":
        headers = signed(body, secret=OTHER_SECRET)
    elif headers == "stale":
        headers = signed(body, age_seconds=settings.PRINT_PROVIDER_WEBHOOK_TOLERANCE_SECONDS + 5)
    elif headers == "future":
        headers = signed(body, age_seconds=-3600)
    elif headers == "other body":
        headers = signed(compact_json(event(job, status="printing")))
    err = error(post(body, **headers), 401, field="PostGrid-Signature")
    assert says in err["message"], err
    assert Letter.objects.get(pk=job.order_id).status == "ready"
    assert updates(job.order_id) == []


def test_a_jwt_signed_with_another_secret_is_refused(job):
    token = jwt.encode(event(job, status="completed"), OTHER_SECRET, "HS256")
    body = compact_json({"payload": token})
    err = error(post(body, **signed(body)), 401, field="payload")
    assert "the JWT does not verify" in err["message"]
    assert Letter.objects.get(pk=job.order_id).status == "ready"


def test_unknown_provider_bad_json_and_foreign_orders(job):
    body = compact_json(event(job, status="printing"))
    err = error(
        APIClient().post(
            "/print-mail/provider-webhooks/nobody", body, content_type="application/json"
        ),
        404,
    )
    assert "No print-mail provider `nobody`" in err["message"]
    assert "not JSON" in error(post(b"{nope", **signed(b"{nope")), 400)["message"]
    no_id = compact_json({"type": "letter.updated", "data": {"status": "printing"}})
    error(post(no_id, **signed(no_id)), 400, field="data")
    # An order shipdesk did not forward, and an event about something else: acknowledged.
    stranger = compact_json({"type": "letter.updated", "data": {"id": "letter_x", "status": "x"}})
    assert ok(post(stranger, **signed(stranger)))["changed"] is False
    other = compact_json({"type": "tracking.updated", "data": {"id": "trk"}})
    assert ok(post(other, **signed(other)))["type"] == "tracking.updated"
    assert Letter.objects.get(pk=job.order_id).status == "ready"


def test_a_webhook_before_the_creates_answer_finds_the_order_by_its_metadata(job):
    PrintJob.objects.filter(pk=job.pk).update(external_id="")
    data = event(job, status="printing")
    data["data"]["metadata"] = {"shipdeskOrderId": job.order_id}
    body = compact_json(data)
    assert ok(post(body, **signed(body)))["changed"] is True
    job.refresh_from_db()
    assert job.external_id and Letter.objects.get(pk=job.order_id).status == "printing"
