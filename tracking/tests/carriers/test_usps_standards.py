"""USPS Service Standards 3.0 for predict-batch, against a real HTTP server on 127.0.0.1: the
token and budget of the tracking client, one call per lane (cached), the zone table when USPS
fails. The answers follow the published OpenAPI: an array of `{mailClass, originZIPCode,
destinationZIPCode, days, effectiveAcceptanceDate, scheduledDeliveryDate, notes?}`."""

from __future__ import annotations

import json

import pytest
from werkzeug import Request, Response

from shipdesk.services import api_key_create
from tracking.carriers.usps import standards_mapper as mapper
from tracking.edd import CODE_FEW_DATA
from tracking.models import CarrierRequest
from tracking.tests.api.support import PartnerClient
from tracking.tests.carriers.conftest import CLIENT_ID, CLIENT_SECRET

pytestmark = pytest.mark.django_db

URL = "/tracking/2024-04/estimated-delivery-date/predict-batch"
# Thursday 1 July 2021, before the cutoff; Monday 5 July is the observed holiday.
ITEM = {
    "slug": "usps",
    "service_type_name": "usps-priority_mail",
    "origin_address": {"country": "USA", "state": "WA", "postal_code": "98108"},
    "destination_address": {"country": "USA", "state": "CA", "postal_code": "92019-1234"},
    "pickup_time": "2021-07-01 15:00:00",
}


def ground_advantage_answer(origin, destination):
    return [
        {
            "mailClass": "USPS_GROUND_ADVANTAGE",
            "notes": "WEIGHT_LESS_THAN_1_POUND",
            "originZIPCode": origin,
            "destinationZIPCode": destination,
            "days": 3,
            "effectiveAcceptanceDate": "2021-07-01",
            "scheduledDeliveryDate": "2021-07-06",
        },
        {
            "mailClass": "USPS_GROUND_ADVANTAGE",
            "notes": "WEIGHT_GREATER_THAN_OR_EQUAL_TO_1_POUND",
            "originZIPCode": origin,
            "destinationZIPCode": destination,
            "days": 4,
            "effectiveAcceptanceDate": "2021-07-01",
            "scheduledDeliveryDate": "2021-07-07",
        },
    ]


class Standards:
    """The `/service-standards/v3/standards` endpoint: `days` per mail class, or a status."""

    def __init__(self, httpserver):
        self.seen: list[Request] = []
        self.status = 200
        httpserver.expect_request(mapper.PATH, method="GET").respond_with_handler(self.answer)

    def answer(self, request: Request) -> Response:
        self.seen.append(request)
        if self.status != 200:
            return Response(
                json.dumps({"error": {"code": str(self.status), "message": "unavailable"}}),
                status=self.status,
                content_type="application/json",
            )
        args = request.args
        origin, destination = args["originZIPCode"], args["destinationZIPCode"]
        if args["mailClass"] == "USPS_GROUND_ADVANTAGE":
            body = ground_advantage_answer(origin, destination)
        else:
            body = [
                {
                    "mailClass": args["mailClass"],
                    "originZIPCode": origin,
                    "destinationZIPCode": destination,
                    "days": 2,
                    "effectiveAcceptanceDate": "2021-07-01",
                    "scheduledDeliveryDate": "2021-07-03",
                }
            ]
        return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def standards(fake_usps, httpserver, settings):
    settings.USPS_CLIENT_ID = CLIENT_ID
    settings.USPS_CLIENT_SECRET = CLIENT_SECRET
    settings.USPS_BASE_URL = fake_usps.base_url
    return Standards(httpserver)


@pytest.fixture
def api(partner):
    return PartnerClient(api_key_create(partner=partner, name="checkout")[1])


def predict(api, *items):
    response = api.post(URL, {"estimated_delivery_dates": list(items)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]["estimated_delivery_dates"]


def dates(answer):
    return (
        answer["estimated_delivery_date_min"],
        answer["estimated_delivery_date"],
        answer["estimated_delivery_date_max"],
    )


def test_a_lane_without_history_is_answered_with_uspss_standard(api, standards, fake_usps):
    [answer] = predict(api, ITEM)

    # USPS says 2 days of Priority Mail: Friday 2 and Saturday 3 July; one day either side.
    assert dates(answer) == ("2021-07-02", "2021-07-03", "2021-07-06")
    assert answer["confidence_code"] == CODE_FEW_DATA
    [request] = standards.seen
    assert dict(request.args) == {
        "originZIPCode": "98108",
        "destinationZIPCode": "92019",
        "mailClass": "PRIORITY_MAIL",
        "destinationType": "STREET",
    }
    assert request.headers["Authorization"] == f"Bearer {fake_usps.issued[0]}"
    # Out of the shared hourly budget, beside the token call.
    assert set(CarrierRequest.objects.values_list("kind", flat=True)) == {"token", "standards"}

    # The same lane again: from the cache, no second call.
    assert dates(predict(api, ITEM)[0]) == dates(answer)
    assert len(standards.seen) == 1


def test_ground_advantage_without_a_weight_takes_the_longer_standard(api, standards):
    item = {**ITEM, "service_type_name": "USPS Ground Advantage"}
    [answer] = predict(api, item)
    # 4 days (the one-pound-and-over standard): Fri 2, Sat 3, Tue 6, Wed 7.
    assert answer["estimated_delivery_date"] == "2021-07-07"
    assert standards.seen[0].args["mailClass"] == "USPS_GROUND_ADVANTAGE"


def test_when_usps_fails_the_zone_table_answers_and_usps_rests(api, standards):
    standards.status = 503

    [answer] = predict(api, ITEM)

    # The table: about 1,000 miles (zone 5), Priority Mail 2-3 days.
    assert dates(answer) == ("2021-07-03", "2021-07-06", "2021-07-06")
    assert answer["confidence_code"] == CODE_FEW_DATA
    assert len(standards.seen) == 1  # no retries for an interactive lookup
    predict(api, {**ITEM, "destination_address": {"postal_code": "10001"}})
    assert len(standards.seen) == 1  # paused after the failure: straight to the table


def test_an_address_without_a_zip_code_is_not_sent_to_usps(api, standards):
    item = {**ITEM, "destination_address": {"country": "USA", "state": "California"}}
    [answer] = predict(api, item)
    assert answer["estimated_delivery_date"] is not None
    assert standards.seen == []


@pytest.mark.parametrize(
    ("body", "days"),
    [
        ([{"mailClass": "PRIORITY_MAIL", "days": "3"}], (2, 3, 4)),
        ([{"mailClass": "PRIORITY_MAIL", "days": 1}], (1, 1, 2)),
        ([{"mailClass": "MEDIA_MAIL", "days": 5}], None),
        ([{"mailClass": "PRIORITY_MAIL", "days": -1}], None),
        ([{"mailClass": "PRIORITY_MAIL", "days": True}], None),
        ({"error": "x"}, None),
        ([], None),
    ],
)
def test_the_mapper_reads_only_days_it_can_trust(body, days):
    found = mapper.parse_standards(200, body, mail_class="PRIORITY_MAIL")
    assert (found.transit_days if found else None) == days
