"""Addresses 3.0 (`GET /addresses/v3/address`): the query, and USPS's answer as an AddressCheck.

Pure: no HTTP, no database.
"""

from __future__ import annotations

from tracking.carriers.shipping import AddressCheck, PostalAddress


def build_query(address: PostalAddress) -> dict:
    query = {
        "streetAddress": address.street,
        "secondaryAddress": address.secondary,
        "city": address.city,
        "state": address.state.upper(),
        "ZIPCode": address.zip_code[:5],
        "ZIPPlus4": address.zip_plus4,
        "firm": address.company,
    }
    return {key: value for key, value in query.items() if value}


def _flag(value) -> bool | None:
    return {"Y": True, "N": False}.get(str(value or "").upper())


def _pairs(items) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(i.get("code") or ""), str(i.get("text") or ""))
        for i in items or []
        if isinstance(i, dict) and (i.get("code") or i.get("text"))
    )


def parse_address(body: dict, sent: PostalAddress) -> AddressCheck:
    """A 200 answer: the standardised address (names and contacts kept from what was sent)."""
    found = body.get("address") or {}
    info = body.get("additionalInfo") or {}
    confirmed = str(info.get("DPVConfirmation") or "")
    address = PostalAddress(
        street=str(found.get("streetAddress") or ""),
        secondary=str(found.get("secondaryAddress") or ""),
        city=str(found.get("city") or ""),
        state=str(found.get("state") or ""),
        zip_code=str(found.get("ZIPCode") or ""),
        zip_plus4=str(found.get("ZIPPlus4") or ""),
        name=sent.name,
        company=str(body.get("firm") or "") or sent.company,
        phone=sent.phone,
        email=sent.email,
    )
    return AddressCheck(
        # "Y" confirmed; "D" and "S" confirmed without (or with a wrong) secondary number.
        deliverable=confirmed in ("Y", "D", "S"),
        address=address,
        confirmed=confirmed,
        business=_flag(info.get("business")),
        vacant=_flag(info.get("vacant")),
        carrier_route=str(info.get("carrierRoute") or ""),
        corrections=_pairs(body.get("corrections")),
        matches=_pairs(body.get("matches")),
        message="" if confirmed == "Y" else _dpv_message(confirmed),
    )


def _dpv_message(confirmed: str) -> str:
    return {
        "D": "The building was found; the apartment or suite number is missing.",
        "S": "The building was found; the apartment or suite number is not valid.",
        "N": "USPS cannot confirm this address as a delivery point.",
    }.get(confirmed, "USPS did not confirm this address.")


def parse_not_found(body) -> AddressCheck:
    """A 404 answer is USPS's verdict that no address matched (not an outage)."""
    message = ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = str(body["error"].get("message") or "")
    return AddressCheck(deliverable=False, message=message or "USPS found no such address.")
