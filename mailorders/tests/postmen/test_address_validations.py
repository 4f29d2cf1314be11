"""POST /postmen/v3/address-validations: USPS's verdict (Addresses 3.0, the fake USPS over
real HTTP) in Postmen's AddressValidation shape; a sandbox account only tidies the address;
nothing is stored."""

from __future__ import annotations

import copy

import pytest

from mailorders.models import ShipperAccount
from mailorders.services.address_checks import AddressCheckError, address_check
from mailorders.tests.label_bodies import ADDRESS_TO
from mailorders.tests.postmen.support import PREFIX, ok, refused
from tracking.carriers.shipping import PostalAddress

pytestmark = pytest.mark.django_db
URL = f"{PREFIX}/address-validations"


@pytest.fixture
def usps(fake):
    return fake


@pytest.fixture
def live(partner):
    return ShipperAccount.objects.create(
        partner=partner, description="USPS Ship", sandbox=False, crid="56982563"
    )


def validate(api, account=None, **changes) -> dict:
    body = {"address": {**copy.deepcopy(ADDRESS_TO), **changes}}
    if account is not None:
        body["shipper_account"] = {"id": account.pk}
    return ok(api.post(URL, body, format="json"))


def test_usps_standardises_and_confirms_the_address(api, live, usps):
    usps.business.add("145 MULBERRY ST")
    data = validate(api, live, street1="145 Mulberry Street")

    assert data["id"].startswith("address_validation_") and data["status"] == "valid"
    address = data["address"]
    assert address["street1"] == "145 MULBERRY ST" and address["street2"] == "APT PH D"
    assert address["postal_code"].startswith("10013-") and len(address["postal_code"]) == 10
    assert address["contact_name"] == "Ada Lovelace" and address["type"] == "business"
    facts = data["usps"]
    assert facts["checked"] is True and facts["dpv_confirmation"] == "Y"
    assert facts["zip_plus4"] == address["postal_code"] and facts["vacant"] is False
    assert {"field": "street", "sent": "145 Mulberry Street", "usps": "145 MULBERRY ST"} in facts[
        "changes"
    ]
    [call] = usps.calls_of("addresses")
    assert call.params["streetAddress"] == "145 Mulberry Street"
    assert call.params["ZIPCode"] == "10013" and call.params["state"] == "NY"


def test_an_address_usps_cannot_match_is_invalid_in_uspss_words(api, live, usps):
    data = validate(api, live, street1="1 Nowhere St")
    assert data["status"] == "invalid" and data["address"]["street1"] == "1 Nowhere St"
    assert data["usps"]["message"] == "There is no match for the address requested."


def test_a_vacant_address_says_so(api, live, usps):
    usps.vacant.add("145 MULBERRY ST")
    assert validate(api, live)["usps"]["vacant"] is True


def test_without_an_account_the_businesss_own_usps_app_asks(api, usps, settings):
    settings.USPS_BASE_URL = settings.USPS_TEST_BASE_URL
    assert validate(api)["status"] == "valid" and len(usps.calls_of("addresses")) == 1


def test_a_sandbox_account_only_tidies_and_says_it_checked_nothing(api, account, settings):
    settings.USPS_CLIENT_ID = ""
    data = validate(api, account, street1="145 Mulberry Street")
    assert data["status"] == "unverified" and data["usps"]["checked"] is False
    assert data["address"]["street1"] == "145 MULBERRY ST"
    assert "sandbox" in data["usps"]["message"]


def test_bad_input_names_the_field(api, account):
    meta = refused(api.post(URL, {"address": {**ADDRESS_TO, "state": "ZZ"}}), 400, 4104)
    assert [d["path"] for d in meta["details"]] == ["address.state"]
    meta = refused(api.post(URL, {}), 400, 4104)
    assert [d["path"] for d in meta["details"]] == ["address"]
    refused(api.post(URL, {"address": ADDRESS_TO, "shipper_account": {"id": "x"}}), 404, 4140)


def test_usps_refusal_and_outage_are_clear(api, live, usps, settings):
    usps.fail_next("addresses", 1, status=503)
    response = api.post(URL, {"address": ADDRESS_TO, "shipper_account": {"id": live.pk}})
    assert response.status_code == 503 and response.json()["meta"]["code"] == 4312
    settings.USPS_CLIENT_SECRET = "revoked"
    meta = refused(
        api.post(URL, {"address": ADDRESS_TO, "shipper_account": {"id": live.pk}}), 400, 4104
    )
    assert "Client credentials invalid" in meta["message"]


def test_the_service_names_uspss_field_when_usps_refuses(live, usps):
    with pytest.raises(AddressCheckError) as refusal:
        address_check(
            address=PostalAddress(street="145 Mulberry St", city="", state="NY", zip_code="1001"),
            account=live,
        )
    assert refusal.value.code == "carrier_refused"
    assert refusal.value.details[0]["path"] == "zip_code"
    assert "ZIPCode must be 5 digits" in str(refusal.value)
