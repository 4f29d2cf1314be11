"""The public POD endpoints: no key, the shipment's UUID is the capability, throttled per IP.

Answers ``{"ok": true, "data": …}`` or ``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

import logging
import math
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from shipdesk.api import request_refusal
from shipdesk.clients import client_address
from tracking.models import Shipment
from tracking.pod.document import pod_document, proof_document
from tracking.pod.errors import PodError, PodKeysUnavailable, PodMalformedUUID, PodNotFound
from tracking.pod.keys import KeyFileError, public_keys_document

logger = logging.getLogger(__name__)

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


class ClientIPThrottle(BaseThrottle):
    """POD_RATE_PER_MINUTE requests per client address, counted in the shared cache.

    The address is shipdesk.clients.client_address (TRUSTED_PROXIES says how to read it).
    """

    def allow_request(self, request, view) -> bool:
        now = time.time()
        window = math.floor(now / 60)
        counter = f"pod-throttle:{client_address(request)}:{window}"
        cache.add(counter, 0, timeout=120)
        try:
            used = cache.incr(counter)
        except ValueError:  # expired between add and incr
            cache.set(counter, 1, timeout=120)
            used = 1
        self.reset_at = (window + 1) * 60
        return used <= settings.POD_RATE_PER_MINUTE

    def wait(self) -> float:
        return max(0.0, self.reset_at - time.time())


def error_response(*, code: str, message: str, http_status: int) -> Response:
    return Response({"ok": False, "error": {"code": code, "message": message}}, status=http_status)


def pod_exception_handler(exc, context):
    if isinstance(exc, PodError):
        return error_response(code=exc.code, message=exc.message, http_status=exc.http_status)
    if isinstance(exc, SuspiciousOperation):
        http_status, message = request_refusal(exc)
        code = "request_too_large" if http_status == 413 else "bad_request"
        return error_response(code=code, message=message, http_status=http_status)
    if isinstance(exc, exceptions.Throttled):
        response = error_response(
            code="rate_limited",
            message="Too many requests from this address; try again later.",
            http_status=429,
        )
        if exc.wait is not None:
            response["Retry-After"] = str(max(1, math.ceil(exc.wait)))
        return response
    if isinstance(exc, exceptions.MethodNotAllowed):
        return error_response(code="method_not_allowed", message=str(exc.detail), http_status=405)
    if isinstance(exc, exceptions.APIException):
        return error_response(
            code="bad_request", message=str(exc.detail), http_status=exc.status_code
        )
    logger.exception("Unhandled error in a public POD view", exc_info=exc)
    return error_response(
        code="internal_error",
        message="Something went wrong on our side; try again later.",
        http_status=500,
    )


class PublicView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = [ClientIPThrottle]

    def get_exception_handler(self):
        return pod_exception_handler

    def options(self, request, *args, **kwargs):
        """The methods are in `Allow`; the body is the envelope like every other answer."""
        return Response({"ok": True, "data": {}})

    def get_shipment(self, shipment_uuid: str) -> Shipment:
        if not UUID_RE.match(shipment_uuid):
            raise PodMalformedUUID("uuid: not a shipment UUID (8-4-4-4-12 hexadecimal digits).")
        shipment = Shipment.objects.filter(uuid=shipment_uuid.lower()).first()
        if shipment is None:
            raise PodNotFound("No shipment has this UUID.")
        return shipment


class PodView(PublicView):
    def get(self, request, shipment_uuid: str):
        document = pod_document(shipment=self.get_shipment(shipment_uuid))
        return Response({"ok": True, "data": document}, headers={"Cache-Control": "no-store"})


class ProofView(PublicView):
    def get(self, request, shipment_uuid: str):
        document = proof_document(shipment=self.get_shipment(shipment_uuid))
        return Response({"ok": True, "data": document}, headers={"Cache-Control": "no-store"})


class PublicKeysView(PublicView):
    def get(self, request):
        try:
            document = public_keys_document()
        except KeyFileError as exc:
            logger.error("The POD keys cannot be read: %s", exc)
            raise PodKeysUnavailable("The public keys cannot be read right now.") from None
        return Response(document, headers={"Cache-Control": "public, max-age=300"})


class NotFoundView(PublicView):
    def get(self, request, *args, **kwargs):
        raise PodNotFound("No such endpoint.")

    post = put = patch = delete = get
