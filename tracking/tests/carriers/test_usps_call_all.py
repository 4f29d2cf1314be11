"""`UspsClient.call_all` (several lookups sent at once, HTTP only in the threads) and the fake's
Service Standards 3.0, over real HTTP against the fake USPS server."""

from datetime import date

import pytest

from tracking.carriers.budget import BudgetExhausted, take_slots
from tracking.carriers.usps import standards
from tracking.carriers.usps.client import Call, CarrierUnavailable, UspsClient
from tracking.carriers.usps.fake import CLIENT_ID, CLIENT_SECRET
from tracking.carriers.usps.fake.fixtures import usps_server  # noqa: F401
from tracking.models import CarrierRequest

pytestmark = pytest.mark.django_db
KEY = "usps-call-all-test"
MONDAY = date(2026, 12, 7)


def client_for(usps_server, *, max_retries=0, per_hour=10_000):  # noqa: F811
    return UspsClient(
        base_url=usps_server.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        per_hour=per_hour,
        timeout=2.0,
        max_retries=max_retries,
        backoff=0.01,
        sleep=lambda seconds: None,
        token_key=KEY,
        budget_key=KEY,
    )


def lookups(*classes: str) -> list[Call]:
    return [
        standards.delivery_call(
            origin_zip="84101",
            destination_zip="10013",
            mail_class=name,
            weight_lb=2.0,
            acceptance_date=MONDAY,
        )
        for name in classes
    ]


def test_lookups_go_at_once_on_one_token_and_count_in_the_budget(usps_server):  # noqa: F811
    calls = lookups("priority_mail", "ground_advantage", "priority_mail_express")

    answers = client_for(usps_server).call_all(calls)

    found = [
        standards.delivery_read(a, c, weight_lb=2.0) for a, c in zip(answers, calls, strict=True)
    ]
    # The fake's days: 2, 4 and 1, one more for a far zone, one more for Ground Advantage of
    # a pound or more; dates count business days from Monday 7 December.
    assert [(d.days, d.date) for d in found] == [
        (3, date(2026, 12, 10)),
        (6, date(2026, 12, 14)),
        (2, date(2026, 12, 9)),
    ]
    assert len(usps_server.fake.calls_of("token")) == 1
    assert len(usps_server.fake.calls_of("standards")) == 3
    assert CarrierRequest.objects.filter(carrier=KEY, kind="standards").count() == 3


def test_an_expired_token_is_fetched_again_for_the_answers_that_need_it(usps_server):  # noqa: F811
    client = client_for(usps_server)
    client.call_all(lookups("priority_mail"))
    usps_server.fake.expire_tokens()

    [answer] = client.call_all(lookups("priority_mail"))

    assert answer.status_code == 200
    assert len(usps_server.fake.calls_of("token")) == 2


def test_a_5xx_without_retries_is_carrier_unavailable_for_that_one_only(usps_server):  # noqa: F811
    usps_server.fake.fail_next("standards", 1, status=503)

    answers = client_for(usps_server).call_all(lookups("priority_mail"))

    assert isinstance(answers[0], CarrierUnavailable) and "HTTP 503" in str(answers[0])


def test_with_retries_a_5xx_is_asked_again(usps_server):  # noqa: F811
    usps_server.fake.fail_next("standards", 1, status=503)

    [answer] = client_for(usps_server, max_retries=1).call_all(lookups("ground_advantage"))

    assert answer.status_code == 200 and len(usps_server.fake.calls_of("standards")) == 2


def test_the_budget_takes_all_the_slots_or_none(usps_server):  # noqa: F811
    take_slots(carrier=KEY, per_hour=3, kinds=["prices", "standards"])
    with pytest.raises(BudgetExhausted):
        take_slots(carrier=KEY, per_hour=3, kinds=["prices", "standards"])
    assert CarrierRequest.objects.filter(carrier=KEY).count() == 2


def test_the_fake_refuses_a_bad_zip_in_uspss_error_body(usps_server):  # noqa: F811
    client = client_for(usps_server)
    response = client.call(
        "standards",
        "GET",
        "/service-standards/v3/standards",
        params={"originZIPCode": "841", "destinationZIPCode": "10013"},
    )
    body = response.json()
    assert response.status_code == 400 and body["apiVersion"] == "/service-standards/v3"
    assert body["error"]["errors"][0]["source"] == {"parameter": "originZIPCode"}
