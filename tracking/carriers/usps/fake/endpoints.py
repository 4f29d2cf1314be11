"""The fake's handlers for OAuth, Addresses, Domestic Prices and Payments, and its routes."""

from __future__ import annotations

import math
import re
import time
import uuid
import zlib

from werkzeug import Request, Response

from tracking.carriers.usps.fake import labels, standards
from tracking.carriers.usps.fake.app import (
    PAYMENT_TOKEN_LIFETIME,
    TOKEN_LIFETIME,
    Call,
    Canned,
    FakeUsps,
    json_response,
    usps_error,
)
from tracking.carriers.usps.fake.checks import (
    CITIES,
    MAIL_CLASSES,
    MID,
    RATE_INDICATORS,
    STATE,
    ZIP5,
    bad,
    check_mail_class,
    check_weight,
    check_zips,
    extra_services,
    json_body,
    price,
    standard_street,
    zone,
)


def route(method: str, path: str):
    """(kind, handler, apiVersion, path arguments) for a request, or None."""
    if method == "POST" and path == "/oauth2/v3/token":
        return "token", token, "/oauth2/v3", ()
    if method == "GET" and path == "/addresses/v3/address":
        return "addresses", address, "v3", ()
    if method == "POST" and path == "/prices/v3/base-rates/search":
        return "prices", base_rates, "/prices/v3", ()
    if method == "POST" and path == "/prices/v3/total-rates/search":
        return "prices", total_rates, "/prices/v3", ()
    if method == "GET" and path == "/service-standards/v3/standards":
        return "standards", standards.standards, standards.API, ()
    if method == "POST" and path == "/payments/v3/payment-authorization":
        return "payments", payment_authorization, "/payments/v3", ()
    if method == "POST" and path == "/labels/v3/label":
        return "labels", labels.label, "/labels/v3", ()
    match = re.fullmatch(r"/labels/v3/label/([^/]+)", path)
    if method == "DELETE" and match:
        return "cancel", labels.cancel_label, "/labels/v3", (match.group(1),)
    if method == "POST" and path == "/scan-forms/v3/scan-form":
        return "scan_forms", labels.scan_form, "/scan-forms/v3", ()
    return None


def token(fake: FakeUsps, request: Request, call: Call) -> Response:
    form = call.body if isinstance(call.body, dict) else {}
    if form.get("grant_type") != "client_credentials":
        return json_response({"error": "unsupported_grant_type"}, 400)
    if form.get("client_id") != fake.client_id or form.get("client_secret") != fake.client_secret:
        return json_response(
            {"error": "invalid_client", "error_description": "Client credentials invalid"}, 401
        )
    value = f"fake-oauth-{uuid.uuid4().hex}"
    with fake.lock:
        fake.tokens[value] = time.time() + TOKEN_LIFETIME
        fake.token_scopes[value] = fake.scopes
    return json_response(
        {
            "access_token": value,
            "token_type": "Bearer",
            "issued_at": int(time.time() * 1000),
            "expires_in": TOKEN_LIFETIME,
            "status": "approved",
            "scope": fake.scopes,
            "issuer": "api.usps.com",
            "client_id": fake.client_id,
            "application_name": "shipdesk fake",
            "api_products": "[Shipping]",
            "public_key": "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K",
        }
    )


def standardise(fake: FakeUsps, given: dict, api: str) -> dict:
    """The best standardised address for `given`, or raises USPS's 404 verdict."""
    street = standard_street(given.get("streetAddress", ""))
    if not street:
        raise bad(api, "streetAddress is required", "streetAddress")
    state = (given.get("state") or "").upper()
    if not STATE.match(state):
        raise bad(api, "The state code in the request is missing or invalid.", "state")
    zip_code = given.get("ZIPCode") or ""
    if zip_code and not ZIP5.match(zip_code):
        raise bad(api, "ZIPCode must be 5 digits", "ZIPCode")
    city = (given.get("city") or "").upper()
    if not city and not zip_code:
        raise Canned(
            usps_error(404, "The city and state are missing or together unverifiable.", api=api)
        )
    if street in fake.undeliverable:
        raise Canned(usps_error(404, "There is no match for the address requested.", api=api))
    known = CITIES.get(zip_code)
    if known:
        city = known[0]
    if not zip_code:
        zip_code = f"{zlib.crc32(city.encode()) % 90000 + 10000:05d}"
    digest = zlib.crc32(f"{street}|{zip_code}".encode())
    secondary = standard_street(given.get("secondaryAddress", ""))
    return {
        "firm": (given.get("firm") or "").upper() or None,
        "address": {
            "streetAddress": street,
            "streetAddressAbbreviation": None,
            "secondaryAddress": secondary or None,
            "city": city,
            "cityAbbreviation": None,
            "state": state,
            "postalCode": None,
            "province": None,
            "ZIPCode": zip_code,
            "ZIPPlus4": f"{digest % 10000:04d}",
            "urbanization": None,
            "country": None,
            "countryISOCode": None,
        },
        "additionalInfo": {
            "deliveryPoint": f"{digest % 100:02d}",
            "carrierRoute": f"C{digest % 1000:03d}",
            "DPVConfirmation": "Y",
            "DPVCMRA": "N",
            "business": "Y" if street in fake.business else "N",
            "centralDeliveryPoint": "N",
            "vacant": "Y" if street in fake.vacant else "N",
        },
        "corrections": [],
        "matches": [{"code": "31", "text": "Single Response - exact match"}],
    }


def address(fake: FakeUsps, request: Request, call: Call) -> Response:
    given = call.params
    if not given.get("streetAddress"):
        raise bad("v3", "streetAddress is required", "streetAddress")
    if not given.get("state"):
        raise bad("v3", "state is required", "state")
    return json_response(standardise(fake, given, "v3"))


def rate(mail_class, indicator, weight, zone_, body) -> dict:
    amount, description = price(mail_class, indicator, weight, zone_)
    return {
        "SKU": f"DP{MAIL_CLASSES[mail_class][3]}{indicator}{zone_}{math.ceil(weight):03d}",
        "description": description,
        "priceType": body.get("priceType", "COMMERCIAL"),
        "price": amount,
        "weight": weight,
        "dimWeight": 0.0,
        "fees": [],
        "startDate": "2026-07-12",
        "endDate": "",
        "warnings": [],
        "mailClass": mail_class,
        "zone": zone_,
        "productName": MAIL_CLASSES[mail_class][2],
        "productDefinition": "",
        "processingCategory": body.get("processingCategory", "MACHINABLE"),
        "rateIndicator": indicator,
        "destinationEntryFacilityType": body.get("destinationEntryFacilityType", "NONE"),
    }


def base_rates(fake: FakeUsps, request: Request, call: Call) -> Response:
    api = "/prices/v3"
    body = json_body(call, api)
    for key in (
        "originZIPCode",
        "destinationZIPCode",
        "weight",
        "length",
        "width",
        "height",
        "mailClass",
        "processingCategory",
        "rateIndicator",
        "destinationEntryFacilityType",
        "priceType",
    ):
        if body.get(key) in (None, ""):
            raise bad(api, f"{key} is required", key)
    origin, destination = check_zips(body, api, "originZIPCode", "destinationZIPCode")
    weight = check_weight(body["weight"], api, "weight")
    check_mail_class(fake, body["mailClass"], body["rateIndicator"], destination, api)
    found = rate(body["mailClass"], body["rateIndicator"], weight, zone(origin, destination), body)
    return json_response({"totalBasePrice": found["price"], "rates": [found]})


def total_rates(fake: FakeUsps, request: Request, call: Call) -> Response:
    api = "/prices/v3"
    body = json_body(call, api)
    for key in ("originZIPCode", "destinationZIPCode", "weight", "length", "width", "height"):
        if body.get(key) in (None, ""):
            raise bad(api, f"{key} is required", key)
    origin, destination = check_zips(body, api, "originZIPCode", "destinationZIPCode")
    weight = check_weight(body["weight"], api, "weight")
    classes = body.get("mailClasses") or [body.get("mailClass") or "ALL"]
    if "ALL" in classes:
        classes = list(MAIL_CLASSES)
    zone_ = zone(origin, destination)
    options = []
    for mail_class in classes:
        if mail_class not in MAIL_CLASSES:
            raise bad(api, f"{mail_class} is not a valid mailClass", "mailClasses")
        if mail_class == "PRIORITY_MAIL_EXPRESS" and destination in fake.refused_express_zips:
            continue
        extras = extra_services(
            body.get("extraServices"), mail_class, float(body.get("itemValue") or 0), api
        )
        for indicator in RATE_INDICATORS[mail_class]:
            if mail_class == "PARCEL_SELECT" and indicator == "DR":
                continue
            found = rate(mail_class, indicator, weight, zone_, body)
            option = {"totalBasePrice": found["price"], "rates": [found]}
            if body.get("extraServices"):
                option["extraServices"] = extras
                option["totalPrice"] = round(found["price"] + sum(e["price"] for e in extras), 2)
            options.append(option)
    return json_response({"rateOptions": options})


def payment_authorization(fake: FakeUsps, request: Request, call: Call) -> Response:
    api = "/payments/v3"
    bearer = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    with fake.lock:
        scopes = fake.token_scopes.get(bearer, "")
    if "payments" not in scopes.split():
        raise Canned(
            usps_error(
                401,
                "Unauthorized",
                api=api,
                code="UNAUTHORIZED",
                detail="The access token does not grant the payments scope.",
                parameter="Authorization",
            )
        )
    body = json_body(call, api)
    roles = body.get("roles")
    if not isinstance(roles, list) or not roles:
        raise bad(api, "roles is required", "roles")
    names = {r.get("roleName") for r in roles if isinstance(r, dict)}
    for required in ("PAYER", "LABEL_OWNER"):
        if required not in names:
            raise bad(api, f"Payment Auth Token {required} role", "roles")
    for role in roles:
        name = role.get("roleName")
        if not role.get("CRID"):
            raise bad(api, f"{name} requires CRID", "CRID")
        if name == "PAYER":
            if role.get("accountType") not in ("EPS", "PERMIT", "METER"):
                raise bad(api, f"{name} requires accountType of PERMIT or EPS", "accountType")
            if role["accountType"] == "EPS" and not role.get("accountNumber"):
                raise bad(
                    api, f"{name} requires accountNumber when accountType is EPS", "accountNumber"
                )
        if name == "LABEL_OWNER":
            for key in ("MID", "manifestMID"):
                if not MID.match(str(role.get(key) or "")):
                    raise bad(api, f"{name} requires a {key} of 6 or 9 digits", key)
            if role["CRID"] in fake.not_enrolled_crids:
                raise bad(
                    api, "Must be enrolled in USPS Ship Outbound in order to create labels", "CRID"
                )
    value = f"fake-payment-{uuid.uuid4().hex}"
    with fake.lock:
        fake.payment_tokens[value] = {
            "expires": time.time() + PAYMENT_TOKEN_LIFETIME,
            "roles": roles,
        }
    return json_response({"paymentAuthorizationToken": value, "roles": roles})
