"""Routing errors in the envelope, and nothing a partner sends producing a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracking.models import Shipment
from tracking.tests.api.support import PREFIX, error, ok, snapshot, url

# --- routes and methods ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "nope",
        "trackings/",
        "trackings/a/b/c/d",
        "trackings/abc/retrack/now",
        "tracking",
        "couriers/detect/usps",
        "estimated-delivery-dates",
        "",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
def test_an_unknown_route_under_the_prefix_is_a_404_envelope(api, path, method):
    response = getattr(api, method)(f"{PREFIX}/{path}")

    meta = error(response, 404)
    assert meta["message"] == (
        "The URI requested is invalid or the resource requested does not exist."
    )


def test_an_unknown_route_needs_no_key(client):
    error(client.get(f"{PREFIX}/nope"), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "trackings", "GET, POST"),
        ("put", "trackings", "GET, POST"),
        ("post", "trackings/{id}", "GET, PUT, PATCH, DELETE"),
        ("get", "trackings/{id}/retrack", "POST"),
        ("delete", "trackings/{id}/mark-as-completed", "POST"),
        ("get", "trackings/usps/{number}/mark-as-completed", "POST"),
        ("post", "last_checkpoint/{id}", "GET"),
        ("put", "notifications/{id}", "GET"),
        ("get", "notifications/{id}/remove", "POST"),
        ("post", "couriers", "GET"),
        ("delete", "couriers/all", "GET"),
        ("get", "couriers/detect", "POST"),
    ],
)
def test_a_wrong_method_is_a_405_envelope(api, make_shipment, method, path, allowed):
    shipment = make_shipment()
    before = snapshot(shipment)
    path = path.format(id=shipment.public_id, number=shipment.tracking_number)

    response = getattr(api, method)(url(path), {"reason": "LOST"})

    meta = error(response, 405, says=(method.upper(),))
    assert meta["type"] == "BadRequest"
    for name in allowed.split(", "):
        assert name in response["Allow"]
    assert snapshot(shipment) == before


@pytest.mark.parametrize("path", ["trackings", "trackings/{id}", "notifications/{id}/add"])
def test_options_answers_in_the_envelope(api, make_shipment, path):
    response = api.options(url(path.format(id=make_shipment().public_id)))

    assert ok(response) == {}
    assert "OPTIONS" in response["Allow"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "trackings/{id}"),
        ("patch", "trackings/usps/{number}"),
        ("post", "trackings/{id}/mark-as-completed"),
        ("post", "notifications/{id}/add"),
        ("post", "notifications/{id}/remove"),
        ("post", "couriers/detect"),
    ],
)
@pytest.mark.parametrize("raw", [b"{", b'{"reason": DELIVERED}', b"\xff", b'{"a": 1}{"b": 2}'])
def test_a_body_that_is_not_json_is_a_bad_request_everywhere(api, make_shipment, method, path, raw):
    shipment = make_shipment(emails=["ann@example.com"])
    before = snapshot(shipment)
    path = url(path.format(id=shipment.public_id, number=shipment.tracking_number))

    response = getattr(api, method)(path, raw, content_type="application/json")

    error(response, 400, says=("not valid JSON",))
    assert snapshot(shipment) == before


# --- nothing a partner sends produces a 500 ----------------------------------------------------

NASTY_BODIES = [
    None,
    [],
    [[]],
    [{"tracking_number": "123456789"}],
    "tracking",
    0,
    -1.5,
    True,
    {"tracking": []},
    {"tracking": None},
    {"tracking": {"tracking": {"tracking": {}}}},
    {"tracking_number": []},
    {"tracking_number": {"a": 1}},
    {"tracking_number": True},
    {"tracking_number": "١٢٣٤٥٦٧٨٩"},
    {"tracking_number": "9400" * 2500},
    {"tracking_number": "123456789", "title": "x" * 1_000_000},
    {"tracking_number": "123456789", "emails": [None]},
    {"tracking_number": "123456789", "emails": [[]], "smses": [{}]},
    {"tracking_number": "123456789", "emails": {"a": "b"}},
    {"tracking_number": "123456789", "custom_fields": {"a\u0000": 1}},
    {"tracking_number": "123456789", "custom_fields": {"a": "\ud800"}},
    {"tracking_number": "123456789", "note": "\u0000"},
    {"tracking_number": "123456789", "order_date": "9999-12-31T23:59:59-12:00"},
    {"tracking_number": "123456789", "order_date": "0001-01-01T00:00:00+01:00"},
    {"tracking_number": "123456789", "order_promised_delivery_date": "0000-01-01"},
    {"tracking_number": "123456789", "shipment_weight": "NaN"},
    {"tracking_number": "123456789", "shipment_weight": "-Infinity"},
    {"tracking_number": "123456789", "shipment_package_count": 10**30},
    {"tracking_number": "123456789", "shipment_weight": 10**400},
    {"tracking_number": "123456789", "order_date": 10**400},
    {"tracking_number": "123456789", "order_tags": ["x" * 101]},
    {"tracking_number": "123456789", "order_tags": [None]},
    {"tracking_number": "123456789", "shipment_tags": "gift"},
    {"reason": {"DELIVERED": True}},
    {"emails": ["a@example.com"] * 1000},
    {"smses": ["+1" + "5" * 100]},
    {"slug": [None]},
    {"notification": {"emails": "ann@example.com"}},
    {key: None for key in ("tracking_number", "slug", "title", "emails", "smses", "reason")},
]
RAW_BODIES = [
    b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's recursion limit
    b'{"tracking_number": "1e999", "shipment_weight": 1e999}',
    b'{"tracking_number": "123456789", "shipment_weight": NaN}',
    b'{"tracking_number": "\\ud800\\udc00\\udc00"}',
    '{"tracking_number": "123456789", "title": "\U0001f4e6"}'.encode("utf-16"),
    b"",
    b"null",
]
BODY_ENDPOINTS = [
    ("post", "trackings"),
    ("put", "trackings/{id}"),
    ("patch", "trackings/usps/{number}"),
    ("post", "trackings/{id}/mark-as-completed"),
    ("post", "trackings/{id}/retrack"),
    ("post", "notifications/{id}/add"),
    ("post", "notifications/{id}/remove"),
    ("post", "couriers/detect"),
]


def assert_answered_in_the_envelope(response):
    assert response.status_code < 500, response.content
    body = response.json()
    assert set(body) == {"meta", "data"}
    assert body["meta"]["code"] in (response.status_code, 4003, 4004, 4016)
    if response.status_code >= 400:
        assert body["meta"]["type"] in ("BadRequest", "NotFound", "TooManyRequests")
        assert body["meta"]["message"]


@pytest.mark.parametrize(("method", "path"), BODY_ENDPOINTS)
def test_nasty_bodies_never_produce_a_500(api, make_shipment, method, path):
    shipment = make_shipment(emails=["ann@example.com"])
    path = url(path.format(id=shipment.public_id, number=shipment.tracking_number))

    for body in NASTY_BODIES:
        response = getattr(api, method)(path, json.dumps(body), content_type="application/json")
        assert_answered_in_the_envelope(response)
    for raw in RAW_BODIES:
        response = getattr(api, method)(path, raw, content_type="application/json")
        assert_answered_in_the_envelope(response)
        if raw.startswith(b"[[") and not path.endswith("/retrack"):  # retrack reads no body
            error(response, 400, says=("nested",))


def test_a_nasty_create_stores_nothing_half_done(api):
    for body in NASTY_BODIES:
        api.post(url("trackings"), json.dumps(body), content_type="application/json")
    for stored in Shipment.objects.all():
        assert stored.tracking_number.isascii()
        assert stored.tracking_number.isalnum()
        assert len(stored.title) <= 255


def test_unicode_round_trips(api):
    body = {
        "tracking_number": "123456789",
        "title": "🚚📦 Zoë Ørsted 山田 ‮rtl",
        "customer_name": "Ωμέγα Ünïcödé",
        "note": 'line\nbreak\ttab \\ backslash "quote"',
        "custom_fields": {"名前": "値", "emoji": "🎁"},
    }
    created = ok(api.post(url("trackings"), {"tracking": body}), 201)["tracking"]
    fetched = ok(api.get(url("trackings", created["id"])))["tracking"]

    for name, value in body.items():
        assert created[name] == fetched[name] == value
    listed = ok(api.get(url("trackings"), {"keyword": "山田"}))["trackings"]
    assert [t["id"] for t in listed] == [created["id"]]


def test_a_deeply_nested_custom_field_is_stored_and_answered(api):
    depth = 900
    nested = '{"a": ' * depth + "1" + "}" * depth
    raw = '{"tracking_number": "123456789", "custom_fields": ' + nested + "}"
    created = ok(api.post(url("trackings"), raw, content_type="application/json"), 201)

    listed = ok(api.get(url("trackings")))["trackings"]
    assert listed[0]["custom_fields"] == created["tracking"]["custom_fields"]
    assert ok(api.get(url("trackings"), {"keyword": "zzz"}))["trackings"] == []


NASTY_QUERIES = [
    {"page": "99999999999999999999999999"},
    {"page": "-0"},
    {"limit": "1e2"},
    {"limit": "200.0"},
    {"page": "", "limit": ""},
    {"keyword": "%_\\'\";--"},
    {"keyword": "\u0000"},
    {"keyword": "\ufffd" * 50},
    {"keyword": "山田"},
    {"tag": ",,,"},
    {"tag": "\u0000"},
    {"slug": "\u0000"},
    {"origin": "x" * 10_000},
    {"destination": "\u0000"},
    {"created_at_min": "0001-01-01"},
    {"created_at_max": "9999-12-31T23:59:59-12:00"},
    {"created_at_min": "2024-02-30T00:00:00Z"},
    {"updated_at_min": "\u0000"},
    {"order_id": "\u0000"},
    {"order_id": "x" * 256},
    {"tracking_numbers": ",,,"},
    {"tracking_numbers": "\u0000"},
    {"tracking_numbers": "x" * 100_000},
    {"return_to_sender": "\u0000"},
    {"fields": "a" * 100_000},
    {"fields": "\u0000"},
    {"lang": "\u0000"},
]


@pytest.mark.parametrize("params", NASTY_QUERIES)
def test_nasty_query_parameters_never_produce_a_500(api, make_shipment, params):
    shipment = make_shipment()
    for path in (
        url("trackings"),
        url("trackings", shipment.public_id),
        url("last_checkpoint", "usps", shipment.tracking_number),
    ):
        assert_answered_in_the_envelope(api.get(path, params))


@pytest.mark.parametrize(
    "ident",
    ["%00", "%ED%A0%80", "%F0%9F%93%A6", "a" * 5000, "..", "%2e%2e", "usps/%00",
     "usps/" + "9" * 5000, "%FF/%FE", "usps/%25", "USPS/%20"],
)  # fmt: skip
@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("get", "trackings/{}"),
        ("delete", "trackings/{}"),
        ("post", "trackings/{}/retrack"),
        ("get", "last_checkpoint/{}"),
        ("post", "notifications/{}/add"),
    ],
)
def test_nasty_ids_are_not_found(api, make_shipment, ident, method, template):
    shipment = make_shipment()
    before = snapshot(shipment)

    response = getattr(api, method)(url(template.format(ident)))

    assert_answered_in_the_envelope(response)
    assert response.status_code == 404
    assert snapshot(shipment) == before


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["tracking_number", "slug", "title", "emails", "smses", "note", "order_id", "custom_fields",
     "order_date", "order_promised_delivery_date", "shipment_weight", "order_tags", "reason",
     "origin_country_iso3", "shipment_package_count", "language"]
)  # fmt: skip
BODIES = st.dictionaries(FIELDS, JSON, max_size=6) | st.builds(
    lambda inner: {"tracking": inner}, st.dictionaries(FIELDS, JSON, max_size=6)
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES, endpoint=st.sampled_from(BODY_ENDPOINTS))
def test_random_json_never_produces_a_500(api, make_shipment, body, endpoint):
    method, path = endpoint
    shipment = make_shipment()
    path = url(path.format(id=shipment.public_id, number=shipment.tracking_number))

    assert_answered_in_the_envelope(getattr(api, method)(path, body))
