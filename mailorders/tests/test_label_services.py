"""Label services: validation naming every field, sandbox numbers, shipment, cancel, manifest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import FileSystemStorage

from mailorders.choices import LabelStatus
from mailorders.models import Label, Manifest, ShipperAccount
from mailorders.services.common import LabelError
from mailorders.services.label_requests import USPS_STATES, label_request_clean
from mailorders.services.labels import label_cancel, label_create
from mailorders.services.manifests import manifest_create
from mailorders.services.shippers import impb_number
from mailorders.tests.label_bodies import label_body
from mailorders.tests.label_rows import labels_bulk_create
from tracking import numbers
from tracking.models import Shipment
from tracking.zones import STATE_ZONES


def details_of(exc_info) -> set[str]:
    return {d["path"] for d in exc_info.value.details}


def test_created_label_has_a_valid_impb_and_its_shipment(partner, account):
    label = label_create(partner=partner, data=label_body(account.pk))
    number = label.tracking_number
    assert len(number) == 22 and number.startswith("92701900000001")
    assert numbers.mod10_check_digit(number[:-1]) == int(number[-1])
    numbers.validate_for_usps(number)
    assert label.status == LabelStatus.CREATED and label.id.startswith("label_")
    shipment = Shipment.objects.get(pk=label.shipment_id)
    assert (shipment.slug, shipment.tracking_number, shipment.partner) == ("usps", number, partner)
    assert (shipment.origin_postal_code, shipment.destination_city) == ("84101", "New York")
    assert shipment.active and shipment.next_check_at is not None
    assert str(label.charge_weight_value) == "2.205"


def test_numbers_follow_the_range(partner, account):
    first = label_create(partner=partner, data=label_body(account.pk)).tracking_number
    second = label_create(partner=partner, data=label_body(account.pk)).tracking_number
    assert first[14:21] == "0000001" and second[14:21] == "0000002"
    assert second == impb_number(
        service_type="usps-discounted_express_mail", mailer_id="900000001", serial=2
    )


def test_live_account_without_credentials_is_refused_and_nothing_is_created(partner):
    live = ShipperAccount.objects.create(
        partner=partner, description="USPS", sandbox=False, credentials_ref="USPS_LABELS"
    )
    with pytest.raises(LabelError, match="USPS_LABELS_CLIENT_ID and USPS_LABELS_CLIENT_SECRET"):
        label_create(partner=partner, data=label_body(live.pk))
    assert not Label.objects.exists() and not Shipment.objects.exists()


def test_a_failure_after_the_pdf_is_written_leaves_no_file(
    partner, account, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path

    def audit_fails(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr("mailorders.services.labels.audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        label_create(partner=partner, data=label_body(account.pk))
    assert not Label.objects.exists() and not Shipment.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_a_misconfigured_mailer_id_is_refused(partner):
    broken = ShipperAccount.objects.create(partner=partner, description="x", mailer_id="12AB")
    with pytest.raises(LabelError, match="Mailer ID"):
        label_create(partner=partner, data=label_body(broken.pk))
    assert not Label.objects.exists()


REQUIRED = [
    ("shipper_account",),
    ("service_type",),
    ("shipment",),
    ("shipment", "ship_from"),
    ("shipment", "ship_to"),
    ("shipment", "parcels"),
    *[("shipment", "ship_from", f) for f in ("contact_name", "street1", "city", "postal_code")],
    *[("shipment", "ship_to", f) for f in ("contact_name", "street1", "city", "country", "state")],
    ("shipment", "parcels", 0, "weight"),
    ("shipment", "parcels", 0, "dimension"),
    ("shipment", "parcels", 0, "weight", "value"),
    ("shipment", "parcels", 0, "dimension", "depth"),
]


@pytest.mark.parametrize("path", REQUIRED, ids=lambda p: ".".join(map(str, p)))
def test_each_required_field_missing_is_named(partner, account, path):
    body = label_body(account.pk)
    node = body
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    with pytest.raises(LabelError) as exc_info:
        label_create(partner=partner, data=body)
    assert ".".join(map(str, path)) in details_of(exc_info)
    assert not Label.objects.exists() and not Shipment.objects.exists()


def test_every_problem_is_listed_at_once(partner, account):
    body = label_body(account.pk, service_type="usps-teleport", paper_size="A4")
    parcel = body["shipment"]["parcels"][0]
    parcel["weight"] = {"unit": "lb", "value": 71}
    parcel["dimension"] = {"width": 0, "height": 120, "depth": 10, "unit": "in"}
    del body["shipment"]["ship_to"]["postal_code"]
    with pytest.raises(LabelError) as exc_info:
        label_create(partner=partner, data=body)
    assert details_of(exc_info) == {
        "service_type",
        "paper_size",
        "shipment.parcels.0.weight.value",
        "shipment.parcels.0.dimension.width",
        "shipment.ship_to.postal_code",
    }
    assert not ShipperAccount.objects.get().next_serial > 1


def test_address_members_too_long_for_the_shipment_are_named(partner, account):
    body = label_body(account.pk)
    body["shipment"]["ship_to"].update(city="C" * 101, postal_code="1" * 21, state=7)
    with pytest.raises(LabelError) as exc_info:
        label_create(partner=partner, data=body)
    assert details_of(exc_info) == {
        "shipment.ship_to.city",
        "shipment.ship_to.postal_code",
        "shipment.ship_to.state",
    }


def test_length_plus_girth_and_side_limits(partner, account):
    body = label_body(account.pk)
    body["shipment"]["parcels"][0]["dimension"] = {
        "width": 30, "height": 30, "depth": 110, "unit": "in"
    }  # fmt: skip
    with pytest.raises(LabelError) as exc_info:
        label_create(partner=partner, data=body)
    assert details_of(exc_info) == {
        "shipment.parcels.0.dimension.depth",
        "shipment.parcels.0.dimension",
    }


def test_another_partners_account_is_not_found(partner, other_partner, account):
    with pytest.raises(LabelError) as exc_info:
        label_create(partner=other_partner, data=label_body(account.pk))
    assert details_of(exc_info) == {"shipper_account.id"}


def test_cancel_stops_tracking_and_cannot_repeat(partner, account):
    label = label_create(partner=partner, data=label_body(account.pk))
    label_cancel(label=label)
    label.refresh_from_db()
    shipment = Shipment.objects.get(pk=label.shipment_id)
    assert label.status == LabelStatus.CANCELLED
    assert not shipment.active and shipment.next_check_at is None
    with pytest.raises(LabelError, match="cancelled label cannot be cancelled"):
        label_cancel(label=label)


def test_manifest_takes_created_labels_and_then_they_cannot_cancel(partner, account):
    kept = label_create(partner=partner, data=label_body(account.pk))
    voided = label_cancel(label=label_create(partner=partner, data=label_body(account.pk)))
    manifest = manifest_create(partner=partner, shipper_account_id=account.pk)
    kept.refresh_from_db()
    voided.refresh_from_db()
    assert (kept.status, kept.manifest_id) == (LabelStatus.MANIFESTED, manifest.pk)
    assert (voided.status, voided.manifest_id) == (LabelStatus.CANCELLED, None)
    with pytest.raises(LabelError, match="manifested label cannot be cancelled"):
        label_cancel(label=kept)
    with pytest.raises(LabelError, match="Nothing to manifest"):
        manifest_create(partner=partner, shipper_account_id=account.pk)
    with pytest.raises(LabelError) as exc_info:
        manifest_create(partner=partner, shipper_account_id=account.pk, label_ids=[voided.pk])
    assert voided.pk in exc_info.value.details[0]["info"]


def test_a_manifest_takes_at_most_its_limit_oldest_first(partner, account, monkeypatch):
    monkeypatch.setattr("mailorders.services.manifests.MANIFEST_MAX_LABELS", 2)
    labels = labels_bulk_create(account, 3)
    with pytest.raises(LabelError, match="at most 2 labels"):
        manifest_create(
            partner=partner, shipper_account_id=account.pk, label_ids=[x.pk for x in labels]
        )
    first = manifest_create(partner=partner, shipper_account_id=account.pk)
    second = manifest_create(partner=partner, shipper_account_id=account.pk)
    oldest_first = sorted(labels, key=lambda x: (x.created_at, x.pk))
    assert [x.pk for x in first.labels.order_by("created_at", "id")] == [
        x.pk for x in oldest_first[:2]
    ]
    assert [x.pk for x in second.labels.all()] == [oldest_first[2].pk]


def test_a_failure_after_the_manifest_pdf_is_written_leaves_no_file(
    partner, account, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    labels = labels_bulk_create(account, 3)  # rows only: the manifest is the one file written
    written = []
    store = FileSystemStorage._save

    def save_and_note(storage, name, content):
        written.append(store(storage, name, content))
        return written[-1]

    def audit_fails(**kwargs):
        assert [(tmp_path / name).is_file() for name in written] == [True]
        raise RuntimeError("audit store down")

    monkeypatch.setattr(FileSystemStorage, "_save", save_and_note)
    monkeypatch.setattr("mailorders.services.manifests.audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        manifest_create(partner=partner, shipper_account_id=account.pk)
    assert written and written[0].startswith("mailorders/manifests/")
    assert not Manifest.objects.exists()
    assert set(Label.objects.values_list("status", "manifest")) == {(LabelStatus.CREATED, None)}
    assert len(labels) == 3 and not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_addresses_must_be_usps_domestic_each_problem_named(account):
    body = label_body(account.pk)
    shipment = body["shipment"]
    shipment["ship_to"].update(country="CAN", state="ON", postal_code="M5V 2T6")
    shipment["ship_from"].update(state="XX", postal_code="8410")
    shipment["return_to"] = {**shipment["ship_from"], "state": "UT", "postal_code": "84101-12"}
    with pytest.raises(LabelError) as exc_info:
        label_request_clean(data=body)
    details = {d["path"]: d["info"] for d in exc_info.value.details}
    assert set(details) == {
        "shipment.ship_to.country",
        "shipment.ship_to.state",
        "shipment.ship_to.postal_code",
        "shipment.ship_from.state",
        "shipment.ship_from.postal_code",
        "shipment.return_to.postal_code",
    }
    assert "international labels are not offered" in details["shipment.ship_to.country"]
    assert "12345-6789" in details["shipment.ship_to.postal_code"]


@pytest.mark.parametrize("country", ["CAN", "GBR", "PRI", "US"])
def test_only_usa_is_a_country(account, country):
    body = label_body(account.pk)
    body["shipment"]["ship_from"]["country"] = country
    with pytest.raises(LabelError) as exc_info:
        label_request_clean(data=body)
    assert details_of(exc_info) == {"shipment.ship_from.country"}


@pytest.mark.parametrize(
    ("state", "postal_code"),
    [("PR", "00901"), ("ae", "09001"), ("AP", "96601"), ("DC", "20500-0003"), ("gu", "96910")],
)
def test_territories_military_and_zip_plus_four_are_domestic(partner, account, state, postal_code):
    body = label_body(account.pk)
    body["shipment"]["ship_to"].update(state=state, postal_code=postal_code, country="usa")
    label = label_create(partner=partner, data=body)
    shipment = Shipment.objects.get(pk=label.shipment_id)
    assert (shipment.destination_state, shipment.destination_postal_code) == (
        state.upper(),
        postal_code,
    )


def test_state_codes_are_the_tracking_list_and_the_military_ones():
    assert set(STATE_ZONES) | {"AA", "AE", "AP"} == USPS_STATES
    assert len(USPS_STATES) == 50 + 1 + 5 + 3


def test_each_bad_item_member_is_named(account):
    body = label_body(account.pk)
    good = body["shipment"]["parcels"][0]["items"][0]
    body["shipment"]["parcels"][0]["items"] = [
        good,
        "a bar",
        {**good, "quantity": 0},
        {**good, "quantity": 1.5, "weight": {"unit": "stone", "value": -1}},
        {**good, "quantity": True, "price": {"currency": "US", "amount": -2}},
        {**good, "weight": "1 kg", "price": {"amount": "100"}},
        {"description": "no quantity, weight or price", "quantity": 2.0},
        {**good, "weight": {"unit": "oz", "value": 0}, "price": {"currency": "usd", "amount": 0}},
    ]
    with pytest.raises(LabelError) as exc_info:
        label_request_clean(data=body)
    items = "shipment.parcels.0.items"
    assert details_of(exc_info) == {
        f"{items}.1",
        f"{items}.2.quantity",
        f"{items}.3.quantity",
        f"{items}.3.weight.unit",
        f"{items}.3.weight.value",
        f"{items}.4.quantity",
        f"{items}.4.price.currency",
        f"{items}.4.price.amount",
        f"{items}.5.weight",
        f"{items}.5.price.amount",
        f"{items}.5.price.currency",
    }


def test_at_most_fifty_items(account):
    body = label_body(account.pk)
    parcel = body["shipment"]["parcels"][0]
    parcel["items"] = parcel["items"] * 50
    assert len(label_request_clean(data=body)["parcels"][0]["items"]) == 50
    parcel["items"].append("not even an item")
    with pytest.raises(LabelError) as exc_info:
        label_request_clean(data=body)
    assert details_of(exc_info) == {"shipment.parcels.0.items"}


def test_ship_date_from_today_in_the_desks_time_zone_to_thirty_days_ahead(
    account, settings, time_machine
):
    settings.TIME_ZONE = "America/Los_Angeles"
    # 03:00 UTC on the 28th is still the 27th at the desk.
    time_machine.move_to(dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC), tick=False)
    accepted = ["2026-11-27", "2026-11-28", "2026-12-27"]
    for ship_date in accepted:
        cleaned = label_request_clean(data=label_body(account.pk, ship_date=ship_date))
        assert cleaned["ship_date"] == dt.date.fromisoformat(ship_date)
    assert label_request_clean(data=label_body(account.pk))["ship_date"] == dt.date(2026, 11, 27)
    for ship_date in ["2026-11-26", "2022-09-09", "2026-12-28"]:
        with pytest.raises(LabelError) as exc_info:
            label_request_clean(data=label_body(account.pk, ship_date=ship_date))
        assert exc_info.value.details == [
            {
                "path": "ship_date",
                "info": "ship_date must be from today (2026-11-27) to 30 days ahead (2026-12-27).",
            }
        ]


def test_an_empty_label_list_is_not_a_manifest_of_everything(partner, account):
    label = label_create(partner=partner, data=label_body(account.pk))
    with pytest.raises(LabelError) as exc_info:
        manifest_create(partner=partner, shipper_account_id=account.pk, label_ids=[])
    [detail] = exc_info.value.details
    assert detail["path"] == "labels"
    assert "name at least one label, or leave `labels` out" in detail["info"].lower()
    assert "no created label" not in str(exc_info.value)
    label.refresh_from_db()
    assert label.status == LabelStatus.CREATED and not Manifest.objects.exists()


def test_labels_a_manifest_cannot_take_are_named_by_their_index(partner, account):
    kept = label_create(partner=partner, data=label_body(account.pk))
    voided = label_cancel(label=label_create(partner=partner, data=label_body(account.pk)))
    with pytest.raises(LabelError) as exc_info:
        manifest_create(
            partner=partner,
            shipper_account_id=account.pk,
            label_ids=[kept.pk, "label_nope", voided.pk],
        )
    assert exc_info.value.details == [
        {"path": "labels.1.id", "info": "label_nope is not a created label of this account."},
        {"path": "labels.2.id", "info": f"{voided.pk} is not a created label of this account."},
    ]
    assert not Manifest.objects.exists()


def test_a_sandbox_retry_with_the_same_order_number_answers_the_first_label(partner, account):
    first = label_create(partner=partner, data=label_body(account.pk, order_number="A-77"))
    again = label_create(partner=partner, data=label_body(account.pk, order_number="A-77"))
    other = label_create(partner=partner, data=label_body(account.pk, order_number="A-78"))
    assert again.pk == first.pk and other.pk != first.pk
    assert Label.objects.count() == 2 and Shipment.objects.count() == 2
    assert first.order_number == "A-77"
