"""OpenAPI shapes of the partner's proof-of-delivery endpoints (tracking.api.pod)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from tracking.api.schema.envelopes import (
    ERROR_RESPONSES,
    ErrorEnvelopeSerializer,
    _error_example,
    data_object,
    envelope,
)


class PodPassportSerializer(serializers.Serializer):
    spec = serializers.CharField(help_text="`sdpass1`.")
    alg = serializers.CharField(help_text="`Ed25519`.")
    kid = serializers.CharField(help_text="Id of the public key that checks the signature.")
    payload_b64 = serializers.CharField(help_text="Base64 of the signed canonical JSON.")
    signature_b64 = serializers.CharField(help_text="Base64 of the Ed25519 signature.")


class PodDocumentSerializer(serializers.Serializer):
    """The signed POD, exactly as `GET /api/v1/shipments/{uuid}/pod` answers it in `data`."""

    spec = serializers.CharField(help_text="`sdpod1`.")
    issued_at = serializers.DateTimeField()
    status = serializers.CharField(help_text="`delivered`.")
    delivered_at = serializers.CharField(help_text="The delivery's local time with its offset.")
    shipment = serializers.DictField(help_text="uuid, carrier, tracking_number, mail_class.")
    delivery = serializers.DictField(help_text="The delivery event as chained (no names).")
    chain = serializers.DictField(help_text="Where the delivery sits in the proof chain.")
    verify = serializers.DictField(help_text="public_key_url and proof_url.")
    passport = PodPassportSerializer()


class ProofOfDeliverySerializer(serializers.Serializer):
    tracking_id = serializers.CharField()
    slug = serializers.CharField()
    tracking_number = serializers.CharField()
    delivered_at = serializers.CharField(help_text="The delivery's local time with its offset.")
    pod_url = serializers.URLField(help_text="The public signed POD (no key needed).")
    proof_url = serializers.URLField(help_text="The public proof chain of the shipment.")
    public_key_url = serializers.URLField(help_text="The published signing keys.")
    letter_url = serializers.URLField(help_text="The POD letter PDF (send the API key).")
    pod = PodDocumentSerializer()


class PodLetterQuerySerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        ["pod", "rre"],
        default="pod",
        help_text="`pod` (Proof of Delivery, the default) or `rre` (Return Receipt "
        "(Electronic), only for items with that service).",
    )


ProofOfDeliveryResponse = envelope(
    "ProofOfDeliveryResponse",
    data_object("ProofOfDeliveryData", proof_of_delivery=ProofOfDeliverySerializer()),
    "Where a delivered tracking's proof of delivery is, and the signed POD itself.",
)
PDF_RESPONSE = OpenApiResponse(
    OpenApiTypes.BINARY,
    description="The POD letter, `application/pdf`, as an attachment.",
)
POD_ERRORS = {
    409: OpenApiResponse(
        ErrorEnvelopeSerializer,
        description="The tracking has no recorded delivery yet: no POD before delivery.",
        examples=[
            _error_example(
                409,
                "BadRequest",
                "not_delivered: The shipment is not delivered: a POD is issued only after "
                "delivery.",
            )
        ],
    ),
    410: OpenApiResponse(
        ErrorEnvelopeSerializer,
        description="The event detail is past the retention window: permanently gone (the "
        "proof chain is still at `proof_url`).",
        examples=[_error_example(410, "BadRequest", "pod_outside_retention: …")],
    ),
    503: OpenApiResponse(
        ErrorEnvelopeSerializer,
        description="No signing key is configured on this server.",
        examples=[_error_example(503, "InternalError", "pod_signing_unavailable: …")],
    ),
}


def pod_responses(ok, *errors: int, media_type: str = "") -> dict:
    """The success answer and the listed errors (the shared ones and the POD ones)."""
    answer = {(200, media_type) if media_type else 200: ok}
    answer.update({code: ERROR_RESPONSES.get(code) or POD_ERRORS[code] for code in errors})
    return answer
