"""OpenAPI description of the webhook-subscription API (/api/{schema,docs,redoc}/webhooks/).

PostGrid print-mail v1's /webhooks as shipdesk serves it: the partner's endpoints, the events
each wants and the invocations made. The views stay unannotated: the operation table here
describes them (see mailorders.api.openapi for the PostGrid pieces both descriptions share).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter

from mailorders.api import openapi as pg
from shipdesk.webhooks.api.serializers import MIN_SECRET, WebhookSerializer
from shipdesk.webhooks.models import EventType, Webhook

PREFIX = "/print-mail/v1/webhooks"
EXAMPLE_ID = "webhook_1a2b3c4d5e6f7a8b9c0d1e"
VIEWS = "shipdesk.webhooks.api.views."
TAGS = ["Webhooks"]

DESCRIPTION = (
    f"""
shipdesk answers **PostGrid's print-mail API v1** webhooks under `/print-mail/v1/webhooks`: the
endpoints shipdesk calls when a partner's letter, postcard, cheque or self-mailer is created or
changes status, or a certified letter's tracking is updated. Events: {", ".join(EventType.values)}.

**Delivery.** Each event is POSTed to the webhook's `url` and retried at least 3 times (with
growing delays) until the endpoint answers 2xx; each attempt is an invocation. With
`payloadFormat` `jwt` (the default) the body is a JWT signed HS256 with the webhook's `secret`;
with `json` the body is the event as JSON, signed in the `PostGrid-Signature` header as
`t=<unix ms>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`. The `url` must be public
`http(s)`: local, private and reserved addresses (in any IPv4 or IPv6 form) are refused.
"""
    + pg.COMMON_DESCRIPTION
)

WEBHOOK = pg.object_schema(
    "An endpoint shipdesk calls with the partner's events.",
    {
        "id": {"type": "string", "pattern": "^webhook_"},
        "object": {"type": "string", "enum": ["webhook"]},
        "live": {"type": "boolean"},
        "enabled": {"type": "boolean"},
        "enabledEvents": {"type": "array", "items": {"type": "string", "enum": EventType.values}},
        "payloadFormat": {"type": "string", "enum": Webhook.PayloadFormat.values},
        "secret": {"type": "string", "description": "Signs each delivery (see above)."},
        "url": {"type": "string", "description": "Where events are POSTed (http or https)."},
        "description": pg.NULLABLE_TEXT,
        "disabledAt": pg.nullable(pg.TIME),
        "disabledReason": pg.NULLABLE_TEXT,
        "createdAt": pg.TIME,
        "updatedAt": pg.TIME,
    },
)
INVOCATION = pg.object_schema(
    "One attempt to deliver an event to the webhook.",
    {
        "id": {"type": "string"},
        "object": {"type": "string", "enum": ["webhook_invocation"]},
        "webhook": {"type": "string"},
        "type": {"type": "string", "enum": EventType.values},
        "event": {"type": "string"},
        "statusCode": pg.nullable(
            {"type": "integer", "description": "The endpoint's answer (null: none came)."}
        ),
        "durationMs": pg.nullable({"type": "integer"}),
        "error": pg.NULLABLE_TEXT,
        "replay": {"type": "boolean"},
        "createdAt": pg.TIME,
    },
)
SCHEMAS = {
    "Webhook": WEBHOOK,
    "WebhookList": pg.list_object("Webhook"),
    "WebhookDeleted": pg.deleted_object("webhook"),
    "WebhookInvocation": INVOCATION,
    "WebhookInvocationList": pg.list_object("WebhookInvocation"),
}
WEBHOOK_ID = OpenApiParameter(
    "webhook_id",
    pg.ID,
    OpenApiParameter.PATH,
    examples=[OpenApiExample("webhook_id", value=EXAMPLE_ID)],
)
URL_REFUSED = "Invalid members (the message names the field), or a `url` that is not public."


class WebhookUpdateSerializer(WebhookSerializer):
    """Any member of a webhook; only those sent change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


def _update(method: str):
    return lambda view: {
        "operation_id": "updateWebhook" if method == "post" else "patchWebhook",
        "summary": "Update a webhook" + (" (PATCH, as POST)" if method == "patch" else ""),
        "description": "Only the members sent change.",
        "tags": TAGS,
        "parameters": [WEBHOOK_ID],
        "request": {"application/json": WebhookUpdateSerializer},
        "body_required": False,
        "responses": pg.answers(
            pg.ref("Webhook"), "The webhook.", 401, 404, 413, 429, e400=URL_REFUSED
        ),
    }


DOCS = {
    VIEWS + "WebhookListView": {
        "get": lambda view: {
            "operation_id": "listWebhooks",
            "summary": "List webhooks",
            "tags": TAGS,
            "parameters": [*pg.LIST_PARAMETERS, pg.SEARCH_PARAMETER],
            "responses": pg.answers(pg.ref("WebhookList"), "A page of webhooks.", 400, 401, 429),
        },
        "post": lambda view: {
            "operation_id": "createWebhook",
            "summary": "Create a webhook",
            "description": f"Without a `secret` (at least {MIN_SECRET} printable characters) "
            "shipdesk makes one; it is answered with the webhook.",
            "tags": TAGS,
            "request": {"application/json": WebhookSerializer},
            "responses": pg.answers(
                pg.ref("Webhook"), "The webhook.", 401, 413, 429, e400=URL_REFUSED
            ),
        },
    },
    VIEWS + "WebhookDetailView": {
        "get": lambda view: {
            "operation_id": "getWebhook",
            "summary": "Get a webhook",
            "tags": TAGS,
            "parameters": [WEBHOOK_ID],
            "responses": pg.answers(pg.ref("Webhook"), "The webhook.", 401, 404, 429),
        },
        "post": _update("post"),
        "patch": _update("patch"),
        "delete": lambda view: {
            "operation_id": "deleteWebhook",
            "summary": "Delete a webhook",
            "tags": TAGS,
            "parameters": [WEBHOOK_ID],
            "responses": pg.answers(pg.ref("WebhookDeleted"), "Deleted.", 401, 404, 429),
        },
    },
    VIEWS + "WebhookInvocationListView": {
        "get": lambda view: {
            "operation_id": "listWebhookInvocations",
            "summary": "List a webhook's invocations",
            "tags": TAGS,
            "parameters": [WEBHOOK_ID, *pg.LIST_PARAMETERS],
            "responses": pg.answers(
                pg.ref("WebhookInvocationList"), "A page of invocations.", 400, 401, 404, 429
            ),
        }
    },
}
EXTENSIONS = pg.described_views(DOCS)
webhook_endpoints = pg.endpoints_of(DOCS, PREFIX)


# Django's URLValidator (its hostname and IPv4 forms, any case; IPv6 literals aside), for
# http(s) without a user name, with a port from 1 to 65535.
_LABEL = "[a-zA-Z\u00a1-\uffff0-9]"
_OCTET = "(0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)"
_HOST = (
    f"({_OCTET}(\\.{_OCTET}){{3}}|{_LABEL}([a-zA-Z\u00a1-\uffff0-9-]{{0,61}}{_LABEL})?"
    "(\\.(?!-)[a-zA-Z\u00a1-\uffff0-9-]{1,63}(?<!-))*"
    "\\.(?!-)([a-zA-Z\u00a1-\uffff-]{2,63}|xn--[a-zA-Z0-9]{1,59})(?<!-)\\.?)"
)
_PORT = "(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
URL_PATTERN = f"^[Hh][Tt][Tt][Pp][Ss]?://{_HOST}{_PORT}([/?#][^\\s]*)?(?![\\s\\S])"
SECRET_PATTERN = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"


def postprocess(result, generator, request, public):
    """What the serializer cannot say: at least one event, an http(s) URL without a user, a
    secret without spaces at either end; an update applies no defaults."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        props = schema.get("properties", {})
        props.get("enabledEvents", {})["minItems"] = 1
        if "url" in props and name.endswith("Request"):
            props["url"]["pattern"] = URL_PATTERN
            props["url"].pop("format", None)  # the pattern says it (and is what is checked)
        props.get("secret", {})["pattern"] = SECRET_PATTERN
        if name.startswith("Patched"):
            for prop in props.values():
                prop.pop("default", None)
    return pg.add_components(result, SCHEMAS, DESCRIPTION)


SETTINGS = {
    "TITLE": "shipdesk webhooks API (PostGrid v1)",
    "VERSION": "v1",
    "DESCRIPTION": DESCRIPTION.strip(),
    "PREPROCESSING_HOOKS": ["shipdesk.webhooks.api.schema.webhook_endpoints"],
    "POSTPROCESSING_HOOKS": ["shipdesk.webhooks.api.schema.postprocess"],
    "ENUM_NAME_OVERRIDES": {},
}
