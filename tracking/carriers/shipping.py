"""shipdesk's own words for outbound shipping (addresses, parcels, rates, labels, SCAN forms).

Carrier mappers translate to and from these; no carrier code (mail classes, rate indicators,
extra-service numbers) appears here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Service(StrEnum):
    GROUND_ADVANTAGE = "ground_advantage"
    PRIORITY_MAIL = "priority_mail"
    PRIORITY_MAIL_EXPRESS = "priority_mail_express"
    PARCEL_SELECT = "parcel_select"
    MEDIA_MAIL = "media_mail"


class Packaging(StrEnum):
    OWN = "own"  # the shipper's own box, priced by weight and zone
    FLAT_RATE_ENVELOPE = "flat_rate_envelope"
    PADDED_FLAT_RATE_ENVELOPE = "padded_flat_rate_envelope"
    SMALL_FLAT_RATE_BOX = "small_flat_rate_box"
    MEDIUM_FLAT_RATE_BOX = "medium_flat_rate_box"
    LARGE_FLAT_RATE_BOX = "large_flat_rate_box"


class Extra(StrEnum):
    TRACKING = "tracking"
    SIGNATURE = "signature"
    ADULT_SIGNATURE = "adult_signature"
    INSURANCE = "insurance"


class ImageFormat(StrEnum):
    PDF = "pdf"
    ZPL = "zpl"
    PNG = "png"


@dataclass(frozen=True)
class PostalAddress:
    street: str
    city: str
    state: str
    zip_code: str
    secondary: str = ""
    zip_plus4: str = ""
    name: str = ""  # "First Last" of a person
    company: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class AddressCheck:
    """USPS's verdict on an address: the standardised form when it matched one."""

    deliverable: bool
    address: PostalAddress | None = None
    confirmed: str = ""  # delivery point validation: "Y", "D" (secondary missing), "S", "N"
    business: bool | None = None
    vacant: bool | None = None
    carrier_route: str = ""
    corrections: tuple[tuple[str, str], ...] = ()  # (code, text)
    matches: tuple[tuple[str, str], ...] = ()
    message: str = ""  # why it did not match


@dataclass(frozen=True)
class Parcel:
    weight_lb: Decimal
    length_in: Decimal
    width_in: Decimal
    height_in: Decimal


@dataclass(frozen=True)
class PaymentAccount:
    """Who pays and whose label range is used (USPS: CRID, MIDs, EPS or permit account)."""

    crid: str
    mid: str
    manifest_mid: str
    account_number: str
    account_type: str = "EPS"  # EPS, PERMIT or METER
    permit_zip: str = ""


@dataclass(frozen=True)
class RateQuote:
    service: Service
    packaging: Packaging
    base: Decimal
    total: Decimal
    zone: str = ""
    description: str = ""
    sku: str = ""
    extras: tuple[tuple[str, Decimal], ...] = ()  # (name, price)


@dataclass(frozen=True)
class LabelOrder:
    ship_from: PostalAddress
    ship_to: PostalAddress
    parcel: Parcel
    service: Service
    mailing_date: date
    idempotency_key: str  # a UUID of shipdesk's own attempt: a retry never buys twice
    packaging: Packaging = Packaging.OWN
    extras: tuple[Extra, ...] = ()
    item_value: Decimal = Decimal(0)
    image_format: ImageFormat = ImageFormat.PDF
    receipt: bool = False


@dataclass(frozen=True)
class PurchasedLabel:
    tracking_number: str
    postage: Decimal
    total: Decimal  # postage, extra services and fees
    zone: str
    image: bytes  # the label exactly as the carrier made it
    image_type: str  # its content type (application/pdf, image/png, application/octet-stream)
    image_name: str = ""
    receipt: bytes | None = None
    routing: str = ""  # "420" + ZIP Code printed in the barcode
    delivery_date: date | None = None
    commitment: str = ""
    sku: str = ""
    extras: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class LabelCancel:
    tracking_number: str
    refunded: bool  # True: canceled at once; False: a refund request is pending (dispute)
    dispute_id: str = ""


@dataclass(frozen=True)
class ScanForm:
    manifest_number: str
    tracking_numbers: tuple[str, ...]
    image: bytes
    image_type: str = "application/pdf"
    extra: dict = field(default_factory=dict)
