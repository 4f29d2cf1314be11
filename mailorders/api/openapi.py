"""What every PostGrid-dialect description shares (print-mail, webhooks): the `x-api-key` scheme,
the error envelope, the list object and its `limit`/`skip`/`search` parameters, the request
field rules and the auto-schema that reads an operation table instead of view annotations.

Used by mailorders.api.schema and shipdesk.webhooks.api.schema; the views stay unannotated.
"""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from mailorders.api.base import DEFAULT_LIMIT, MAX_LIMIT, MAX_SEARCH_LENGTH, MAX_SKIP
from shipdesk.api import POSTGRID_ERROR_TYPES
from shipdesk.openapi import TableAutoSchema

SECURITY_SCHEME = "xApiKey"
ERROR_TYPES = sorted(
    {*POSTGRID_ERROR_TYPES.values(), "invalid_progression_error", "internal_error"}
)
ID = {"type": "string", "pattern": "^[^/\x00]+$"}
TIME = {"type": "string", "format": "date-time"}


def nullable(schema: dict) -> dict:
    """The schema, or null (an enum lists null too, as validators read `enum` strictly)."""
    out = {**schema, "nullable": True}
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


NULLABLE_TEXT = nullable({"type": "string"})
NULLABLE_OBJECT = nullable({"type": "object", "additionalProperties": True})


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def object_schema(description: str, properties: dict, required: list | None = None) -> dict:
    return {
        "type": "object",
        "description": description,
        "required": list(properties) if required is None else required,
        "properties": properties,
    }


ERROR_SCHEMA = object_schema(
    "PostGrid's error envelope. `type` says what went wrong, `message` says it in words and "
    "names the member at fault, which `field` (when there is one) gives alone.",
    {
        "error": object_schema(
            "",
            {
                "type": {"type": "string", "enum": ERROR_TYPES},
                "message": {"type": "string", "minLength": 1},
                "field": {"type": "string"},
            },
            required=["type", "message"],
        )
    },
)
ERROR_WHEN = {
    400: "Invalid parameter or body (`validation_error`, the message names the field), a body "
    "that is not JSON, too many form fields or query parameters, or a change the object's "
    "state refuses.",
    401: "No `x-api-key` header, or the key is invalid or revoked (`invalid_api_key_error`).",
    403: "Not allowed with this key (`forbidden_error`).",
    404: "No such object for this key (`not_found_error`).",
    413: "The body is larger than the server accepts (`request_too_large_error`).",
    429: "Too many requests for the key this second (`rate_limit_error`); see `Retry-After`.",
}


def error(status: int, description: str = "") -> OpenApiResponse:
    return OpenApiResponse(ref("Error"), description=description or ERROR_WHEN[status])


def answers(ok: dict, description: str, *statuses: int, **described: str) -> dict:
    """An operation's responses: 200 with `ok`, then the listed errors (a keyword `e409="…"`
    describes an error in the operation's own words)."""
    out = {200: OpenApiResponse(ok, description=description)}
    out.update({status: error(status) for status in statuses})
    out.update({int(name[1:]): error(int(name[1:]), text) for name, text in described.items()})
    return dict(sorted(out.items()))


def list_object(item: str) -> dict:
    return object_schema(
        f"One page of {item} objects, newest first.",
        {
            "object": {"type": "string", "enum": ["list"]},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "skip": {"type": "integer", "minimum": 0, "maximum": MAX_SKIP},
            "totalCount": {"type": "integer", "minimum": 0},
            "data": {"type": "array", "items": ref(item)},
        },
    )


def deleted_object(object_name: str) -> dict:
    return object_schema(
        f"The {object_name} was deleted.",
        {
            "id": {"type": "string"},
            "object": {"type": "string", "enum": [object_name]},
            "deleted": {"type": "boolean", "enum": [True]},
        },
    )


LIST_PARAMETERS = [
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        OpenApiParameter.QUERY,
        description=f"Objects per page, 1 to {MAX_LIMIT}.",
    ),
    OpenApiParameter(
        "skip",
        {"type": "integer", "minimum": 0, "maximum": MAX_SKIP, "default": 0},
        OpenApiParameter.QUERY,
        description="Objects to skip before the page (`skip=limit*n` is page n+1).",
    ),
]
SEARCH_PARAMETER = OpenApiParameter(
    "search",
    {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
    OpenApiParameter.QUERY,
    description="Text to look for (an id, a name, a description); a quoted value matches "
    "it as a whole.",
)

AUTH_DESCRIPTION = (
    "The partner's API key, e.g. `sd_test_1a2b3c4d_…` (shown once when a manager creates it in "
    "the admin). A test key sees and makes test objects only, a live key live ones."
)
COMMON_DESCRIPTION = """
**Authentication.** Send the partner's API key in the `x-api-key` header, as PostGrid's clients
do. A partner sees only its own objects, and a key only those of its mode: a test key's objects
are `"live": false`, a live key's `"live": true`; anything else answers 404.

**Errors.** Every refusal is `{"error": {"type", "message"}}` (plus `field` when one member is at
fault): `validation_error` (400), `invalid_api_key_error` (401), `forbidden_error` (403),
`not_found_error` (404), `request_too_large_error` (413), `rate_limit_error` (429, with
`Retry-After`). A refused request changes nothing. Text may not contain NUL characters.

**Lists.** `GET` on a collection answers PostGrid's list object
`{"object": "list", "limit", "skip", "totalCount", "data": [...]}`, newest first; page with
`limit` (1-100, default 10) and `skip`, filter with `search`.
"""


class PostGridKeyScheme(OpenApiAuthenticationExtension):
    target_class = "mailorders.api.base.PostGridKeyAuthentication"
    name = SECURITY_SCHEME
    priority = 1  # before the tracking API's scheme, which matches its base class

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": self.target.header,
            "description": AUTH_DESCRIPTION,
        }


# ---------------------------------------------------------------------------------------------
# The auto-schema: operations described from a table, keyed by view class and method

Describe = Callable[[object], dict]  # view instance → extend_schema-like keywords


class PostGridAutoSchema(TableAutoSchema):
    """Reads `self.view.operation_docs[method]` (set by `described_views`): operation_id,
    summary, description, tags, request, responses, parameters."""

    def _doc(self) -> dict:
        return self.view.operation_docs[self.method.lower()](self.view)

    def get_description(self):
        return self._doc().get("description", "")

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if body is not None and not self._doc().get("body_required", True):
            body["required"] = False
        return body

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # DRF trims text before it checks it: "  " is blank, so a non-blank member needs
        # a character that is not a space (as sent, the length limit counts the spaces).
        if (
            direction == "request"
            and type(field) is serializers.CharField
            and field.trim_whitespace
            and not field.allow_blank
            and "pattern" not in schema
        ):
            schema["pattern"] = r"\S"
        return schema


def described_views(docs: dict[str, dict[str, Describe]]) -> list[type]:
    """One OpenApiViewExtension per view class named in `docs` ({dotted class: {method: …}})."""
    extensions = []
    for target, methods in docs.items():

        def view_replacement(self, methods=methods):
            return type(
                self.target.__name__,
                (self.target,),
                {"schema": PostGridAutoSchema(), "operation_docs": methods},
            )

        extensions.append(
            type(
                f"{target.rsplit('.', 1)[-1]}Docs",
                (OpenApiViewExtension,),
                {"target_class": target, "view_replacement": view_replacement},
            )
        )
    return extensions


def endpoints_of(docs: dict, prefix: str, skip_paths: tuple[str, ...] = ()):
    """A preprocessing hook keeping the views `docs` describes under `prefix`."""
    described = set(docs)

    def hook(endpoints, **kwargs):
        kept = []
        for path, regex, method, callback in endpoints:
            cls = getattr(callback, "cls", None)
            name = f"{cls.__module__}.{cls.__qualname__}" if cls else ""
            if not path.startswith(prefix) or name not in described:
                continue
            if any(path.startswith(prefix + skip) for skip in skip_paths):
                continue
            if method.lower() in docs[name]:
                kept.append((path, regex, method, callback))
        return kept

    return hook


def add_components(result: dict, schemas: dict, description: str) -> dict:
    """Postprocessing: the shared objects, the error envelope and the long description."""
    result["info"]["description"] = description.strip()
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update({"Error": ERROR_SCHEMA, **schemas})
    return result
