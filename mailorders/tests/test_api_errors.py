"""Errors in PostGrid's envelope naming the field; nothing a client sends produces a 500."""

from __future__ import annotations

import json

import pytest

from mailorders.models import Contact, Letter

from .conftest import FROM, TO, PostGridClient, error, url


def test_a_missing_key_is_refused_in_postgrids_envelope(db):
    err = error(PostGridClient().get(url("letters")), 401)
    assert err["type"] == "invalid_api_key_error" and "x-api-key" in err["message"]


def test_a_wrong_or_revoked_key_is_refused(api):
    error(PostGridClient("sd_test_nope_nope").get(url("letters")), 401)
    api.key.revoked_at = api.key.created_at
    api.key.save()
    error(api.get(url("letters")), 401)


def test_the_tracking_apis_header_is_not_accepted(api):
    client = PostGridClient()
    client.credentials(HTTP_AS_API_KEY=api.raw_key)
    error(client.get(url("letters")), 401)


def test_unknown_paths_answer_postgrids_404(api):
    err = error(api.get(url("envelopes")), 404)
    assert err["type"] == "not_found_error"
    error(PostGridClient().get(url("nothing", "here")), 404)


def test_a_wrong_method_is_refused(api):
    err = error(api.put(url("letters"), {}), 405)
    assert err["type"] == "method_not_allowed_error"


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"to": None}, "to", ""),
        ({"to": 5}, "to", "contact id or a contact object"),
        ({"to": {**TO, "addressLine1": ""}}, "to.addressLine1", ""),
        ({"to": {**TO, "firstName": ""}}, "to.firstName", "companyName"),
        ({"to": {**TO, "countryCode": "USA"}}, "to.countryCode", "alpha-2"),
        ({"to": "contact_doesnotexist"}, "to", "no contact"),
        ({"from": {"firstName": "x"}}, "from.addressLine1", ""),
        ({"html": ""}, "html", ""),
        ({"html": None}, "html", "is required"),
        ({"template": "template_x"}, "template", "not both"),
        ({"size": "a3"}, "size", ""),
        ({"mailingClass": "carrier_pigeon"}, "mailingClass", ""),
        ({"extraService": "insured"}, "extraService", ""),
        ({"sendDate": "soon"}, "sendDate", ""),
        ({"color": "perhaps"}, "color", ""),
        ({"metadata": [1, 2]}, "metadata", "object"),
        ({"mergeVariables": "x"}, "mergeVariables", ""),
        ({"metadata": {"k": "v" * 20000}}, "metadata", "bytes"),
        ({"description": "d" * 501}, "description", ""),
    ],
)
def test_validation_errors_name_the_field_and_change_nothing(api, letter_body, change, field, says):
    body = {**letter_body, **change}
    err = error(api.post(url("letters"), body), 400, field=field, says=says)
    assert err["type"] == "validation_error"
    assert not Letter.objects.exists() and not Contact.objects.exists()


def test_a_missing_from_is_named(api, letter_body):
    body = {k: v for k, v in letter_body.items() if k != "from"}
    error(api.post(url("letters"), body), 400, field="from")


@pytest.mark.parametrize(
    ("object_path", "body", "field"),
    [
        ("postcards", {"to": TO, "frontHTML": "a"}, "backHTML"),
        ("self_mailers", {"to": TO, "from": FROM, "outsideHTML": "a"}, "insideHTML"),
        ("cheques", {"to": TO, "from": FROM, "amount": 100}, "bankAccount"),
        ("cheques", {"to": TO, "from": FROM, "bankAccount": "bank_x", "amount": 0}, "amount"),
        ("cheques", {"to": TO, "from": FROM, "bankAccount": "bank_x", "amount": 1}, "bankAccount"),
        (
            "postcards",
            {"to": TO, "frontHTML": "a", "backHTML": "b", "extraService": "certified"},
            "extraService",
        ),
        ("bank_accounts", {"bankName": "B", "accountNumber": "12ab"}, "accountNumber"),
        # Arabic-Indic and fullwidth digits match Python's \d but are no bank's digits
        (
            "bank_accounts",
            {"bankName": "B", "accountNumber": "\u0661\u0662\u0663\u0664\u0665"},
            "accountNumber",
        ),
        (
            "bank_accounts",
            {"bankName": "B", "accountNumber": "12345678", "routingNumber": "\uff11\uff12\uff13"},
            "routingNumber",
        ),
        ("contacts", {"firstName": "A"}, "addressLine1"),
        ("templates", {"description": "no html"}, "html"),
    ],
)
def test_each_resource_names_its_missing_or_bad_field(api, object_path, body, field):
    error(api.post(url(object_path), body), 400, field=field)


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"[]",
        b'"text"',
        b"null",
        b'{"to": {"firstName": "\\u0000", "addressLine1": "x"}}',
        b'{"metadata": {"\\ud800": 1}}',
        b'{"amount": 1e999}',
        b"[" * 5000 + b"]" * 5000,
        '{"to": "contact_\u0000"}'.encode(),
    ],
)
def test_malformed_bodies_are_client_errors(api, raw):
    for resource in ("letters", "cheques", "contacts", "templates"):
        response = api.post(url(resource), raw, content_type="application/json")
        assert 400 <= response.status_code < 500, response.content
        assert set(response.json()) == {"error"}


@pytest.mark.parametrize(
    "path",
    [
        "letters/letter_%00",
        "letters/%F0%9F%92%A5/url",
        "contacts/%00",
        "files/not-a-token",
        "templates/" + "x" * 3000,
    ],
)
def test_odd_ids_are_not_found(api, path):
    assert api.get(f"{url()}/{path}").status_code == 404


def test_form_bodies_with_conflicting_keys_are_refused(api):
    response = api.post(
        url("letters"),
        {"to": "contact_x", "to[firstName]": "Ada"},
        format="multipart",
    )
    error(response, 400, field="to")


def test_a_bad_idempotency_key_is_refused(api, letter_body):
    response = api.post(url("letters"), letter_body, HTTP_IDEMPOTENCY_KEY="x" * 300)
    error(response, 400, field="Idempotency-Key")
    assert not Letter.objects.exists()


def test_options_answers_json(api):
    response = api.options(url("letters"))
    assert response.status_code == 200 and "POST" in response["Allow"]
    assert json.loads(response.content) == {}


def test_form_bodies_with_unstorable_values_are_refused_by_name(api):
    response = api.post(
        url("letters"),
        {
            "to[firstName]": "Ada",
            "to[addressLine1]": "1 Main St",
            "from[companyName]": "Acme",
            "from[addressLine1]": "2 Main St",
            "html": "<p>x</p>",
            "metadata[note]": "a\x00b",
        },
        format="multipart",
    )
    error(response, 400, field="metadata.note", says="Null characters")
    assert not Letter.objects.exists()
