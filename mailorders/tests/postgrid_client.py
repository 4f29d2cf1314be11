"""Drives shipdesk's print-mail API with PostGrid's own Python client (postgrid-python), as a
partner's existing integration would, changing only the base URL and the key.

Run by test_postgrid_client.py in a subprocess: `python postgrid_client.py BASE KEY OTHER_KEY`.
Prints one JSON object with what it saw."""

from __future__ import annotations

import json
import sys

import httpx
from postgrid import BadRequestError, NotFoundError, PostGrid

TO = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address_line1": "145 Mulberry St",
    "city": "New York",
    "province_or_state": "NY",
    "postal_or_zip": "10013",
    "country_code": "US",
}
FROM = {
    "company_name": "Acme Parcels",
    "address_line1": "90 Canal St",
    "city": "Boston",
    "province_or_state": "MA",
    "postal_or_zip": "02114",
    "country_code": "US",
}


def main(base: str, key: str, other_key: str) -> dict:
    client = PostGrid(print_mail_api_key=key, base_url=base, max_retries=0)
    mail = client.print_mail
    seen: dict = {}

    contact = mail.contacts.create(**TO)
    seen["contact"] = contact.id
    letters = [
        mail.letters.create(
            to=TO if n % 2 else contact.id,
            from_=FROM,
            html="<p>Hello {{to.firstName}}, letter {{n}}</p>",
            merge_variables={"n": n},
            description=f"client letter {n}",
        )
        for n in range(5)
    ]
    seen["created"] = [letter.id for letter in letters]
    seen["to_ids"] = sorted({letter.to.id for letter in letters})
    first = mail.letters.create(to=TO, from_=FROM, html="<p>once</p>", idempotency_key="order-1")
    again = mail.letters.create(to=TO, from_=FROM, html="<p>once</p>", idempotency_key="order-1")
    seen["idempotent"] = [first.id, again.id]

    page = mail.letters.list(limit=2)
    seen["first_page"] = {"count": len(page.data), "total": page.total_count}
    seen["paged"] = [letter.id for letter in page]  # auto-pagination: skip=2, 4, …
    seen["searched"] = [letter.id for letter in mail.letters.list(search="client letter 3")]

    got = mail.letters.retrieve(letters[0].id)
    seen["retrieved"] = {"id": got.id, "status": got.status, "live": got.live}
    url = mail.letters.retrieve_url(letters[0].id).url
    download = httpx.get(url)
    seen["pdf"] = {
        "status": download.status_code,
        "type": download.headers["content-type"],
        "magic": download.content[:5].decode(),
    }

    seen["deleted"] = mail.letters.delete(letters[1].id).status
    cancelled = mail.letters.cancel(letters[2].id, note="Sent twice")
    seen["cancelled"] = {"status": cancelled.status, "note": cancelled.cancellation.note}
    seen["progressed"] = [mail.letters.progress(letters[3].id).status for _ in range(3)]
    try:
        mail.letters.progress(letters[3].id)
    except BadRequestError as exc:
        seen["progress_past_end"] = exc.body

    postcard = mail.postcards.create(
        to=TO, front_html="<h1>Front</h1>", back_html="<p>Back</p>", size="6x4"
    )
    seen["postcard"] = {"id": postcard.id, "size": postcard.size, "status": postcard.status}
    seen["postcard_cancelled"] = mail.postcards.delete(postcard.id).status

    bank = mail.bank_accounts.create(
        account_number="000123456789",
        bank_country_code="US",
        bank_name="First Bank",
        routing_number="021000021",
        signature_text="A. Lovelace",
    )
    cheque = mail.cheques.create(
        to=TO,
        from_=FROM,
        bank_account=bank.id,
        amount=12345,
        memo="Invoice 42",
        mailing_class="usps_first_class_certified",
    )
    seen["cheque"] = {"id": cheque.id, "amount": cheque.amount, "class": cheque.mailing_class}
    mail.cheques.progress(cheque.id)
    processed = mail.cheques.progress(cheque.id)
    seen["cheque_processed"] = {
        "status": processed.status,
        "tracking_number": processed.tracking_number,
    }
    seen["cheques"] = [c.id for c in mail.cheques.list()]

    try:
        mail.letters.create(to={"first_name": "Ada"}, from_=FROM, html="<p>x</p>")
    except BadRequestError as exc:
        seen["bad_request"] = exc.body
    try:
        mail.letters.retrieve("letter_doesnotexist")
    except NotFoundError as exc:
        seen["not_found"] = exc.body

    other = PostGrid(print_mail_api_key=other_key, base_url=base, max_retries=0)
    try:
        other.print_mail.letters.retrieve(letters[0].id)
    except NotFoundError:
        seen["other_partner"] = "not found"
    seen["other_partner_list"] = other.print_mail.letters.list().total_count
    return seen


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
