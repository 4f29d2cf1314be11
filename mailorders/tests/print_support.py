"""What the print queue tests share: orders made through the PostGrid API, a print room user."""

from __future__ import annotations

from mailorders.models import ORDER_MODELS, PrintBatch
from mailorders.print_selectors import BatchKey, queue_groups
from mailorders.services.print_queue import print_batch_create
from mailorders.tests.conftest import FROM, TO, ok, url
from shipdesk.audit import Actor


def to(zip_code: str, name: str = "Ada") -> dict:
    return {**TO, "firstName": name, "postalOrZip": zip_code}


def make_letter(api, zip_code: str, **fields) -> dict:
    body = {"to": to(zip_code), "from": dict(FROM), "html": "<p>Hello</p>", **fields}
    return ok(api.post(url("letters"), body))


def make_postcard(api, zip_code: str, size: str = "6x4") -> dict:
    body = {
        "to": to(zip_code),
        "from": dict(FROM),
        "frontHTML": "<p>Front</p>",
        "backHTML": "<p>Back</p>",
        "size": size,
    }
    return ok(api.post(url("postcards"), body))


def make_cheque(api, zip_code: str) -> dict:
    bank = ok(
        api.post(
            url("bank_accounts"),
            {
                "bankName": "First Bank",
                "accountNumber": "123456789",
                "routingNumber": "021000021",
                "signatureText": "A. Treasurer",
                "bankCountryCode": "US",
            },
        )
    )
    body = {"to": to(zip_code), "from": dict(FROM), "bankAccount": bank["id"], "amount": 12345}
    return ok(api.post(url("cheques"), body))


def order(data: dict):
    return ORDER_MODELS[data["object"]].objects.get(pk=data["id"])


def only_group(object_type: str = "letter", **match) -> BatchKey:
    keys = [g.key for g in queue_groups() if g.key.object_type == object_type]
    keys = [k for k in keys if all(getattr(k, n) == v for n, v in match.items())]
    assert len(keys) == 1, keys
    return keys[0]


def batch_of(object_type: str = "letter", *, user=None, **match) -> PrintBatch:
    actor = Actor.for_user(user) if user is not None else Actor.system("print room")
    return print_batch_create(key=only_group(object_type, **match), actor=actor)
