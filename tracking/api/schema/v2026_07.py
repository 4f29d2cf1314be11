"""OpenAPI description of the tracking API 2026-07 (/api/{schema,docs,redoc}/tracking-2026-07/).

The views are the 2024-04 ones; `version_operation("2026-07", ...)` beside each method gives what
this version takes and answers (the shapes below mirror tracking.api.versions.shapes_2026_07;
the requests are its validating serializers, tracking.api.versions.input_2026_07).
"""

from __future__ import annotations

from django.conf import settings as django_settings
from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from tracking.api.schema.envelopes import (
    API_KEY_HEADER,
    ERROR_RESPONSES,
    ErrorEnvelopeSerializer,
    _error_example,
    data_object,
    envelope,
)
from tracking.api.schema.hooks import OPTIONAL_BODIES
from tracking.api.schema.objects import (
    DATETIME_HELP,
    DATETIME_PATTERN,
    EstimatedPickupSerializer,
    PlannedPickupSerializer,
    WeightSerializer,
)
from tracking.choices import OnTimeStatus, Subtag, Tag

VERSION = "2026-07"
PREFIX = f"/tracking/{VERSION}/"
ESTIMATE_SOURCES = ["Carrier EDD", "AfterShip EDD", "Custom EDD", "Order EDD"]
ESTIMATE_TYPES = ["specific", "range"]


def _text(help_text: str = "", **kwargs) -> serializers.CharField:
    return serializers.CharField(required=False, allow_null=True, help_text=help_text, **kwargs)


def _n(field_class, help_text: str = "", **kwargs):
    return field_class(required=False, allow_null=True, help_text=help_text, **kwargs)


def _strings(help_text: str = "") -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False, help_text=help_text)


class CoordinateSerializer(serializers.Serializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class CheckpointSerializer(serializers.Serializer):
    """One carrier event."""

    created_at = _n(serializers.DateTimeField, "When shipdesk recorded the event.")
    slug = _text("Courier slug.")
    checkpoint_time = _n(serializers.DateTimeField, "In the event's own UTC offset.")
    location = _text()
    city = _text()
    state = _text()
    postal_code = _text()
    coordinate = CoordinateSerializer(required=False, allow_null=True)
    country_region = _text("ISO 3166-1 alpha-3.")
    country_region_name = _text()
    message = _text("The carrier's message.")
    tag = _n(serializers.ChoiceField, choices=Tag.choices)
    subtag = _n(serializers.ChoiceField, choices=Subtag.choices)
    subtag_message = _text()
    raw_tag = _text("The carrier's own event code.")
    events = serializers.ListField(child=serializers.DictField(), required=False, allow_null=True)
    source = _n(serializers.ChoiceField, choices=["carrier", "user"])
    hash = _text("The event's link in the shipment's proof chain (SHA-256, hex).")


class CustomerSerializer(serializers.Serializer):
    role = _text()
    name = _text()
    phone_number = _text()
    email = _text()
    language = _text()
    id = _text()


class EstimatedDeliverySerializer(serializers.Serializer):
    type = serializers.ChoiceField(ESTIMATE_TYPES)
    source = serializers.ChoiceField(ESTIMATE_SOURCES)
    datetime = _n(serializers.DateField)
    datetime_min = _n(serializers.DateField)
    datetime_max = _n(serializers.DateField)


class LatestEstimatedDeliverySerializer(EstimatedDeliverySerializer):
    revise_reason = _text()


class CustomEstimatedDeliverySerializer(serializers.Serializer):
    type = serializers.ChoiceField(ESTIMATE_TYPES)
    datetime = _n(serializers.DateField)
    datetime_min = _n(serializers.DateField)
    datetime_max = _n(serializers.DateField)


class CourierEstimatedDeliverySerializer(serializers.Serializer):
    estimated_delivery_date = _n(serializers.DateField)
    estimated_delivery_date_min = _n(serializers.DateField)
    estimated_delivery_date_max = _n(serializers.DateField)


class PredictedDeliverySerializer(CourierEstimatedDeliverySerializer):
    confidence_code = _n(serializers.IntegerField)


class PromisedDeliverySerializer(serializers.Serializer):
    promised_delivery_date = _n(serializers.DateField)
    promised_delivery_date_min = _n(serializers.DateField)
    promised_delivery_date_max = _n(serializers.DateField)


class ShipmentWeightSerializer(serializers.Serializer):
    unit = _text()
    value = _n(serializers.FloatField)


def _nothing(help_text: str = "shipdesk has no value for it: always null."):
    return serializers.DictField(required=False, allow_null=True, help_text=help_text)


class TrackingSerializer(serializers.Serializer):
    """A tracking. With `fields=` only the fields asked for, and `id`, are present."""

    id = serializers.CharField(help_text="Tracking ID.")
    legacy_id = _text("Always null.")
    created_at = _n(serializers.DateTimeField)
    updated_at = _n(serializers.DateTimeField)
    tracking_number = _text()
    slug = _text("Courier slug.")
    active = _n(serializers.BooleanField, "Whether the tracking is still auto-updated.")
    custom_fields = _n(serializers.DictField)
    transit_time = _n(serializers.IntegerField, "Days in transit, once delivered.")
    origin_country_region = _text("ISO 3166-1 alpha-3.")
    origin_state = _text()
    origin_city = _text()
    origin_postal_code = _text()
    origin_raw_location = _text()
    destination_country_region = _text("ISO 3166-1 alpha-3.")
    destination_state = _text()
    destination_city = _text()
    destination_postal_code = _text()
    destination_raw_location = _text()
    courier_destination_country_region = _text()
    courier_estimated_delivery_date = CourierEstimatedDeliverySerializer(
        required=False, allow_null=True, help_text="The carrier's expected delivery."
    )
    note = _text()
    order_id = _text()
    order_id_path = _text()
    order_date = _n(serializers.DateTimeField)
    shipment_package_count = _n(serializers.IntegerField)
    shipment_pickup_date = _text("Local date and time of pickup, without offset.")
    shipment_delivery_date = _text("Local date and time of delivery, without offset.")
    shipment_type = _text()
    shipment_weight = ShipmentWeightSerializer(required=False, allow_null=True)
    shipment_dimensions = _nothing()
    signed_by = _text()
    source = _text("Where the tracking was created (api, admin…).")
    tag = _n(serializers.ChoiceField, choices=Tag.choices)
    subtag = _n(serializers.ChoiceField, choices=Subtag.choices)
    subtag_message = _text()
    title = _text()
    tracked_count = _n(serializers.IntegerField)
    language = _text()
    unique_token = _text("Always `deprecated`.")
    checkpoints = CheckpointSerializer(many=True, required=False, help_text="Oldest first.")
    subscribed_smses = _strings()
    subscribed_emails = _strings()
    order_promised_delivery_date = PromisedDeliverySerializer(required=False, allow_null=True)
    delivery_type = _text()
    pickup_location = _text()
    pickup_note = _text()
    courier_tracking_link = _text()
    first_attempted_at = _n(serializers.DateTimeField)
    courier_redirect_link = _text()
    tracking_account_number = _text()
    tracking_key = _text()
    tracking_ship_date = _text()
    on_time_status = _n(serializers.ChoiceField, choices=OnTimeStatus.choices)
    on_time_difference = _n(serializers.IntegerField, "Days late (negative: early).")
    order_tags = _strings()
    aftership_estimated_delivery_date = PredictedDeliverySerializer(
        required=False, allow_null=True, help_text="shipdesk's own estimate for the lane."
    )
    custom_estimated_delivery_date = CustomEstimatedDeliverySerializer(
        required=False, allow_null=True
    )
    order_number = _text()
    first_estimated_delivery = EstimatedDeliverySerializer(required=False, allow_null=True)
    latest_estimated_delivery = LatestEstimatedDeliverySerializer(required=False, allow_null=True)
    shipment_tags = _strings()
    courier_connection_id = _text()
    carbon_emissions = _nothing()
    location_id = _text()
    shipping_method = _text()
    failed_delivery_attempts = _n(serializers.IntegerField)
    signature_requirement = _n(
        serializers.ChoiceField,
        choices=[
            "signature_required",
            "adult_signature_required",
            "indirect_signature_required",
            "no_signature_required",
        ],
    )
    delivery_location_type = _text()
    aftership_tracking_url = _text()
    aftership_tracking_order_url = _text()
    first_mile = _nothing()
    last_mile = _nothing()
    customers = CustomerSerializer(many=True, required=False)
    proof_of_delivery = serializers.ListField(
        child=serializers.DictField(), required=False, allow_null=True
    )
    multi_piece_info = _nothing()
    shipment_direction = _n(serializers.ChoiceField, choices=["forward", "return"])
    forward_shipment = _nothing()


class PaginationSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Trackings matching the filters.")
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Give it as `cursor` for the next page; null on the last."
    )
    has_next_page = serializers.BooleanField()


class CourierSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    phone = _text()
    other_name = _text()
    web_url = _text()
    required_fields = serializers.ListField(child=serializers.CharField())
    optional_fields = serializers.ListField(child=serializers.CharField())
    default_language = serializers.CharField()
    support_languages = serializers.ListField(child=serializers.CharField())
    service_from_country_regions = serializers.ListField(child=serializers.CharField())


class AddressSerializer(serializers.Serializer):
    country_region = serializers.RegexField(
        r"^\s*[Uu][Ss][Aa]\s*$", required=False, allow_null=True, help_text="`USA` (USPS only)."
    )
    state = _text()
    city = _text()
    postal_code = serializers.RegexField(
        r"^(\s*[0-9]{5}(-?[0-9]{4})?\s*)?$",
        required=False,
        allow_null=True,
        help_text="US ZIP code, `12345` or `12345-6789`.",
    )
    raw_location = _text()


class EstimatedDeliveryDateSerializer(serializers.Serializer):
    """One shipment to predict. Either `pickup_time` or `estimated_pickup` is required."""

    slug = serializers.RegexField(r"^\s*[Uu][Ss][Pp][Ss]\s*$", help_text="`usps`.")
    service_type_name = _text("USPS mail class, e.g. `usps-priority_mail`.")
    origin_address = AddressSerializer()
    destination_address = AddressSerializer()
    weight = WeightSerializer(required=False, allow_null=True)
    package_count = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100_000
    )
    pickup_time = serializers.RegexField(
        DATETIME_PATTERN, required=False, allow_null=True, help_text=DATETIME_HELP
    )
    estimated_pickup = EstimatedPickupSerializer(required=False, allow_null=True)


class PredictionSerializer(EstimatedDeliveryDateSerializer):
    """The shipment as sent, with its pickup time and the three dates (null without one)."""

    id = _text("Always null.")
    estimated_pickup = PlannedPickupSerializer(required=False, allow_null=True)
    estimated_delivery_date = _n(serializers.DateField, "Most likely.")
    estimated_delivery_date_min = _n(serializers.DateField)
    estimated_delivery_date_max = _n(serializers.DateField)
    confidence_code = _n(serializers.IntegerField)


class PredictBatchBodySerializer(serializers.Serializer):
    estimated_delivery_dates = EstimatedDeliveryDateSerializer(
        many=True, min_length=1, max_length=5
    )


TrackingResponse = envelope("TrackingResponse", TrackingSerializer(), "A tracking.")
TrackingListResponse = envelope(
    "TrackingListResponse",
    data_object(
        "TrackingListData",
        "One page of trackings, newest first.",
        pagination=PaginationSerializer(),
        trackings=TrackingSerializer(many=True),
    ),
    "A page of trackings.",
)
CourierListResponse = envelope(
    "CourierListResponse",
    data_object(
        "CourierListData", total=serializers.IntegerField(), couriers=CourierSerializer(many=True)
    ),
    "Couriers.",
)
PredictResponse = envelope("PredictResponse", PredictionSerializer(), "The prediction.")
PredictBatchResponse = envelope(
    "PredictBatchResponse",
    data_object("PredictBatchData", estimated_delivery_dates=PredictionSerializer(many=True)),
    "The shipments with their estimated delivery dates.",
)

BAD_REQUEST = OpenApiResponse(
    ErrorEnvelopeSerializer,
    description="Invalid parameters or body: `meta.code` 4008 (a value is invalid) or 4009 (a "
    "required value is missing), 4003 (the tracking exists), 4016 (retrack not allowed); "
    "`meta.message` names the field.",
    examples=[
        _error_example(4008, "BadRequest", "origin_country_region: 'XYZ' is not a country code."),
        _error_example(4009, "BadRequest", "tracking_number: This field is required.", "Missing"),
    ],
)


def responses(ok, *errors: int, status: int = 200) -> dict:
    answer = {status: OpenApiResponse(ok, description=ok.__doc__ or "")}
    answer.update({code: BAD_REQUEST if code == 400 else ERROR_RESPONSES[code] for code in errors})
    return answer


LIST_PARAMETERS = [OpenApiParameter("page", exclude=True)]
# The view reads no body as {} (and changes nothing).
OPTIONAL_BODIES.update({"TrackingUpdateRequest", "PatchedTrackingUpdateRequest"})

DESCRIPTION = f"""
shipdesk answers the **AfterShip Tracking API 2026-07** under `{PREFIX}`, beside 2024-04: the
official SDK 10.x works against shipdesk by changing only its domain and its key. Both versions
are views of the same trackings: one created on either reads on the other.

**Authentication.** The partner's API key in the `{API_KEY_HEADER}` header.

**Envelope.** `{{"meta": {{"code", "type", "message"}}, "data": …}}`; on success `data` is the
object itself (a tracking, not `{{"tracking": …}}`). Errors: 400 with `meta.code` 4008 (invalid
value) or 4009 (missing value), the message naming the field; 4003 the tracking exists; 4016
retrack not allowed; 401 no or bad key; 404 with 4004 no such tracking, 404 unknown path (or an
unknown version, e.g. `/tracking/2025-99/`); 429 over the rate limit (`Retry-After`).

**Trackings are named by id** (`/trackings/{{id}}`). People are `customers[]` (role, name,
email, phone number, language, id), countries `*_country_region` (ISO 3166-1 alpha-3).

**Cursors.** The list is newest first; `pagination.next_cursor` gives the next page as
`cursor`. A cursor is signed for its partner and version: another's is refused (4008).

**Courier connections** bring the partner's own USPS app (`client_id`, `client_secret`): its
trackings, proofs of delivery and labels are then asked with it, on its own hourly quota. The
credentials are stored sealed and never returned (masked); one connection per courier (409).

**Null** is what shipdesk has no value for; nothing is invented.
"""


def endpoints(endpoints, **kwargs):
    """Preprocessing hook: the 2026-07 routes only."""
    from tracking.api.schema.hooks import version_endpoints

    return version_endpoints(endpoints, PREFIX)


def postprocess(result, generator, request, public):
    from tracking.api.schema.hooks import postprocess as shared

    result = shared(result, generator, request, public)
    result["info"]["description"] = DESCRIPTION.strip()
    return result


class PredictDocs(OpenApiViewExtension):
    """Describes tracking.api.edd's one-shipment predict view from here."""

    target_class = "tracking.api.edd.PredictView"

    def view_replacement(self):
        from tracking.api.schema.hooks import PartnerAutoSchema, operation

        class PredictView(self.target_class):
            schema = PartnerAutoSchema()

            @operation(
                operation_id="predict",
                summary="Predict the estimated delivery date",
                description="One shipment without a tracking number (e.g. at checkout), "
                "answered as predict-batch answers each item.",
                tags=["Estimated delivery date"],
                request=EstimatedDeliveryDateSerializer,
                responses=responses(PredictResponse, 400, 401, 415, 429),
            )
            def post(self, request, *args, **kwargs):
                return super().post(request, *args, **kwargs)

        return PredictView


SETTINGS = {
    "TITLE": "shipdesk partner API (AfterShip Tracking 2026-07)",
    "VERSION": VERSION,
    "PREPROCESSING_HOOKS": ["tracking.api.schema.v2026_07.endpoints"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tracking.api.schema.v2026_07.postprocess",
    ],
    "ENUM_NAME_OVERRIDES": {
        **django_settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"],
        "EstimateSourceEnum": "tracking.api.schema.v2026_07.ESTIMATE_SOURCES",
        "EstimateTypeEnum": "tracking.api.schema.v2026_07.ESTIMATE_TYPES",
    },
}
