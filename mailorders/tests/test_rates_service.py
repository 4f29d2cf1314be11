"""rates_shop and address_check as the admin pages call them: shipdesk's own dataclasses in,
small frozen dataclasses out (the fake USPS over real HTTP for a live account)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mailorders.models import ShipperAccount
from mailorders.services.address_checks import address_check
from mailorders.services.rates import RateError, parcel_of, rates_shop
from mailorders.tests.label_bodies import PARCEL
from tracking.carriers.shipping import Parcel, PostalAddress
from tracking.carriers.usps.fake import CLIENT_ID, CLIENT_SECRET
from tracking.carriers.usps.fake.fixtures import usps_server  # noqa: F401

pytestmark = pytest.mark.django_db

ORIGIN = PostalAddress(street="230 W 200 S", city="Salt Lake City", state="UT", zip_code="84101")
DESTINATION = PostalAddress(street="145 Mulberry St", city="New York", state="NY", zip_code="10013")


def parcel(weight="2", sides=("8", "5", "1.5")) -> Parcel:
    return Parcel(Decimal(weight), *(Decimal(side) for side in sides))


@pytest.fixture
def live(partner, settings, usps_server):  # noqa: F811
    settings.USPS_TEST_BASE_URL = usps_server.url
    settings.USPS_CLIENT_ID = CLIENT_ID
    settings.USPS_CLIENT_SECRET = CLIENT_SECRET
    settings.USPS_MAX_RETRIES = 0
    return ShipperAccount.objects.create(
        partner=partner, description="USPS Ship", sandbox=False, crid="56982563"
    )


def test_a_postmen_parcel_in_pounds_and_inches():
    found = parcel_of(PARCEL)  # 1 kg, 10 x 10 x 10 cm
    assert found.weight_lb == Decimal("2.205")
    assert (found.length_in, found.width_in, found.height_in) == (
        Decimal("3.94"),
        Decimal("3.94"),
        Decimal("3.94"),
    )


def test_flat_rate_packaging_only_where_the_parcel_fits(account):
    thin = rates_shop(account=account, origin=ORIGIN, destination=DESTINATION, parcel=parcel())
    assert {r.box_type for r in thin.rates} >= {"custom", "usps_small_flat_rate_box"}
    big = rates_shop(
        account=account,
        origin=ORIGIN,
        destination=DESTINATION,
        parcel=parcel(sides=("20", "14", "10")),
    )
    assert {r.box_type for r in big.rates} == {"custom"}  # fits no flat-rate box
    assert [r.total for r in big.rates] == sorted(r.total for r in big.rates)
    assert big.source == "sandbox" and all(r.delivery_date for r in big.rates)


def test_first_class_mail_is_shopped_as_ground_advantage(account):
    shop = rates_shop(
        account=account,
        origin=ORIGIN,
        destination=DESTINATION,
        parcel=parcel(),
        service_types=["usps-discounted_first_class_mail", "usps-discounted_ground_advantage"],
    )
    assert {r.service_type for r in shop.rates} == {"usps-discounted_ground_advantage"}


def test_a_live_account_gets_uspss_prices_and_dates(live, usps_server):  # noqa: F811
    shop = rates_shop(account=live, origin=ORIGIN, destination=DESTINATION, parcel=parcel())
    assert shop.source == "usps"
    assert {r.delivery_source for r in shop.rates} == {"usps_standards"}
    small = next(r for r in shop.rates if r.box_type == "usps_small_flat_rate_box")
    assert small.total == Decimal("11.10") and small.charges == (("base", Decimal("11.10")),)


def test_a_live_account_whose_credentials_usps_refuses_names_the_account(live, settings):
    settings.USPS_CLIENT_SECRET = "revoked"
    with pytest.raises(RateError) as refused:
        rates_shop(account=live, origin=ORIGIN, destination=DESTINATION, parcel=parcel())
    assert refused.value.code == "shipper_account_misconfigured"
    assert refused.value.details[0]["path"] == "shipper_account.id"


def test_address_check_verdict_and_changes(live):
    sent = PostalAddress(
        street="145 Mulberry Street", city="New York", state="ny", zip_code="10013"
    )
    verdict = address_check(address=sent, account=live)
    assert verdict.deliverable is True and verdict.dpv_confirmation == "Y"
    assert verdict.zip_plus4.startswith("10013-")
    assert [c.field for c in verdict.changes] == ["street", "zip_plus4"]
    nowhere = address_check(address=PostalAddress("1 Nowhere St", "X", "NY", "10013"), account=live)
    assert nowhere.deliverable is False and nowhere.standardized is None
