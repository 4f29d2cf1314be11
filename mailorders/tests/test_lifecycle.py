"""Order lifecycle: every transition allowed and refused, certified mail tracked as a parcel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mailorders.choices import NEXT_STATUS, OrderStatus
from mailorders.models import Letter
from mailorders.services import orders
from mailorders.services.common import MailOrderError
from mailorders.services.orders import OrderContent, order_cancel, order_create, order_progress
from shipdesk.models import AuditEvent
from tracking import numbers
from tracking.carriers.sandbox.carrier import SandboxCarrier
from tracking.choices import Tag
from tracking.models import Shipment
from tracking.pod.keys import key_file_create
from tracking.services.refresh import refresh_due
from tracking.tests.test_sandbox import number_for

from .conftest import FROM, TO

ALL = list(OrderStatus)


def contact(data: dict) -> dict:
    names = {
        "firstName": "first_name",
        "lastName": "last_name",
        "companyName": "company_name",
        "addressLine1": "address_line1",
        "addressLine2": "address_line2",
        "city": "city",
        "provinceOrState": "province_or_state",
        "postalOrZip": "postal_or_zip",
        "countryCode": "country_code",
    }
    return {names[k]: v for k, v in data.items()}


@pytest.fixture
def make_letter(partner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def make(*, live: bool = False, status: str = OrderStatus.READY, **kwargs) -> Letter:
        letter, created = order_create(
            object_name="letter",
            partner=partner,
            live=live,
            to=contact(TO),
            from_=contact(FROM),
            content=OrderContent(html="<p>Dear {{to.firstName}}</p>"),
            **kwargs,
        )
        assert created
        if status != OrderStatus.READY:
            Letter.objects.filter(pk=letter.pk).update(status=status)
            letter.refresh_from_db()
        return letter

    return make


def test_a_test_order_progresses_one_step_at_a_time_to_completed(make_letter):
    letter = make_letter()
    seen = [letter.status]
    for _ in range(3):
        letter = order_progress(order=letter)
        seen.append(letter.status)
    assert seen == ["ready", "printing", "processed_for_delivery", "completed"]
    assert AuditEvent.objects.filter(action="letter.progress").count() == 3


@pytest.mark.parametrize("status", [OrderStatus.COMPLETED, OrderStatus.CANCELLED])
def test_a_final_order_cannot_progress(make_letter, status):
    letter = make_letter(status=status)
    with pytest.raises(MailOrderError, match=f"is {status}; that status has no next one") as exc:
        order_progress(order=letter)
    assert exc.value.status == 400
    letter.refresh_from_db()
    assert letter.status == status


@pytest.mark.parametrize("status", list(NEXT_STATUS))
def test_a_live_order_never_progresses_by_request(make_letter, status):
    letter = make_letter(live=True, status=status)
    with pytest.raises(MailOrderError, match="only test orders"):
        order_progress(order=letter)
    letter.refresh_from_db()
    assert letter.status == status


def test_a_ready_order_is_cancelled_with_reason_and_note(make_letter):
    letter = make_letter()
    letter = order_cancel(order=letter, note="Wrong address", cancelled_by="ada")
    letter.refresh_from_db()
    assert letter.status == OrderStatus.CANCELLED
    assert (letter.cancellation_reason, letter.cancellation_note) == (
        "user_initiated",
        "Wrong address",
    )
    assert letter.cancelled_by == "ada"
    event = AuditEvent.objects.get(action="letter.cancel")
    assert event.detail == {"reason": "user_initiated", "note": "Wrong address"}


@pytest.mark.parametrize("status", [s for s in ALL if s != OrderStatus.READY])
def test_only_a_ready_order_can_be_cancelled(make_letter, status):
    letter = make_letter(status=status)
    with pytest.raises(MailOrderError, match=f"is {status}; only an order whose status is ready"):
        order_cancel(order=letter)
    letter.refresh_from_db()
    assert letter.status == status
    assert not AuditEvent.objects.filter(action="letter.cancel").exists()


def test_a_stale_copy_cannot_cancel_an_order_that_moved_on(make_letter):
    """The transition reads the row under lock, not the caller's copy."""
    letter = make_letter()
    stale = Letter.objects.get(pk=letter.pk)
    order_progress(order=letter)
    with pytest.raises(MailOrderError, match="is printing"):
        order_cancel(order=stale)


def test_generated_tracking_numbers_are_valid_impb(make_letter):
    letter = make_letter(extra_service="certified")
    for _ in range(20):
        parsed = numbers.parse(orders.generate_tracking_number(letter))
        assert (parsed.kind, parsed.slug, len(parsed.number)) == ("impb", "usps", 22)


@pytest.mark.parametrize(
    ("kwargs", "service"),
    [
        ({"extra_service": "certified"}, "certified"),
        (
            {"mailing_class": "usps_first_class_certified_return_receipt"},
            "certified_return_receipt",
        ),
        ({"extra_service": "registered", "mailing_class": "registered"}, "registered"),
    ],
)
def test_certified_and_registered_mail_get_a_tracked_shipment(make_letter, kwargs, service):
    letter = make_letter(**kwargs)
    assert letter.extra_service == service
    letter = order_progress(order=letter)
    assert letter.tracking_number == "" and letter.shipment is None
    letter = order_progress(order=letter)
    assert letter.status == "processed_for_delivery"
    shipment = Shipment.objects.get(pk=letter.shipment_id)
    assert shipment.tracking_number == letter.tracking_number
    assert (shipment.partner, shipment.slug, shipment.order_id) == (
        letter.partner,
        "usps",
        letter.id,
    )
    assert shipment.customer_name == "Ada Lovelace"
    assert shipment.next_check_at is not None  # due for its first check, like any parcel


def test_first_class_mail_gets_no_tracking_number(make_letter):
    letter = make_letter()
    for _ in range(3):
        letter = order_progress(order=letter)
    assert letter.tracking_number == ""
    assert not Shipment.objects.exists()


def test_certified_letter_is_tracked_to_delivery_and_its_proof(
    make_letter, monkeypatch, client, settings, tmp_path
):
    """Certified letter → tracking number → Shipment refreshed through the (sandbox) carrier →
    Delivered → the signed proof of delivery answers."""
    settings.POD_SIGNING_KEY = ""
    settings.POD_SIGNING_KEY_FILE = tmp_path / "pod-key.json"
    settings.POD_RATE_PER_MINUTE = 10_000
    key_file_create(path=settings.POD_SIGNING_KEY_FILE)
    delivered = number_for("delivered")
    monkeypatch.setattr(orders, "generate_tracking_number", lambda order: delivered)
    letter = make_letter(extra_service="certified")
    letter = order_progress(order=order_progress(order=letter))
    assert letter.tracking_number == delivered

    later = timezone.now() + timedelta(hours=8)  # 20 simulated days at the sandbox's 60x
    report = refresh_due(
        clock=lambda: later, carriers={"usps": SandboxCarrier(time_scale=60, clock=lambda: later)}
    )
    assert report.shipments == 1
    shipment = Shipment.objects.get(pk=letter.shipment_id)
    assert shipment.tag == Tag.DELIVERED
    assert shipment.checkpoints.filter(tag=Tag.DELIVERED).exists()

    pod = client.get(f"/api/v1/shipments/{shipment.uuid}/pod")
    assert pod.status_code == 200, pod.content
    document = pod.json()["data"]
    assert document["status"] == "delivered"
    assert document["shipment"]["tracking_number"] == delivered
    assert document["passport"]["signature_b64"]


def test_setting_a_tracking_number_twice_is_refused(make_letter):
    letter = make_letter(extra_service="registered")
    orders.order_tracking_number_set(order=letter, tracking_number=number_for("delivered"))
    with pytest.raises(MailOrderError, match="already has tracking number"):
        orders.order_tracking_number_set(order=letter, tracking_number=number_for("returned"))
    assert Shipment.objects.count() == 1


def test_an_invalid_tracking_number_creates_nothing(make_letter):
    letter = make_letter(extra_service="certified")
    with pytest.raises(MailOrderError, match="check digit") as exc:
        orders.order_tracking_number_set(order=letter, tracking_number="9207190000000000000000")
    assert exc.value.field == "trackingNumber"
    letter.refresh_from_db()
    assert letter.tracking_number == "" and not Shipment.objects.exists()


def test_a_first_class_order_refuses_a_tracking_number(make_letter):
    with pytest.raises(MailOrderError, match="no extra service"):
        orders.order_tracking_number_set(
            order=make_letter(), tracking_number=number_for("delivered")
        )


@pytest.mark.parametrize("object_name", ["postcard", "self_mailer"])
def test_extra_services_are_only_for_letters_and_cheques(partner, object_name):
    with pytest.raises(MailOrderError, match="only available for letters and cheques"):
        order_create(
            object_name=object_name,
            partner=partner,
            live=False,
            to=contact(TO),
            content=OrderContent(html="a", back_html="b"),
            extra_service="certified",
        )


def test_extra_service_and_mailing_class_must_agree(partner):
    with pytest.raises(MailOrderError, match="does not match mailingClass") as exc:
        order_create(
            object_name="letter",
            partner=partner,
            live=False,
            to=contact(TO),
            content=OrderContent(html="a"),
            extra_service="registered",
            mailing_class="usps_first_class_certified",
        )
    assert exc.value.field == "extraService"
    assert not Letter.objects.exists()
