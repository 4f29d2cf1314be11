"""Request bodies, the partner auto-schema, the key security scheme, the SPECTACULAR_SETTINGS hooks
and an offline Redoc page."""

from __future__ import annotations

import copy
from inspect import getattr_static

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.template import Context, Engine
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.views.decorators.csp import csp_override
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from drf_spectacular.views import SpectacularRedocView
from rest_framework import serializers
from rest_framework.schemas import DefaultSchema
from rest_framework.settings import api_settings

from shipdesk.api import NotFoundView
from tracking.api.schema.envelopes import (
    API_KEY_HEADER,
    DESCRIPTION,
    LIST_PARAMETER_DOCS,
    PARAMETER_DOCS,
    REQUEST_FIELD_DOCS,
    SECURITY_SCHEME,
    responses,
)
from tracking.api.schema.objects import PredictBatchBodySerializer, PredictBatchResponse
from tracking.choices import CompletedReason, Subtag

# ---------------------------------------------------------------------------------------------
# Request bodies (the inner objects are the validating serializers)

OPTIONAL_BODIES: set[str] = set()  # request components of bodies that may be left out


def request_body(
    name: str,
    wrapper: str,
    inner: type[serializers.Serializer],
    doc: str,
    *,
    required: bool = True,
):
    """The `{wrapper: {...}}` body. `required=False`: the body, and the wrapper, may be left
    out (the view reads a missing body as `{}` and changes nothing)."""
    attrs = {"__doc__": doc, "__module__": __name__, wrapper: inner(required=required)}
    if not required:
        OPTIONAL_BODIES.add(f"{name}Request")
    return type(f"{name}Serializer", (serializers.Serializer,), attrs)


MARK_COMPLETED_DOC = "; ".join(
    f"{reason} → {sub.tag}/{sub}"
    for reason, sub in (
        (CompletedReason.DELIVERED, Subtag.DELIVERED_001),
        (CompletedReason.LOST, Subtag.EXCEPTION_013),
        (CompletedReason.RETURNED_TO_SENDER, Subtag.EXCEPTION_011),
    )
)


# ---------------------------------------------------------------------------------------------
# Auto-schema, security scheme and hooks


class PartnerAutoSchema(AutoSchema):
    """drf-spectacular's schema for partner views.

    Adds the rate-limit response headers, fills parameter descriptions from PARAMETER_DOCS and
    names the `/{slug}/{tracking_number}` twin of each `/{tracking_id}` operation.
    """

    def get_override_parameters(self):
        authenticated = [200, 201, 400, 404, 415, 429]
        return [
            *super().get_override_parameters(),
            OpenApiParameter(
                "X-RateLimit-Limit",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=authenticated,
                description="Requests per second allowed for the key.",
            ),
            OpenApiParameter(
                "X-RateLimit-Remaining",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=authenticated,
                description="Requests left in the current second.",
            ),
            OpenApiParameter(
                "X-RateLimit-Reset",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=authenticated,
                description="Unix time at which the current window ends.",
            ),
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[429],
                description="Seconds to wait before retrying.",
            ),
            OpenApiParameter(
                "WWW-Authenticate",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[401],
                description=f"`{API_KEY_HEADER}`: the header that carries the key.",
            ),
        ]

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        by_number = "{slug}" in path and "{tracking_number}" in path
        if by_number:
            for suffix in ("ByTrackingId", "ById"):
                if operation["operationId"].endswith(suffix):
                    operation["operationId"] = (
                        operation["operationId"][: -len(suffix)] + "BySlugTrackingNumber"
                    )
                    break
            if "summary" in operation:
                operation["summary"] += " (by slug and tracking number)"
        for parameter in operation.get("parameters", []):
            docs = PARAMETER_DOCS
            if parameter["in"] == "query":
                docs = {**PARAMETER_DOCS, **LIST_PARAMETER_DOCS}
            if not parameter.get("description") and parameter["name"] in docs:
                parameter["description"] = docs[parameter["name"]]
            if parameter["in"] == "path":
                parameter["schema"] = {"type": "string", "pattern": "^[^/]+$"}
                parameter["example"] = {
                    "tracking_id": "5b7658cec7c33c0e007de3c5",
                    "slug": "usps",
                    "tracking_number": "9400111899223123456785",
                }.get(parameter["name"])
        return operation


def operation(**kwargs):
    """`extend_schema` for a partner view's method, built on PartnerAutoSchema.

    (drf-spectacular builds method annotations on DRF's DEFAULT_SCHEMA_CLASS unless the method
    names its own schema class; this works whatever that setting says.)
    """

    def decorate(method):
        method.schema = PartnerAutoSchema
        return extend_schema(**kwargs)(method)

    return decorate


def version_operation(version: str, **kwargs):
    """What a partner view's method takes and answers in one API version, over its `operation`
    (which still gives what is not said here, e.g. the summary and tags)."""

    def decorate(method):
        method.schema = method.kwargs["schema"]  # extend the operation's schema, not replace it
        return extend_schema(versions=[version], **kwargs)(method)

    return decorate


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "shipdesk.api.APIKeyAuthentication"
    name = SECURITY_SCHEME

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": self.target.header,
            "description": "The partner's API key, e.g. `sd_live_1a2b3c4d_…` (shown once when "
            "a manager creates it in the admin).",
        }


class PredictBatchDocs(OpenApiViewExtension):
    """Describes tracking.api.edd's view from here (its module carries no annotations)."""

    target_class = "tracking.api.edd.PredictBatchView"

    def view_replacement(self):
        from tracking.api.schema import v2026_07

        class PredictBatchView(self.target_class):
            schema = PartnerAutoSchema()

            @version_operation(
                "2026-07",
                request=v2026_07.PredictBatchBodySerializer,
                responses=v2026_07.responses(v2026_07.PredictBatchResponse, 400, 401, 415, 429),
            )
            @operation(
                operation_id="predictBatch",
                summary="Batch predict the estimated delivery date",
                description="1 to 5 shipments without tracking numbers (e.g. at checkout): "
                "each answered with its pickup time and earliest, most likely and latest "
                "delivery dates, learnt from delivered USPS shipments on the same lane; a lane "
                "without that history is answered from USPS Service Standards (when USPS is "
                "configured) or a zone table by distance and mail class, with `confidence_code` "
                "30002, never null for a US lane. Any bad item fails the whole call, and the "
                "message names its field.",
                tags=["Estimated delivery date"],
                request=PredictBatchBodySerializer,
                responses=responses(PredictBatchResponse, 400, 401, 415, 429),
            )
            def post(self, request, *args, **kwargs):
                return super().post(request, *args, **kwargs)

        return PredictBatchView


def _documented(callback) -> bool:
    """Views whose schema drf-spectacular can read (others are left out, not crashed on)."""
    cls = getattr(callback, "cls", None)
    if cls is None or cls is NotFoundView or issubclass(cls, NotFoundView):
        return False
    if OpenApiViewExtension.get_match(callback) is not None:
        return True
    schema = getattr_static(cls, "schema", None)
    if isinstance(schema, AutoSchema):
        return True
    default = api_settings.DEFAULT_SCHEMA_CLASS
    return (
        isinstance(schema, DefaultSchema)
        and isinstance(default, type)
        and issubclass(default, AutoSchema)
    )


def version_endpoints(endpoints, prefix: str):
    return [
        (path, regex, method, callback)
        for path, regex, method, callback in endpoints
        if path.startswith(prefix) and _documented(callback)
    ]


def partner_endpoints(endpoints, **kwargs):
    """Preprocessing hook: only the tracking API 2024-04, without the catch-all 404 route (the
    other APIs and versions have descriptions of their own, e.g. tracking.pod.schema)."""
    return version_endpoints(endpoints, "/tracking/2024-04/")


def _optional_bodies(result) -> None:
    for item in result.get("paths", {}).values():
        for operation in item.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body:
                continue
            refs = [m["schema"].get("$ref", "") for m in body.get("content", {}).values()]
            if any(ref.rsplit("/", 1)[-1] in OPTIONAL_BODIES for ref in refs):
                body["required"] = False


def _predict_item_rules(schemas: dict) -> None:
    """What a serializer cannot say of a predict-batch item: exactly one of `pickup_time` and
    `estimated_pickup` (null counts as absent), and business days each named once."""
    item = schemas.get("EstimatedDeliveryDateRequest")
    if item:
        item["oneOf"] = [
            {"required": ["pickup_time"], "properties": {"pickup_time": {"type": "string"}}},
            {
                "required": ["estimated_pickup"],
                "properties": {"estimated_pickup": {"type": "object"}},
            },
        ]
    batch = schemas.get("PredictBatchBodyRequest")
    if batch:
        batch["properties"]["estimated_delivery_dates"].update(minItems=1, maxItems=5)
    pickup = schemas.get("EstimatedPickupRequest")
    if pickup:
        pickup["properties"]["business_days"]["uniqueItems"] = True


WRITE_METHODS = ("post", "put", "patch")


def _request_refusals(result) -> None:
    """What Django refuses while it reads a write request (shipdesk.api.request_refusal): 413
    for a body over DATA_UPLOAD_MAX_MEMORY_SIZE, 400 for too many fields or files. Nothing
    changed."""
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    too_large = {
        "description": f"The body is over {size:,} bytes; nothing changed.",
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorEnvelope"},
                "example": {
                    "meta": {
                        "code": 413,
                        "type": "BadRequest",
                        "message": f"The request body is too large: at most {size:,} "
                        "bytes are accepted (uploaded files aside).",
                    },
                    "data": {},
                },
            }
        },
    }
    too_many = f" Also: more than {fields:,} form fields or query parameters."
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in WRITE_METHODS or not isinstance(operation, dict):
                continue
            answers = operation.setdefault("responses", {})
            answers["413"] = copy.deepcopy(too_large)
            bad = answers.get("400")
            if bad is None:
                answers["400"] = {
                    "description": too_many.strip(),
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}
                        }
                    },
                }
            elif "$ref" not in bad and too_many not in bad.get("description", ""):
                bad["description"] = bad.get("description", "") + too_many
            operation["responses"] = dict(sorted(answers.items()))


def postprocess(result, generator, request, public):
    """Postprocessing hook: the long description, request field docs, the shared 405 answer,
    the request-size refusals of write operations."""
    result["info"]["description"] = DESCRIPTION.strip()
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for field, prop in component.get("properties", {}).items():
            if field in REQUEST_FIELD_DOCS and "description" not in prop:
                prop["description"] = REQUEST_FIELD_DOCS[field]
    _predict_item_rules(result.get("components", {}).get("schemas", {}))
    _optional_bodies(result)
    _request_refusals(result)
    result.setdefault("components", {}).setdefault("responses", {})["MethodNotAllowed"] = {
        "description": "The path does not answer this method.",
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorEnvelope"},
                "example": {
                    "meta": {
                        "code": 405,
                        "type": "BadRequest",
                        "message": 'Method "PATCH" not allowed.',
                    },
                    "data": {},
                },
            }
        },
    }
    return result


# ---------------------------------------------------------------------------------------------
# Redoc without the web fonts drf-spectacular's template fetches from a CDN

REDOC_PAGE = Engine().from_string(
    """<!DOCTYPE html>
<html>
  <head>
    <title>{{ title|default:"Redoc" }}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <div id="redoc-container"></div>
    <script src="{{ redoc_standalone }}"></script>
    <script nonce="{{ csp_nonce }}">
      Redoc.init("{{ schema_url|escapejs }}", {{ settings|default:"{}"|safe }},
                 document.getElementById("redoc-container"));
    </script>
  </body>
</html>
"""
)


@method_decorator(
    csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}), name="get"
)
class OfflineRedocView(SpectacularRedocView):
    """Redoc served entirely from shipdesk's static files (drf-spectacular-sidecar). Its script
    runs by the request's CSP nonce; its bundle adds style elements before it could be given a
    nonce, so this page alone allows inline styles (scripts still need the nonce)."""

    def get(self, request, *args, **kwargs):
        data = super().get(request, *args, **kwargs).data
        return HttpResponse(REDOC_PAGE.render(Context({**data, "csp_nonce": get_nonce(request)})))
