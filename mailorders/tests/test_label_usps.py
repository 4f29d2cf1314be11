"""A live shipper account buys real labels from USPS (the fake USPS server, over HTTP), never
two for one order, and passes USPS's refusals on in the Postmen envelope."""

import io

import pytest
from pypdf import PdfReader

from mailorders.choices import LabelStatus, ManifestStatus
from mailorders.models import Label, Manifest, ShipperAccount
from mailorders.services.common import LabelError
from mailorders.services.labels import label_cancel, label_create
from mailorders.services.manifests import manifest_create
from mailorders.services.usps_labels import label_attempt_reconcile
from mailorders.tests.label_bodies import label_body
from mailorders.tests.postmen.support import PREFIX, client_of
from shipdesk.audit import SYSTEM
from shipdesk.models import AuditEvent
from tracking.models import CourierConnection, Shipment
from tracking.services.courier_connections import connection_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake")]


def body(account, **overrides):
    return label_body(account.pk, service_type="usps-discounted_priority_mail", **overrides)


def test_live_account_buys_the_label_usps_makes(partner, live, fake):
    label = label_create(partner=partner, data=body(live, order_number="A-1001"))

    [number] = fake.labels
    made = fake.labels[number]
    assert label.status == LabelStatus.CREATED and label.tracking_number == number
    assert str(label.charge_amount) == f"{made.postage:.2f}"
    with label.label_file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF")  # USPS's image, stored as it came
    assert label.label_file.name.endswith(".pdf")
    assert label.shipment.tracking_number == number
    sent = fake.calls_of("labels")[0]
    assert sent.headers["X-Idempotency-Key"] == str(label.purchase_key)
    assert sent.body["packageDescription"]["mailClass"] == "PRIORITY_MAIL"
    assert sent.body["toAddress"]["streetAddress"] == "145 Mulberry St"
    assert sent.body["toAddress"]["secondaryAddress"] == "Apt PH D"
    roles = {r["roleName"]: r for r in fake.calls_of("payments")[0].body["roles"]}
    assert roles["PAYER"]["accountNumber"] == "1000000001"
    assert roles["LABEL_OWNER"]["manifestMID"] == "904128937"


def test_retry_with_the_same_order_number_answers_the_first_label(partner, live, fake):
    first = label_create(partner=partner, data=body(live, order_number="A-1002"))
    again = label_create(partner=partner, data=body(live, order_number="A-1002"))

    assert again.pk == first.pk and fake.purchases == 1
    assert len(fake.calls_of("labels")) == 1
    assert Label.objects.count() == 1 and Shipment.objects.count() == 1


def test_timeout_after_buying_then_retry_reconciles_without_buying_twice(
    partner, live, fake, settings
):
    settings.USPS_TIMEOUT_SECONDS = 0.3
    fake.hang_next("labels", seconds=1.0)

    with pytest.raises(LabelError) as unknown:
        label_create(partner=partner, data=body(live, order_number="A-1003"))

    assert unknown.value.code == "carrier_unavailable"
    assert fake.purchases == 1  # USPS bought it; shipdesk never heard
    [attempt] = Label.objects.all()
    assert attempt.status == LabelStatus.CREATING and not attempt.tracking_numbers

    label = label_create(partner=partner, data=body(live, order_number="A-1003"))

    assert fake.purchases == 1
    assert label.pk == attempt.pk and label.status == LabelStatus.CREATED
    assert label.tracking_number == next(iter(fake.labels))
    assert Shipment.objects.count() == 1


def test_an_unknown_attempt_without_order_number_is_reconciled(partner, live, fake, settings):
    settings.USPS_TIMEOUT_SECONDS = 0.3
    fake.hang_next("labels", seconds=1.0)
    with pytest.raises(LabelError):
        label_create(partner=partner, data=body(live))
    [attempt] = Label.objects.all()

    label = label_attempt_reconcile(label=attempt)

    assert label.status == LabelStatus.CREATED and fake.purchases == 1
    assert label.tracking_number == next(iter(fake.labels))


def test_usps_refusal_names_the_postmen_field_and_leaves_nothing(partner, live, fake):
    data = body(live, order_number="A-1004")
    data["shipment"]["ship_to"]["street1"] = "1 Nowhere St"

    with pytest.raises(LabelError) as refused:
        label_create(partner=partner, data=data)

    assert refused.value.code == "carrier_refused"
    assert refused.value.details == [
        {
            "path": "shipment.ship_to.street1",
            "info": "USPS: Bad Request: Address Not Found (toAddress.streetAddress)",
        }
    ]
    assert not Label.objects.exists() and not Shipment.objects.exists()
    assert fake.purchases == 0


def test_crid_not_enrolled_is_usps_words(partner, live, fake):
    fake.not_enrolled_crids.add("56982563")

    with pytest.raises(LabelError, match="Must be enrolled in USPS Ship Outbound") as refused:
        label_create(partner=partner, data=body(live))

    assert refused.value.details[0]["path"] == "shipper_account.id"
    assert not Label.objects.exists()


def test_missing_crid_is_refused_before_usps_is_asked(partner, live, fake):
    ShipperAccount.objects.filter(pk=live.pk).update(crid="", eps_account="")

    with pytest.raises(LabelError, match="it has no crid, account_number") as refused:
        label_create(partner=partner, data=body(live))

    assert refused.value.code == "shipper_account_misconfigured"
    assert fake.calls_of("payments") == [] and not Label.objects.exists()


def test_expired_credentials_say_so(partner, live, fake, settings):
    settings.USPS_CLIENT_SECRET = "revoked"

    with pytest.raises(LabelError, match="USPS refused its credentials"):
        label_create(partner=partner, data=body(live))

    assert not Label.objects.exists()


def test_through_the_postmen_api(partner, live, fake, settings):
    api = client_of(partner)

    created = api.post(f"{PREFIX}/labels", body(live, order_number="A-2001"))
    again = api.post(f"{PREFIX}/labels", body(live, order_number="A-2001"))

    assert created.status_code == 200, created.content
    assert again.json()["data"]["id"] == created.json()["data"]["id"]
    assert created.json()["data"]["tracking_numbers"] == list(fake.labels)
    assert fake.purchases == 1

    data = body(live)
    data["shipment"]["ship_to"]["street1"] = "1 Nowhere St"
    refused = api.post(f"{PREFIX}/labels", data)
    assert refused.status_code == 400
    meta = refused.json()["meta"]
    assert meta["details"][0]["path"] == "shipment.ship_to.street1"
    assert "Address Not Found" in meta["message"]

    settings.USPS_TIMEOUT_SECONDS = 0.3
    fake.hang_next("labels", seconds=1.0)
    unknown = api.post(f"{PREFIX}/labels", body(live, order_number="A-2002"))
    assert unknown.status_code == 503 and unknown.json()["meta"]["retryable"] is True


# --- cancels and SCAN forms ------------------------------------------------------------------


def test_cancel_voids_the_label_at_usps_then_here(partner, live, fake):
    label = label_create(partner=partner, data=body(live))

    cancelled = label_cancel(label=label)

    assert cancelled.status == LabelStatus.CANCELLED
    assert fake.labels[label.tracking_number].status == "CANCELED"
    assert fake.calls_of("cancel")[0].path == f"/labels/v3/label/{label.tracking_number}"
    assert Shipment.objects.get(pk=label.shipment_id).active is False
    entry = AuditEvent.objects.filter(action="label.cancel").get()
    assert entry.detail == {"usps": "refunded"}


def test_cancel_usps_refuses_leaves_the_label_created(partner, live, fake):
    label = label_create(partner=partner, data=body(live))
    fake.labels[label.tracking_number].status = "CANCELED"  # cancelled elsewhere, say

    with pytest.raises(LabelError, match="Order not found") as refused:
        label_cancel(label=label)

    assert refused.value.code == "carrier_refused"
    label.refresh_from_db()
    assert label.status == LabelStatus.CREATED
    assert Shipment.objects.get(pk=label.shipment_id).active is True


def test_cancel_unanswered_then_retried_is_done_once(partner, live, fake, settings):
    label = label_create(partner=partner, data=body(live))
    settings.USPS_TIMEOUT_SECONDS = 0.3
    fake.hang_next("cancel", seconds=1.0)

    with pytest.raises(LabelError) as unknown:
        label_cancel(label=label)
    assert unknown.value.code == "carrier_unavailable"
    label.refresh_from_db()
    assert label.status == LabelStatus.CANCELLING
    assert fake.labels[label.tracking_number].status == "CANCELED"

    cancelled = label_cancel(label=label)

    assert cancelled.status == LabelStatus.CANCELLED


def test_manifest_is_usps_scan_form(partner, live, fake):
    first, second = (label_create(partner=partner, data=body(live)) for _ in range(2))

    manifest = manifest_create(partner=partner, shipper_account_id=live.pk)

    assert manifest.status == ManifestStatus.MANIFESTED
    [(number, on_form)] = fake.scan_forms.items()
    assert sorted(on_form) == sorted([first.tracking_number, second.tracking_number])
    with manifest.file.open("rb") as stored:
        assert "5630" in PdfReader(io.BytesIO(stored.read())).pages[0].extract_text()
    assert set(Label.objects.values_list("status", flat=True)) == {LabelStatus.MANIFESTED}
    entry = AuditEvent.objects.filter(action="manifest.create").get()
    assert entry.detail["usps_manifest_number"] == number


def test_manifest_refused_by_usps_leaves_labels_created(partner, live, fake):
    label = label_create(partner=partner, data=body(live))
    fake.labels[label.tracking_number].scan_form = "92750000000000000000000001"

    with pytest.raises(LabelError, match="already part of another SCAN Form"):
        manifest_create(partner=partner, shipper_account_id=live.pk)

    label.refresh_from_db()
    assert label.status == LabelStatus.CREATED and label.manifest_id is None
    assert not Manifest.objects.exists()


def test_cancel_and_manifest_through_the_postmen_api(partner, live, fake):
    api = client_of(partner)
    voided = api.post(f"{PREFIX}/labels", body(live)).json()["data"]
    kept = api.post(f"{PREFIX}/labels", body(live)).json()["data"]

    cancelled = api.post(f"{PREFIX}/cancel-labels", {"label": {"id": voided["id"]}})
    manifest = api.post(f"{PREFIX}/manifests", {"shipper_account": {"id": live.pk}})

    assert cancelled.status_code == 200 and cancelled.json()["data"]["status"] == "cancelled"
    assert manifest.status_code == 200, manifest.content
    assert manifest.json()["data"]["labels"] == [{"id": kept["id"]}]
    assert list(fake.scan_forms.values()) == [kept["tracking_numbers"]]


def test_an_account_without_its_own_credentials_buys_with_the_partners_courier_connection(
    partner, live, fake, monkeypatch
):
    # USPS knows only the partner's own app now, not the installation's settings.
    monkeypatch.setattr(fake, "client_id", "acme-own-app")
    monkeypatch.setattr(fake, "client_secret", "acme-own-secret")
    connection_create(
        connection=CourierConnection(partner=partner, courier_slug="usps"),
        credentials={"client_id": "acme-own-app", "client_secret": "acme-own-secret"},
        actor=SYSTEM,
    )

    label = label_create(partner=partner, data=body(live, order_number="A-2001"))

    assert label.status == LabelStatus.CREATED and fake.purchases == 1
    assert {c.body["client_id"] for c in fake.calls_of("token")} == {"acme-own-app"}


def test_an_account_naming_its_settings_keeps_them_over_the_courier_connection(partner, live, fake):
    connection_create(
        connection=CourierConnection(partner=partner, courier_slug="usps"),
        credentials={"client_id": "acme-own-app", "client_secret": "acme-own-secret"},
        actor=SYSTEM,
    )
    live.credentials_ref = "USPS"
    live.save(update_fields=["credentials_ref"])

    label = label_create(partner=partner, data=body(live, order_number="A-2002"))

    assert label.status == LabelStatus.CREATED
    assert {c.body["client_id"] for c in fake.calls_of("token")} == {fake.client_id}
