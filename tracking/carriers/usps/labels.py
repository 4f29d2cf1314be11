"""Labels 3.0 over HTTP: buy a label (paid, idempotent) and cancel one (a refund request)."""

from __future__ import annotations

from urllib.parse import quote

from tracking.carriers.shipping import LabelCancel, LabelOrder, PaymentAccount, PurchasedLabel
from tracking.carriers.usps import labels_mapper as mapper
from tracking.carriers.usps.client import CarrierUnavailable, UspsClient
from tracking.carriers.usps.errors import ensure_ok
from tracking.carriers.usps.payments import payment_tokens


def label_create(client: UspsClient, account: PaymentAccount, order: LabelOrder) -> PurchasedLabel:
    """Buy the label of `order`. The request carries `order.idempotency_key`, so sending it again
    (a retry here, or a later reconcile) answers the same label and charges nothing more.

    Raises UspsError when USPS refuses (nothing bought), CarrierUnavailable when USPS could not
    be heard (`outcome_unknown` set when it may have bought).
    """
    response = client.call(
        "labels",
        "POST",
        "/labels/v3/label",
        json=mapper.build_label(order),
        headers={"X-Idempotency-Key": order.idempotency_key},
        payment=payment_tokens(client, account),
    )
    ensure_ok(response, ok=(200, 201))
    try:
        return mapper.parse_label(response.headers.get("Content-Type", ""), response.content)
    except (ValueError, KeyError, StopIteration) as exc:
        # USPS said yes but the answer is unreadable: the label may exist.
        raise CarrierUnavailable(
            f"USPS label answer malformed: {exc}", outcome_unknown=True
        ) from exc


def label_cancel(client: UspsClient, account: PaymentAccount, tracking_number: str) -> LabelCancel:
    response = client.call(
        "cancel",
        "DELETE",
        f"/labels/v3/label/{quote(tracking_number, safe='')}",
        payment=payment_tokens(client, account),
    )
    try:
        return mapper.parse_cancel(ensure_ok(response).json())
    except ValueError as exc:
        raise CarrierUnavailable(f"USPS cancel answer malformed: {exc}") from exc
