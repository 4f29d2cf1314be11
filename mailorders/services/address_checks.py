"""Checking an address with USPS (Addresses 3.0): its standard form, ZIP+4, whether USPS
delivers there (DPV), business and vacant flags, and what USPS corrected.

    verdict = address_check(address=PostalAddress(street=…, city=…, state=…, zip_code=…),
                            account=shipper_account)  # account optional
    verdict.deliverable, verdict.standardized, verdict.changes, verdict.message

Whose USPS app asks: the live shipper account's when one is given; else the business's own
USPS app (USPS_CLIENT_ID / USPS_CLIENT_SECRET at USPS_BASE_URL) when it is configured; else, and
for a sandbox account, nobody: the sandbox only tidies the address the way USPS writes it
(capitals, USPS abbreviations) and says that it confirmed nothing (`source` "sandbox").

Nothing is stored: accepting USPS's form is the caller's move (`verdict.standardized` holds it,
with the name, company, phone and e-mail that were sent). AddressCheckError names the field at
fault (`field`: street, secondary, city, state, zip_code) with USPS's own words, or says USPS
is out of reach (`code` "carrier_unavailable").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from django.conf import settings

from mailorders.models import ShipperAccount
from mailorders.services.common import LabelError
from mailorders.services.usps_labels import usps_client_for
from tracking.carriers.budget import BudgetExhausted
from tracking.carriers.shipping import PostalAddress
from tracking.carriers.usps import addresses
from tracking.carriers.usps.client import CarrierUnavailable, CredentialsRefused, UspsClient
from tracking.carriers.usps.errors import UspsError

__all__ = ["AddressCheckError", "AddressVerdict", "Change", "address_check"]

# USPS's query parameters → PostalAddress fields.
FIELDS = {
    "streetAddress": "street",
    "secondaryAddress": "secondary",
    "city": "city",
    "state": "state",
    "ZIPCode": "zip_code",
    "ZIPPlus4": "zip_plus4",
    "firm": "company",
}
COMPARED = ("street", "secondary", "city", "state", "zip_code", "zip_plus4")
ABBREVIATIONS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "ROAD": "RD",
    "BOULEVARD": "BLVD",
    "DRIVE": "DR",
    "LANE": "LN",
    "COURT": "CT",
    "PLACE": "PL",
    "SUITE": "STE",
    "APARTMENT": "APT",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
}


class AddressCheckError(LabelError):
    """The address could not be checked; `field` names the PostalAddress field at fault."""


@dataclass(frozen=True)
class Change:
    """One field USPS wrote differently from what was sent."""

    field: str  # a PostalAddress field: street, secondary, city, state, zip_code, zip_plus4
    sent: str
    usps: str


@dataclass(frozen=True)
class AddressVerdict:
    # USPS confirms the delivery point (DPV Y, or D/S: the building); None: not asked (sandbox)
    deliverable: bool | None
    standardized: PostalAddress | None  # USPS's form, None when USPS matched nothing
    message: str  # why not confirmed, in words a manager reads ("" when all is well)
    dpv_confirmation: str = ""  # "Y", "D" (secondary missing), "S" (secondary wrong), "N", ""
    business: bool | None = None
    vacant: bool | None = None
    corrections: tuple[tuple[str, str], ...] = ()  # USPS's (code, text)
    changes: tuple[Change, ...] = ()
    source: str = "usps"  # "usps" or "sandbox"

    @property
    def zip_plus4(self) -> str:
        found = self.standardized
        return f"{found.zip_code}-{found.zip_plus4}" if found and found.zip_plus4 else ""


def address_check(
    *, address: PostalAddress, account: ShipperAccount | None = None
) -> AddressVerdict:
    """USPS's verdict on `address` (see the module docstring for whose app asks)."""
    client = _client(account)
    if client is None:
        return _sandbox(address)
    try:
        found = addresses.address_check(client, address)
    except UspsError as exc:
        field = FIELDS.get(exc.field, "")
        raise AddressCheckError(
            exc.text,
            details=[{"path": field, "info": exc.text}] if field else [],
            code="carrier_refused",
        ) from exc
    except CredentialsRefused as exc:
        message = f"USPS refused the credentials ({exc.usps_message})."
        raise AddressCheckError(message, details=[], code="shipper_account_misconfigured") from exc
    except (CarrierUnavailable, BudgetExhausted) as exc:
        raise AddressCheckError(
            f"USPS is unavailable: {exc}", details=[], code="carrier_unavailable"
        ) from exc
    return AddressVerdict(
        deliverable=found.deliverable,
        standardized=found.address,
        message=found.message,
        dpv_confirmation=found.confirmed,
        business=found.business,
        vacant=found.vacant,
        corrections=found.corrections,
        changes=_changes(address, found.address),
    )


def _client(account: ShipperAccount | None) -> UspsClient | None:
    if account is not None:
        return None if account.sandbox else usps_client_for(account)
    if not (settings.USPS_CLIENT_ID and settings.USPS_CLIENT_SECRET):
        return None
    return UspsClient(
        base_url=settings.USPS_BASE_URL,
        client_id=settings.USPS_CLIENT_ID,
        client_secret=settings.USPS_CLIENT_SECRET,
        per_hour=settings.USPS_REQUESTS_PER_HOUR,
        timeout=min(settings.USPS_TIMEOUT_SECONDS, 5.0),  # a person is waiting
        max_retries=0,
    )


def _changes(sent: PostalAddress, found: PostalAddress | None) -> tuple[Change, ...]:
    if found is None:
        return ()
    changes = []
    for name in COMPARED:
        before, after = getattr(sent, name).strip(), getattr(found, name).strip()
        if before.upper() != after.upper():
            changes.append(Change(field=name, sent=before, usps=after))
    return tuple(changes)


def _usps_words(text: str) -> str:
    words = re.sub(r"[.,]", " ", text or "").upper().split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def _sandbox(address: PostalAddress) -> AddressVerdict:
    tidy = replace(
        address,
        street=_usps_words(address.street),
        secondary=_usps_words(address.secondary),
        city=" ".join(address.city.upper().split()),
        state=address.state.strip().upper(),
        zip_code=address.zip_code.strip(),
    )
    return AddressVerdict(
        deliverable=None,
        standardized=tidy,
        message="Not checked with USPS (sandbox): only written the way USPS writes addresses.",
        changes=_changes(address, tidy),
        source="sandbox",
    )
