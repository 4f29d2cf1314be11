"""OpenAPI description of the print-mail API (served at /api/{schema,docs,redoc}/print-mail/).

PostGrid print-mail v1 as shipdesk serves it under /print-mail/v1/: letters, postcards, cheques,
self-mailers, contacts, templates, bank accounts and the orders' PDF links. The views stay
unannotated: the operation table here describes them (see mailorders.api.openapi). The request
bodies are the validating serializers; the rules a serializer cannot state (which content
members go together, which mailing classes carry which extra service) are added after.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from mailorders.api import openapi as pg
from mailorders.api import serializers as s
from mailorders.api.schema_objects import NAMES, SCHEMAS
from mailorders.api.urls import ORDER_PATHS
from mailorders.choices import (
    MAILING_CLASS_SERVICE,
    ExtraService,
)
from mailorders.representation import CONTENT_FIELDS
from mailorders.services.orders import EXTRA_SERVICE_OBJECTS

PREFIX = "/print-mail/v1/"
ALIASES = ("selfmailers",)  # `selfmailers/…` answers as `self_mailers/…`
SEGMENTS = {name: segment for segment, name in ORDER_PATHS.items() if segment not in ALIASES}
WRITE = (400, 401, 413, 429)
READ = (401, 404, 429)

DESCRIPTION = (
    """
shipdesk answers **PostGrid's print-mail API v1** under `/print-mail/v1/`: an existing PostGrid
client works against shipdesk by changing only its base URL and its key. Orders (letters,
postcards, cheques, self-mailers) are rendered to a PDF when created and move
`ready` → `printing` → `processed_for_delivery` → `completed`, or are `cancelled` while `ready`.
USPS Intelligent Mail scans set `imbStatus`, `imbDate` and `imbZIPCode`; certified, certified
return receipt and registered mail gets a `trackingNumber` when it is processed for delivery.

**Bodies.** JSON, as described here. The same members are also accepted as a form body
(`to[firstName]=Ada&metadata[k]=v`) and as `multipart/form-data` with the PDF as an uploaded
`pdf` file. An `Idempotency-Key` header on a create makes a retry answer the first order.
Self-mailers are also served under `/print-mail/v1/selfmailers/…`.
"""
    + pg.COMMON_DESCRIPTION
)


# ---------------------------------------------------------------------------------------------
# Request fields drf-spectacular cannot read


class ContactOrIdFieldDocs(OpenApiSerializerFieldExtension):
    target_class = "mailorders.api.serializers.ContactOrIdField"

    def map_serializer_field(self, auto_schema, direction):
        contact = auto_schema.resolve_serializer(s.ContactSerializer, direction).ref
        return {
            "oneOf": [
                {
                    "type": "string",
                    "pattern": r"\S",
                    "maxLength": 40,
                    "description": "A contact's id (`contact_…`).",
                },
                contact,
            ]
        }


class PDFFieldDocs(OpenApiSerializerFieldExtension):
    target_class = "mailorders.api.serializers.PDFField"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            # base64 of bytes starting %PDF-
            "pattern": r"^data:application/pdf;base64,JVBERi0[A-Za-z0-9+/]"
            r"([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
            "description": "The document as a `data:application/pdf;base64,…` URL (or, in a "
            f"multipart body, an uploaded file), at most {s.MAX_PDF_BYTES:,} bytes. shipdesk "
            "fetches no URL on a client's behalf.",
        }


class JSONObjectFieldDocs(OpenApiSerializerFieldExtension):
    target_class = "mailorders.api.serializers.JSONObjectField"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "object",
            "additionalProperties": True,
            "description": f"Any JSON object, at most {s.MAX_JSON:,} bytes once encoded.",
        }


# ---------------------------------------------------------------------------------------------
# Operations

VIEWS = "mailorders.api.views."
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e]([ -~]*[!-~])?$"},
    OpenApiParameter.HEADER,
    description="Any printable text (at most 255 characters): a retry with the same key "
    "answers the order the first request created, and creates nothing.",
)


def _id(name: str, example: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, pg.ID, OpenApiParameter.PATH, examples=[OpenApiExample(name, value=example)]
    )


def _order(view) -> tuple[str, str, str]:
    """(PostGrid name, tag, words) of an order view's object."""
    name = NAMES[view.object_name]
    return name, f"{name}s", view.object_name.replace("_", " ")


def _order_id(view) -> OpenApiParameter:
    return _id("order_id", EXAMPLE_IDS[view.object_name])


EXAMPLE_IDS = {
    "letter": "letter_1a2b3c4d5e6f7a8b9c0d1e",
    "postcard": "postcard_1a2b3c4d5e6f7a8b9c0d1e",
    "cheque": "cheque_1a2b3c4d5e6f7a8b9c0d1e",
    "self_mailer": "self_mailer_1a2b3c4d5e6f7a8b9c0d1e",
    "contact": "contact_1a2b3c4d5e6f7a8b9c0d1e",
    "template": "template_1a2b3c4d5e6f7a8b9c0d1e",
    "bank_account": "bank_1a2b3c4d5e6f7a8b9c0d1e",
}


def _ref(name: str) -> dict:
    return pg.ref(name)


def _list_orders(view):
    name, tag, words = _order(view)
    return {
        "operation_id": f"list{name}s",
        "summary": f"List {words}s",
        "tags": [tag],
        "parameters": [*pg.LIST_PARAMETERS, pg.SEARCH_PARAMETER],
        "responses": pg.answers(_ref(f"{name}List"), f"A page of {words}s.", 400, 401, 429),
    }


def _create_order(view):
    name, tag, words = _order(view)
    return {
        "operation_id": f"create{name}",
        "summary": f"Create a {words}",
        "description": "The order is rendered to a PDF before it is answered; a template's or "
        "the HTML's `{{variables}}` are filled from `mergeVariables`, `to` and `from`.",
        "tags": [tag],
        "parameters": [IDEMPOTENCY_KEY],
        "request": {"application/json": s.CREATE_SERIALIZERS[view.object_name]},
        "responses": pg.answers(_ref(name), f"The {words}, `ready`.", *WRITE),
    }


def _get_order(view):
    name, tag, words = _order(view)
    return {
        "operation_id": f"get{name}",
        "summary": f"Get a {words}",
        "tags": [tag],
        "parameters": [_order_id(view)],
        "responses": pg.answers(_ref(name), f"The {words}.", *READ),
    }


CANCEL_REFUSED = "Only an order whose status is `ready` can be cancelled (`field` is `status`)."


def _delete_order(view):
    name, tag, words = _order(view)
    return {
        "operation_id": f"cancel{name}",
        "summary": f"Cancel a {words}",
        "tags": [tag],
        "parameters": [_order_id(view)],
        "responses": pg.answers(
            _ref(name), f"The {words}, `cancelled`.", *READ, e400=CANCEL_REFUSED
        ),
    }


def _cancel_order(view):
    name, tag, words = _order(view)
    return {
        "operation_id": f"cancel{name}WithNote",
        "summary": f"Cancel a {words} with a note",
        "tags": [tag],
        "parameters": [_order_id(view)],
        "request": {"application/json": s.CancellationSerializer},
        "body_required": False,
        "responses": pg.answers(_ref(name), f"The {words}, `cancelled`.", *READ, 413, e400=""),
    }


def _progress_order(view):
    name, tag, words = _order(view)
    return {
        "operation_id": f"progress{name}",
        "summary": f"Progress a test {words} to its next status",
        "description": "Test orders only: ready → printing → processed_for_delivery → "
        "completed. Certified or registered mail gets its tracking number when it is "
        "processed for delivery.",
        "tags": [tag],
        "parameters": [_order_id(view)],
        "responses": pg.answers(
            _ref(name),
            f"The {words}, one status on.",
            *READ,
            e400="The status has no next one (`invalid_progression_error`).",
            e403="A live key: only test orders can be progressed.",
        ),
    }


def _order_url(view):
    name, tag, words = _order(view)
    return {
        "operation_id": f"get{name}URL",
        "summary": f"Get a fresh link to a {words}'s PDF",
        "tags": [tag],
        "parameters": [_order_id(view)],
        "responses": pg.answers(_ref("OrderURL"), "The link.", *READ),
    }


def _download(view):
    return {
        "operation_id": "getOrderPDF",
        "summary": "Download an order's PDF",
        "description": "The `url` of an order: the signed token in the path is the capability "
        "(no key), valid for an hour.",
        "tags": ["Files"],
        "parameters": [OpenApiParameter("token", pg.ID, OpenApiParameter.PATH)],
        "responses": {
            200: OpenApiResponse(
                {"type": "string", "format": "binary"}, description="The PDF (application/pdf)."
            ),
            404: pg.error(404, "The link is invalid or has expired, or the order has no PDF."),
        },
    }


def _resource(name: str, words: str, serializer, *, search: bool = True) -> dict:
    """The list, create and retrieve operations of a contact, template or bank account."""
    tag = f"{name}s"
    list_params = [*pg.LIST_PARAMETERS, *([pg.SEARCH_PARAMETER] if search else [])]
    listing = {
        "get": lambda view: {
            "operation_id": f"list{name}s",
            "summary": f"List {words}s",
            "tags": [tag],
            "parameters": list_params,
            "responses": pg.answers(_ref(f"{name}List"), f"A page of {words}s.", 400, 401, 429),
        },
        "post": lambda view: {
            "operation_id": f"create{name}",
            "summary": f"Create a {words}",
            "tags": [tag],
            "request": {"application/json": serializer},
            "responses": pg.answers(_ref(name), f"The {words}.", *WRITE),
        },
    }
    key = words.replace(" ", "_")
    detail = {
        "get": lambda view: {
            "operation_id": f"get{name}",
            "summary": f"Get a {words}",
            "tags": [tag],
            "parameters": [_id("id", EXAMPLE_IDS[key])],
            "responses": pg.answers(_ref(name), f"The {words}.", *READ),
        }
    }
    return {"list": listing, "detail": detail}


CONTACTS = _resource("Contact", "contact", s.ContactSerializer)
TEMPLATES = _resource("Template", "template", s.TemplateSerializer)
BANK_ACCOUNTS = _resource("BankAccount", "bank account", s.BankAccountSerializer)
TEMPLATES["detail"].update(
    post=lambda view: {
        "operation_id": "updateTemplate",
        "summary": "Update a template",
        "description": "Only the members sent change; orders already rendered keep their PDF.",
        "tags": ["Templates"],
        "parameters": [_id("id", EXAMPLE_IDS["template"])],
        "request": {"application/json": s.TemplateUpdateSerializer},
        "body_required": False,
        "responses": pg.answers(_ref("Template"), "The template.", *READ, 400, 413),
    },
    delete=lambda view: {
        "operation_id": "deleteTemplate",
        "summary": "Delete a template",
        "tags": ["Templates"],
        "parameters": [_id("id", EXAMPLE_IDS["template"])],
        "responses": pg.answers(_ref("TemplateDeleted"), "Deleted.", *READ),
    },
)
DOCS = {
    VIEWS + "OrderListView": {"get": _list_orders, "post": _create_order},
    VIEWS + "OrderDetailView": {"get": _get_order, "delete": _delete_order},
    VIEWS + "OrderCancellationView": {"post": _cancel_order},
    VIEWS + "OrderProgressionView": {"post": _progress_order},
    VIEWS + "OrderURLView": {"get": _order_url},
    VIEWS + "PDFDownloadView": {"get": _download},
    VIEWS + "ContactListView": CONTACTS["list"],
    VIEWS + "ContactDetailView": CONTACTS["detail"],
    VIEWS + "TemplateListView": TEMPLATES["list"],
    VIEWS + "TemplateDetailView": TEMPLATES["detail"],
    VIEWS + "BankAccountListView": BANK_ACCOUNTS["list"],
    VIEWS + "BankAccountDetailView": BANK_ACCOUNTS["detail"],
}
EXTENSIONS = pg.described_views(DOCS)
print_mail_endpoints = pg.endpoints_of(DOCS, PREFIX, ALIASES)


# ---------------------------------------------------------------------------------------------
# What the serializers cannot say


def _given(name: str) -> dict:
    """The member is sent and not null (an empty text is refused by its own schema)."""
    return {"required": [name], "properties": {name: {"type": "string"}}}


def _content_rules(object_name: str) -> list[dict]:
    """Each content part from its HTML or its template, not both; or a whole PDF instead."""
    parts = [part for part in CONTENT_FIELDS[object_name] if part]
    members = [name for part in parts for name in part]
    rules = [{"not": {"allOf": [_given(html), _given(template)]}} for html, template in parts]
    with_pdf = {"required": ["pdf"], "not": {"anyOf": [_given(m) for m in members]}}
    without_pdf = {"not": {"required": ["pdf"]}}
    if object_name != "cheque":  # a cheque's letter is optional
        without_pdf["allOf"] = [{"anyOf": [_given(h), _given(t)]} for h, t in parts]
    rules.append({"oneOf": [with_pdf, without_pdf]})
    return rules


def _mailing_rules(object_name: str, schema: dict) -> list[dict]:
    """mailingClass and extraService agree; certified and registered mail is for letters and
    cheques only."""
    props = schema["properties"]
    if object_name not in EXTRA_SERVICE_OBJECTS:
        props.pop("extraService", None)
        props["mailingClass"]["enum"] = [
            value for value in props["mailingClass"]["enum"] if value not in MAILING_CLASS_SERVICE
        ]
        return []
    pairs = [
        {
            "properties": {
                "mailingClass": {
                    "enum": [
                        c for c, implied in MAILING_CLASS_SERVICE.items() if implied == service
                    ]
                },
                "extraService": {"enum": [service]},
            }
        }
        for service in ExtraService.values
    ]
    return [
        {
            "anyOf": [
                {"not": {"required": ["extraService"]}},
                {"not": {"required": ["mailingClass"]}},
                *pairs,
            ]
        }
    ]


def _contact_rule(schema: dict) -> None:
    schema["anyOf"] = [
        {"required": [name], "properties": {name: {"type": "string", "pattern": r"\S"}}}
        for name in ("firstName", "companyName")
    ]


def postprocess(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for object_name, serializer in s.CREATE_SERIALIZERS.items():
        name = serializer.__name__.removesuffix("Serializer") + "Request"
        schema = schemas.get(name)
        if schema is None:
            continue
        if serializer.FROM_REQUIRED:
            schema["required"] = sorted({*schema.get("required", []), "from"})
        schema["description"] = f"A {object_name.replace('_', ' ')} to create."
        schema["allOf"] = _content_rules(object_name) + _mailing_rules(object_name, schema)
    if "ContactRequest" in schemas:
        _contact_rule(schemas["ContactRequest"])
    return pg.add_components(result, SCHEMAS, DESCRIPTION)


SETTINGS = {
    "TITLE": "shipdesk print-mail API (PostGrid v1)",
    "VERSION": "v1",
    "DESCRIPTION": DESCRIPTION.strip(),
    "PREPROCESSING_HOOKS": ["mailorders.api.schema.print_mail_endpoints"],
    "POSTPROCESSING_HOOKS": ["mailorders.api.schema.postprocess"],
    "ENUM_NAME_OVERRIDES": {},
}
