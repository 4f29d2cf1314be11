"""The print-mail API's OpenAPI description (/api/schema/print-mail/): served offline, valid,
complete, and true to what the server answers (schemathesis over every documented operation,
in-process, with a test key and real orders, contacts, templates and bank accounts)."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings

from mailorders.api import schema as doc
from mailorders.api.urls import urlpatterns
from mailorders.models import BankAccount, Cheque, Contact, Letter, Postcard, SelfMailer, Template
from shipdesk.models import APIKey
from shipdesk.services import api_key_create
from shipdesk.tests import openapi_support as support

from .conftest import PostGridClient, ok, url

ORDER_MODELS = {"letter": Letter, "postcard": Postcard, "cheque": Cheque, "self_mailer": SelfMailer}
ORDER_IDS = [doc.EXAMPLE_IDS[name] for name in ORDER_MODELS]


@pytest.fixture(scope="module")
def openapi() -> dict:
    return support.document(doc.SETTINGS)


def test_the_print_mail_description_is_valid_and_covers_every_endpoint(client, openapi):
    response = client.get("/api/schema/print-mail/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.json() == openapi
    validate_schema(openapi)

    routes = {
        doc.PREFIX + re.sub(r"<\w+:(\w+)>", r"{\1}", str(p.pattern)).replace("{pk}", "{id}")
        for p in urlpatterns
        if str(p.pattern) != "^.*$" and not str(p.pattern).startswith(doc.ALIASES)
    }
    assert set(openapi["paths"]) == routes
    assert len(list(support.operations(openapi))) == 40

    scheme = openapi["components"]["securitySchemes"]["xApiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "x-api-key")
    for path, method, operation in support.operations(openapi):
        expected = [] if path.startswith("/print-mail/v1/files/") else [{"xApiKey": []}]
        assert operation.get("security", []) == expected, (path, method)
        assert "200" in operation["responses"], (path, method)
        if method == "post" and "requestBody" in operation:
            assert {"400", "413"} <= set(operation["responses"]), (path, method)
    listing = openapi["paths"]["/print-mail/v1/letters"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"limit", "skip", "search"}
    letters = openapi["components"]["schemas"]["LetterList"]["properties"]
    assert set(letters) == {"object", "limit", "skip", "totalCount", "data"}
    error = openapi["components"]["schemas"]["Error"]["properties"]["error"]
    assert {"validation_error", "invalid_api_key_error", "not_found_error"} <= set(
        error["properties"]["type"]["enum"]
    )


def test_print_mail_docs_are_served_offline(client):
    support.assert_served_offline(client, "print-mail")


def _properties(openapi, name) -> set[str]:
    return set(openapi["components"]["schemas"][name]["properties"])


def test_every_member_the_api_sends_is_documented(openapi, examples):
    api, _ = examples
    for name, segment in doc.SEGMENTS.items():
        order = ok(api.get(url(segment, doc.EXAMPLE_IDS[name])))
        assert set(order) == _properties(openapi, doc.NAMES[name]), name
    for name, segment in (("Contact", "contacts"), ("Template", "templates")):
        assert set(ok(api.get(url(segment)))["data"][0]) == _properties(openapi, name)
    assert set(ok(api.get(url("bank_accounts")))["data"][0]) == _properties(openapi, "BankAccount")


# ---------------------------------------------------------------------------------------------
# schemathesis

REAL_IDS = {
    "order_id": ORDER_IDS,
    "id": [doc.EXAMPLE_IDS[k] for k in ("contact", "template", "bank_account")],
}
# Orders of every kind share their views: past creating one (each kind's own members), the
# letters' operations run the coverage phase for all.
SHARED_CODE = r"^(list|get|cancel|progress)(Postcard|Cheque|SelfMailer)"
schema = support.fuzz_schema(doc.SETTINGS, examples=6, real_ids=REAL_IDS, shared_code=SHARED_CODE)
UNKNOWN_ID = re.compile(r"^\w+: no [\w ]+ with id `")


def refused_for_state(error: dict) -> bool:
    """A named contact, template or bank account this key has not, an order's status, or a
    document that is not a readable PDF (no schema can say what a readable PDF is)."""
    message = error.get("message", "")
    return (
        error.get("field") == "status"
        or (error.get("field") == "pdf" and "cannot be read as a PDF" in message)
        or error.get("type") == "invalid_progression_error"
        or bool(UNKNOWN_ID.match(message))
    )


def _ensure_examples(partner) -> None:
    """The objects the description's path examples name (recreated if a case deleted one);
    the orders are stored as they are once rendered, without their PDF (faster)."""
    common = {"partner": partner, "live": False}
    contact, _ = Contact.objects.get_or_create(
        id=doc.EXAMPLE_IDS["contact"],
        defaults={**common, "first_name": "Ada", "address_line1": "145 Mulberry St"},
    )
    Template.objects.get_or_create(
        id=doc.EXAMPLE_IDS["template"], defaults={**common, "html": "<p>Hello {{to.firstName}}</p>"}
    )
    account, _ = BankAccount.objects.get_or_create(
        id=doc.EXAMPLE_IDS["bank_account"],
        defaults={**common, "bank_name": "First Bank", "account_number_last4": "6789"},
    )
    for name, model in ORDER_MODELS.items():
        fields = {**common, "to": contact, "from_contact": contact, "html": "<p>Hi</p>"}
        if name == "cheque":
            fields.update(bank_account=account, amount=1250, number=1001)
        model.objects.get_or_create(id=doc.EXAMPLE_IDS[name], defaults=fields)


@pytest.fixture
def examples(db, partner):
    key, raw_key = api_key_create(partner=partner, name="fuzz", is_test=True)
    APIKey.objects.filter(pk=key.pk).update(rate_per_second=1_000_000)
    _ensure_examples(partner)
    with support.connection_kept_open():
        yield PostGridClient(raw_key), raw_key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_print_mail_api_answers_as_its_description_says(case, examples, partner):
    _, raw_key = examples
    _ensure_examples(partner)
    case.call_and_validate(
        headers=support.key_header(case, raw_key), checks=support.checks(refused_for_state)
    )


def test_fuzzing_reaches_real_objects(examples):
    api, _ = examples
    for name, segment in doc.SEGMENTS.items():
        assert ok(api.get(url(segment, doc.EXAMPLE_IDS[name])))["status"] == "ready"
    for key, segment in (
        ("contact", "contacts"),
        ("template", "templates"),
        ("bank_account", "bank_accounts"),
    ):
        ok(api.get(url(segment, doc.EXAMPLE_IDS[key])))


# ---------------------------------------------------------------------------------------------
# What the schema-driven checks found; each failed before its fix.


@pytest.mark.parametrize(
    "segment, body, field",
    [
        ("templates", {"html": "<p>x</p>", "description": 0}, "description"),
        ("contacts", {"firstName": "Ada", "addressLine1": 145}, "addressLine1"),
        (
            "contacts",
            {"firstName": "Ada", "addressLine1": "1 Main", "skipVerification": 1},
            "skipVerification",
        ),
        ("bank_accounts", {"bankName": "B", "accountNumber": 12345678}, "accountNumber"),
        ("letters", {"to": "c", "from": "c", "html": "<p>x</p>", "color": "true"}, "color"),
        ("letters", {"to": "c", "from": "c", "html": "<p>x</p>", "metadata": "{}"}, "metadata"),
    ],
)
def test_a_json_member_of_the_wrong_type_or_length_is_refused(api, segment, body, field):
    """DRF alone coerced these (0 → "0", "true" → True, "{}" → {}) or measured an id after
    trimming it."""
    response = api.post(url(segment), body)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["field"] == field, error
    assert not Contact.objects.exists() and not Template.objects.exists()


def test_a_contact_id_is_measured_as_sent(api, letter_body):
    """At most 40 characters with its spaces (DRF measured it after trimming)."""
    contact = ok(api.post(url("contacts"), letter_body["to"]))
    padded = contact["id"] + " " * (41 - len(contact["id"]))
    body = {"to": padded, "from": contact["id"], "html": "<p>x</p>"}

    response = api.post(url("letters"), body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == "to"
    assert not Letter.objects.exists()
    assert ok(api.post(url("letters"), {**body, "to": f" {contact['id']} "}))["to"]["id"]


def test_a_form_body_keeps_its_text_values(api, letter_body):
    """A form body's values are all text: `color=true` and a JSON-text `metadata` still read."""
    contact = ok(api.post(url("contacts"), letter_body["to"]))
    form = {
        "to": contact["id"],
        "from": contact["id"],
        "html": "<p>Hi</p>",
        "color": "true",
        "metadata": '{"campaign": "spring"}',
    }
    letter = ok(api.post(url("letters"), form, format="multipart"))

    assert (letter["color"], letter["metadata"]) == (True, {"campaign": "spring"})


def test_deleting_a_template_answers_its_id(api):
    template = ok(api.post(url("templates"), {"html": "<p>t</p>"}))

    deleted = ok(api.delete(url("templates", template["id"])))

    assert deleted == {"id": template["id"], "object": "template", "deleted": True}
