"""Labels 3.0: the label request, its multipart (or JSON) answer, and cancels. Pure."""

from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal

from tracking.carriers.shipping import (
    ImageFormat,
    LabelCancel,
    LabelOrder,
    PostalAddress,
    PurchasedLabel,
)
from tracking.carriers.usps import multipart
from tracking.carriers.usps.prices_mapper import (
    EXTRA_SERVICE,
    MAIL_CLASS,
    money,
    number_value,
    rate_indicator,
)

IMAGE_TYPE = {ImageFormat.PDF: "PDF", ImageFormat.ZPL: "ZPL203DPI", ImageFormat.PNG: "PNG"}
IMAGE_CONTENT_TYPE = {
    ImageFormat.PDF: "application/pdf",
    ImageFormat.ZPL: "application/octet-stream",
    ImageFormat.PNG: "image/png",
}


def address_fields(address: PostalAddress) -> dict:
    first, _, last = address.name.strip().partition(" ")
    out = {
        "firstName": first,
        "lastName": last,
        "firm": address.company,
        "streetAddress": address.street,
        "secondaryAddress": address.secondary,
        "city": address.city,
        "state": address.state.upper(),
        "ZIPCode": address.zip_code[:5],
        "ZIPPlus4": address.zip_plus4,
        "phone": "".join(c for c in address.phone if c.isdigit())[-10:],
        "email": address.email,
    }
    return {key: value for key, value in out.items() if value}


def build_label(order: LabelOrder) -> dict:
    if not order.idempotency_key:
        raise ValueError("a label request needs an idempotency key")
    package = {
        "mailClass": MAIL_CLASS[order.service],
        "rateIndicator": rate_indicator(order.service, order.packaging),
        "weightUOM": "lb",
        "weight": number_value(order.parcel.weight_lb),
        "dimensionsUOM": "in",
        "length": number_value(order.parcel.length_in),
        "width": number_value(order.parcel.width_in),
        "height": number_value(order.parcel.height_in),
        "processingCategory": "MACHINABLE",
        "mailingDate": order.mailing_date.isoformat(),
        "destinationEntryFacilityType": "NONE",
    }
    if order.extras:
        package["extraServices"] = [EXTRA_SERVICE[e] for e in order.extras]
    if order.item_value:
        package["packageOptions"] = {"packageValue": number_value(order.item_value)}
    return {
        "imageInfo": {
            "imageType": IMAGE_TYPE[order.image_format],
            "labelType": "4X6LABEL",
            "receiptOption": "SEPARATE_PAGE" if order.receipt else "NONE",
            "suppressPostage": False,
            "suppressMailDate": False,
            "returnLabel": False,
        },
        "toAddress": address_fields(order.ship_to),
        "fromAddress": address_fields(order.ship_from),
        "packageDescription": package,
    }


def _label(metadata: dict, image: bytes, image_type: str, name: str, receipt) -> PurchasedLabel:
    number = metadata.get("trackingNumber")
    if not isinstance(number, str) or not number:
        raise ValueError("USPS's label answer has no trackingNumber")
    if not image:
        raise ValueError("USPS's label answer has no label image")
    postage = money(metadata.get("postage"))
    extras = tuple(
        (str(e.get("name") or ""), money(e.get("price")))
        for e in metadata.get("extraServices") or []
        if isinstance(e, dict)
    )
    fees = sum(
        (money(f.get("price")) for f in metadata.get("fees") or [] if isinstance(f, dict)),
        Decimal(0),
    )
    commitment = metadata.get("commitment") or {}
    try:
        delivery = date.fromisoformat(str(commitment.get("scheduleDeliveryDate") or "")[:10])
    except ValueError:
        delivery = None
    return PurchasedLabel(
        tracking_number=number,
        postage=postage,
        total=postage + fees + sum((p for _, p in extras), Decimal(0)),
        zone=str(metadata.get("zone") or ""),
        image=image,
        image_type=image_type,
        image_name=name,
        receipt=receipt,
        routing=str(metadata.get("routingInformation") or ""),
        delivery_date=delivery,
        commitment=str(commitment.get("name") or ""),
        sku=str(metadata.get("SKU") or ""),
        extras=extras,
    )


def parse_label(content_type: str, body: bytes) -> PurchasedLabel:
    """USPS's 200 (or 201) answer: multipart by default, one JSON body for the vnd type."""
    if content_type.split(";")[0].strip().lower().startswith("application/vnd.usps.labels+json"):
        payload = json.loads(body)
        image = base64.b64decode(payload.get("labelImage") or "")
        receipt = payload.get("receiptImage")
        return _label(
            payload, image, _sniff(image), "", base64.b64decode(receipt) if receipt else None
        )
    parts = multipart.split(content_type, body)
    named = {p.name: p for p in parts}
    meta = named.get("labelMetadata") or next(
        p for p in parts if p.content_type == "application/json"
    )
    image = named.get("labelImage") or next(
        (p for p in parts if p is not meta and p.name != "receiptImage"), None
    )
    receipt = named.get("receiptImage")
    if image is None:
        raise ValueError("USPS's label answer has no label image part")
    return _label(
        meta.json(),
        image.content,
        image.content_type or _sniff(image.content),
        image.filename,
        receipt.content if receipt else None,
    )


def _sniff(image: bytes) -> str:
    if image.startswith(b"%PDF"):
        return "application/pdf"
    if image.startswith(b"\x89PNG"):
        return "image/png"
    return "application/octet-stream"


def parse_cancel(body) -> LabelCancel:
    if not isinstance(body, dict) or not body.get("status"):
        raise ValueError("USPS's cancel answer has no status")
    status = str(body["status"]).upper()
    return LabelCancel(
        tracking_number=str(body.get("trackingNumber") or ""),
        refunded=status == "CANCELED",
        dispute_id=str(body.get("disputeId") or ""),
    )


ADDRESS_FIELD = {
    "streetAddress": "street",
    "secondaryAddress": "secondary",
    "city": "city",
    "state": "state",
    "ZIPCode": "zip_code",
    "ZIPPlus4": "zip_plus4",
    "firstName": "name",
    "lastName": "name",
    "firm": "company",
    "phone": "phone",
    "email": "email",
}
PACKAGE_FIELD = {
    "weight": "parcel.weight",
    "length": "parcel.length",
    "width": "parcel.width",
    "height": "parcel.height",
    "mailClass": "service",
    "rateIndicator": "packaging",
    "mailingDate": "mailing_date",
    "extraServices": "extras",
    "packageOptions": "item_value",
}
ACCOUNT_PARAMETERS = {"CRID", "MID", "manifestMID", "accountNumber", "accountType", "roles"}


def order_field(parameter: str) -> str:
    """USPS's `source.parameter` as the LabelOrder field it blames (`ship_to.street`,
    `parcel.weight`, `service`, `account`…); "" when it names none of them."""
    head, _, rest = parameter.partition(".")
    if head in ("toAddress", "fromAddress"):
        side = "ship_to" if head == "toAddress" else "ship_from"
        return f"{side}.{ADDRESS_FIELD[rest]}" if rest in ADDRESS_FIELD else side
    if head == "packageDescription":
        return PACKAGE_FIELD.get(rest.split(".")[0], "parcel")
    if head in ACCOUNT_PARAMETERS or "Payment-Authorization" in parameter:
        return "account"
    return ""
