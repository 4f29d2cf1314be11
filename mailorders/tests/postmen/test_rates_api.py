"""POST/GET /postmen/v3/rates: a rate shop over a shipper account's services with delivery
dates, from the fake USPS over real HTTP for a live account and deterministic for a sandbox
one; kept, listed and read again in Postmen's shapes."""

from __future__ import annotations

import copy
import datetime as dt
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mailorders.models import RateQuote, ShipperAccount
from mailorders.tests.label_bodies import ADDRESS_FROM, ADDRESS_TO, PARCEL
from mailorders.tests.postmen.support import PREFIX, ok, refused

pytestmark = pytest.mark.django_db

THREE = {
    "usps-discounted_ground_advantage",
    "usps-discounted_priority_mail",
    "usps-discounted_express_mail",
}
# 6 x 5 x 1.5 in: fits the small flat-rate box and the bigger ones, not the envelopes.
SMALL_PARCEL = {
    **copy.deepcopy(PARCEL),
    "dimension": {"width": 6, "height": 1.5, "depth": 5, "unit": "in"},
    "weight": {"unit": "lb", "value": 2},
}


@pytest.fixture
def usps(fake):
    return fake


def rates_body(*accounts, parcel=None, **overrides) -> dict:
    body = {
        "async": False,
        "shipper_accounts": [{"id": a.pk} for a in accounts],
        "is_document": False,
        "shipment": {
            "ship_from": copy.deepcopy(ADDRESS_FROM),
            "ship_to": copy.deepcopy(ADDRESS_TO),
            "parcels": [copy.deepcopy(parcel or SMALL_PARCEL)],
        },
    }
    body.update(overrides)
    return body


def shop(api, *accounts, **overrides) -> dict:
    return ok(api.post(f"{PREFIX}/rates", rates_body(*accounts, **overrides), format="json"))


# --- sandbox accounts ------------------------------------------------------------------------


def test_a_sandbox_account_rates_the_three_services_with_delivery_dates(api, account):
    data = shop(api, account)

    assert data["id"].startswith("rate_") and data["status"] == "calculated"
    rates = data["rates"]
    assert {r["service_type"] for r in rates} == THREE
    totals = [r["total_charge"]["amount"] for r in rates]
    assert totals == sorted(totals) and all(t > 0 for t in totals)
    assert {r["box_type"] for r in rates} == {
        "custom",
        "usps_small_flat_rate_box",
        "usps_medium_flat_rate_box",
        "usps_large_flat_rate_box",
    }  # the envelopes are too thin for 1.5 in
    for rate in rates:
        assert rate["shipper_account"] == {
            "id": account.pk,
            "slug": "usps",
            "description": "USPS Sandbox",
        }
        assert date.fromisoformat(rate["delivery_date"]) > date.today()
        assert rate["transit_time"] >= 1 and rate["error_message"] is None
        assert rate["charge_weight"] == {"unit": "lb", "value": 2.0}
        assert rate["detailed_charges"][0]["type"] == "base"
    express = next(r for r in rates if r["service_type"] == "usps-discounted_express_mail")
    ground = next(r for r in rates if r["service_type"] == "usps-discounted_ground_advantage")
    assert express["transit_time"] < ground["transit_time"]
    assert express["total_charge"]["amount"] > ground["total_charge"]["amount"]


def test_sandbox_rates_are_deterministic(api, account):
    first, second = shop(api, account), shop(api, account)
    assert first["rates"] == second["rates"] and first["id"] != second["id"]


def test_a_flat_rate_box_type_rates_that_box_only(api, account):
    parcel = {**SMALL_PARCEL, "box_type": "usps_medium_flat_rate_box"}
    rates = shop(api, account, parcel=parcel)["rates"]
    assert [(r["service_name"], r["box_type"]) for r in rates] == [
        ("Priority Mail Medium Flat Rate Box", "usps_medium_flat_rate_box")
    ]
    assert "usps_medium_flat_rate_box" in rates[0]["info_message"]


def test_get_answers_the_same_rate_and_only_to_its_partner(api, other_api, account):
    data = shop(api, account)
    assert ok(api.get(f"{PREFIX}/rates/{data['id']}")) == data
    refused(other_api.get(f"{PREFIX}/rates/{data['id']}"), 404, 4153)
    refused(api.get(f"{PREFIX}/rates/rate_nope"), 404, 4153)


def test_the_list_pages_newest_first_in_a_constant_number_of_queries(
    api, other_api, other_partner, account, time_machine
):
    # The clock moves only between requests: a new throttle second, or the key's last-used
    # time falling due, would add a query to whichever request met it.
    start = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
    moments = (start + dt.timedelta(seconds=n) for n in range(100))
    time_machine.move_to(next(moments), tick=False)

    def made() -> str:
        time_machine.move_to(next(moments), tick=False)
        return shop(api, account)["id"]

    first_three = [made() for _ in range(3)]
    theirs = shop(other_api, ShipperAccount.objects.create(partner=other_partner, description="T"))

    def listed(**params):
        with CaptureQueriesContext(connection) as queries:
            data = ok(api.get(f"{PREFIX}/rates", params))
        return data, len(queries)

    ok(api.get(f"{PREFIX}/rates"))  # this second's throttle window and the key, warm
    page, few = listed(limit=2)
    assert [r["id"] for r in page["rates"]] == first_three[::-1][:2] and page["next_token"]
    rest, _ = listed(limit=2, next_token=page["next_token"])
    assert [r["id"] for r in rest["rates"]] == [first_three[0]] and not rest["next_token"]
    for _ in range(12):
        made()
    ok(api.get(f"{PREFIX}/rates"))
    big_page, many = listed(limit=15)
    assert len(big_page["rates"]) == 15 and many == few  # no query per rate quote
    assert [r["id"] for r in ok(other_api.get(f"{PREFIX}/rates"))["rates"]] == [theirs["id"]]


def test_bad_requests_name_each_field_and_keep_nothing(api, account):
    body = rates_body(account)
    body["shipper_accounts"] = []
    body["shipment"]["parcels"][0]["weight"]["value"] = 500
    body["shipment"]["parcels"][0]["box_type"] = "shoebox"
    del body["shipment"]["ship_to"]["postal_code"]
    meta = refused(api.post(f"{PREFIX}/rates", body, format="json"), 400, 4104)
    assert {d["path"] for d in meta["details"]} == {
        "shipper_accounts",
        "shipment.parcels.0.weight.value",
        "shipment.parcels.0.box_type",
        "shipment.ship_to.postal_code",
    }
    meta = refused(api.post(f"{PREFIX}/rates", rates_body(account, ship_date="soon")), 400)
    assert meta["details"][0]["path"] == "ship_date"
    assert not RateQuote.objects.exists()


def test_an_unknown_shipper_account_is_4140(api, other_api, account):
    meta = refused(other_api.post(f"{PREFIX}/rates", rates_body(account)), 404, 4140)
    assert meta["details"][0]["path"] == "shipper_account.id"
    assert not RateQuote.objects.exists()


# --- live accounts: the fake USPS over HTTP ------------------------------------------------


def test_a_live_account_asks_usps_prices_and_service_standards(api, live, usps):
    data = shop(api, live)

    rates = data["rates"]
    assert {r["service_type"] for r in rates} == THREE
    [prices] = usps.calls_of("prices")
    assert prices.path == "/prices/v3/total-rates/search"
    assert set(prices.body["mailClasses"]) == {
        "USPS_GROUND_ADVANTAGE",
        "PRIORITY_MAIL",
        "PRIORITY_MAIL_EXPRESS",
    }
    assert prices.body["originZIPCode"] == "84101" and prices.body["destinationZIPCode"] == "10013"
    assert prices.body["weight"] == 2 and prices.body["accountNumber"] == "1000000001"
    standards = usps.calls_of("standards")
    assert sorted(c.params["mailClass"] for c in standards) == sorted(prices.body["mailClasses"])
    # The delivery dates are USPS's scheduled ones for the day of shipping.
    ground = next(r for r in rates if r["service_type"] == "usps-discounted_ground_advantage")
    asked = next(c for c in standards if c.params["mailClass"] == "USPS_GROUND_ADVANTAGE")
    assert asked.params["weight"] == "2.00"
    # The fake's 4 days, one more for a far zone, one more for a pound or more.
    assert ground["transit_time"] == 6 and ground["zone"] == "07"
    small = next(r for r in rates if r["box_type"] == "usps_small_flat_rate_box")
    assert small["total_charge"] == {"amount": 11.1, "currency": "USD"}  # USPS's price

    shop(api, live)  # the same lane again: USPS's standards are not asked twice in a day
    assert len(usps.calls_of("prices")) == 2 and len(usps.calls_of("standards")) == 3


def test_a_destination_usps_refuses_express_to_gets_the_others(api, live, usps):
    usps.refused_express_zips.add("10013")
    rates = shop(api, live)["rates"]
    assert {r["service_type"] for r in rates} == THREE - {"usps-discounted_express_mail"}


def test_service_standards_out_of_reach_fall_back_to_the_zone_table(api, live, usps):
    usps.fail_next("standards", 6, status=503)  # the fast path and each retry
    rates = shop(api, live)["rates"]
    assert all(r["delivery_date"] and r["transit_time"] for r in rates)


def test_revoked_credentials_are_usps_words_and_keep_nothing(api, live, usps, settings):
    settings.USPS_CLIENT_SECRET = "revoked"
    meta = refused(api.post(f"{PREFIX}/rates", rates_body(live)), 400, 4104)
    assert "USPS refused its credentials (Client credentials invalid)" in meta["message"]
    assert meta["details"][0]["path"] == "shipper_account.id"
    assert not RateQuote.objects.exists()


def test_usps_out_of_reach_is_4312_and_retryable(api, live, usps):
    usps.fail_next("prices", 1, status=503)
    response = api.post(f"{PREFIX}/rates", rates_body(live))
    assert response.status_code == 503
    meta = response.json()["meta"]
    assert meta["code"] == 4312 and meta["retryable"] is True
    assert not RateQuote.objects.exists()


def test_one_account_failing_among_two_is_its_error_message(api, live, account, usps, settings):
    settings.USPS_CLIENT_SECRET = "revoked"
    rates = shop(api, account, live)["rates"]
    failed = [r for r in rates if r["error_message"]]
    assert [r["shipper_account"]["id"] for r in failed] == [live.pk]
    assert "Client credentials invalid" in failed[0]["error_message"]
    assert failed[0]["total_charge"] is None
    assert {r["shipper_account"]["id"] for r in rates if not r["error_message"]} == {account.pk}
