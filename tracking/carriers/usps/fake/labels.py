"""The fake's handlers for Labels 3.0 (create, cancel) and SCAN Form 3.0."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import date, timedelta

from werkzeug import Request, Response

from tracking import numbers
from tracking.carriers.usps.fake import documents
from tracking.carriers.usps.fake.app import Call, FakeLabel, FakeUsps, json_response, multipart
from tracking.carriers.usps.fake.checks import (
    EXTRA_SERVICES,
    MAIL_CLASSES,
    STATE,
    ZIP5,
    bad,
    check_mail_class,
    check_weight,
    extra_services,
    json_body,
    price,
    standard_street,
    zone,
)


def check_label_address(fake: FakeUsps, value, name: str, api: str) -> dict:
    if not isinstance(value, dict):
        raise bad(api, f"{name} is required", name)
    for key in ("streetAddress", "city", "state", "ZIPCode"):
        if not value.get(key):
            raise bad(api, f"{name}.{key} is required", f"{name}.{key}")
    if not ZIP5.match(str(value["ZIPCode"])):
        raise bad(api, "ZIP Code is not valid", f"{name}.ZIPCode")
    if not STATE.match(str(value["state"])):
        raise bad(api, "The state code in the request is missing or invalid.", f"{name}.state")
    if not value.get("firm") and not (value.get("firstName") and value.get("lastName")):
        raise bad(api, "The First and Last Name or Firm Name are always required.", name)
    if standard_street(value["streetAddress"]) in fake.undeliverable and not value.get(
        "ignoreBadAddress"
    ):
        raise bad(api, "Address Not Found", f"{name}.streetAddress")
    return value


def label(fake: FakeUsps, request: Request, call: Call) -> Response:
    api = "/labels/v3"
    roles = fake.payment_roles(request, api)
    owner = next(r for r in roles if r.get("roleName") == "LABEL_OWNER")
    body = json_body(call, api)
    key = request.headers.get("X-Idempotency-Key", "")
    canonical = json.dumps(body, sort_keys=True)
    if key:
        with fake.lock:
            seen = fake.idempotency.get((owner["CRID"], key))
        if seen and seen[0] != canonical:
            raise bad(
                api,
                "X-Idempotency-Key was already used with a different request",
                "Header: X-Idempotency-Key",
            )
        if seen:
            return label_answer(fake, request, fake.labels[seen[1]])
    to = check_label_address(fake, body.get("toAddress"), "toAddress", api)
    origin = check_label_address(fake, body.get("fromAddress"), "fromAddress", api)
    package = body.get("packageDescription")
    if not isinstance(package, dict):
        raise bad(api, "packageDescription is required", "packageDescription")
    for field in (
        "mailClass",
        "rateIndicator",
        "weight",
        "length",
        "width",
        "height",
        "processingCategory",
        "mailingDate",
        "destinationEntryFacilityType",
    ):
        if package.get(field) in (None, ""):
            raise bad(api, f"packageDescription.{field} is required", f"packageDescription.{field}")
    weight = check_weight(package["weight"], api, "packageDescription.weight")
    check_mail_class(
        fake,
        package["mailClass"],
        package["rateIndicator"],
        str(to["ZIPCode"]),
        api,
        prefix="packageDescription.",
    )
    try:
        mailing = date.fromisoformat(str(package["mailingDate"])[:10])
    except ValueError:
        raise bad(
            api, "mailingDate must be a date (YYYY-MM-DD)", "packageDescription.mailingDate"
        ) from None
    zone_ = zone(str(origin["ZIPCode"]), str(to["ZIPCode"]))
    postage, _ = price(package["mailClass"], package["rateIndicator"], weight, zone_)
    extra_services(package.get("extraServices"), package["mailClass"], 0.0, api)
    number = tracking_number(fake, package["mailClass"], str(owner["MID"]))
    made = FakeLabel(
        tracking_number=number,
        crid=owner["CRID"],
        request=body,
        postage=postage,
        zone=zone_,
        mailing_date=mailing.isoformat(),
        entry_zip=str(origin["ZIPCode"]),
    )
    with fake.lock:
        fake.labels[number] = made
        fake.purchases += 1
        if key:
            fake.idempotency[(owner["CRID"], key)] = (canonical, number)
    return label_answer(fake, request, made)


def tracking_number(fake: FakeUsps, mail_class: str, mid: str) -> str:
    body = "92" + MAIL_CLASSES[mail_class][3] + mid
    serial = str(fake.next_serial()).zfill(21 - len(body))
    return numbers.with_impb_check_digit(body + serial)


def label_metadata(made: FakeLabel) -> dict:
    package = made.request["packageDescription"]
    to = made.request["toAddress"]
    mail_class = package["mailClass"]
    days = MAIL_CLASSES[mail_class][4]
    scheduled = date.fromisoformat(made.mailing_date) + timedelta(days=days)
    codes = [str(c) for c in package.get("extraServices") or []]
    return {
        "labelAddress": {
            "streetAddress": standard_street(to["streetAddress"]),
            "secondaryAddress": standard_street(to.get("secondaryAddress", "")),
            "city": str(to["city"]).upper(),
            "state": to["state"],
            "ZIPCode": to["ZIPCode"],
            "ZIPPlus4": f"{zlib.crc32(to['streetAddress'].encode()) % 10000:04d}",
            "firstName": str(to.get("firstName", "")).upper(),
            "lastName": str(to.get("lastName", "")).upper(),
            "firm": str(to.get("firm", "")).upper(),
            "ignoreBadAddress": False,
        },
        "routingInformation": f"420{to['ZIPCode']}",
        "trackingNumber": made.tracking_number,
        "constructCode": "C01",
        "SKU": f"DP{MAIL_CLASSES[mail_class][3]}{package['rateIndicator']}{made.zone}",
        "postage": made.postage,
        "extraServices": [
            {"name": EXTRA_SERVICES[c][0], "price": EXTRA_SERVICES[c][1], "SKU": f"DX{c}XXXXCX0000"}
            for c in codes
            if c in EXTRA_SERVICES
        ],
        "zone": made.zone,
        "commitment": {
            "name": f"{days} Day" + ("s" if days > 1 else ""),
            "scheduleDeliveryDate": scheduled.isoformat(),
        },
        "weightUOM": "LB",
        "weight": package["weight"],
        "dimensionalWeight": 0.0,
        "fees": [],
        "bannerText": "USPS TRACKING # USPS Ship",
        "retailDistributionCode": "03",
        "serviceTypeCode": MAIL_CLASSES[mail_class][3],
        "links": [
            {
                "rel": ["Tracking URL"],
                "href": "https://tools.usps.com/go/TrackConfirmAction_input?origTrackNum="
                + made.tracking_number,
                "method": "GET",
            }
        ],
    }


def label_answer(fake: FakeUsps, request: Request, made: FakeLabel) -> Response:
    metadata = label_metadata(made)
    info = made.request.get("imageInfo") or {}
    to = made.request["toAddress"]
    lines = [
        MAIL_CLASSES[made.request["packageDescription"]["mailClass"]][2].upper(),
        f"USPS TRACKING # {made.tracking_number}",
        f"{to.get('firstName', '')} {to.get('lastName', '')} {to.get('firm', '')}".strip(),
        standard_street(to["streetAddress"]),
        f"{str(to['city']).upper()} {to['state']} {to['ZIPCode']}",
        f"POSTAGE ${made.postage:.2f}  ZONE {made.zone}",
    ]
    image, image_type, image_name = documents.label_image(info.get("imageType", "PDF"), lines)
    receipt = None
    if info.get("receiptOption") == "SEPARATE_PAGE":
        receipt = documents.pdf(["USPS LABEL RECEIPT", *lines[1:]], width_in=4, height_in=6)
    if "application/vnd.usps.labels+json" in request.headers.get("Accept", ""):
        payload = dict(metadata, labelImage=base64.b64encode(image).decode())
        if receipt:
            payload["receiptImage"] = base64.b64encode(receipt).decode()
        return json_response(payload)
    parts = [
        ("labelMetadata", "application/json", json.dumps(metadata).encode(), ""),
        ("labelImage", image_type, image, image_name),
    ]
    if receipt:
        parts.append(("receiptImage", "application/pdf", receipt, "receipt.pdf"))
    return multipart(parts)


def cancel_label(fake: FakeUsps, request: Request, call: Call, number: str) -> Response:
    api = "/labels/v3"
    fake.payment_roles(request, api)
    with fake.lock:
        made = fake.labels.get(number)
        if made is None or made.status == "CANCELED":
            raise bad(api, "Order not found", "trackingNumber")
        if made.status == "DISPUTED":
            detail = "A refund request for this order has already been submitted today"
            raise bad(api, detail, "trackingNumber")
        if made.scan_form:
            made.status = "DISPUTED"
            fake.disputes += 1
            made.dispute_id = str(fake.disputes)
            return json_response(
                {"trackingNumber": number, "status": "DISPUTED", "disputeId": made.dispute_id}
            )
        made.status = "CANCELED"
    return json_response({"trackingNumber": number, "status": "CANCELED"})


def scan_form(fake: FakeUsps, request: Request, call: Call) -> Response:
    api = "/scan-forms/v3"
    body = json_body(call, api)
    for key in (
        "mailingDate",
        "entryFacilityZIPCode",
        "destinationEntryFacilityType",
        "fromAddress",
        "shipment",
    ):
        if body.get(key) in (None, ""):
            raise bad(api, f"{key} is required", key)
    if not ZIP5.match(str(body["entryFacilityZIPCode"])):
        raise bad(api, "entryFacilityZIPCode must be 5 digits", "entryFacilityZIPCode")
    origin = body["fromAddress"]
    if not isinstance(origin, dict) or not all(
        origin.get(k) for k in ("streetAddress", "city", "state", "ZIPCode")
    ):
        raise bad(api, "fromAddress needs streetAddress, city, state and ZIPCode", "fromAddress")
    numbers_ = (body["shipment"] or {}).get("trackingNumbers")
    if not isinstance(numbers_, list) or not numbers_:
        raise bad(api, "shipment.trackingNumbers is required", "shipment.trackingNumbers")
    overwrite = bool(body.get("overwriteMailingDate"))
    with fake.lock:
        for number in numbers_:
            made = fake.labels.get(number)
            if made is None or made.status != "ACTIVE":
                raise bad(api, f"barcode {number} is not eligible for SCAN Form", "trackingNumbers")
            if made.scan_form:
                raise bad(
                    api,
                    f"barcode {number} is already part of another SCAN Form with efn "
                    f"{made.scan_form}",
                    "trackingNumbers",
                )
            if made.mailing_date != body["mailingDate"] and not overwrite:
                raise bad(
                    api,
                    f"barcode {number} with mailing date {made.mailing_date} does not match SCAN "
                    f"Form request mailing date {body['mailingDate']}",
                    "mailingDate",
                )
        manifest = f"9275{len(fake.scan_forms) + 1:022d}"
        for number in numbers_:
            fake.labels[number].scan_form = manifest
            fake.labels[number].mailing_date = body["mailingDate"]
        fake.scan_forms[manifest] = list(numbers_)
    metadata = {
        key: body[key]
        for key in (
            "imageInfo",
            "mailingDate",
            "overwriteMailingDate",
            "entryFacilityZIPCode",
            "destinationEntryFacilityType",
            "shipment",
            "fromAddress",
        )
        if key in body
    }
    metadata.update(form="5630", manifestNumber=manifest, trackingNumbers=list(numbers_))
    lines = [
        "PS Form 5630 - Shipment Confirmation Acceptance Notice",
        f"Electronic File Number {manifest}",
        f"Mailing date {body['mailingDate']}  Entry ZIP {body['entryFacilityZIPCode']}",
        f"Total pieces: {len(numbers_)}",
        *numbers_[:30],
    ]
    image = documents.pdf(lines, width_in=8.5, height_in=11)
    return multipart(
        [
            ("SCANFormMetaData", "application/json", json.dumps(metadata).encode(), ""),
            ("SCANFormImage", "application/pdf", image, "SCANForm.pdf"),
        ]
    )
