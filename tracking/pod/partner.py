"""A partner's way to its proofs of delivery, with nothing but its API key.

The public POD is addressed by the shipment's UUID, which no partner answer shows. The partner
API names a tracking by its id instead: ``/tracking/2024-04/trackings/{id}/proof-of-delivery``
answers the public URLs and the signed POD itself, ``…/proof-of-delivery/letter`` the POD
letter PDF, and a delivered tracking's webhook event says where both are (`pod_links`).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from shipdesk.audit import Actor
from tracking.models import PodRequest, Shipment
from tracking.pod.document import pod_document
from tracking.pod.eligibility import pod_options
from tracking.pod.errors import PodNotDelivered
from tracking.pod.letter import Letter
from tracking.services.pod import pod_letter_download


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def pod_links(tracking_id: str) -> dict:
    """The partner API's POD URLs of a tracking (they need the partner's key)."""
    return {
        "url": _site(reverse("api-pod-by-id", kwargs={"tracking_id": tracking_id})),
        "letter_url": _site(reverse("api-pod-letter-by-id", kwargs={"tracking_id": tracking_id})),
    }


def public_links(shipment: Shipment) -> dict:
    """The public, key-less URLs of a shipment's POD (its UUID is the capability)."""
    kwargs = {"shipment_uuid": shipment.uuid}
    return {
        "pod_url": _site(reverse("pod-document", kwargs=kwargs)),
        "proof_url": _site(reverse("pod-proof", kwargs=kwargs)),
        "public_key_url": _site(reverse("pod-public-keys")),
    }


def partner_pod(*, shipment: Shipment) -> dict:
    """The `proof_of_delivery` object a partner gets: where everything is, and the signed POD.

    Raises the POD errors of :func:`~tracking.pod.document.pod_document` (409 not delivered,
    410 outside retention, 503 no signing key).
    """
    document = pod_document(shipment=shipment)
    links = pod_links(shipment.public_id)
    return {
        "tracking_id": shipment.public_id,
        "slug": shipment.slug,
        "tracking_number": shipment.tracking_number,
        "delivered_at": document["delivered_at"],
        **public_links(shipment),
        "letter_url": links["letter_url"],
        "pod": document,
    }


def partner_pod_letter(*, shipment: Shipment, letter_type: str, actor: Actor) -> Letter:
    """The POD letter PDF (audited like an agent's download); 409 before delivery."""
    options = pod_options(shipment)
    if options.delivery is None:
        raise PodNotDelivered(f"No proof of delivery yet: {options.reason}")
    return pod_letter_download(
        shipment=shipment,
        letter_type=letter_type or PodRequest.LetterType.PROOF_OF_DELIVERY,
        actor=actor,
    )
