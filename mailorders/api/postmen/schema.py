"""OpenAPI description of the Postmen v3 label API (served at /api/{schema,docs,redoc}/labels/).

The views stay unannotated: drf-spectacular view extensions here describe them, from the table
`OPERATIONS` (view class → method → operation). Every answer is Postmen's envelope
`{"meta": {"code", "message", "details", "retryable"}, "data": …}` (mailorders.api.postmen.base),
except the label and manifest files, which are the PDFs (or USPS's label image) themselves.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from mailorders.api.postmen.base import (
    DEFAULT_LIMIT,
    INVALID_JSON,
    INVALID_REQUEST,
    ITEM_NOT_FOUND,
    MAX_LIMIT,
    NETWORK_ERROR,
    SHIPPER_ACCOUNT_NOT_FOUND,
)
from mailorders.choices import LabelServiceType, LabelStatus, ManifestStatus, PaperSize
from mailorders.services.rate_requests import BOX_TYPES
from shipdesk.openapi import TableAutoSchema

SECURITY_SCHEME = "postmenApiKey"
PREFIX = "/postmen/v3/"
TAGS = {"labels": ["Labels"], "manifests": ["Manifests"], "rates": ["Rates"]}
TEXT = {"type": "string"}
NULLABLE_TEXT = {"type": "string", "nullable": True}
NUMBER = {"type": "number"}
TIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
ANY_OBJECT = {"type": "object", "additionalProperties": True}


def obj(properties: dict, required: list | None = None, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": True}
    schema["required"] = list(properties) if required is None else required
    if description:
        schema["description"] = description
    return schema


def nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


DETAIL = obj({"path": TEXT, "info": TEXT}, description="One field at fault.")
META_CODES = [200, 401, 404, 405, 429, 500, INVALID_REQUEST, INVALID_JSON]
META_CODES += [SHIPPER_ACCOUNT_NOT_FOUND, ITEM_NOT_FOUND, NETWORK_ERROR]


def envelope(data: dict, *, codes: list[int]) -> dict:
    return obj(
        {
            "meta": obj(
                {
                    "code": {"type": "integer", "enum": codes},
                    "message": TEXT,
                    "details": {"type": "array", "items": DETAIL},
                    "retryable": {"type": "boolean"},
                }
            ),
            "data": data,
        }
    )


ERROR = envelope(ANY_OBJECT, codes=sorted(set(META_CODES) - {200}))
ERRORS = {
    400: "Invalid request: meta.code 4104 with each field at fault in `details` (USPS's own "
    "refusal included), 4109 for a body that is not JSON.",
    401: "No key, or the key is invalid or revoked (meta.code 401).",
    404: "No such item for this key (4153), or no such shipper account (4140).",
    405: "Method not allowed (4104).",
    413: "The body is larger than the server accepts (4104).",
    415: "Not a JSON body (4104).",
    429: "Too many requests for the key this second (429, retryable; see `Retry-After`).",
    503: "USPS is out of reach (4312; `retryable` says whether sending it again is safe).",
}


def answers(data: dict, description: str, *statuses: int) -> dict:
    out = {200: OpenApiResponse(envelope(data, codes=[200]), description=description)}
    for status in (401, 405, 429, *statuses):
        out[status] = OpenApiResponse(ERROR, description=ERRORS[status])
    return dict(sorted(out.items()))


ADDRESS = obj(
    {
        "contact_name": TEXT,
        "company_name": TEXT,
        "street1": TEXT,
        "street2": TEXT,
        "street3": TEXT,
        "city": TEXT,
        "state": TEXT,
        "postal_code": TEXT,
        "country": TEXT,
        "phone": TEXT,
        "email": TEXT,
        "type": TEXT,
    },
    required=["contact_name", "street1", "city", "state", "postal_code", "country"],
    description="A USPS domestic address: `country` USA, a two-letter USPS `state`, a ZIP "
    "`postal_code` (12345 or 12345-6789).",
)
WEIGHT = obj({"unit": {"type": "string", "enum": ["lb", "oz", "kg", "g"]}, "value": NUMBER})
DIMENSION = obj(
    {
        "unit": {"type": "string", "enum": ["in", "cm"]},
        "width": NUMBER,
        "height": NUMBER,
        "depth": NUMBER,
    }
)
PARCEL = obj(
    {
        "box_type": {"type": "string", "enum": list(BOX_TYPES)},
        "weight": WEIGHT,
        "dimension": DIMENSION,
        "items": {"type": "array", "items": ANY_OBJECT, "maxItems": 50},
        "description": TEXT,
    },
    required=["weight", "dimension"],
    description="One parcel: at most 70 lb, sides up to 108 in, length plus girth up to 130 in.",
)
SHIPMENT = obj(
    {
        "ship_from": ADDRESS,
        "ship_to": ADDRESS,
        "return_to": ADDRESS,
        "parcels": {"type": "array", "items": PARCEL, "minItems": 1, "maxItems": 1},
    },
    required=["ship_from", "ship_to", "parcels"],
)
REFERENCE = obj({"id": TEXT})
ACCOUNT_REF = obj({"id": TEXT, "slug": TEXT, "description": TEXT})
MONEY = obj({"amount": NUMBER, "currency": TEXT})
FILE = nullable(obj({"url": TEXT, "file_type": TEXT, "paper_size": TEXT}))
LABEL_REQUEST = obj(
    {
        "shipper_account": REFERENCE,
        "service_type": {"type": "string", "enum": LabelServiceType.values},
        "paper_size": {"type": "string", "enum": PaperSize.values},
        "shipment": SHIPMENT,
        "references": {"type": "array", "items": TEXT, "maxItems": 2},
        "order_number": TEXT,
        "ship_date": DATE,
        "is_document": {"type": "boolean"},
        "return_shipment": {"type": "boolean"},
        "custom_fields": ANY_OBJECT,
        "customs": ANY_OBJECT,
        "billing": ANY_OBJECT,
    },
    required=["shipper_account", "service_type", "shipment"],
    description="A label to buy. `order_number`: a retry with the same one on the same "
    "account answers the first label (never buys twice).",
)
RATE = obj(
    {
        "shipper_account": ACCOUNT_REF,
        "service_type": NULLABLE_TEXT,
        "service_name": NULLABLE_TEXT,
        "delivery_date": nullable(DATE),
        "transit_time": nullable({"type": "integer"}),
        "error_message": NULLABLE_TEXT,
        "info_message": NULLABLE_TEXT,
        "charge_weight": nullable(obj({"unit": TEXT, "value": NUMBER})),
        "total_charge": nullable(MONEY),
        "detailed_charges": {"type": "array", "items": obj({"type": TEXT, "charge": MONEY})},
    },
    description="One way to send it, or an account that could not be rated (`error_message`).",
)
LABEL = obj(
    {
        "id": TEXT,
        "status": {"type": "string", "enum": LabelStatus.values},
        "ship_date": DATE,
        "tracking_numbers": {"type": "array", "items": TEXT},
        "rate": RATE,
        "files": obj({"label": FILE, "invoice": FILE, "manifest": FILE}),
        "references": {"type": "array", "items": TEXT},
        "custom_fields": nullable(ANY_OBJECT),
        "created_at": TIME,
        "updated_at": TIME,
    }
)
MANIFEST = obj(
    {
        "id": TEXT,
        "status": {"type": "string", "enum": ManifestStatus.values},
        "shipper_account": ACCOUNT_REF,
        "files": obj({"manifest": FILE}),
        "labels": {"type": "array", "items": REFERENCE},
        "created_at": TIME,
        "updated_at": TIME,
    }
)
RATE_QUOTE = obj(
    {
        "id": TEXT,
        "status": {"type": "string", "enum": ["calculated"]},
        "rates": {"type": "array", "items": RATE},
        "created_at": TIME,
        "updated_at": TIME,
    }
)
RATE_REQUEST = obj(
    {
        "shipper_accounts": {"type": "array", "items": REFERENCE, "minItems": 1, "maxItems": 10},
        "shipment": SHIPMENT,
        "is_document": {"type": "boolean"},
        "async": {"type": "boolean"},
        "ship_date": DATE,
    },
    required=["shipper_accounts", "shipment"],
)
ADDRESS_VALIDATION = obj(
    {
        "id": TEXT,
        "status": {
            "type": "string",
            "enum": ["valid", "partially_valid", "invalid", "unverified"],
        },
        "address": ANY_OBJECT,
        "usps": ANY_OBJECT,
        "created_at": TIME,
        "updated_at": TIME,
    }
)
SHIPPER_ACCOUNT = obj(
    {
        "id": TEXT,
        "slug": TEXT,
        "status": TEXT,
        "description": TEXT,
        "type": TEXT,
        "timezone": TEXT,
        "settings": ANY_OBJECT,
        "created_at": TIME,
        "updated_at": TIME,
    }
)


def page(key: str, item: dict) -> dict:
    return obj(
        {
            "limit": {"type": "integer"},
            "next_token": TEXT,
            key: {"type": "array", "items": item},
        }
    )


def query(name: str, schema: dict, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, schema, OpenApiParameter.QUERY, description=description)


PAGING = [
    query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        f"Items per page, 1 to {MAX_LIMIT}.",
    ),
    query("next_token", TEXT, "The `next_token` of the previous page (opaque)."),
    query("created_at_min", TIME, "Created at or after (ISO 8601)."),
    query("created_at_max", TIME, "Created at or before (ISO 8601)."),
]
ACCOUNT_FILTER = query("shipper_account_id", TEXT, "Only this shipper account's.")
PDF = OpenApiResponse(
    {"type": "string", "format": "binary"}, description="The file, as it was stored."
)


def file_answers() -> dict:
    return {
        (200, "application/pdf"): PDF,
        **{
            (status, "application/json"): OpenApiResponse(ERROR, description=ERRORS[status])
            for status in (401, 404, 405, 429)
        },
    }


def body(schema: dict) -> dict:
    return {"application/json": schema}


OPERATIONS = {
    "LabelListView": {
        "get": {
            "operation_id": "listLabels",
            "summary": "List labels, newest first",
            "tags": TAGS["labels"],
            "parameters": [
                *PAGING,
                ACCOUNT_FILTER,
                query("status", {"type": "string", "enum": LabelStatus.values}, "Only these."),
                query("tracking_numbers", TEXT, "A comma-separated list of 1 to 50 numbers."),
            ],
            "responses": answers(page("labels", LABEL), "A page of labels.", 400),
        },
        "post": {
            "operation_id": "createLabel",
            "summary": "Buy a label",
            "tags": TAGS["labels"],
            "request": body(LABEL_REQUEST),
            "responses": answers(LABEL, "The label.", 400, 404, 413, 415, 503),
        },
    },
    "LabelDetailView": {
        "get": {
            "operation_id": "getLabel",
            "summary": "Get a label",
            "tags": TAGS["labels"],
            "responses": answers(LABEL, "The label.", 404),
        }
    },
    "LabelFileView": {
        "get": {
            "operation_id": "getLabelFile",
            "summary": "Download a label's file",
            "tags": TAGS["labels"],
            "responses": file_answers(),
        }
    },
    "CancelLabelView": {
        "post": {
            "operation_id": "cancelLabel",
            "summary": "Cancel a label",
            "tags": TAGS["labels"],
            "request": body(obj({"label": REFERENCE})),
            "responses": answers(
                obj({"id": TEXT, "status": TEXT, "label": REFERENCE}),
                "The cancelled label.",
                400,
                404,
                413,
                415,
                503,
            ),
        }
    },
    "ManifestListView": {
        "get": {
            "operation_id": "listManifests",
            "summary": "List manifests, newest first",
            "tags": TAGS["manifests"],
            "parameters": [
                *PAGING,
                ACCOUNT_FILTER,
                query("status", {"type": "string", "enum": ManifestStatus.values}, "Only these."),
            ],
            "responses": answers(page("manifests", MANIFEST), "A page of manifests.", 400),
        },
        "post": {
            "operation_id": "createManifest",
            "summary": "Hand labels over on a manifest",
            "tags": TAGS["manifests"],
            "request": body(
                obj(
                    {
                        "shipper_account": REFERENCE,
                        "labels": {"type": "array", "items": REFERENCE, "minItems": 1},
                    },
                    required=["shipper_account"],
                )
            ),
            "responses": answers(MANIFEST, "The manifest.", 400, 404, 413, 415, 503),
        },
    },
    "ManifestDetailView": {
        "get": {
            "operation_id": "getManifest",
            "summary": "Get a manifest",
            "tags": TAGS["manifests"],
            "responses": answers(MANIFEST, "The manifest.", 404),
        }
    },
    "ManifestFileView": {
        "get": {
            "operation_id": "getManifestFile",
            "summary": "Download a manifest's PDF",
            "tags": TAGS["manifests"],
            "responses": file_answers(),
        }
    },
    "RateListView": {
        "get": {
            "operation_id": "listRates",
            "summary": "List rate quotes, newest first",
            "tags": TAGS["rates"],
            "parameters": PAGING,
            "responses": answers(page("rates", RATE_QUOTE), "A page of rate quotes.", 400),
        },
        "post": {
            "operation_id": "calculateRates",
            "summary": "Calculate rates",
            "tags": TAGS["rates"],
            "request": body(RATE_REQUEST),
            "responses": answers(RATE_QUOTE, "The rates, cheapest first.", 400, 404, 413, 415, 503),
        },
    },
    "RateDetailView": {
        "get": {
            "operation_id": "getRate",
            "summary": "Get a rate quote",
            "tags": TAGS["rates"],
            "responses": answers(RATE_QUOTE, "The rate quote.", 404),
        }
    },
    "AddressValidationView": {
        "post": {
            "operation_id": "createAddressValidation",
            "summary": "Validate an address with USPS",
            "tags": ["Address validations"],
            "request": body(
                obj({"address": ADDRESS, "shipper_account": REFERENCE}, required=["address"])
            ),
            "responses": answers(ADDRESS_VALIDATION, "USPS's verdict.", 400, 404, 413, 415, 503),
        }
    },
    "ShipperAccountListView": {
        "get": {
            "operation_id": "listShipperAccounts",
            "summary": "List shipper accounts",
            "tags": ["Shipper accounts"],
            "parameters": PAGING[:2],
            "responses": answers(
                page("shipper_accounts", SHIPPER_ACCOUNT), "A page of accounts.", 400
            ),
        }
    },
    "ShipperAccountDetailView": {
        "get": {
            "operation_id": "getShipperAccount",
            "summary": "Get a shipper account",
            "tags": ["Shipper accounts"],
            "responses": answers(SHIPPER_ACCOUNT, "The account.", 404),
        }
    },
}
VIEWS_MODULE = "mailorders.api.postmen.views"


class PostmenKeyScheme(OpenApiAuthenticationExtension):
    target_class = "mailorders.api.postmen.base.PostmenKeyAuthentication"
    name = SECURITY_SCHEME
    priority = 2  # before the tracking API's scheme, which matches its base class

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "as-api-key",
            "description": "The partner's API key (Postmen's clients send it as "
            "`postmen-api-key`, also accepted). A test key sees and makes test objects only.",
        }


class PostmenAutoSchema(TableAutoSchema):
    """Reads the operation from OPERATIONS instead of view annotations."""

    def _doc(self) -> dict:
        return OPERATIONS[type(self.view).__name__][self.method.lower()]


def _extension(name: str) -> type:
    def view_replacement(self):
        return type(self.target.__name__, (self.target,), {"schema": PostmenAutoSchema()})

    return type(
        f"{name}Docs",
        (OpenApiViewExtension,),
        {"target_class": f"{VIEWS_MODULE}.{name}", "view_replacement": view_replacement},
    )


EXTENSIONS = [_extension(name) for name in OPERATIONS]


def postmen_endpoints(endpoints, **kwargs):
    """Preprocessing hook: the described Postmen views and methods, without the catch-all."""
    kept = []
    for path, regex, method, callback in endpoints:
        cls = getattr(callback, "cls", None)
        if cls is None or cls.__module__ != VIEWS_MODULE or not path.startswith(PREFIX):
            continue
        if method.lower() in OPERATIONS.get(cls.__name__, {}):
            kept.append((path, regex, method, callback))
    return kept


DESCRIPTION = """
Shipping labels on USPS the way AfterShip Postmen v3 serves them: buy, list, get and download
labels, cancel them, hand them over on manifests (USPS SCAN forms for live accounts), calculate
rates with delivery dates, validate addresses with USPS.

**Authentication.** The partner's key in `as-api-key` (or Postmen's own `postmen-api-key`).

**Envelope.** Every answer is `{"meta": {"code", "message", "details", "retryable"}, "data"}`.
`meta.code` is Postmen's own: 200, or 4104 an invalid request (each field at fault in `details`
as `{"path", "info"}`), 4109 invalid JSON, 4140 no such shipper account, 4153 no such item, 4312
USPS out of reach; 401, 429 and 5xx keep their numbers. A refused request changes nothing.

**Lists** are newest first: `limit` (1-100, default 20) and the opaque `next_token` of the
previous page.
"""

SETTINGS = {
    "TITLE": "shipdesk label API (Postmen v3)",
    "VERSION": "v3",
    "DESCRIPTION": DESCRIPTION.strip(),
    "PREPROCESSING_HOOKS": ["mailorders.api.postmen.schema.postmen_endpoints"],
    "POSTPROCESSING_HOOKS": [],
    "ENUM_NAME_OVERRIDES": {},
}
