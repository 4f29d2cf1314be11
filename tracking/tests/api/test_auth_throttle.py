"""API keys (the `as-api-key` header, revoked keys) and the per-key throttle with its headers."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from shipdesk.models import APIKey, ThrottleWindow
from shipdesk.services import api_key_revoke
from tracking.models import Shipment
from tracking.tests.api.support import PartnerClient, error, impb, ok, redis_required, url

# One request per route of the API (the {id} forms with an id nobody has).
ENDPOINTS = [
    ("get", "trackings"),
    ("post", "trackings"),
    ("get", "trackings/abc"),
    ("put", "trackings/abc"),
    ("patch", "trackings/abc"),
    ("delete", "trackings/abc"),
    ("get", "trackings/usps/9400111899223123456785"),
    ("post", "trackings/abc/retrack"),
    ("post", "trackings/abc/mark-as-completed"),
    ("post", "trackings/usps/9400111899223123456785/mark-as-completed"),
    ("get", "last_checkpoint/abc"),
    ("get", "notifications/abc"),
    ("post", "notifications/abc/add"),
    ("post", "notifications/abc/remove"),
    ("get", "couriers"),
    ("get", "couriers/all"),
    ("post", "couriers/detect"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_needs_a_key(db, method, path):
    response = getattr(PartnerClient(), method)(url(path), {"tracking_number": impb(1)})

    meta = error(response, 401, says=("as-api-key",))
    assert meta["type"] == "Unauthorized"
    assert response["WWW-Authenticate"] == "as-api-key"
    assert "X-RateLimit-Limit" not in response
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    "raw_key",
    ["nonsense", "sd_live_00000000_abc", "Bearer sd_live_x_y", "sd_live__", "é" * 10],
)
def test_an_unknown_key_is_unauthorized(db, raw_key):
    response = PartnerClient(raw_key).get(url("trackings"))
    error(response, 401, says=("invalid or revoked",))


def test_a_tampered_key_is_unauthorized(api):
    tampered = api.raw_key[:-3] + ("aaa" if not api.raw_key.endswith("aaa") else "bbb")
    error(PartnerClient(tampered).get(url("trackings")), 401)


def test_a_revoked_key_is_unauthorized_at_once(api, partner):
    ok(api.post(url("trackings"), {"tracking_number": impb(1)}), 201)
    api_key_revoke(key=api.key)

    error(api.get(url("trackings")), 401, says=("revoked",))
    error(api.post(url("trackings"), {"tracking_number": impb(2)}), 401)
    assert Shipment.objects.filter(partner=partner).count() == 1


def test_the_keys_of_a_deactivated_partner_are_unauthorized(api, partner):
    partner.is_active = False
    partner.save()
    error(api.get(url("trackings")), 401)


def test_a_key_with_stray_whitespace_still_works(api):
    ok(PartnerClient(f"  {api.raw_key} ").get(url("trackings")))


def test_a_key_in_another_header_is_not_read(api):
    client = PartnerClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api.raw_key}", HTTP_X_API_KEY=api.raw_key)
    error(client.get(url("trackings")), 401)


def test_a_used_key_records_when(api):
    assert api.key.last_used_at is None
    ok(api.get(url("couriers")))
    assert APIKey.objects.get(pk=api.key.pk).last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(api):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        ok(api.get(url("couriers")))
        traveller.shift(timedelta(seconds=30))
        ok(api.get(url("couriers")))
        assert APIKey.objects.get(pk=api.key.pk).last_used_at == start
        traveller.shift(timedelta(seconds=31))
        ok(api.get(url("couriers")))
        assert APIKey.objects.get(pk=api.key.pk).last_used_at == start + timedelta(seconds=61)


def test_a_busy_key_is_read_once_then_from_memory(api, django_assert_num_queries):
    ok(api.get(url("couriers")))
    with django_assert_num_queries(1):  # the throttle's count: no key lookup, no last_used
        ok(api.get(url("couriers")))


def test_a_changed_rate_applies_at_once_in_this_process(client_for, partner, clock):
    api = client_for(partner, rate_per_second=5)
    assert rate_headers(api.get(url("couriers")))[0] == 5
    api.key.rate_per_second = 2
    api.key.save(update_fields=["rate_per_second"])
    assert rate_headers(api.get(url("couriers")))[:2] == (2, 0)


# --- throttling --------------------------------------------------------------------------------


def rate_headers(response) -> tuple[int, int, int]:
    return tuple(int(response[f"X-RateLimit-{name}"]) for name in ("Limit", "Remaining", "Reset"))


def test_every_answer_after_authentication_carries_rate_limit_headers(
    client_for, partner, make_shipment, clock
):
    api = client_for(partner, rate_per_second=30)
    shipment = make_shipment()
    reset = int(clock.now) + 1
    answers = [
        api.get(url("trackings")),
        api.post(url("trackings"), {"tracking_number": impb(99)}),
        api.get(url("trackings", shipment.public_id)),
        api.get(url("last_checkpoint", shipment.public_id)),
        api.get(url("couriers")),
        # errors after authentication
        api.get(url("trackings"), {"limit": 201}),
        api.post(url("trackings"), {"tracking_number": shipment.tracking_number}),
        api.get(url("trackings", "nobody-has-this-id")),
        api.post(url("trackings", shipment.public_id, "retrack")),
        api.delete(url("trackings")),
        api.post(url("trackings"), b"{", content_type="application/json"),
    ]

    assert [r.status_code for r in answers] == [
        200,
        201,
        200,
        200,
        200,
        400,
        400,
        404,
        400,
        405,
        400,
    ]
    assert [rate_headers(r) for r in answers] == [
        (30, 30 - n, reset) for n in range(1, len(answers) + 1)
    ]


def test_the_default_limit_is_the_setting(client_for, partner, settings, clock):
    settings.API_RATE_PER_SECOND = 10
    api = client_for(partner)

    answers = [api.get(url("couriers")) for _ in range(11)]

    assert [r.status_code for r in answers] == [200] * 10 + [429]
    assert rate_headers(answers[0]) == (10, 9, int(clock.now) + 1)


def test_over_the_limit_is_429_until_the_next_second(client_for, partner, clock):
    api = client_for(partner, rate_per_second=2)

    ok(api.get(url("trackings")))
    ok(api.get(url("trackings")))
    refused = api.post(url("trackings"), {"tracking_number": impb(1)})

    meta = error(refused, 429)
    assert meta["type"] == "TooManyRequests"
    assert "rate limit" in meta["message"]
    assert rate_headers(refused) == (2, 0, int(clock.now) + 1)
    assert refused["Retry-After"] == "1"
    assert not Shipment.objects.exists()
    error(api.get(url("trackings", "anything")), 429)  # refused before the lookup

    clock.now += 1
    allowed = api.get(url("trackings"))
    ok(allowed)
    assert rate_headers(allowed) == (2, 1, int(clock.now) + 1)


def test_limits_are_per_key(client_for, partner, other_partner, clock):
    first = client_for(partner, name="one", rate_per_second=2)
    second = client_for(partner, name="two", rate_per_second=2)
    elsewhere = client_for(other_partner, rate_per_second=2)

    for _ in range(2):
        ok(first.get(url("couriers")))
    error(first.get(url("couriers")), 429)

    fresh = second.get(url("couriers"))
    ok(fresh)
    assert rate_headers(fresh) == (2, 1, int(clock.now) + 1)
    ok(elsewhere.get(url("couriers")))


def test_one_key_used_from_two_clients_shares_its_budget(client_for, partner, clock):
    api = client_for(partner, rate_per_second=3)
    twin = PartnerClient(api.raw_key)  # e.g. another process of the partner's backend

    statuses = [c.get(url("couriers")).status_code for c in (api, twin, api, twin)]

    assert statuses == [200, 200, 200, 429]


def test_unknown_routes_are_not_counted(client_for, partner, clock):
    api = client_for(partner, rate_per_second=1)
    for _ in range(3):
        error(api.get(url("no-such-thing")), 404)
    ok(api.get(url("couriers")))


@pytest.fixture
def redis_cache(settings):
    """The shared cache in Redis (as at scale), under a key prefix of this test's own."""
    redis_required()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"t{uuid.uuid4().hex[:12]}",
        },
    }


def test_with_redis_the_throttle_counts_there_with_the_same_answers(
    redis_cache, client_for, partner, clock
):
    api = client_for(partner, rate_per_second=2)
    twin = PartnerClient(api.raw_key)

    answers = [c.get(url("couriers")) for c in (api, twin, api)]

    assert [r.status_code for r in answers] == [200, 200, 429]
    reset = int(clock.now) + 1
    assert [rate_headers(r) for r in answers] == [(2, 1, reset), (2, 0, reset), (2, 0, reset)]
    assert answers[2]["Retry-After"] == "1"
    assert error(answers[2], 429)["type"] == "TooManyRequests"
    assert not ThrottleWindow.objects.exists()  # nothing written per request in the database
    clock.now += 1
    assert rate_headers(ok_response(api.get(url("couriers")))) == (2, 1, reset + 1)


def ok_response(response):
    ok(response)
    return response
