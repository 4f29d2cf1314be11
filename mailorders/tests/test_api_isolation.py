"""Partners never see each other's print mail, and test keys never see live objects."""

from __future__ import annotations

import pytest

from mailorders.models import Letter, Template

from .conftest import TO, error, ok, url


@pytest.fixture
def mine(api, create_letter):
    """One of each object the partner's test key owns."""
    letter = create_letter()
    template = ok(api.post(url("templates"), {"html": "<p>x</p>"}))
    bank = ok(api.post(url("bank_accounts"), {"bankName": "CIBC", "accountNumber": "12345678"}))
    return {
        "letter": letter["id"],
        "contact": letter["to"]["id"],
        "template": template["id"],
        "bank": bank["id"],
    }


ENDPOINTS = [
    ("get", ("letters", "{letter}")),
    ("delete", ("letters", "{letter}")),
    ("post", ("letters", "{letter}", "cancellation")),
    ("post", ("letters", "{letter}", "progressions")),
    ("get", ("letters", "{letter}", "url")),
    ("get", ("contacts", "{contact}")),
    ("get", ("templates", "{template}")),
    ("post", ("templates", "{template}")),
    ("delete", ("templates", "{template}")),
    ("get", ("bank_accounts", "{bank}")),
]


@pytest.mark.parametrize(("method", "parts"), ENDPOINTS)
def test_another_partners_id_is_not_found_and_changes_nothing(other_api, mine, method, parts):
    path = url(*(part.format(**mine) for part in parts))
    response = getattr(other_api, method)(
        path, {"html": "<p>changed</p>"} if method == "post" else None
    )
    error(response, 404, says="Could not find")
    letter = Letter.objects.get(pk=mine["letter"])
    assert letter.status == "ready" and letter.cancellation_note == ""
    assert Template.objects.get(pk=mine["template"]).html == "<p>x</p>"


@pytest.mark.parametrize(("method", "parts"), ENDPOINTS)
def test_a_live_key_of_the_same_partner_does_not_see_test_objects(live_api, mine, method, parts):
    path = url(*(part.format(**mine) for part in parts))
    response = getattr(live_api, method)(
        path, {"html": "<p>changed</p>"} if method == "post" else None
    )
    assert response.status_code == 404
    assert Letter.objects.get(pk=mine["letter"]).status == "ready"


@pytest.mark.parametrize(
    "resource",
    ["letters", "postcards", "cheques", "self_mailers", "contacts", "templates", "bank_accounts"],
)
def test_lists_hold_only_the_keys_own_objects(other_api, live_api, mine, resource):
    for client in (other_api, live_api):
        page = ok(client.get(url(resource)))
        assert page["totalCount"] == 0 and page["data"] == []


def test_another_partners_contact_and_template_cannot_be_used(other_api, mine):
    body = {"to": mine["contact"], "from": TO, "html": "<p>x</p>"}
    error(other_api.post(url("letters"), body), 400, field="to")
    body = {"to": TO, "from": TO, "template": mine["template"]}
    error(other_api.post(url("letters"), body), 400, field="template")
    assert Letter.objects.count() == 1


def test_a_search_never_reaches_another_partners_orders(other_api, mine):
    for term in (mine["letter"], "Ada", "Welcome"):
        assert ok(other_api.get(url("letters"), {"search": term}))["totalCount"] == 0
