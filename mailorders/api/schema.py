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
from mailorders.api.urls import ORDER_PATHS
from mailorders.choices import (
    MAILING_CLASS_SERVICE,
    AddressStatus,
    CancellationReason,
    Currency,
    ExtraService,
    IMbStatus,
    LetterSize,
    MailingClass,
    OrderStatus,
    PostcardSize,
    SelfMailerSize,
)
from mailorders.representation import CONTENT_FIELDS
from mailorders.services.orders import EXTRA_SERVICE_OBJECTS

PREFIX = "/print-mail/v1/"
ALIASES = ("selfmailers",)  # `selfmailers/…` answers as `self_mailers/…`
SEGMENTS = {name: segment for segment, name in ORDER_PATHS.items() if segment not in ALIASES}
NAMES = {
    "letter": "Letter",
    "postcard": "Postcard",
    "cheque": "Cheque",
    "self_mailer": "SelfMailer",
}
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
# The objects answered

TEXT = pg.NULLABLE_TEXT
CONTACT = pg.object_schema(
    "A contact (an address block), inline in orders or saved under /contacts.",
    {
        "id": {"type": "string", "pattern": "^contact_"},
        "object": {"type": "string", "enum": ["contact"]},
        "live": {"type": "boolean"},
        **dict.fromkeys(["firstName", "lastName", "companyName", "jobTitle", "email"], TEXT),
        "phoneNumber": TEXT,
        "addressLine1": {"type": "string"},
        **dict.fromkeys(["addressLine2", "city", "provinceOrState", "postalOrZip"], TEXT),
        "country": TEXT,
        "countryCode": {"type": "string"},
        "addressStatus": {"type": "string", "enum": AddressStatus.values},
        "description": TEXT,
        "metadata": pg.NULLABLE_OBJECT,
        "createdAt": pg.TIME,
        "updatedAt": pg.TIME,
    },
)
TEMPLATE = pg.object_schema(
    "An HTML template orders name instead of sending their HTML.",
    {
        "id": {"type": "string", "pattern": "^template_"},
        "object": {"type": "string", "enum": ["template"]},
        "live": {"type": "boolean"},
        "description": TEXT,
        "html": {"type": "string"},
        "metadata": pg.NULLABLE_OBJECT,
        "createdAt": pg.TIME,
        "updatedAt": pg.TIME,
    },
)
BANK_ACCOUNT = pg.object_schema(
    "The account cheques are drawn on (only the last 4 digits of its number are shown).",
    {
        "id": {"type": "string", "pattern": "^bank_"},
        "object": {"type": "string", "enum": ["bank_account"]},
        "live": {"type": "boolean"},
        "accountNumberLast4": {"type": "string"},
        "bankCountryCode": {"type": "string"},
        "bankName": {"type": "string"},
        **dict.fromkeys(["bankPrimaryLine", "bankSecondaryLine", "description"], TEXT),
        **dict.fromkeys(["routeNumber", "routingNumber", "signatureText", "transitNumber"], TEXT),
        "metadata": pg.NULLABLE_OBJECT,
        "createdAt": pg.TIME,
        "updatedAt": pg.TIME,
    },
)
CANCELLATION = pg.nullable(
    pg.object_schema(
        "Why and by whom the order was cancelled (null unless it is).",
        {
            "reason": {"type": "string", "enum": CancellationReason.values},
            "note": TEXT,
            "cancelledByUser": TEXT,
        },
    )
)
SIZES = {"letter": LetterSize, "postcard": PostcardSize, "self_mailer": SelfMailerSize}


def order_object(object_name: str) -> dict:
    first, second = CONTENT_FIELDS[object_name]
    content = {first[0]: TEXT, first[1]: TEXT}
    if second:
        content.update({second[0]: TEXT, second[1]: TEXT})
    extra = {}
    if object_name in SIZES:
        extra["size"] = {"type": "string", "enum": SIZES[object_name].values}
    if object_name == "letter":
        extra.update(
            addressPlacement={"type": "string", "enum": ["top_first_page", "insert_blank_page"]},
            envelope={"type": "string"},
        )
    if object_name == "cheque":
        extra.update(
            amount={"type": "integer", "description": "In cents."},
            currencyCode={"type": "string", "enum": Currency.values},
            number=pg.nullable({"type": "integer"}),
            memo=TEXT,
            bankAccount=pg.ref("BankAccount"),
        )
    return pg.object_schema(
        f"A {object_name.replace('_', ' ')} order.",
        {
            "id": {"type": "string", "pattern": f"^{object_name}_"},
            "object": {"type": "string", "enum": [object_name]},
            "live": {"type": "boolean"},
            "description": TEXT,
            "metadata": pg.NULLABLE_OBJECT,
            "to": pg.ref("Contact"),
            "from": pg.nullable({"allOf": [pg.ref("Contact")]}),
            "sendDate": pg.nullable(pg.TIME),
            "status": {"type": "string", "enum": OrderStatus.values},
            "mailingClass": {"type": "string", "enum": MailingClass.values},
            "extraService": pg.nullable({"type": "string", "enum": ExtraService.values}),
            "trackingNumber": pg.nullable(
                {
                    "type": "string",
                    "description": "The USPS number of certified or registered mail.",
                }
            ),
            "imbStatus": pg.nullable({"type": "string", "enum": IMbStatus.values}),
            "imbDate": pg.nullable(pg.TIME),
            "imbZIPCode": TEXT,
            "color": {"type": "boolean"},
            "doubleSided": {"type": "boolean"},
            "mergeVariables": pg.NULLABLE_OBJECT,
            "pageCount": pg.nullable({"type": "integer"}),
            "url": pg.nullable(
                {"type": "string", "format": "uri", "description": "The PDF, for an hour."}
            ),
            "uploadedPDF": pg.nullable({"type": "string", "format": "uri"}),
            "cancellation": CANCELLATION,
            "createdAt": pg.TIME,
            "updatedAt": pg.TIME,
            **content,
            **extra,
        },
    )


ORDER_URL = pg.object_schema(
    "A fresh link to the order's PDF (null while there is none), valid for an hour.",
    {
        "id": {"type": "string"},
        "object": {"type": "string", "enum": list(NAMES)},
        "url": pg.nullable({"type": "string", "format": "uri"}),
    },
)
SCHEMAS = {
    "Contact": CONTACT,
    "ContactList": pg.list_object("Contact"),
    "Template": TEMPLATE,
    "TemplateList": pg.list_object("Template"),
    "TemplateDeleted": pg.deleted_object("template"),
    "BankAccount": BANK_ACCOUNT,
    "BankAccountList": pg.list_object("BankAccount"),
    "OrderURL": ORDER_URL,
    **{NAMES[name]: order_object(name) for name in NAMES},
    **{f"{NAMES[name]}List": pg.list_object(NAMES[name]) for name in NAMES},
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
