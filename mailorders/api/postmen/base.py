"""The Postmen v3 dialect (/postmen/v3/): key header, envelope, paging, list filters.

Every answer is `{"meta": {"code", "message", "details", "retryable"}, "data": …}`; a refused
request lists each field at fault in `meta.details` as `{"path", "info"}`. The key is read from
`as-api-key` (seed 002) or `postmen-api-key` (Postmen's own clients); same partner keys, throttle
and isolation as the other APIs.

`meta.code` of a refusal is Postmen's own code from its "API Request Errors" reference, never
the HTTP status: 4104 an invalid request (the fields in `details`), 4109 invalid JSON, 4140 no
such shipper account, 4153 no such item (label, manifest, rate), 4312 the carrier out of reach
(retryable). 401, 429 and 5xx keep their numbers, as Postmen's do. The HTTP status stays the
plain one (400, 404, 503, …). Postmen's clients read `meta.code`: the official Python client
raises its PostmenError (code, message, details, retryable) for any 4xxx code and retries only
when `retryable` is true, so a label create is marked retryable only when a retry cannot buy a
second label (it carries an `order_number`).

Lists page newest first with an opaque `next_token`: a signed keyset cursor over
(created_at, id) of the last row shown, bound to the partner and to the list (and its filters)
that gave it. The next page is
`WHERE (created_at, id) < cursor ORDER BY created_at DESC, id DESC LIMIT n`, so any page costs
what the first costs, and rows created while a partner pages never shift the pages still to come.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import SuspiciousOperation
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import exceptions
from rest_framework.response import Response

from mailorders.services.common import LabelError
from shipdesk.api import (
    ENVELOPES,
    APIError,
    APIKeyAuthentication,
    PartnerAPIView,
    request_refusal,
)

HEADERS = ("as-api-key", "postmen-api-key")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
TOKEN_SALT = "postmen.next_token."
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
MAX_ID_LENGTH = 40

# Postmen's meta.code values ("API Request Errors").
INVALID_REQUEST = 4104
INVALID_JSON = 4109
SHIPPER_ACCOUNT_NOT_FOUND = 4140
ITEM_NOT_FOUND = 4153
NETWORK_ERROR = 4312
# shipdesk's refusal codes (LabelError.code) → (HTTP status, Postmen meta.code).
REFUSALS = {
    "not_found": (404, ITEM_NOT_FOUND),
    "carrier_unavailable": (503, NETWORK_ERROR),
}
RETRYABLE = {"carrier_unavailable"}


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
    """The envelope of a refusal: `details` as given, else the one `field` an error names;
    `retryable` as given, else true for a 429 or a 5xx."""
    details = data.get("details", []) if isinstance(data, dict) else []
    if not details and isinstance(data, dict) and data.get("field"):
        details = [{"path": data["field"], "info": message}]
    retryable = data.get("retryable") if isinstance(data, dict) else None
    if retryable is None:
        retryable = http_status == 429 or http_status >= 500
    meta = {"code": code, "message": message, "details": details, "retryable": retryable}
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
        """Every refusal with Postmen's meta.code: a refused label request with its `details`,
        4153 for what is not the partner's."""
        return super().handle_exception(postmen_exception(exc))

    def body(self) -> dict:
        data = self.request.data
        if not isinstance(data, dict):
            raise APIError("The request body must be a JSON object.")
        return data


def _validation_details(detail, path: str = "") -> list[dict]:
    """DRF validation errors (the strict JSON parser's, …) as `{"path", "info"}` entries."""
    if isinstance(detail, dict):
        return [
            entry
            for name, value in detail.items()
            for entry in _validation_details(
                value, path if name == "non_field_errors" else f"{path}{name}."
            )
        ]
    if isinstance(detail, list):
        if all(not isinstance(value, dict | list) for value in detail):
            return [{"path": path.rstrip("."), "info": str(value)} for value in detail]
        return [
            entry
            for index, value in enumerate(detail)
            for entry in _validation_details(value, f"{path}{index}.")
        ]
    return [{"path": path.rstrip("."), "info": str(detail)}]


def _validation_refused(exc: exceptions.ValidationError) -> APIError:
    found = _validation_details(exc.detail)
    message = "; ".join(f"{d['path']}: {d['info']}" if d["path"] else d["info"] for d in found)
    return APIError(
        message or "Invalid request.",
        code=INVALID_REQUEST,
        data={"details": [d for d in found if d["path"]]},
    )


def postmen_exception(exc: Exception) -> Exception:
    """`exc` as the APIError Postmen would answer (its meta.code); 401, 429 and anything
    unexpected (a 500) pass as they are."""
    if isinstance(exc, APIError):
        if exc.meta_code == exc.status_code and 400 <= exc.status_code < 500:
            exc.meta_code = ITEM_NOT_FOUND if exc.status_code == 404 else INVALID_REQUEST
        return exc
    if isinstance(exc, LabelError):
        return refused(exc)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_refused(exc)
    if isinstance(exc, exceptions.ParseError):
        return APIError(f"The request body is not valid JSON: {exc.detail}", code=INVALID_JSON)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return APIError("The item requested does not exist.", http_status=404, code=ITEM_NOT_FOUND)
    if isinstance(exc, SuspiciousOperation):
        http_status, message = request_refusal(exc)
        return APIError(message, http_status=http_status, code=INVALID_REQUEST)
    if isinstance(exc, exceptions.MethodNotAllowed | exceptions.UnsupportedMediaType):
        return APIError(str(exc.detail), http_status=exc.status_code, code=INVALID_REQUEST)
    return exc


def refused(exc: LabelError, *, retry_safe: bool = True) -> APIError:
    """A refused request in Postmen's words; `retry_safe` false when sending it again could
    repeat what it did (a label create without an order_number)."""
    status, code = REFUSALS.get(exc.code, (400, INVALID_REQUEST))
    if exc.code == "not_found" and (exc.field or "").startswith("shipper_account"):
        code = SHIPPER_ACCOUNT_NOT_FOUND
    retryable = retry_safe and exc.code in RETRYABLE
    return APIError(
        str(exc),
        http_status=status,
        code=code,
        data={"details": exc.details, "retryable": retryable},
    )


def field_error(name: str, info: str) -> APIError:
    return APIError(
        f"{name}: {info}",
        code=INVALID_REQUEST,
        data={"details": [{"path": name, "info": info}]},
    )


@dataclass(frozen=True)
class Page:
    rows: list
    limit: int
    next_token: str


def keyset_page(request, queryset: QuerySet, *, partner, kind: str) -> Page:
    """One page of `queryset` (already the partner's, filtered), newest first: `limit` (1-100,
    default 20) rows after the `next_token` a previous page of the same `kind` of list gave."""
    limit = _int(request.query_params.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT, "limit")
    queryset = queryset.order_by("-created_at", "-pk")
    raw = request.query_params.get("next_token", "")
    kind = f"{kind}:{_filters_digest(request)}"  # a token pages the list it came from only
    if raw:
        created_at, pk = _cursor_read(raw, partner=partner, kind=kind)
        queryset = queryset.filter(
            Q(created_at__lt=created_at) | Q(pk__lt=pk), created_at__lte=created_at
        )
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return Page(rows=rows, limit=limit, next_token="")
    last = rows[limit - 1]
    return Page(rows=rows[:limit], limit=limit, next_token=_cursor(last, partner, kind))


def _filters_digest(request) -> str:
    """The list's filters (every query parameter but the page's own) as a short digest."""
    filters = sorted(
        (name, sorted(values))
        for name, values in request.query_params.lists()
        if name not in ("limit", "next_token")
    )
    return hashlib.sha256(repr(filters).encode()).hexdigest()[:16]


def _cursor(row, partner, kind: str) -> str:
    micros = (row.created_at - EPOCH) // MICROSECOND
    return signing.dumps([partner.pk, micros, row.pk], salt=TOKEN_SALT + kind)


def _cursor_read(raw: str, *, partner, kind: str) -> tuple[dt.datetime, str]:
    try:
        partner_pk, micros, pk = signing.loads(raw, salt=TOKEN_SALT + kind)
        if partner_pk != partner.pk or not isinstance(pk, str) or isinstance(micros, bool):
            raise ValueError
        return EPOCH + micros * MICROSECOND, pk
    except (signing.BadSignature, ValueError, TypeError, OverflowError):
        raise field_error(
            "next_token", "not a next_token this list gave you: start again without it."
        ) from None


def query_choice(request, name: str, allowed) -> str | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if raw not in allowed:
        raise field_error(name, f"must be one of: {', '.join(allowed)}.")
    return raw


def query_id(request, name: str) -> str | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if len(raw) > MAX_ID_LENGTH or not raw.replace("_", "").replace("-", "").isalnum():
        raise field_error(name, "must be an id.")
    return raw


def query_datetime(request, name: str) -> dt.datetime | None:
    """An ISO 8601 date-time (a date alone is its midnight; without an offset, server time)."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise field_error(name, "must be an ISO 8601 date-time, e.g. 2026-11-27T16:00:00Z.")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def created_between(request) -> Q:
    """`created_at_min` / `created_at_max` (both inclusive) as a filter."""
    low = query_datetime(request, "created_at_min")
    high = query_datetime(request, "created_at_max")
    if low and high and high < low:
        raise field_error("created_at_max", "must not be before created_at_min.")
    found = Q()
    if low:
        found &= Q(created_at__gte=low)
    if high:
        found &= Q(created_at__lte=high)
    return found


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
            code=INVALID_REQUEST,
            data={"details": [{"path": name, "info": f"from {low} to {high}"}]},
        )
    return value
