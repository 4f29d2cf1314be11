"""The print-mail API as a PostGrid v1 client uses it: create, list, retrieve, cancel, progress."""

from __future__ import annotations

import base64
import io

import pytest
from pypdf import PdfReader

from mailorders.models import BankAccount, Cheque, Contact, IdempotencyKey, Letter, Postcard
from shipdesk.models import AuditEvent
from shipdesk.webhooks.models import WebhookEvent

from .conftest import FROM, TO, error, ok, url


def pdf_text(client, order: dict) -> str:
    response = client.get(order["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_create_a_letter_with_inline_contacts_and_merge_variables(api, create_letter):
    letter = create_letter()
    assert letter["id"].startswith("letter_") and letter["object"] == "letter"
    assert letter["live"] is False and letter["status"] == "ready"
    assert letter["to"]["id"].startswith("contact_")
    assert letter["to"]["firstName"] == "Ada" and letter["from"]["companyName"] == "Acme Parcels"
    assert letter["description"] == "Welcome letter"
    assert letter["mailingClass"] == "first_class" and letter["extraService"] is None
    assert letter["pageCount"] == 1
    text = pdf_text(api, letter)
    assert "Hello Ada, your code is X-42." in text
    assert "145 Mulberry St" in text and "Acme Parcels" in text
    assert AuditEvent.objects.filter(action="letter.create").count() == 1
    event = WebhookEvent.objects.get()
    assert event.type == "letter.created"


def test_a_live_key_creates_live_orders(live_api, letter_body):
    letter = ok(live_api.post(url("letters"), letter_body))
    assert letter["live"] is True
    assert Letter.objects.get().live is True


def test_contacts_are_reused_by_id_and_deduplicated_inline(api, create_letter):
    contact = ok(api.post(url("contacts"), TO))
    first = create_letter(to=contact["id"])
    second = create_letter()  # the same contact, inline
    assert first["to"]["id"] == second["to"]["id"] == contact["id"]
    assert Contact.objects.filter(first_name="Ada").count() == 1


def test_a_stored_template_with_merge_variables(api, create_letter):
    template = ok(api.post(url("templates"), {"html": "<p>Dear {{to.firstName}}, {{offer}}</p>"}))
    assert template["id"].startswith("template_")
    letter = create_letter(html=None, template=template["id"], mergeVariables={"offer": "10% off"})
    assert letter["template"] == template["id"] and letter["html"] is None
    assert "Dear Ada, 10% off" in pdf_text(api, letter)


def test_merge_values_are_escaped_not_rendered(api, create_letter):
    letter = create_letter(mergeVariables={"name": "<b>Ada</b> & co", "code": "{{code}}"})
    text = pdf_text(api, letter)
    assert "Hello <b>Ada</b> & co, your code is {{code}}." in text


def test_a_missing_merge_variable_is_refused_by_name(api, letter_body):
    response = api.post(url("letters"), {**letter_body, "mergeVariables": {"name": "Ada"}})
    error(response, 400, field="mergeVariables", says="`code`")
    assert not Letter.objects.exists()


def test_html_that_fetches_remote_resources_is_refused(api, letter_body):
    for html in (
        '<img src="https://example.com/logo.png">',
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
        '<a rel="attachment" href="file:///etc/passwd">x</a>',
    ):
        response = api.post(url("letters"), {**letter_body, "html": html, "mergeVariables": {}})
        error(response, 400, field="html", says="fetches nothing")
    assert not Letter.objects.exists()


def test_upload_a_pdf_by_multipart_form(api, tmp_path):
    from weasyprint import HTML as Weasy

    pdf_bytes = Weasy(string="<p>Uploaded page one</p>").write_pdf()
    response = api.post(
        url("letters"),
        {
            "to[firstName]": "Ada",
            "to[addressLine1]": "145 Mulberry St",
            "to[city]": "New York",
            "from[companyName]": "Acme Parcels",
            "from[addressLine1]": "90 Canal St",
            "description": "Uploaded",
            "pdf": io.BytesIO(pdf_bytes),
        },
        format="multipart",
    )
    letter = ok(response)
    assert letter["uploadedPDF"] and letter["pageCount"] == 1
    assert "Uploaded page one" in pdf_text(api, letter)


def test_a_pdf_as_data_url_and_a_refused_remote_url(api, letter_body):
    from weasyprint import HTML as Weasy

    data = base64.b64encode(Weasy(string="<p>Inline PDF</p>").write_pdf()).decode()
    body = {k: v for k, v in letter_body.items() if k != "html"}
    letter = ok(api.post(url("letters"), {**body, "pdf": f"data:application/pdf;base64,{data}"}))
    assert "Inline PDF" in pdf_text(api, letter)
    error(api.post(url("letters"), {**body, "pdf": "https://example.com/a.pdf"}), 400, field="pdf")
    not_pdf = base64.b64encode(b"hello").decode()
    response = api.post(url("letters"), {**body, "pdf": f"data:application/pdf;base64,{not_pdf}"})
    error(response, 400, field="pdf", says="not a PDF")
    broken = base64.b64encode(b"%PDF-1.7\n1 0 obj garbage").decode()
    response = api.post(url("letters"), {**body, "pdf": f"data:application/pdf;base64,{broken}"})
    error(response, 400, field="pdf", says="cannot be read as a PDF")
    assert Letter.objects.count() == 1


def test_form_encoded_body_as_postgrids_curl_examples(api):
    response = api.post(
        url("letters"),
        {
            "to[firstName]": "Ada",
            "to[addressLine1]": "145 Mulberry St",
            "from[companyName]": "Acme Parcels",
            "from[addressLine1]": "90 Canal St",
            "html": "<p>Hi {{to.firstName}}, {{greeting}}</p>",
            "mergeVariables[greeting]": "welcome",
            "metadata[orderRef]": "A-1",
            "color": "true",
            "extraService": "certified",
        },
        format="multipart",
    )
    letter = ok(response)
    assert letter["color"] is True and letter["metadata"] == {"orderRef": "A-1"}
    assert letter["extraService"] == "certified" and letter["mailingClass"] == "certified"
    assert "Hi Ada, welcome" in pdf_text(api, letter)


def test_a_postcard_has_front_and_back(api):
    postcard = ok(
        api.post(
            url("postcards"),
            {
                "to": TO,
                "size": "9x6",
                "frontHTML": "<h1>Front {{season}}</h1>",
                "backHTML": "<p>Back side</p>",
                "mergeVariables": {"season": "winter"},
            },
        )
    )
    assert postcard["id"].startswith("postcard_") and postcard["size"] == "9x6"
    assert postcard["from"] is None and postcard["pageCount"] == 2
    text = pdf_text(api, postcard)
    assert "Front winter" in text and "Back side" in text and "Ada Lovelace" in text


def test_a_self_mailer_is_listed_under_both_spellings(api):
    body = {"to": TO, "from": FROM, "insideHTML": "<p>in</p>", "outsideHTML": "<p>out</p>"}
    mailer = ok(api.post(url("self_mailers"), body))
    assert mailer["id"].startswith("self_mailer_") and mailer["object"] == "self_mailer"
    for path in ("self_mailers", "selfmailers"):
        assert ok(api.get(url(path)))["data"][0]["id"] == mailer["id"]
        assert ok(api.get(url(path, mailer["id"])))["id"] == mailer["id"]


@pytest.fixture
def bank_account(api):
    return ok(
        api.post(
            url("bank_accounts"),
            {
                "bankName": "CIBC",
                "accountNumber": "123456783211",
                "routeNumber": "123",
                "transitNumber": "12345",
                "bankPrimaryLine": "100 Bank Street",
                "bankCountryCode": "CA",
                "description": "Example Bank Account",
                "signatureText": "A. Lovelace",
            },
        )
    )


def test_a_bank_account_keeps_only_its_last_four_digits(bank_account):
    assert bank_account["id"].startswith("bank_")
    assert bank_account["accountNumberLast4"] == "3211"
    assert "accountNumber" not in bank_account
    stored = BankAccount.objects.get()
    assert "12345678" not in str([getattr(stored, f.attname) for f in BankAccount._meta.fields])


def test_a_certified_cheque_as_in_seed_004(api, bank_account):
    to = ok(api.post(url("contacts"), TO))
    sender = ok(api.post(url("contacts"), FROM))
    cheque = ok(
        api.post(
            url("cheques"),
            {
                "to": to["id"],
                "from": sender["id"],
                "bankAccount": bank_account["id"],
                "amount": 10000,
                "extraService": "certified",
                "memo": "A short memo.",
                "description": "Certified Mail",
            },
        )
    )
    assert cheque["id"].startswith("cheque_") and cheque["amount"] == 10000
    assert cheque["extraService"] == "certified" and cheque["memo"] == "A short memo."
    assert cheque["bankAccount"]["accountNumberLast4"] == "3211"
    assert cheque["number"] == 1
    text = pdf_text(api, cheque)
    assert "One hundred and 00/100 dollars" in text
    assert "$100.00 USD" in text
    assert "A. Lovelace" in text and "Pay to the order of: Ada Lovelace" in text
    second = ok(
        api.post(
            url("cheques"),
            {"to": to["id"], "from": sender["id"], "bankAccount": bank_account["id"], "amount": 1},
        )
    )
    assert second["number"] == 2


def test_a_cheque_with_another_partners_bank_account_is_refused(api, other_api, bank_account):
    body = {"to": TO, "from": FROM, "bankAccount": bank_account["id"], "amount": 500}
    error(other_api.post(url("cheques"), body), 400, field="bankAccount")
    assert not Cheque.objects.exists()


def test_list_pages_by_skip_newest_first(api, create_letter):
    ids = [create_letter(description=f"letter {n}")["id"] for n in range(5)]
    page = ok(api.get(url("letters"), {"limit": 2, "skip": 2}))
    assert (page["object"], page["limit"], page["skip"], page["totalCount"]) == ("list", 2, 2, 5)
    assert [o["id"] for o in page["data"]] == ids[::-1][2:4]
    seen = []
    for skip in range(0, 6, 2):
        seen += [o["id"] for o in ok(api.get(url("letters"), {"limit": 2, "skip": skip}))["data"]]
    assert seen == ids[::-1]
    beyond = ok(api.get(url("letters"), {"skip": 50}))
    assert beyond["data"] == [] and beyond["totalCount"] == 5


def test_list_searches_recipient_description_id_and_tracking_number(api, create_letter):
    create_letter(description="Invoice March")
    other = create_letter(to={**TO, "firstName": "Grace", "lastName": "Hopper"})
    for term, expected in (
        ("Grace", [other["id"]]),
        ('"Invoice March"', None),
        (other["id"], [other["id"]]),
        ("nobody-at-all", []),
    ):
        found = [o["id"] for o in ok(api.get(url("letters"), {"search": term}))["data"]]
        if expected is None:
            assert len(found) == 1 and found != [other["id"]]
        else:
            assert found == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"skip": -1}, "skip"),
        ({"skip": "x"}, "skip"),
    ],
)
def test_bad_paging_is_refused_by_name(api, params, field):
    error(api.get(url("letters"), params), 400, field=field)


def test_retrieve_and_the_url_endpoint(api, create_letter):
    letter = create_letter()
    assert ok(api.get(url("letters", letter["id"])))["id"] == letter["id"]
    link = ok(api.get(url("letters", letter["id"], "url")))
    assert link["id"] == letter["id"] and link["object"] == "letter"
    assert "Hello Ada" in pdf_text(api, link)


def test_a_pdf_link_is_refused_when_tampered(api, create_letter):
    letter = create_letter()
    error(api.get(letter["url"][:-3] + "abc"), 404, says="invalid or has expired")


def test_cancel_by_delete_and_by_cancellation_with_a_note(api, create_letter):
    first, second = create_letter(), create_letter()
    cancelled = ok(api.delete(url("letters", first["id"])))
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancellation"]["reason"] == "user_initiated"
    noted = ok(api.post(url("letters", second["id"], "cancellation"), {"note": "Duplicate"}))
    assert noted["cancellation"] == {
        "reason": "user_initiated",
        "note": "Duplicate",
        "cancelledByUser": noted["cancellation"]["cancelledByUser"],
    }
    assert "Acme Parcels key" in noted["cancellation"]["cancelledByUser"]
    err = error(api.delete(url("letters", first["id"])), 400, field="status")
    assert "is cancelled" in err["message"]
    types = list(WebhookEvent.objects.order_by("id").values_list("type", flat=True))
    assert types.count("letter.updated") == 2


def test_progressions_walk_a_test_order_and_refuse_past_completed(api, create_letter):
    letter = create_letter(extraService="certified")
    statuses = [
        ok(api.post(url("letters", letter["id"], "progressions")))["status"] for _ in range(3)
    ]
    assert statuses == ["printing", "processed_for_delivery", "completed"]
    done = ok(api.get(url("letters", letter["id"])))
    assert done["trackingNumber"] and len(done["trackingNumber"]) == 22
    err = error(api.post(url("letters", letter["id"], "progressions")), 400, says="is completed")
    assert err["type"] == "invalid_progression_error"
    error(api.delete(url("letters", letter["id"])), 400, says="is completed")


def test_progressions_are_for_test_keys_only(live_api, letter_body):
    letter = ok(live_api.post(url("letters"), letter_body))
    err = error(live_api.post(url("letters", letter["id"], "progressions")), 403)
    assert "test API key" in err["message"]
    assert Letter.objects.get().status == "ready"


def test_the_same_idempotency_key_returns_the_first_order(api, letter_body):
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-77"}
    first = ok(api.post(url("letters"), letter_body, **headers))
    again = ok(api.post(url("letters"), {**letter_body, "description": "changed"}, **headers))
    assert again["id"] == first["id"] and again["description"] == "Welcome letter"
    assert Letter.objects.count() == 1
    other = ok(api.post(url("letters"), letter_body, HTTP_IDEMPOTENCY_KEY="order-78"))
    assert other["id"] != first["id"]
    err = error(
        api.post(url("postcards"), {"to": TO, "frontHTML": "a", "backHTML": "b"}, **headers), 400
    )
    assert "already used to create a letter" in err["message"]
    assert not Postcard.objects.exists()


def test_idempotency_keys_are_per_partner(api, other_api, letter_body):
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared-key"}
    mine = ok(api.post(url("letters"), letter_body, **headers))
    theirs = ok(other_api.post(url("letters"), letter_body, **headers))
    assert mine["id"] != theirs["id"]
    assert IdempotencyKey.objects.count() == 2


def test_a_concurrent_retry_that_loses_the_race_returns_the_winners_order(
    api, letter_body, monkeypatch
):
    """Two requests with one key both pass the first look-up; the unique constraint makes the
    second roll back and answer the first's order."""
    from mailorders.services import orders

    first = ok(api.post(url("letters"), letter_body, HTTP_IDEMPOTENCY_KEY="race"))
    real = orders._idempotent_order
    calls = []

    def not_yet_committed(partner, key, object_name):
        calls.append(key)
        return None if len(calls) == 1 else real(partner, key, object_name)

    monkeypatch.setattr(orders, "_idempotent_order", not_yet_committed)
    again = ok(api.post(url("letters"), letter_body, HTTP_IDEMPOTENCY_KEY="race"))
    assert again["id"] == first["id"] and len(calls) == 2
    assert Letter.objects.count() == 1 and Contact.objects.count() == 2
    assert AuditEvent.objects.filter(action="letter.create").count() == 1
    assert WebhookEvent.objects.filter(type="letter.created").count() == 1
