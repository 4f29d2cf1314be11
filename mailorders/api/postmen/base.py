"""The Postmen v3 dialect (/postmen/v3/): key header, envelope, paging.

Every answer is `{"meta": {"code", "message", "details", "retryable"}, "data": …}`; a refused
request lists each field at fault in `meta.details` as `{"path", "info"}`. The key is read from
`as-api-key` (seed 002) or `postmen-api-key` (Postmen's own clients); same partner keys, throttle
and isolation as the other APIs.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.response import Response

from mailorders.services.common import LabelError
from shipdesk.api import ENVELOPES, APIError, APIKeyAuthentication, PartnerAPIView

HEADERS = ("as-api-key", "postmen-api-key")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000_000


class PostmenKeyAuthentication(APIKeyAuthentication):
    header = HEADERS[0]

    def authenticate(self, request):
        if not request.headers.get(HEADERS[0]) and request.headers.get(HEADERS[1]):
            self.header = HEADERS[1]
        return super().authenticate(request)


def postmen_response(data, *, http_status: int = 200) -> Response:
    meta = {"code": http_status, "message": "OK", "details": [], "retryable": False}
    return Response({"meta": meta, "data": data}, status=http_status)


def postmen_error(*, http_status: int, code: int, message: str, data=None) -> Response:
    details = data.get("details", []) if isinstance(data, dict) else []
    meta = {
        "code": code,
        "message": message,
        "details": details,
        "retryable": http_status == 429 or http_status >= 500,
    }
    return Response({"meta": meta, "data": {}}, status=http_status)


ENVELOPES["postmen"] = postmen_error


class PostmenAPIView(PartnerAPIView):
    dialect = "postmen"
    key_header = HEADERS[0]
    authentication_classes = [PostmenKeyAuthentication]

    @property
    def live(self) -> bool:
        return not self.request.auth.is_test

    def options(self, request, *args, **kwargs):
        return postmen_response({})

    def handle_exception(self, exc):
        """A refused label request answers with its `details`, 404 for what is not the
        partner's."""
        if isinstance(exc, LabelError):
            exc = refused(exc)
        return super().handle_exception(exc)

    def body(self) -> dict:
        data = self.request.data
        if not isinstance(data, dict):
            raise APIError("The request body must be a JSON object.")
        return data


def refused(exc: LabelError) -> APIError:
    status = 404 if exc.code == "not_found" else 400
    return APIError(str(exc), http_status=status, data={"details": exc.details})


def page_params(request) -> tuple[int, int]:
    """`limit` (1-100, default 20) and `next_token` (from the previous page) by name."""
    limit = _int(request.query_params.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT, "limit")
    offset = _int(request.query_params.get("next_token"), 0, 0, MAX_OFFSET, "next_token")
    return limit, offset


def _int(raw, default: int, low: int, high: int, name: str) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise APIError(
            f"{name}: must be a whole number from {low} to {high}.",
            data={"details": [{"path": name, "info": f"from {low} to {high}"}]},
        )
    return value


class PostmenNotFoundView(PostmenAPIView):
    authentication_classes = []
    throttle_classes = []

    def not_found(self, request, *args, **kwargs):
        raise exceptions.NotFound(
            "The URI requested is invalid or the resource requested does not exist."
        )

    get = post = put = patch = delete = options = not_found
