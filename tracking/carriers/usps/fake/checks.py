"""Rates, names and checks the fake's handlers share (USPS's enums, patterns and error texts)."""

from __future__ import annotations

import math
import re

from tracking.carriers.usps.fake.app import MAX_WEIGHT_LB, Call, Canned, usps_error

STATE = re.compile(
    r"^(AA|AE|AL|AK|AP|AS|AZ|AR|CA|CO|CT|DE|DC|FM|FL|GA|GU|HI|ID|IL|IN|IA|KS|KY|LA|ME|MH|MD|MA|MI"
    r"|MN|MS|MO|MP|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PW|PA|PR|RI|SC|SD|TN|TX|UT|VT|VI|VA|WA|WV"
    r"|WI|WY)$"
)
ZIP5 = re.compile(r"^[0-9]{5}$")
MID = re.compile(r"^([0-9]{6}|[0-9]{9})$")

# mail class -> (first pound, each further pound, description, IMpb service type code, days)
MAIL_CLASSES = {
    "USPS_GROUND_ADVANTAGE": (5.25, 0.62, "USPS Ground Advantage", "001", 4),
    "PRIORITY_MAIL": (8.70, 1.05, "Priority Mail", "055", 2),
    "PRIORITY_MAIL_EXPRESS": (28.75, 2.40, "Priority Mail Express", "701", 1),
    "PARCEL_SELECT": (7.90, 0.58, "Parcel Select Ground", "612", 5),
    "MEDIA_MAIL": (4.13, 0.76, "Media Mail", "710", 6),
}
RATE_INDICATORS = {
    "USPS_GROUND_ADVANTAGE": ("SP",),
    "PRIORITY_MAIL": ("SP", "FE", "FP", "FS", "FB", "PL"),
    "PRIORITY_MAIL_EXPRESS": ("PA", "FE"),
    "PARCEL_SELECT": ("SP", "DR"),
    "MEDIA_MAIL": ("SP",),
}
FLAT_RATES = {
    ("PRIORITY_MAIL", "FE"): (10.40, "Flat Rate Envelope"),
    ("PRIORITY_MAIL", "FP"): (11.05, "Padded Flat Rate Envelope"),
    ("PRIORITY_MAIL", "FS"): (11.10, "Small Flat Rate Box"),
    ("PRIORITY_MAIL", "FB"): (19.95, "Medium Flat Rate Box"),
    ("PRIORITY_MAIL", "PL"): (27.40, "Large Flat Rate Box"),
    ("PRIORITY_MAIL_EXPRESS", "FE"): (31.75, "Flat Rate Envelope"),
}
EXTRA_SERVICES = {
    "415": ("Label Delivery", 1.25),
    "920": ("USPS Tracking", 0.0),
    "921": ("Signature Confirmation", 4.65),
    "922": ("Adult Signature Required", 9.30),
    "930": ("Insurance <= $500", 0.0),  # priced on itemValue
}
ABBREVIATIONS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "ROAD": "RD",
    "BOULEVARD": "BLVD",
    "DRIVE": "DR",
    "LANE": "LN",
    "COURT": "CT",
    "SUITE": "STE",
    "APARTMENT": "APT",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
}
# A few ZIP Codes the fake knows the city of (the others keep the city they were sent with).
CITIES = {
    "20007": ("WASHINGTON", "DC"),
    "63118": ("SAINT LOUIS", "MO"),
    "63116": ("SAINT LOUIS", "MO"),
    "45011": ("WEST CHESTER", "OH"),
    "10001": ("NEW YORK", "NY"),
    "60607": ("CHICAGO", "IL"),
    "94107": ("SAN FRANCISCO", "CA"),
    "78665": ("ROUND ROCK", "TX"),
}


def bad(api: str, detail: str, parameter: str, *, status: int = 400) -> Canned:
    message = "Bad Request" if status == 400 else "Not Found"
    return Canned(usps_error(status, message, api=api, detail=detail, parameter=parameter))


def json_body(call: Call, api: str) -> dict:
    if not isinstance(call.body, dict):
        raise bad(api, "The request body must be a JSON object.", "body")
    return call.body


def standard_street(text: str) -> str:
    words = re.sub(r"[.,]", " ", text or "").upper().split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def zone(origin: str, destination: str) -> str:
    distance = abs(int(origin[:3]) - int(destination[:3]))
    return f"{min(9, 1 + distance // 110):02d}"


def check_weight(weight, api: str, parameter: str) -> float:
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight <= 0:
        raise bad(api, f"{parameter} must be a number greater than 0", parameter)
    if weight > MAX_WEIGHT_LB:
        raise bad(
            api,
            f"Weight should be greater than 0 LB and should not exceed {MAX_WEIGHT_LB} LB",
            parameter,
        )
    return float(weight)


def price(mail_class: str, indicator: str, weight: float, zone_: str) -> tuple[float, str]:
    if (mail_class, indicator) in FLAT_RATES:
        amount, name = FLAT_RATES[(mail_class, indicator)]
        return amount, f"{MAIL_CLASSES[mail_class][2]} {name}"
    first, further, name, _code, _days = MAIL_CLASSES[mail_class]
    pounds = max(0, math.ceil(weight) - 1)
    factor = 1 if mail_class == "MEDIA_MAIL" else 1 + 0.12 * (int(zone_) - 1)
    return round((first + further * pounds) * factor, 2), f"{name} Single-piece"


def check_zips(body: dict, api: str, origin_key: str, destination_key: str) -> tuple[str, str]:
    for key in (origin_key, destination_key):
        value = str(body.get(key) or "")
        if not re.match(r"^[0-9]{5}(?:[-\s][0-9]{4})?$", value):
            raise bad(api, f"{key} must be a valid ZIP Code", key)
    return str(body[origin_key])[:5], str(body[destination_key])[:5]


def check_mail_class(fake, mail_class, indicator, destination, api, prefix="") -> None:
    if mail_class not in MAIL_CLASSES:
        raise bad(api, f"{mail_class} is not a valid mailClass", f"{prefix}mailClass")
    if indicator not in RATE_INDICATORS[mail_class]:
        raise bad(
            api,
            f"Rate Indicator value {indicator} is not valid for mailClass {mail_class}",
            f"{prefix}rateIndicator",
        )
    if mail_class == "PRIORITY_MAIL_EXPRESS" and destination in fake.refused_express_zips:
        raise bad(
            api,
            "Zip code combination does not qualify for the selected mail class",
            f"{prefix}mailClass",
        )


def extra_services(codes, mail_class: str, item_value: float, api: str) -> list[dict]:
    out = []
    for code in codes or []:
        code = str(code)
        if code not in EXTRA_SERVICES:
            raise bad(
                api,
                f"mailClass: {mail_class} with ExtraServices: [{code}] is an unsupported "
                "combination.",
                "extraServices",
            )
        name, amount = EXTRA_SERVICES[code]
        if code == "930":
            amount = round(2.80 * max(1, math.ceil(item_value / 100)), 2)
        out.append(
            {
                "extraService": code,
                "name": name,
                "SKU": f"DX{code}XXXXCX0000",
                "priceType": "COMMERCIAL",
                "price": amount,
                "warnings": [],
            }
        )
    return out
