"""A tracking's proof of delivery for the partner that owns it (shipdesk's addition to 2024-04).

Thin: find the partner's tracking, call tracking.pod.partner, shape the answer. POD errors keep
their HTTP status (409 not delivered, 410 outside retention, 503 no signing key) in AfterShip's
envelope; another partner's tracking is a 404 like every other path.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse

from shipdesk.api import APIError, PartnerAPIView, aftership_response
from tracking.api import schema as doc
from tracking.api.schema import pod as pod_doc
from tracking.api.views import TrackingLookupMixin, _validated
from tracking.pod.errors import PodError
from tracking.pod.partner import partner_pod, partner_pod_letter
from tracking.services.pod import PodRequestError

TAGS = ["Proof of delivery"]


def _pod_error(exc: PodError) -> APIError:
    return APIError(f"{exc.code}: {exc.message}", http_status=exc.http_status)


class ProofOfDeliveryView(TrackingLookupMixin, PartnerAPIView):
    @doc.operation(
        operation_id="getProofOfDeliveryByTrackingId",
        summary="Get a tracking's proof of delivery",
        description="shipdesk's addition to the 2024-04 API. For a delivered tracking: the "
        "public URLs of its signed POD (`pod_url`, no key needed), of its proof chain "
        "(`proof_url`) and of the signing keys (`public_key_url`), the URL of the POD letter PDF "
        "(`letter_url`, with the API key) and the signed POD document itself (`pod`, spec "
        "sdpod1, verifiable offline). 409 while the tracking has no recorded delivery, 410 once "
        "its event detail is past the retention window.",
        tags=TAGS,
        responses=pod_doc.pod_responses(
            OpenApiResponse(
                pod_doc.ProofOfDeliveryResponse,
                description=pod_doc.ProofOfDeliveryResponse.__doc__,
            ),
            401,
            404,
            409,
            410,
            429,
            503,
        ),
    )
    def get(self, request, **kwargs):
        shipment = self.get_shipment()
        try:
            pod = partner_pod(shipment=shipment)
        except PodError as exc:
            raise _pod_error(exc) from exc
        return aftership_response({"proof_of_delivery": pod})


class ProofOfDeliveryLetterView(TrackingLookupMixin, PartnerAPIView):
    def perform_content_negotiation(self, request, force=False):
        # The answer is a PDF (or an error in JSON): an `Accept: application/pdf` is welcome.
        return super().perform_content_negotiation(request, force=True)

    @doc.operation(
        operation_id="getProofOfDeliveryLetterByTrackingId",
        summary="Download a tracking's proof of delivery letter (PDF)",
        description="shipdesk's addition to the 2024-04 API: the one-page POD letter of a "
        "delivered tracking, with the signed POD embedded as `pod.json` (check it offline with "
        "`python -m tracking.verify LETTER.pdf`). `type=rre` asks for the Return Receipt "
        "(Electronic) wording, offered only when the item has that service. 409 while the "
        "tracking has no recorded delivery.",
        tags=TAGS,
        parameters=[pod_doc.PodLetterQuerySerializer],
        responses=pod_doc.pod_responses(
            pod_doc.PDF_RESPONSE, 400, 401, 404, 409, 410, 429, 503, media_type="application/pdf"
        ),
    )
    def get(self, request, **kwargs):
        params = _validated(pod_doc.PodLetterQuerySerializer, request.query_params)
        shipment = self.get_shipment()
        try:
            letter = partner_pod_letter(
                shipment=shipment, letter_type=params["type"], actor=self.actor
            )
        except PodError as exc:
            raise _pod_error(exc) from exc
        except PodRequestError as exc:
            raise APIError(f"type: {exc.message}", field="type") from exc
        response = HttpResponse(letter.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
        response["Cache-Control"] = "no-store"
        return response
