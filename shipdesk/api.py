"""What every partner API shares: API-key authentication, per-key throttling, envelopes.

Each API speaks a dialect (AfterShip tracking, PostGrid print-mail, Postmen labels) with its own
key header and error envelope. A view names its dialect; the one exception handler below turns
every error raised in that view, expected or not, into that dialect's envelope.
"""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import connection
from django.http import Http404
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from shipdesk.audit import Actor
from shipdesk.models import ThrottleWindow
from shipdesk.services import api_key_authenticate, api_key_record_use

logger = logging.getLogger(__name__)

# A window's counter outlives its second (clocks of web servers may differ a little).
THROTTLE_COUNTER_SECONDS = 5
ERROR_TYPES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
}


class APIError(exceptions.APIException):
    """An error with a dialect-specific code (AfterShip's 4003, …) and the field it concerns."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int = 400,
        code: int | None = None,
        field: str | None = None,
        data=None,
    ):
        super().__init__(message)
        self.status_code = http_status
        self.meta_code = code or http_status
        self.field = field
        self.data = data


class APIKeyAuthentication(BaseAuthentication):
    """The partner's key from a header (the header name is the dialect's)."""

    header = "as-api-key"

    def authenticate(self, request):
        raw_key = request.headers.get(self.header)
        if not raw_key:
            raise exceptions.NotAuthenticated(
                f"The API key is missing: send it in the `{self.header}` header."
            )
        key = api_key_authenticate(raw_key=raw_key.strip())
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is invalid or revoked.")
        return (None, key)

    def authenticate_header(self, request):
        return self.header


def throttle_count(*, key_id: int, window_start: int) -> int:
    """Count one request of the key in the window, in the database; the window's count so far.

    One INSERT … ON CONFLICT DO UPDATE … RETURNING (SQLite >= 3.35, PostgreSQL): atomic, so
    requests served by different processes at the same moment are each counted once. The first
    request of a window deletes the key's older windows (one row per key stays)."""
    table = connection.ops.quote_name(ThrottleWindow._meta.db_table)
    count = connection.ops.quote_name("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key_id, window_start, {count}) VALUES (%s, %s, 1) "
            f"ON CONFLICT (key_id, window_start) DO UPDATE SET {count} = {table}.{count} + 1 "
            f"RETURNING {count}",
            [key_id, window_start],
        )
        used = cursor.fetchone()[0]
    if used == 1:
        ThrottleWindow.objects.filter(key_id=key_id, window_start__lt=window_start).delete()
    return used


def cache_throttle_count(*, key_id: int, window_start: int) -> int:
    """The same count in the shared cache: cache.incr, and cache.add for a window's first
    request. Exact across processes only where incr is atomic (Redis's INCR, memcached's)."""
    cache = caches["default"]
    counter = f"api-throttle:{key_id}:{window_start}"
    try:
        return cache.incr(counter)
    except ValueError:  # the window's first request (or a race with it: add lets one win)
        cache.add(counter, 0, timeout=THROTTLE_COUNTER_SECONDS)
        return cache.incr(counter)


def counts_atomically(cache) -> bool:
    """Whether the cache's incr is atomic across processes. Django's database and file caches
    increment by a read then a write (two processes can both read 4 and write 5), and
    local memory is per process: the throttle counts in the database beside them."""
    backend = type(cache)
    return issubclass(backend, (RedisCache, BaseMemcachedCache)) or backend.__module__.startswith(
        "django_redis"
    )


class KeyRateThrottle(BaseThrottle):
    """Requests per second per key, counted where every web process sees the same count: the
    shared cache when it counts atomically (Redis at scale), else the database."""

    def allow_request(self, request, view) -> bool:
        key = request.auth
        if key is None:
            return True
        limit = key.rate_per_second or settings.API_RATE_PER_SECOND
        window = math.floor(time.time())
        count = cache_throttle_count if counts_atomically(caches["default"]) else throttle_count
        used = count(key_id=key.pk, window_start=window)
        self.reset_at = window + 1
        request.rate_limit = (limit, max(0, limit - used), self.reset_at)
        return used <= limit

    def wait(self) -> float:
        return max(0.0, self.reset_at - time.time())


class PartnerAPIView(APIView):
    """Base for partner endpoints: key auth, per-key throttle, rate-limit headers, envelopes."""

    dialect = "aftership"
    authentication_classes = [APIKeyAuthentication]
    permission_classes = []
    throttle_classes = [KeyRateThrottle]

    @property
    def partner(self):
        return self.request.auth.partner

    @property
    def actor(self) -> Actor:
        return Actor.for_key(self.request.auth)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.auth is not None:
            api_key_record_use(key=request.auth)

    def perform_content_negotiation(self, request, force=False):
        """What DRF's negotiation chooses when the client names no format and accepts
        anything or exactly the first renderer's type (most clients): that renderer and its
        type. Any other Accept header or format goes through DRF's negotiation."""
        renderer_class = self.renderer_classes[0]
        accept = request.META.get("HTTP_ACCEPT")
        if accept in (None, "*/*", renderer_class.media_type) and not self.format_kwarg:
            try:
                named = api_settings.URL_FORMAT_OVERRIDE in request.query_params
            except SuspiciousOperation:  # a query Django refuses: DRF's negotiation decides
                named = True
            if not named:
                return renderer_class(), renderer_class.media_type
        return super().perform_content_negotiation(request, force)

    def options(self, request, *args, **kwargs):
        """The methods are in `Allow`; the body is the envelope, as every other answer's is
        (DRF's default would answer its own metadata object)."""
        return aftership_response({})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        limit = getattr(request, "rate_limit", None)
        if limit:
            response["X-RateLimit-Limit"] = str(limit[0])
            response["X-RateLimit-Remaining"] = str(limit[1])
            response["X-RateLimit-Reset"] = str(limit[2])
        return response


def aftership_response(data, *, http_status: int = 200) -> Response:
    return Response({"meta": {"code": http_status}, "data": data}, status=http_status)


def _field_messages(detail, path: str = "") -> list[str]:
    """Flatten DRF validation errors into 'field: message' strings."""
    if isinstance(detail, dict):
        out = []
        for name, value in detail.items():
            child = name if name == "non_field_errors" else f"{path}{name}"
            out += _field_messages(value, f"{child}." if child != "non_field_errors" else path)
        return out
    if isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            field = path.rstrip(".")
            return [f"{field}: {v}" if field else str(v) for v in detail]
        out = []
        for index, value in enumerate(detail):
            if value:
                out += _field_messages(value, f"{path}{index}.")
        return out
    field = path.rstrip(".")
    return [f"{field}: {detail}" if field else str(detail)]


def request_refusal(exc: SuspiciousOperation) -> tuple[int, str]:
    """(http status, message) for a request Django refused while reading it (413 for a body
    past DATA_UPLOAD_MAX_MEMORY_SIZE, 400 for too many fields or files, or anything else it
    finds suspicious). Raised while the body or query string is parsed, so nothing changed."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return 413, (
            f"The request body is too large: at most {limit:,} bytes are accepted "
            "(uploaded files aside)."
        )
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return 400, (
            f"The request has too many fields: at most {limit:,} form fields and query "
            "parameters are accepted."
        )
    if isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return 400, f"The request has too many files: at most {limit:,} are accepted."
    return 400, "The request is malformed and was refused."


def describe(exc: Exception) -> tuple[int, int, str, object]:
    """(http status, meta code, message, data) for any exception raised in a partner view."""
    if isinstance(exc, SuspiciousOperation):
        http_status, message = request_refusal(exc)
        return http_status, http_status, message, None
    if isinstance(exc, APIError):
        return exc.status_code, exc.meta_code, str(exc.detail), exc.data
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.ValidationError):
        return 400, 400, "; ".join(_field_messages(exc.detail)) or "Invalid request.", None
    if isinstance(exc, exceptions.ParseError):
        return 400, 400, f"The request body is not valid JSON: {exc.detail}", None
    if isinstance(exc, exceptions.Throttled):
        return 429, 429, "You have exceeded the API call rate limit.", None
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, exc.status_code, str(exc.detail), None
    logger.exception("Unhandled error in a partner API view", exc_info=exc)
    return 500, 500, "Something went wrong on our side; the request changed nothing.", None


def exception_handler(exc, context):
    view = context.get("view")
    http_status, code, message, data = describe(exc)
    dialect = getattr(view, "dialect", "aftership")
    renderer = ENVELOPES.get(dialect, aftership_error)
    response = renderer(http_status=http_status, code=code, message=message, data=data)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(exc.wait)))
    if http_status == 401:
        response["WWW-Authenticate"] = getattr(view, "key_header", "as-api-key")
    return response


def aftership_error(*, http_status: int, code: int, message: str, data=None) -> Response:
    error_type = ERROR_TYPES.get(
        http_status, "InternalError" if http_status >= 500 else "BadRequest"
    )
    body = {"meta": {"code": code, "type": error_type, "message": message}, "data": data or {}}
    return Response(body, status=http_status)


POSTGRID_ERROR_TYPES = {
    400: "validation_error",
    401: "invalid_api_key_error",
    403: "forbidden_error",
    404: "not_found_error",
    405: "method_not_allowed_error",
    409: "conflict_error",
    413: "request_too_large_error",
    415: "unsupported_media_type_error",
    429: "rate_limit_error",
}


def postgrid_error(*, http_status: int, code: int, message: str, data=None) -> Response:
    """PostGrid's `{"error": {"type", "message"}}`; a dict in `data` adds to (or overrides) the
    error object's members, e.g. the `field` concerned or a more precise `type`."""
    error_type = POSTGRID_ERROR_TYPES.get(
        http_status, "internal_error" if http_status >= 500 else "validation_error"
    )
    error = {"type": error_type, "message": message}
    if isinstance(data, dict):
        error.update(data)
    return Response({"error": error}, status=http_status)


ENVELOPES = {"aftership": aftership_error, "postgrid": postgrid_error}


class NotFoundView(PartnerAPIView):
    """Answers every unknown path under an API prefix with the dialect's 404."""

    authentication_classes = []
    throttle_classes = []

    def dispatch_not_found(self, request, *args, **kwargs):
        raise exceptions.NotFound(
            "The URI requested is invalid or the resource requested does not exist."
        )

    get = post = put = patch = delete = options = dispatch_not_found
