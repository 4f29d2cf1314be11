"""Which proofs of delivery a shipment may have: the one place these rules live.

The rules:

1. Nothing before delivery. A proof needs a delivery to prove: the shipment's tag is Delivered
   and the carrier reported a delivery event (a Delivered checkpoint). A shipment a manager
   marked delivered without such an event has nothing to show.
2. shipdesk's POD letter (a PDF carrying the signed POD passport) exists for every delivered
   shipment: it proves what the carrier reported, and says "no signature captured" when there
   was none. Its Return Receipt (Electronic) wording is offered only when the item has that
   service (rule 4).
3. USPS's Proof of Delivery record (seed 000) is requested only for a USPS item whose tracking
   answer gave its uniqueTrackingID and which has a signature service: USPS said so
   (`servicesEligibility.proofOfDeliveryEnabled`, kept as `Shipment.pod_eligible`), or the
   mail class or the shipment's service names one (Signature Confirmation, Adult Signature,
   Certified Mail, Registered Mail, Collect on Delivery, Return Receipt, or Priority Mail
   Express, which includes a signature).
4. USPS's Return Receipt (Electronic) is requested only for a USPS item with that service:
   USPS said so (`RREEnabled`, kept as `Shipment.rre_eligible`) or a service names it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracking.choices import Tag
from tracking.edd.places import normalize_mail_class
from tracking.models import Checkpoint, Shipment

SIGNATURE_SERVICES = (
    "signature",
    "certified",
    "registered",
    "return receipt",
    "collect on delivery",
    "priority mail express",
)
RETURN_RECEIPT_SERVICES = ("return receipt",)
# What a shipment is, not a service it was sent with.
SHIPMENT_KINDS = {"package", "parcel", "letter", "flat", "envelope", "box"}


@dataclass(frozen=True)
class PodOptions:
    """What may be offered for one shipment, and why not when nothing is."""

    delivery: Checkpoint | None
    letter: bool = False
    letter_rre: bool = False
    usps_pod: bool = False
    usps_rre: bool = False
    reason: str = ""

    @property
    def usps(self) -> bool:
        return self.usps_pod or self.usps_rre

    @property
    def any(self) -> bool:
        return self.letter or self.usps

    def allows(self, *, channel: str, letter_type: str) -> bool:
        rre = letter_type == "rre"
        if channel == "usps":
            return self.usps_rre if rre else self.usps_pod
        return self.letter_rre if rre else self.letter


def delivery_checkpoint(shipment: Shipment) -> Checkpoint | None:
    """The carrier's latest delivery event for the shipment, if it has one."""
    return (
        shipment.checkpoints.filter(tag=Tag.DELIVERED).order_by("-checkpoint_time", "-id").first()
    )


def service_names(shipment: Shipment) -> str:
    """The shipment's mail class and services as one lower-case text to look words up in."""
    parts = [shipment.mail_class, shipment.shipping_method, shipment.shipment_type]
    requirement = shipment.signature_requirement.strip().lower()
    if requirement and not requirement.startswith("no"):  # "none", "no_signature"
        parts.append(f"signature {requirement}")
    return " ".join(parts).lower()


def service_labels(shipment: Shipment) -> list[str]:
    """The services to print on a letter: what the shipment names and what USPS confirmed.

    The mail class is printed on its own line, so a shipping method naming it (however
    spelled: "Ground Advantage", "USPS Ground Advantage") is not a service.
    """
    mail_class = normalize_mail_class(shipment.mail_class)
    labels = [
        name
        for name in (shipment.shipping_method, shipment.shipment_type)
        if name
        and name.strip().lower() not in SHIPMENT_KINDS
        and normalize_mail_class(name) != mail_class
    ]
    requirement = shipment.signature_requirement.strip()
    if requirement and not requirement.lower().startswith("no"):
        labels.append(f"Signature required ({requirement})")
    if shipment.pod_eligible:
        labels.append("Proof of Delivery (USPS)")
    if shipment.rre_eligible:
        labels.append("Return Receipt (Electronic) (USPS)")
    return labels


def _names_any(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def pod_options(shipment: Shipment, *, delivery: Checkpoint | None = None) -> PodOptions:
    """Apply the module's rules; `delivery` saves the query when the caller already has it."""
    if shipment.tag != Tag.DELIVERED:
        return PodOptions(None, reason="The shipment is not delivered.")
    delivery = delivery or delivery_checkpoint(shipment)
    if delivery is None:
        return PodOptions(None, reason="The carrier reported no delivery event.")
    services = service_names(shipment)
    has_rre = shipment.rre_eligible or _names_any(services, RETURN_RECEIPT_SERVICES)
    has_signature = shipment.pod_eligible or _names_any(services, SIGNATURE_SERVICES)
    usps_ready = shipment.slug == "usps" and bool(shipment.unique_tracking_id)
    reason = ""
    if not usps_ready:
        reason = "USPS gave no uniqueTrackingID for this item, so USPS cannot be asked."
    elif not (has_signature or has_rre):
        reason = "USPS keeps a proof of delivery only for items with a signature service."
    return PodOptions(
        delivery,
        letter=True,
        letter_rre=has_rre,
        usps_pod=usps_ready and has_signature,
        usps_rre=usps_ready and has_rre,
        reason=reason,
    )
