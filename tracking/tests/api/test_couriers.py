"""GET /couriers, GET /couriers/all and POST /couriers/detect."""

import pytest

from tracking.tests.api.support import error, impb, ok, url

NUMBER = impb(1)
WRONG_CHECK_DIGIT = NUMBER[:-1] + str((int(NUMBER[-1]) + 1) % 10)
USPS = {
    "slug": "usps",
    "name": "USPS",
    "phone": "+1 800-275-8777",
    "other_name": "United States Postal Service",
    "web_url": "https://www.usps.com",
    "required_fields": [],
    "optional_fields": ["tracking_postal_code", "tracking_ship_date"],
    "default_language": "en",
    "support_languages": ["en"],
    "service_from_country_iso3": ["USA"],
}


@pytest.mark.parametrize("path", ["couriers", "couriers/all"])
def test_couriers(api, path):
    assert ok(api.get(url(path))) == {"total": 1, "couriers": [USPS]}


@pytest.mark.parametrize(
    ("body", "slugs"),
    [
        ({"tracking": {"tracking_number": NUMBER}}, ["usps"]),
        ({"tracking_number": NUMBER}, ["usps"]),
        ({"tracking_number": f"420 10001 {NUMBER}"}, ["usps"]),
        ({"tracking_number": "EC123456785US"}, ["usps"]),
        ({"tracking_number": NUMBER, "slug": ["usps"]}, ["usps"]),
        ({"tracking_number": NUMBER, "slug": ["fedex"]}, []),
        ({"tracking_number": "RR123456785CN"}, []),  # S10, but not mailed through USPS
        ({"tracking_number": "123456789"}, []),  # nothing in the format says who
        ({"tracking_number": WRONG_CHECK_DIGIT}, []),
        ({"tracking_number": "12"}, []),
    ],
)
def test_detect(api, body, slugs):
    data = ok(api.post(url("couriers/detect"), body))
    assert data == {"total": len(slugs), "couriers": [USPS for _ in slugs]}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, ("tracking_number", "required")),
        ({"tracking": {"slug": ["usps"]}}, ("tracking_number", "required")),
        ({"tracking_number": None}, ("tracking_number",)),
        ({"tracking_number": "1" * 201}, ("tracking_number",)),
        ({"tracking_number": NUMBER, "slug": "usps"}, ("slug",)),
        ({"tracking": []}, ("tracking",)),
        ([NUMBER], ("object",)),
    ],
)
def test_detect_needs_a_tracking_number(api, body, says):
    error(api.post(url("couriers/detect"), body), 400, says=says)
