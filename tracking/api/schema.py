"""OpenAPI description of the partner API (drf-spectacular): envelopes, errors, the key header.

The views say what each operation takes and answers with `@extend_schema`; this module holds the
shapes they refer to (the AfterShip 2024-04 objects in their `{"meta", "data"}` envelope), the
auto-schema partner views use, the `as-api-key` security scheme and the hooks named in
`SPECTACULAR_SETTINGS`. The shapes mirror `tracking.api.representation`; the tests check that
every key the API sends is described here.
"""

from __future__ import annotations

from inspect import getattr_static

from django.http import HttpResponse
from django.template import Context, Engine
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from drf_spectacular.views import SpectacularRedocView
from rest_framework import serializers
from rest_framework.schemas import DefaultSchema
from rest_framework.settings import api_settings

from shipdesk.api import ERROR_TYPES, NotFoundView
from tracking.choices import CompletedReason, OnTimeStatus, Subtag, Tag

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
| 400 | 4003 | BadRequest | the tracking already exists (same slug and number) |
| 400 | 4016 | BadRequest | retrack not allowed (active, delivered, or retracked 3 times) |
| 401 | 401 | Unauthorized | no `{API_KEY_HEADER}` header, or the key is invalid or revoked |
| 404 | 4004 | NotFound | no such tracking for this partner |
| 404 | 404 | NotFound | unknown path under `/tracking/2024-04/` |
| 405 | 405 | BadRequest | a method the path does not answer |
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
        "Tracking number: 4 to 100 letters and digits once spaces and dashes are dropped. USPS "
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


# ---------------------------------------------------------------------------------------------
# The AfterShip objects (keep in step with tracking.api.representation)


def _text(help_text: str = "", **kwargs) -> serializers.CharField:
    """An optional, nullable string (fields may be left out with `fields=`)."""
    return serializers.CharField(required=False, allow_null=True, help_text=help_text, **kwargs)


def _strings(help_text: str = "") -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False, help_text=help_text)


def _optional(field_class, help_text: str = "", **kwargs):
    return field_class(required=False, help_text=help_text, **kwargs)


def _nullable(field_class, help_text: str = "", **kwargs):
    return field_class(required=False, allow_null=True, help_text=help_text, **kwargs)


class CheckpointSerializer(serializers.Serializer):
    """One carrier event."""

    slug = _optional(serializers.CharField, "Courier slug.")
    created_at = _optional(serializers.DateTimeField, "When shipdesk recorded the event.")
    checkpoint_time = _optional(
        serializers.DateTimeField, "When the event happened, in the event's own UTC offset."
    )
    city = _text()
    coordinates = serializers.ListField(
        child=serializers.FloatField(),
        required=False,
        help_text="`[latitude, longitude]`, or empty when unknown.",
    )
    country_iso3 = _text()
    country_name = _text()
    message = _optional(serializers.CharField, "The carrier's message.")
    state = _text()
    tag = _optional(serializers.ChoiceField, "Status of the event.", choices=Tag.choices)
    subtag = _optional(serializers.ChoiceField, "Finer status.", choices=Subtag.choices)
    subtag_message = _optional(serializers.CharField)
    zip = _text()
    location = _text()
    raw_tag = _text("The carrier's own event code.")


class EstimateSerializer(serializers.Serializer):
    """An estimated delivery (AfterShip's first/latest/custom estimated delivery)."""

    type = serializers.CharField(help_text="`specific`.")
    source = serializers.CharField(help_text="Carrier EDD, shipdesk EDD or Custom.")
    datetime = serializers.DateField()
    datetime_min = serializers.DateField(allow_null=True)
    datetime_max = serializers.DateField(allow_null=True)


class PredictedDeliverySerializer(serializers.Serializer):
    """shipdesk's own estimate, learnt from delivered shipments on the same lane."""

    estimated_delivery_date = serializers.DateField(help_text="Most likely delivery day.")
    estimated_delivery_date_min = serializers.DateField(allow_null=True)
    estimated_delivery_date_max = serializers.DateField(allow_null=True)
    confidence_code = serializers.IntegerField(
        allow_null=True, help_text="Confidence of the estimate."
    )


class TrackingSerializer(serializers.Serializer):
    """A tracking (shipment). With `fields=` only the fields asked for, and `id`, are present."""

    id = serializers.CharField(help_text="Tracking ID.")
    legacy_id = _text("Always null.")
    tracking_number = _optional(serializers.CharField)
    slug = _optional(serializers.CharField, "Courier slug.")
    active = _optional(serializers.BooleanField, "Whether the tracking is still auto-updated.")
    title = _optional(serializers.CharField, "Title; the tracking number unless set.")
    note = _text()
    source = _optional(serializers.CharField, "Where the tracking was created (api, admin…).")
    language = _text()
    tag = _optional(serializers.ChoiceField, "Current status.", choices=Tag.choices)
    subtag = _optional(serializers.ChoiceField, "Current finer status.", choices=Subtag.choices)
    subtag_message = _optional(serializers.CharField)
    emails = _strings("E-mail addresses notified of changes.")
    smses = _strings("Phone numbers notified of changes.")
    subscribed_emails = _strings()
    subscribed_smses = _strings()
    ios = _strings("Always empty.")
    android = _strings("Always empty.")
    order_id = _text()
    order_number = _text()
    order_id_path = _text()
    order_date = _nullable(serializers.DateTimeField)
    order_tags = _strings()
    order_promised_delivery_date = _nullable(serializers.DateField)
    customer_name = _text()
    custom_fields = _nullable(serializers.DictField, "Free key/value data of the partner.")
    delivery_type = _text()
    pickup_location = _text()
    pickup_note = _text()
    shipment_type = _text()
    shipping_method = _text()
    shipment_weight = _nullable(serializers.FloatField)
    shipment_weight_unit = _text()
    shipment_package_count = _nullable(serializers.IntegerField)
    shipment_tags = _strings()
    signature_requirement = _text()
    signed_by = _text()
    delivery_time = _optional(serializers.IntegerField, "Days in transit.")
    transit_time = _nullable(serializers.IntegerField, "Days in transit, once delivered.")
    failed_delivery_attempts = _optional(serializers.IntegerField)
    first_attempted_at = _nullable(serializers.DateTimeField)
    shipment_pickup_date = _text("Local date and time of pickup, without offset.")
    shipment_delivery_date = _text("Local date and time of delivery, without offset.")
    return_to_sender = _optional(serializers.BooleanField)
    on_time_status = _nullable(serializers.ChoiceField, choices=OnTimeStatus.choices)
    on_time_difference = _optional(serializers.IntegerField, "Days late (negative: early).")
    expected_delivery = _nullable(serializers.DateField, "The carrier's expected delivery day.")
    first_estimated_delivery = EstimateSerializer(required=False, allow_null=True)
    latest_estimated_delivery = EstimateSerializer(required=False, allow_null=True)
    custom_estimated_delivery_date = EstimateSerializer(required=False, allow_null=True)
    aftership_estimated_delivery_date = PredictedDeliverySerializer(required=False, allow_null=True)
    origin_country_iso3 = _text()
    origin_state = _text()
    origin_city = _text()
    origin_postal_code = _text()
    origin_raw_location = _text()
    destination_country_iso3 = _text()
    destination_state = _text()
    destination_city = _text()
    destination_postal_code = _text()
    destination_raw_location = _text()
    courier_destination_country_iso3 = _text()
    tracking_postal_code = _text()
    tracking_ship_date = _text()
    tracking_account_number = _text()
    tracking_key = _text()
    tracking_origin_country = _text()
    tracking_destination_country = _text()
    tracking_state = _text()
    tracked_count = _optional(serializers.IntegerField, "How many times the carrier was asked.")
    unique_token = _optional(serializers.CharField, "Always `deprecated`.")
    last_mile_tracking_supported = _nullable(serializers.BooleanField)
    courier_tracking_link = _optional(serializers.URLField, "The carrier's tracking page.")
    courier_redirect_link = _text()
    created_at = _optional(serializers.DateTimeField)
    updated_at = _optional(serializers.DateTimeField)
    last_updated_at = _optional(serializers.DateTimeField, "When the carrier was last asked.")
    checkpoints = CheckpointSerializer(many=True, required=False, help_text="Oldest first.")


class TrackingShortSerializer(serializers.Serializer):
    """The short form of a deleted tracking."""

    id = serializers.CharField()
    slug = serializers.CharField()
    tracking_number = serializers.CharField()
    tracking_key = _text()
    tracking_state = _text()
    tracking_ship_date = _text()
    tracking_postal_code = _text()
    tracking_account_number = _text()
    tracking_origin_country = _text()
    tracking_destination_country = _text()


class PaginationSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Trackings matching the filters.")
    has_next_page = serializers.BooleanField()
    next_cursor = serializers.CharField(allow_null=True, help_text="The next page number.")


class CourierSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    other_name = serializers.CharField(allow_null=True)
    web_url = serializers.URLField(allow_null=True)
    required_fields = serializers.ListField(child=serializers.CharField())
    optional_fields = serializers.ListField(child=serializers.CharField())
    default_language = serializers.CharField()
    support_languages = serializers.ListField(child=serializers.CharField())
    service_from_country_iso3 = serializers.ListField(child=serializers.CharField())


class NotificationReceiversSerializer(serializers.Serializer):
    emails = serializers.ListField(child=serializers.CharField())
    smses = serializers.ListField(child=serializers.CharField())


TrackingResponse = envelope(
    "TrackingResponse",
    data_object("TrackingData", tracking=TrackingSerializer()),
    "A tracking.",
)
TrackingCreatedResponse = envelope(
    "TrackingCreatedResponse",
    data_object("TrackingCreatedData", tracking=TrackingSerializer()),
    "The tracking, created.",
)
TrackingDeletedResponse = envelope(
    "TrackingDeletedResponse",
    data_object("TrackingDeletedData", tracking=TrackingShortSerializer()),
    "The deleted tracking, in short form.",
)
TrackingListResponse = envelope(
    "TrackingListResponse",
    data_object(
        "TrackingListData",
        "One page of trackings, newest first, with the filters that were applied.",
        page=serializers.IntegerField(),
        limit=serializers.IntegerField(),
        count=serializers.IntegerField(help_text="Trackings matching the filters."),
        keyword=serializers.CharField(),
        slug=serializers.CharField(help_text="Comma-separated slugs applied."),
        origin=serializers.ListField(child=serializers.CharField()),
        destination=serializers.ListField(child=serializers.CharField()),
        tag=serializers.CharField(help_text="Comma-separated tags applied."),
        fields=serializers.CharField(),
        created_at_min=serializers.DateTimeField(allow_null=True),
        created_at_max=serializers.DateTimeField(allow_null=True),
        pagination=PaginationSerializer(),
        trackings=TrackingSerializer(many=True),
    ),
    "A page of trackings.",
)
LastCheckpointResponse = envelope(
    "LastCheckpointResponse",
    data_object(
        "LastCheckpointData",
        id=serializers.CharField(help_text="Tracking ID."),
        tracking_number=serializers.CharField(),
        slug=serializers.CharField(),
        tag=serializers.ChoiceField(Tag.choices),
        subtag=serializers.ChoiceField(Subtag.choices),
        subtag_message=serializers.CharField(),
        checkpoint=CheckpointSerializer(help_text="The latest checkpoint; empty when none."),
    ),
    "The tracking's status and its latest checkpoint.",
)
NotificationResponse = envelope(
    "NotificationResponse",
    data_object("NotificationData", notification=NotificationReceiversSerializer()),
    "Who is notified of the tracking's changes.",
)
CourierListResponse = envelope(
    "CourierListResponse",
    data_object(
        "CourierListData",
        total=serializers.IntegerField(),
        couriers=CourierSerializer(many=True),
    ),
    "Couriers.",
)


# ---------------------------------------------------------------------------------------------
# Estimated delivery: predict-batch (validated by tracking.edd, not by a serializer)

DATETIME_HELP = "Local time `YYYY-MM-DD HH:MM:SS` (years 2000 to 2100)."


class AddressSerializer(serializers.Serializer):
    country = _text("`USA` (USPS only).")
    state = _text()
    city = _text()
    postal_code = _text("US ZIP code, `12345` or `12345-6789`; its first 3 digits pick the lane.")
    raw_location = _text()


class WeightSerializer(serializers.Serializer):
    unit = serializers.ChoiceField(WEIGHT_UNIT_CHOICES)
    value = serializers.FloatField(min_value=0)


class ProcessingTimeSerializer(serializers.Serializer):
    unit = serializers.ChoiceField(PROCESSING_UNIT_CHOICES)
    value = serializers.IntegerField(min_value=0, max_value=30)


class EstimatedPickupSerializer(serializers.Serializer):
    order_time = serializers.CharField(help_text=DATETIME_HELP)
    order_cutoff_time = serializers.CharField(
        required=False, allow_null=True, help_text="`HH:MM:SS`; 17:00:00 when left out."
    )
    business_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        min_length=1,
        max_length=7,
        required=False,
        allow_null=True,
        help_text="ISO weekdays the merchant hands parcels over (1 = Monday); Monday to Friday "
        "when left out.",
    )
    order_processing_time = ProcessingTimeSerializer(required=False, allow_null=True)


class PlannedPickupSerializer(EstimatedPickupSerializer):
    pickup_time = serializers.CharField(help_text="When the parcel is handed over (local).")


class EstimatedDeliveryDateSerializer(serializers.Serializer):
    """One shipment to predict. Either `pickup_time` or `estimated_pickup` is required."""

    slug = serializers.CharField(help_text="`usps`.")
    service_type_name = _text("USPS mail class, e.g. `usps-priority_mail`.")
    origin_address = AddressSerializer()
    destination_address = AddressSerializer()
    weight = WeightSerializer(required=False, allow_null=True)
    package_count = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100_000
    )
    pickup_time = _text(DATETIME_HELP)
    estimated_pickup = EstimatedPickupSerializer(required=False, allow_null=True)


class PredictedDateSerializer(EstimatedDeliveryDateSerializer):
    """The item as sent, with its pickup time and the three dates (null without an estimate)."""

    estimated_pickup = PlannedPickupSerializer(required=False, allow_null=True)
    estimated_delivery_date = serializers.DateField(allow_null=True, help_text="Most likely.")
    estimated_delivery_date_min = serializers.DateField(allow_null=True)
    estimated_delivery_date_max = serializers.DateField(allow_null=True)
    confidence_code = serializers.IntegerField(
        allow_null=True,
        help_text="10000/10001 high; 20001 range high, single date medium; 30001 volatile "
        "transit; 30002 not enough qualified data; 30004 address not precise enough.",
    )


class PredictBatchBodySerializer(serializers.Serializer):
    estimated_delivery_dates = EstimatedDeliveryDateSerializer(
        many=True, min_length=1, max_length=5
    )


PredictBatchResponse = envelope(
    "PredictBatchResponse",
    data_object("PredictBatchData", estimated_delivery_dates=PredictedDateSerializer(many=True)),
    "The items with their estimated delivery dates.",
)


# ---------------------------------------------------------------------------------------------
# Request bodies (the inner objects are the validating serializers)


def request_body(name: str, wrapper: str, inner: type[serializers.Serializer], doc: str):
    attrs = {"__doc__": doc, "__module__": __name__, wrapper: inner()}
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
        class PredictBatchView(self.target_class):
            schema = PartnerAutoSchema()

            @operation(
                operation_id="predictBatch",
                summary="Batch predict the estimated delivery date",
                description="1 to 5 shipments without tracking numbers (e.g. at checkout): "
                "each answered with its pickup time and earliest, most likely and latest "
                "delivery dates, learnt from delivered USPS shipments on the same lane. Any bad "
                "item fails the whole call, and the message names its field.",
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


def partner_endpoints(endpoints, **kwargs):
    """Preprocessing hook: only the partner API, without the catch-all 404 route."""
    return [
        (path, regex, method, callback)
        for path, regex, method, callback in endpoints
        if _documented(callback)
    ]


def postprocess(result, generator, request, public):
    """Postprocessing hook: the long description, request field docs, the shared 405 answer."""
    result["info"]["description"] = DESCRIPTION.strip()
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for field, prop in component.get("properties", {}).items():
            if field in REQUEST_FIELD_DOCS and "description" not in prop:
                prop["description"] = REQUEST_FIELD_DOCS[field]
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
    <script>
      Redoc.init("{{ schema_url|escapejs }}", {{ settings|default:"{}"|safe }},
                 document.getElementById("redoc-container"));
    </script>
  </body>
</html>
"""
)


class OfflineRedocView(SpectacularRedocView):
    """Redoc served entirely from shipdesk's static files (drf-spectacular-sidecar)."""

    def get(self, request, *args, **kwargs):
        data = super().get(request, *args, **kwargs).data
        return HttpResponse(REDOC_PAGE.render(Context(data)))
