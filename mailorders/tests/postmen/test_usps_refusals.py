"""A live account's label create through the Postmen API when USPS (the fake, over real HTTP)
or the account says no: Postmen's meta.code, the field in `details`, USPS's own words, nothing
bought, nothing left behind."""

from __future__ import annotations

import pytest

from mailorders.choices import LabelStatus
from mailorders.models import Label, ShipperAccount
from mailorders.tests.label_bodies import label_body
from mailorders.tests.postmen.support import PREFIX, ok, refused
from tracking.models import Shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def usps(fake):
    return fake


def body(account, service_type="usps-discounted_priority_mail", **overrides) -> dict:
    return label_body(account.pk, service_type=service_type, **overrides)


def create_refused(api, data, status=400, code=4104) -> dict:
    meta = refused(api.post(f"{PREFIX}/labels", data, format="json"), status, code)
    assert not Label.objects.filter(status=LabelStatus.CREATED).exists()
    assert not Shipment.objects.exists()
    return meta


def test_an_undeliverable_address_is_uspss_refusal_of_ship_to(api, live, usps):
    data = body(live)
    data["shipment"]["ship_to"]["street1"] = "1 Nowhere St"
    meta = create_refused(api, data)
    assert meta["details"] == [
        {
            "path": "shipment.ship_to.street1",
            "info": "USPS: Bad Request: Address Not Found (toAddress.streetAddress)",
        }
    ]
    assert not Label.objects.exists() and usps.purchases == 0


def test_an_overweight_parcel_is_refused_before_usps_is_asked(api, live, usps):
    data = body(live)
    data["shipment"]["parcels"][0]["weight"] = {"unit": "lb", "value": 71}
    meta = create_refused(api, data)
    assert [d["path"] for d in meta["details"]] == ["shipment.parcels.0.weight.value"]
    assert "70" in meta["details"][0]["info"]
    assert usps.calls == [] and not Label.objects.exists()


def test_a_mail_class_usps_refuses_names_service_type(api, live, usps):
    usps.refused_express_zips.add("10013")
    meta = create_refused(api, body(live, service_type="usps-discounted_express_mail"))
    assert meta["details"][0]["path"] == "service_type"
    assert "does not qualify for the selected mail class" in meta["message"]
    assert not Label.objects.exists() and usps.purchases == 0


@pytest.mark.parametrize(
    ("missing", "words"),
    [({"crid": ""}, "crid"), ({"mailer_id": "", "manifest_mid": ""}, "mid")],
)
def test_missing_crid_or_mid_is_refused_before_usps_is_asked(api, live, usps, missing, words):
    ShipperAccount.objects.filter(pk=live.pk).update(**missing)
    meta = create_refused(api, body(live))
    assert meta["details"][0]["path"] == "shipper_account.id"
    assert "cannot buy USPS labels" in meta["message"] and words in meta["message"].lower()
    assert usps.calls_of("payments") == [] and usps.calls_of("labels") == []
    assert not Label.objects.exists()


def test_revoked_credentials_pass_uspss_words_on(api, live, usps, settings):
    settings.USPS_CLIENT_SECRET = "revoked"
    meta = create_refused(api, body(live))
    assert "Client credentials invalid" in meta["message"]
    assert meta["details"][0]["path"] == "shipper_account.id"
    assert not Label.objects.exists()


def test_an_expired_token_is_fetched_again_and_the_label_bought_once(api, live, usps):
    ok(api.post(f"{PREFIX}/labels", body(live), format="json"))
    usps.expire_tokens()
    usps.expire_payment_tokens()
    ok(api.post(f"{PREFIX}/labels", body(live), format="json"))
    assert usps.purchases == 2 and Label.objects.filter(status=LabelStatus.CREATED).count() == 2


def test_usps_unanswered_is_4312_retryable_only_with_an_order_number(api, live, usps, settings):
    settings.USPS_TIMEOUT_SECONDS = 0.3
    usps.hang_next("labels", 2, seconds=1.0)

    blind = api.post(f"{PREFIX}/labels", body(live), format="json")
    keyed = api.post(f"{PREFIX}/labels", body(live, order_number="A-77"), format="json")

    assert blind.status_code == keyed.status_code == 503
    assert blind.json()["meta"]["code"] == keyed.json()["meta"]["code"] == 4312
    # A client retrying the blind one would buy a second label; the keyed one is answered.
    assert blind.json()["meta"]["retryable"] is False
    assert keyed.json()["meta"]["retryable"] is True
    again = ok(api.post(f"{PREFIX}/labels", body(live, order_number="A-77"), format="json"))
    assert again["status"] == "created" and usps.purchases == 2
