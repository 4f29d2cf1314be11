"""The AfterShip 2024-04 objects in their envelopes (keep in step with tracking.api.representation)
and the predict-batch shapes."""

from __future__ import annotations

from rest_framework import serializers

from tracking.api.schema.envelopes import (
    PROCESSING_UNIT_CHOICES,
    WEIGHT_UNIT_CHOICES,
    data_object,
    envelope,
)
from tracking.choices import OnTimeStatus, Subtag, Tag


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
# What tracking.edd.predict reads (strptime formats, ZIP codes, the years it plans for).
_DAY = (
    r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|02-(0[1-9]|1[0-9]|2[0-8]))"
)
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
DATETIME_PATTERN = rf"^(20[0-9][0-9]|2100)-{_DAY} {_TIME}$"
TIME_PATTERN = rf"^{_TIME}$"


def _pattern(regex: str, help_text: str = "", **kwargs) -> serializers.RegexField:
    return serializers.RegexField(
        regex, required=False, allow_null=True, help_text=help_text, **kwargs
    )


class AddressSerializer(serializers.Serializer):
    country = _pattern(r"^\s*([Uu][Ss][Aa]?)?\s*$", "`USA` (USPS only).")
    state = _text()
    city = _text()
    postal_code = _pattern(
        r"^(\s*[0-9]{5}(-?[0-9]{4})?\s*)?$",
        "US ZIP code, `12345` or `12345-6789`; its first 3 digits pick the lane.",
    )
    raw_location = _text()


class WeightSerializer(serializers.Serializer):
    unit = serializers.ChoiceField(WEIGHT_UNIT_CHOICES)
    value = serializers.FloatField(min_value=0)


class ProcessingTimeSerializer(serializers.Serializer):
    unit = serializers.ChoiceField(PROCESSING_UNIT_CHOICES)
    value = serializers.IntegerField(min_value=0, max_value=30)


class EstimatedPickupSerializer(serializers.Serializer):
    order_time = serializers.RegexField(DATETIME_PATTERN, help_text=DATETIME_HELP)
    order_cutoff_time = _pattern(TIME_PATTERN, "`HH:MM:SS`; 17:00:00 when left out.")
    business_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        min_length=1,
        max_length=7,
        required=False,
        allow_null=True,
        help_text="ISO weekdays the merchant hands parcels over (1 = Monday), each once; Monday "
        "to Friday when left out.",
    )
    order_processing_time = ProcessingTimeSerializer(required=False, allow_null=True)


class PlannedPickupSerializer(EstimatedPickupSerializer):
    pickup_time = serializers.CharField(help_text="When the parcel is handed over (local).")


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
    pickup_time = _pattern(DATETIME_PATTERN, DATETIME_HELP)
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
