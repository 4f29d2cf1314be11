"""End to end over real HTTP: a partner using PostGrid's official Python client creates a
webhook and two letters (one certified) on a running shipdesk; the print room batches, prints
and mails them; USPS's IMb feed reports them out for delivery. The client reads every status
PostGrid would show, and the partner's receiver gets every signed `letter.*` webhook."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from postgrid import PostGrid
from rest_framework.test import APIClient

from mailorders.models import Letter
from mailorders.print_selectors import queue_groups
from mailorders.services.print_queue import (
    MailEntry,
    print_batch_create,
    print_batch_mark_mailed,
    print_batch_mark_printed,
)
from shipdesk.audit import Actor
from shipdesk.services import api_key_create
from shipdesk.tests.webhooks.receiver import verify_json_delivery
from tracking.models import Shipment

TOKEN = "feed-token-for-tests"
TO = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address_line1": "145 Mulberry St",
    "city": "New York",
    "province_or_state": "NY",
    "postal_or_zip": "10013",
    "country_code": "US",
}
FROM = {
    "company_name": "Acme Parcels",
    "address_line1": "90 Canal St",
    "city": "Boston",
    "province_or_state": "MA",
    "postal_or_zip": "02114",
    "country_code": "US",
}


@pytest.fixture
def receiver(httpserver):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    return httpserver


def deliveries(receiver, secret: str) -> list[dict]:
    seen = []
    for request, _ in receiver.log:
        body = verify_json_delivery(request.data, request.headers["PostGrid-Signature"], secret)
        seen.append(body)
    return seen


def run_worker() -> None:
    call_command("db_worker", "--batch", verbosity=0)


def test_an_order_from_postgrids_client_is_printed_mailed_tracked_and_delivered(
    live_server, partner, settings, tmp_path, receiver
):
    settings.MEDIA_ROOT = tmp_path
    settings.API_RATE_PER_SECOND = 10_000
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.IMB_FEED_TOKEN = TOKEN
    _, key = api_key_create(partner=partner, name="postgrid client", is_test=False)
    mail = PostGrid(print_mail_api_key=key, base_url=live_server.url, max_retries=0).print_mail

    hook = mail.webhooks.create(
        url=receiver.url_for("/hooks"),
        enabled_events=["letter.created", "letter.updated"],
        payload_format="json",
    )
    plain = mail.letters.create(to=TO, from_=FROM, html="<p>Hello {{to.firstName}}</p>")
    certified = mail.letters.create(
        to={**TO, "postal_or_zip": "60601", "city": "Chicago", "province_or_state": "IL"},
        from_=FROM,
        html="<p>Your contract</p>",
        mailing_class="usps_first_class_certified",
    )
    assert plain.status == certified.status == "ready" and plain.live

    printer = Actor.system("print room")
    batches = [print_batch_create(key=group.key, actor=printer) for group in queue_groups()]
    assert sorted(b.mailing_class for b in batches) == ["first_class", "usps_first_class_certified"]
    for batch in batches:
        print_batch_mark_printed(batch=batch, actor=printer)
    assert {mail.letters.retrieve(i).status for i in (plain.id, certified.id)} == {"printing"}

    entry = MailEntry(entry_date=timezone.localdate(), facility="Boston MA P&DC", zip_code="02205")
    for batch in batches:
        print_batch_mark_mailed(batch=batch, entry=entry, actor=printer)
    mailed = mail.letters.retrieve(certified.id)
    assert mailed.status == "processed_for_delivery"
    (piece,) = next(b for b in batches if b.mailing_class != "first_class").pieces.all()
    assert mailed.tracking_number == piece.tracking_number  # the number printed on the piece
    shipment = Shipment.objects.get(tracking_number=mailed.tracking_number)
    assert shipment.partner == partner and shipment.order_id == certified.id
    assert mail.letters.retrieve(plain.id).tracking_number in (None, "")

    feed = APIClient()
    feed.credentials(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    now = timezone.now()
    scans = [
        {"id": i, "imbStatus": status, "imbDate": when.isoformat(), "imbZIPCode": zip_code}
        for i, zip_code in ((plain.id, "10013"), (certified.id, "60601"))
        for status, when in (
            ("entered_mail_stream", now - timezone.timedelta(hours=20)),
            ("out_for_delivery", now - timezone.timedelta(hours=2)),
        )
    ]
    answer = feed.post("/mail/imb-feed", scans, format="json")
    assert answer.status_code == 200 and answer.json()["applied"] == 4
    for letter_id, zip_code in ((plain.id, "10013"), (certified.id, "60601")):
        done = mail.letters.retrieve(letter_id)
        assert (done.status, done.imb_status, done.imb_zip_code) == (
            "completed",
            "out_for_delivery",
            zip_code,
        )

    run_worker()  # the webhook deliveries, queued as each change committed
    seen = deliveries(receiver, hook.secret)
    for letter_id in (plain.id, certified.id):
        # in the order of the changes (deliveries run in parallel and may arrive in any order)
        mine = sorted(
            (d for d in seen if d["data"]["id"] == letter_id),
            key=lambda d: (d["data"]["updatedAt"], d["type"] != "letter.created"),
        )
        assert mine[0]["type"] == "letter.created"
        statuses = [d["data"]["status"] for d in mine]
        assert statuses[0] == "ready"
        changes = [s for n, s in enumerate(statuses) if n == 0 or s != statuses[n - 1]]
        assert changes == ["ready", "printing", "processed_for_delivery", "completed"]
    certified_events = sorted(
        (d["data"] for d in seen if d["data"]["id"] == certified.id), key=lambda d: d["updatedAt"]
    )
    assert certified_events[-1]["trackingNumber"] == mailed.tracking_number
    assert certified_events[-1]["imbStatus"] == "out_for_delivery"
    assert Letter.objects.filter(status="completed").count() == 2
    assert json.dumps(seen)  # every delivery was JSON the client can read
