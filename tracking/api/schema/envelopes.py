"""The `{"meta", "data"}` envelope, the documented errors, and the parameter and field docs."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
)
from rest_framework import serializers

from shipdesk.api import ERROR_TYPES
from tracking.choices import Tag

API_KEY_HEADER = "as-api-key"
SECURITY_SCHEME = "asApiKey"
ERROR_TYPE_CHOICES = [*dict.fromkeys(ERROR_TYPES.values()), "InternalError"]
WEIGHT_UNIT_CHOICES = ["kg", "lb", "g", "oz"]
PROCESSING_UNIT_CHOICES = ["day"]

DESCRIPTION = f"""
shipdesk answers the **AfterShip Tracking API 2024-04** under `/tracking/2024-04/`: an existing
AfterShip client works against shipdesk by changing only its base URL and its key.

**Authentication.** Send the partner's API key in the `{API_KEY_HEADER}` header. Keys are created
by a manager in the admin (the secret is shown once), belong to one partner and can be revoked.
A partner sees and changes only its own trackings: another partner's tracking answers 404.

**Envelope.** Every answer, success or error, is a JSON object
`{{"meta": {{"code", "type", "message"}}, "data": {{…}}}}`. On success `meta` holds only `code`
(the HTTP status). On error `meta.type` is one of {", ".join(ERROR_TYPE_CHOICES)}, `meta.message`
names the offending field, and `meta.code` is the HTTP status or AfterShip's finer code:

| HTTP | meta.code | meta.type | when |
|---|---|---|---|
| 400 | 400 | BadRequest | invalid parameter or body (the message names the field), body not JSON |
| 400 | 400 | BadRequest | too many form fields or query parameters (1,000 by default) |
| 400 | 4003 | BadRequest | the tracking already exists (same slug and number) |
| 400 | 4016 | BadRequest | retrack not allowed (active, delivered, or retracked 3 times) |
| 401 | 401 | Unauthorized | no `{API_KEY_HEADER}` header, or the key is invalid or revoked |
| 404 | 4004 | NotFound | no such tracking for this partner |
| 404 | 404 | NotFound | unknown path under `/tracking/2024-04/` |
| 405 | 405 | BadRequest | a method the path does not answer |
| 413 | 413 | BadRequest | a body over the size limit (2.5 MB unless the operator set another) |
| 415 | 415 | BadRequest | a body that is not `application/json` |
| 429 | 429 | TooManyRequests | over the key's rate limit (see `Retry-After`) |
| 500 | 500 | InternalError | a fault on shipdesk's side; the request changed nothing |

**Rate limit.** Each key may make a fixed number of requests per second (10 unless a manager set
another), counted across all web processes. Every authenticated answer carries
`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix time of the next
window); over the limit the answer is 429 with `Retry-After`.

**Two ways to name a tracking.** Every `/{{tracking_id}}` path also answers at
`/{{slug}}/{{tracking_number}}`, e.g. `/trackings/usps/9400111899223123456785`.

**Timestamps** are ISO 8601 with their UTC offset; checkpoint times carry the event's own offset.
"""

# Descriptions of the query and path parameters, by name (the constraints come from the
# validating serializers in tracking.api.serializers).
PARAMETER_DOCS = {
    "tracking_id": "Tracking ID: the `id` of the tracking object.",
    "slug": "Courier slug (`usps`).",
    "tracking_number": "Tracking number; spaces and dashes are ignored.",
    "page": "Page number, from 1.",
    "limit": "Trackings per page, at most 200.",
    "keyword": (
        "Search: tracking number (exact or prefix), title, order id or number, customer name, "
        "custom field values, notification e-mails and phone numbers."
    ),
    "tag": f"Comma-separated tags: {', '.join(Tag.values)}.",
    "origin": "Comma-separated ISO 3166-1 alpha-3 codes of the origin country.",
    "destination": "Comma-separated ISO 3166-1 alpha-3 codes of the destination country.",
    "created_at_min": "Trackings created at or after this time (ISO 8601 with offset).",
    "created_at_max": "Trackings created at or before this time (ISO 8601 with offset).",
    "updated_at_min": "Trackings updated at or after this time (ISO 8601 with offset).",
    "updated_at_max": "Trackings updated at or before this time (ISO 8601 with offset).",
    "order_id": "Trackings of this order id.",
    "tracking_numbers": "Comma-separated tracking numbers, at most 50.",
    "return_to_sender": "Only trackings returned to the sender (`true`) or not (`false`).",
    "fields": (
        "Comma-separated fields to include in each object, e.g. `title,order_id,tag,checkpoints`"
        " (a tracking's `id` is always included)."
    ),
    "lang": (
        "Accepted for compatibility. USPS gives checkpoint messages in English and shipdesk "
        "does not translate them."
    ),
}
LIST_PARAMETER_DOCS = {"slug": "Comma-separated courier slugs (`usps`)."}
# Descriptions of request-body fields (seed 002's wording where it has one).
_COUNTRY = "ISO 3166-1 alpha-3 country code, e.g. `USA`."
REQUEST_FIELD_DOCS = {
    "tracking_number": (
        "Tracking number: 4 to 34 letters and digits once spaces and dashes are dropped. USPS "
        "IMpb (`9400…`) and S10 (`EC123456785US`) numbers must have a right check digit."
    ),
    "slug": "Courier slug (`usps`); detected from the tracking number when left out.",
    "title": "By default the tracking number; any text you like (e.g. the order number).",
    "order_id": "A globally-unique identifier for the order.",
    "order_number": "The order number shown to the customer.",
    "order_id_path": "The URL of the order in your system or store.",
    "order_date": "When the order was placed (ISO 8601 with offset).",
    "order_promised_delivery_date": (
        "The promised delivery date of the order, `YYYY-MM-DD`, without time zone."
    ),
    "emails": "E-mail addresses notified of changes (up to 3); `[]` clears them.",
    "smses": "Phone numbers notified of changes (up to 3); `[]` clears them.",
    "note": 'Text for the note; `""` clears it.',
    "language": "The recipient's ISO 639-1 language code.",
    "customer_name": "Customer name of the tracking.",
    "custom_fields": "Your own key/value data; searched by the list's `keyword`.",
    "order_tags": "Tags of the order.",
    "shipment_tags": "Tags of the shipment.",
    "origin_country_iso3": _COUNTRY,
    "destination_country_iso3": _COUNTRY,
    "tracking_origin_country": _COUNTRY,
    "tracking_destination_country": _COUNTRY,
    "tracking_postal_code": "Postal code of the receiver, if the courier needs it.",
    "tracking_ship_date": "Shipping date `YYYYMMDD`, if the courier needs it.",
    "origin_raw_location": "The origin address as one line.",
    "destination_raw_location": "The destination address as one line.",
}


# ---------------------------------------------------------------------------------------------
# Envelopes and errors


class SuccessMetaSerializer(serializers.Serializer):
    code = serializers.IntegerField(help_text="The HTTP status (200, or 201 on create).")


class ErrorMetaSerializer(serializers.Serializer):
    code = serializers.IntegerField(
        help_text="The HTTP status, or AfterShip's finer code (4003 exists, 4004 tracking not "
        "found, 4016 retrack not allowed)."
    )
    type = serializers.ChoiceField(ERROR_TYPE_CHOICES, help_text="The kind of error.")
    message = serializers.CharField(help_text="What went wrong; names the offending field.")


class ErrorEnvelopeSerializer(serializers.Serializer):
    """Every error: `meta` says what went wrong, `data` is empty."""

    meta = ErrorMetaSerializer()
    data = serializers.DictField(help_text="Empty.")


def _error_example(code: int, error_type: str, message: str, name: str = "") -> OpenApiExample:
    return OpenApiExample(
        name or error_type,
        value={"meta": {"code": code, "type": error_type, "message": message}, "data": {}},
        response_only=True,
    )


ERROR_RESPONSES = {
    400: OpenApiResponse(
        ErrorEnvelopeSerializer,
        description="Invalid parameters or body; `meta.message` names the field.",
        examples=[
            _error_example(
                400, "BadRequest", "limit: Ensure this value is less than or equal to 200."
            )
        ],
    ),
    401: OpenApiResponse(
        ErrorEnvelopeSerializer,
        description=f"The `{API_KEY_HEADER}` header is missing, or the key is invalid or revoked.",
        examples=[_error_example(401, "Unauthorized", "The API key is invalid or revoked.")],
    ),
    404: OpenApiResponse(
        ErrorEnvelopeSerializer,
        description="No such tracking for this partner (another partner's tracking included).",
        examples=[_error_example(4004, "NotFound", "Tracking does not exist.")],
    ),
    415: OpenApiResponse(
        ErrorEnvelopeSerializer,
        description="The body is not JSON: send `Content-Type: application/json`.",
        examples=[
            _error_example(415, "BadRequest", 'Unsupported media type "text/plain" in request.')
        ],
    ),
    429: OpenApiResponse(
        ErrorEnvelopeSerializer,
        description="Over the key's rate limit; retry after `Retry-After` seconds.",
        examples=[
            _error_example(429, "TooManyRequests", "You have exceeded the API call rate limit.")
        ],
    ),
}
CREATE_ERROR = OpenApiResponse(
    ErrorEnvelopeSerializer,
    description="Invalid body (`meta.message` names the field), or the tracking already "
    "exists for this slug and number (meta.code 4003).",
    examples=[
        _error_example(400, "BadRequest", "tracking_number: This field is required."),
        _error_example(
            4003, "BadRequest", "Tracking already exists: usps 9400111899223123456785.", "Exists"
        ),
    ],
)
RETRACK_ERROR = OpenApiResponse(
    ErrorEnvelopeSerializer,
    description="Invalid request, or retrack not allowed (meta.code 4016): the tracking is "
    "active, delivered, or was already retracked 3 times.",
    examples=[
        _error_example(
            4016,
            "BadRequest",
            "Retrack is not allowed. You can only retrack an inactive (expired or completed) "
            "tracking.",
            "RetrackNotAllowed",
        )
    ],
)


def responses(ok, *errors: int, status: int = 200, description: str = "") -> dict:
    """The `responses` of an operation: the success envelope and the listed error envelopes."""
    answer = {status: OpenApiResponse(ok, description=description or ok.__doc__ or "")}
    answer.update({code: ERROR_RESPONSES[code] for code in errors})
    return answer


def envelope(name: str, data: serializers.Field, doc: str) -> type[serializers.Serializer]:
    """A response component `{"meta": {"code"}, "data": <data>}` named `name`."""
    return type(
        f"{name}Serializer",
        (serializers.Serializer,),
        {"__doc__": doc, "__module__": __name__, "meta": SuccessMetaSerializer(), "data": data},
    )


def data_object(name: str, doc: str = "", **fields) -> serializers.Serializer:
    """An inline object of the `data` member."""
    attrs = {"__doc__": doc, "__module__": __name__, **fields}
    return type(f"{name}Serializer", (serializers.Serializer,), attrs)()
