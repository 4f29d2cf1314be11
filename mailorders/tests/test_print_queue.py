"""The in-house print queue's services: orders made through the PostGrid API are batched in ZIP
order, printed, mailed and scanned, each step moving every order through PostGrid's statuses
with its webhook event and audit record, a batch's change all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mailorders.choices import IMbStatus, OrderStatus
from mailorders.imb_barcode import imb_decode, imb_encode
from mailorders.models import PrintJob, PrintRoute
from mailorders.print_models import BatchStatus, PieceState, PrintJobState
from mailorders.print_selectors import batch_key_of, queue_groups
from mailorders.printhouse import IN_HOUSE, PROVIDER, printhouse_key_for
from mailorders.services.common import MailOrderError
from mailorders.services.imb import IMbScan, imb_scans_apply
from mailorders.services.print_queue import (
    MailEntry,
    piece_mark_failed,
    piece_mark_reprinted,
    print_batch_create,
    print_batch_mark_mailed,
    print_batch_mark_printed,
)
from mailorders.tests.conftest import ok, url
from mailorders.tests.print_support import (
    batch_of,
    make_letter,
    make_postcard,
    order,
)
from shipdesk.audit import SYSTEM, audit_for
from shipdesk.webhooks.models import WebhookEvent
from tracking.models import Shipment

pytestmark = pytest.mark.django_db


def entry(**overrides) -> MailEntry:
    return MailEntry(
        **{
            "entry_date": timezone.localdate(),
            "facility": "New York NY P&DC",
            "zip_code": "10199",
            **overrides,
        }
    )


def statuses_sent(order_id: str) -> list[str]:
    events = WebhookEvent.objects.filter(data__id=order_id).order_by("created_at", "id")
    return [event.data["status"] for event in events if event.type.endswith(".updated")]


def test_the_imb_encoder_matches_uspss_own_example_and_reads_back():
    # USPS-B-3200's example: tracking 01 234 567094 987654321, routing 01234-5678-91.
    bars = imb_encode("01234567094987654321", "01234567891")
    assert bars == "AADTFFDFTDADTAADAATFDTDDAAADDTDTTDAFADADDDTFFFDDTTTADFAAADFTDAADA"
    for routing in ("", "10013", "100131234", "10013123401"):
        fields = imb_decode(imb_encode("00270900000001000003", routing))
        assert (fields.tracking, fields.routing) == ("00270900000001000003", routing)


def test_a_new_order_goes_to_the_in_house_queue_unless_routed_elsewhere(api, partner):
    letter = make_letter(api, "10013")
    job = PrintJob.objects.get(order_id=letter["id"])
    assert (job.house, job.object_type) == (IN_HOUSE, "letter")
    PrintRoute.objects.create(partner=partner, mailing_class="certified", house=PROVIDER)
    assert printhouse_key_for(partner=partner, mailing_class="certified") == PROVIDER
    assert printhouse_key_for(partner=partner, mailing_class="first_class") == IN_HOUSE
    (group,) = queue_groups()
    assert group.count == 1 and group.key.object_type == "letter" and not group.key.live


def test_submitting_takes_the_job(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter = make_letter(api, "10013")
    assert PrintJob.objects.get(order_id=letter["id"]).state == PrintJobState.SUBMITTED


def test_batches_group_by_kind_and_sort_by_zip(api):
    for zip_code in ("94105", "10013", "60601"):
        make_letter(api, zip_code)
    make_letter(api, "02114", color=True)
    make_postcard(api, "30301")
    keys = {(g.key.object_type, g.key.color): g.count for g in queue_groups()}
    assert keys == {("letter", False): 3, ("letter", True): 1, ("postcard", False): 1}

    batch = batch_of("letter", color=False)
    pieces = list(batch.pieces.order_by("sequence"))
    assert [p.zip_code for p in pieces] == ["10013", "60601", "94105"]
    assert [p.sequence for p in pieces] == [1, 2, 3]
    for piece in pieces:  # the IMb: barcode id 00, STID 270, the Mailer ID, a serial, the ZIP
        assert piece.imb.startswith("00270900000001") and piece.imb.endswith(piece.zip_code)
        assert imb_decode(imb_encode(piece.imb[:20], piece.imb[20:])).routing == piece.zip_code
    assert len({p.imb for p in pieces}) == 3
    assert {(g.key.object_type, g.key.color) for g in queue_groups()} == {
        ("letter", True),
        ("postcard", False),
    }
    assert audit_for(batch).filter(action="print_batch.create").count() == 1
    with pytest.raises(MailOrderError, match="No order of this kind"):
        print_batch_create(key=batch_key_of(batch), actor=SYSTEM)


def test_a_future_send_date_waits(api):
    later = (timezone.now() + timedelta(days=2)).isoformat()
    make_letter(api, "10013", sendDate=later)
    assert queue_groups() == []


def test_printed_then_mailed_moves_every_order_and_sends_its_webhooks(api, order_webhook):
    plain = make_letter(api, "10013")
    certified = make_letter(api, "60601", mailingClass="certified")
    batch_plain, batch_certified = (
        batch_of(mailing_class="first_class"),
        batch_of(mailing_class="certified"),
    )
    for batch in (batch_plain, batch_certified):
        assert print_batch_mark_printed(batch=batch, actor=SYSTEM).status == BatchStatus.PRINTED
    assert order(plain).status == order(certified).status == OrderStatus.PRINTING
    assert set(batch_plain.pieces.values_list("state", flat=True)) == {PieceState.PRINTED}

    for batch in (batch_plain, batch_certified):
        mailed = print_batch_mark_mailed(batch=batch, entry=entry(), actor=SYSTEM)
        assert (mailed.status, mailed.entry_facility, mailed.entry_zip_code) == (
            BatchStatus.MAILED,
            "New York NY P&DC",
            "10199",
        )
    assert order(plain).status == OrderStatus.PROCESSED_FOR_DELIVERY
    assert order(plain).tracking_number == ""
    tracked = order(certified)
    piece = batch_certified.pieces.get()
    assert tracked.tracking_number == piece.tracking_number  # the number printed on the piece
    shipment = Shipment.objects.get(tracking_number=piece.tracking_number)
    assert tracked.shipment_id == shipment.pk and shipment.order_id == tracked.id

    for data in (plain, certified):
        assert statuses_sent(data["id"]) == ["printing", "processed_for_delivery"]
    actions = set(audit_for(batch_certified).values_list("action", flat=True))
    assert {"print_batch.create", "print_batch.printed", "print_batch.mailed"} <= actions
    assert audit_for(tracked).filter(action="letter.progress").count() == 2

    # IMb scans move the pieces on: entered the mail stream, then out for delivery: completed.
    now = timezone.now()
    imb_scans_apply(
        scans=[IMbScan(plain["id"], IMbStatus.ENTERED_MAIL_STREAM, now - timedelta(hours=5))]
    )
    assert order(plain).status == OrderStatus.PROCESSED_FOR_DELIVERY
    imb_scans_apply(scans=[IMbScan(plain["id"], IMbStatus.OUT_FOR_DELIVERY, now, "10013")])
    done = order(plain)
    assert (done.status, done.imb_status, done.imb_zip_code) == (
        "completed",
        "out_for_delivery",
        "10013",
    )
    assert statuses_sent(plain["id"]) == [
        "printing",
        "processed_for_delivery",
        "processed_for_delivery",
        "completed",
    ]


def test_a_cancelled_order_is_pulled_from_an_unprinted_batch(api):
    kept, cancelled = make_letter(api, "10013"), make_letter(api, "60601")
    batch = batch_of()
    batch.pdf_state = "ready"
    batch.save()
    ok(api.delete(url("letters", cancelled["id"])))
    piece = batch.pieces.get(order_id=cancelled["id"])
    assert piece.state == PieceState.PULLED
    batch.refresh_from_db()
    assert batch.pdf_state == ""  # the file had the piece: it must be made again
    print_batch_mark_printed(batch=batch, actor=SYSTEM)
    assert order(kept).status == OrderStatus.PRINTING
    assert order(cancelled).status == OrderStatus.CANCELLED
    assert audit_for(batch).filter(action="print_batch.pull").count() == 1
    # the pulled order could be queued again only if it were ready; it is not
    assert queue_groups() == []


def test_a_printed_order_cannot_be_cancelled(api):
    letter = make_letter(api, "10013")
    print_batch_mark_printed(batch=batch_of(), actor=SYSTEM)
    response = api.delete(url("letters", letter["id"]))
    assert response.status_code == 400
    assert order(letter).status == OrderStatus.PRINTING


def test_a_failed_piece_is_reprinted_alone_before_the_batch_is_mailed(api):
    make_letter(api, "10013")
    jammed = make_letter(api, "60601")
    batch = batch_of()
    print_batch_mark_printed(batch=batch, actor=SYSTEM)
    piece = batch.pieces.get(order_id=jammed["id"])
    with pytest.raises(MailOrderError, match="required"):
        piece_mark_failed(piece=piece, note="  ", actor=SYSTEM)
    piece_mark_failed(piece=piece, note="Jammed in the folder", actor=SYSTEM)
    with pytest.raises(MailOrderError, match="failed piece"):
        print_batch_mark_mailed(batch=batch, entry=entry(), actor=SYSTEM)
    assert order(jammed).status == OrderStatus.PRINTING  # nothing moved
    again = piece_mark_reprinted(piece=piece, actor=SYSTEM)
    assert (again.state, again.reprints) == (PieceState.PRINTED, 1)
    with pytest.raises(MailOrderError, match="has not failed"):
        piece_mark_reprinted(piece=piece, actor=SYSTEM)
    print_batch_mark_mailed(batch=batch, entry=entry(), actor=SYSTEM)
    assert order(jammed).status == OrderStatus.PROCESSED_FOR_DELIVERY
    actions = list(audit_for(batch).values_list("action", flat=True))
    assert "print_batch.piece_failed" in actions and "print_batch.piece_reprinted" in actions


def test_a_batch_changes_all_or_nothing(api, order_webhook):
    first, second = make_letter(api, "10013"), make_letter(api, "60601")
    batch = batch_of()
    # An order that became cancelled behind the queue's back (not through order_cancel).
    type(order(second)).objects.filter(pk=second["id"]).update(status=OrderStatus.CANCELLED)
    with pytest.raises(MailOrderError, match="cancelled"):
        print_batch_mark_printed(batch=batch, actor=SYSTEM)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN
    assert order(first).status == OrderStatus.READY
    assert statuses_sent(first["id"]) == []
    assert set(batch.pieces.values_list("state", flat=True)) == {PieceState.QUEUED}


def test_the_mail_entry_is_checked(api):
    make_letter(api, "10013")
    batch = batch_of()
    with pytest.raises(MailOrderError, match="only a printed batch"):
        print_batch_mark_mailed(batch=batch, entry=entry(), actor=SYSTEM)
    print_batch_mark_printed(batch=batch, actor=SYSTEM)
    with pytest.raises(MailOrderError) as exc:
        print_batch_mark_mailed(batch=batch, entry=entry(facility=" "), actor=SYSTEM)
    assert exc.value.field == "facility"
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(MailOrderError) as exc:
        print_batch_mark_mailed(batch=batch, entry=entry(entry_date=tomorrow), actor=SYSTEM)
    assert exc.value.field == "entry_date"
    with pytest.raises(MailOrderError) as exc:
        print_batch_mark_mailed(
            batch=batch, entry=entry(zip_code="\uff11\uff10\uff11\uff19\uff19"), actor=SYSTEM
        )
    assert exc.value.field == "zip_code"
    with pytest.raises(MailOrderError, match="already printed"):
        print_batch_mark_printed(batch=batch, actor=SYSTEM)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PRINTED
