"""The PostGrid print-mail v1 dialect: key header, error envelope, list envelope, body parsing.

Every view under /print-mail/v1/ subclasses `PostGridAPIView`: the same partner keys, throttle
and isolation as the tracking API, with PostGrid's header (`x-api-key`), its error envelope
(`{"error": {"type", "message"}}`, see shipdesk.api.postgrid_error) and its list envelope
(`{"object": "list", "limit", "skip", "totalCount", "data"}`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from shipdesk.api import APIError, APIKeyAuthentication, PartnerAPIView
from shipdesk.jsontypes import FormData
from shipdesk.parsers import unstorable

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_SKIP = 10_000_000
MAX_SEARCH_LENGTH = 200
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")


class PostGridKeyAuthentication(APIKeyAuthentication):
    header = "x-api-key"


class PostGridAPIView(PartnerAPIView):
    """Base for print-mail endpoints. `self.partner` owns everything read or written;
    `self.live` is False for a test key (test-mode objects, progressions allowed)."""

    dialect = "postgrid"
    key_header = "x-api-key"
    authentication_classes = [PostGridKeyAuthentication]
    # JSON as every API takes it, plus the form and multipart bodies PostGrid accepts
    # (`to[firstName]=…`, a `pdf` file upload).
    parser_classes = [*api_settings.DEFAULT_PARSER_CLASSES, FormParser, MultiPartParser]

    @property
    def live(self) -> bool:
        return not self.request.auth.is_test

    def options(self, request, *args, **kwargs):
        return Response({})

    def body(self) -> dict:
        """The request body as a dict: JSON as sent, form fields unflattened."""
        try:
            data = self.request.data
        except RecursionError as exc:
            raise APIError("The request body is nested too deeply.") from exc
        if hasattr(data, "lists"):  # a QueryDict from a form or multipart body
            data = unflatten_form(data)
            found = unstorable(data)  # JSON bodies were checked by the parser
            if found:
                field, problem = found
                raise APIError(f"{field}: {problem}", data={"field": field})
            return data
        if not isinstance(data, dict):
            raise APIError("The request body must be a JSON object.")
        return data


def unflatten_form(data) -> FormData:
    """`to[firstName]=A&metadata[k]=v&tags[]=x` → {"to": {"firstName": "A"}, "metadata": {…}}.

    Files stay as uploaded-file objects. A key used both as a value and as an object is refused
    naming the field. The objects are FormData: their values are text, as a form sends them."""
    out = FormData()
    for raw_key, values in data.lists():
        parts = [raw_key.split("[", 1)[0], *_BRACKETS.findall(raw_key)]
        if not parts[0]:
            raise APIError(f"`{raw_key}` is not a valid field name.", data={"field": raw_key})
        node = out
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            field = ".".join(p for p in parts[: index + 1] if p)
            if last:
                if part == "":  # `tags[]=a&tags[]=b`
                    raise APIError(f"{field}: lists are not accepted here.", data={"field": field})
                node[part] = values[-1] if len(values) == 1 else values
            else:
                child = node.setdefault(part, FormData())
                if not isinstance(child, dict):
                    raise APIError(
                        f"{field}: given both as a value and as an object.", data={"field": field}
                    )
                node = child
    return out


def page_params(request) -> tuple[int, int]:
    """`limit` (1-100, default 10) and `skip` (≥ 0) from the query string, refused by name."""
    return (
        _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        _int_param(request, "skip", 0, 0, MAX_SKIP),
    )


def search_param(request) -> str:
    search = request.query_params.get("search", "").strip()
    if len(search) > MAX_SEARCH_LENGTH or "\x00" in search:
        raise APIError(
            f"search: at most {MAX_SEARCH_LENGTH} characters, no NUL.", data={"field": "search"}
        )
    return search


def _int_param(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise APIError(
            f"{name}: must be a whole number from {low} to {high}.", data={"field": name}
        )
    return value


def list_response(
    *,
    queryset: QuerySet,
    limit: int,
    skip: int,
    serialize: Callable[[Iterable], list[dict]],
) -> Response:
    """One page of an ordered queryset in PostGrid's list envelope (two queries plus what
    `serialize` prefetches)."""
    total = queryset.count()
    page = list(queryset[skip : skip + limit]) if skip < total else []
    return Response(
        {
            "object": "list",
            "limit": limit,
            "skip": skip,
            "totalCount": total,
            "data": serialize(page),
        }
    )
