"""Input validation for the AfterShip-compatible tracking API."""

from __future__ import annotations

import re

from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shipdesk.jsontypes import JSONTypesMixin, QueryBlanksMixin
from tracking import numbers
from tracking.choices import CompletedReason, Tag
from tracking.services.shipments import MAX_SUBSCRIBERS

TEXT_FIELDS = {
    "title": 255,
    "order_id": 255,
    "order_number": 255,
    "order_id_path": 1000,
    "note": 10000,
    "customer_name": 255,
    "language": 10,
    "pickup_location": 255,
    "pickup_note": 10000,
    "delivery_type": 50,
    "shipment_type": 100,
    "shipping_method": 100,
    "origin_state": 100,
    "origin_city": 100,
    "origin_postal_code": 20,
    "origin_raw_location": 500,
    "destination_state": 100,
    "destination_city": 100,
    "destination_postal_code": 20,
    "destination_raw_location": 500,
    "tracking_postal_code": 20,
    "tracking_ship_date": 8,
    "tracking_account_number": 100,
    "tracking_key": 100,
    "tracking_state": 50,
    "signature_requirement": 50,
}
ISO3_FIELDS = [
    "origin_country_iso3",
    "destination_country_iso3",
    "tracking_origin_country",
    "tracking_destination_country",
]


class ISO3Field(serializers.RegexField):
    def __init__(self, **kwargs):
        super().__init__(r"^[A-Za-z]{3}$", **kwargs)
        self.error_messages["invalid"] = "Must be an ISO 3166-1 alpha-3 country code."

    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


def _phone_list():
    return serializers.ListField(
        child=serializers.RegexField(
            r"^\+?[0-9 ()\-]{6,20}$",
            error_messages={"invalid": "Must be a phone number, e.g. +18555072509."},
        ),
        max_length=MAX_SUBSCRIBERS,
        required=False,
    )


def _email_list():
    return serializers.ListField(
        child=serializers.EmailField(max_length=254), max_length=MAX_SUBSCRIBERS, required=False
    )


class TrackingFieldsSerializer(JSONTypesMixin, serializers.Serializer):
    """Fields a partner may set on create and update."""

    emails = _email_list()
    smses = _phone_list()
    order_date = serializers.DateTimeField(required=False, allow_null=True)
    order_promised_delivery_date = serializers.DateField(
        required=False, allow_null=True, input_formats=["%Y-%m-%d"]
    )
    custom_fields = serializers.DictField(required=False, allow_null=True)
    order_tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50
    )
    shipment_tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50
    )
    shipment_weight = serializers.FloatField(required=False, allow_null=True, min_value=0)
    shipment_weight_unit = serializers.ChoiceField(
        ["kg", "lb", "g", "oz"], required=False, allow_blank=True
    )
    shipment_package_count = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10000
    )

    def get_fields(self):
        fields = super().get_fields()
        for name, length in TEXT_FIELDS.items():
            fields[name] = serializers.CharField(
                max_length=length, required=False, allow_blank=True, allow_null=True
            )
        for name in ISO3_FIELDS:
            fields[name] = ISO3Field(required=False, allow_blank=True, allow_null=True)
        return fields

    def validate(self, attrs):
        # null means "empty" for text columns, as AfterShip clients send it.
        for name in [*TEXT_FIELDS, *ISO3_FIELDS]:
            if name in attrs and attrs[name] is None:
                attrs[name] = ""
        for name in ("order_tags", "shipment_tags"):
            if name in attrs and attrs[name] is None:
                attrs[name] = []
        return attrs


# What numbers.parse takes for USPS (the only courier): 4 to 34 ASCII letters and digits once
# whitespace and dashes are dropped (IMpb and S10 numbers must also have a right check digit).
TRACKING_NUMBER_PATTERN = r"^[\s-]*([A-Za-z0-9][\s-]*){4,34}$"


@extend_schema_field({"type": "string", "maxLength": 200, "pattern": TRACKING_NUMBER_PATTERN})
class TrackingNumberField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "pattern": r"^(\s*[Uu][Ss][Pp][Ss]\s*|\s+)$"})
class CourierSlugField(serializers.CharField):
    """A courier slug, any case; blank to detect it from the number (USPS is the only one)."""


class TrackingCreateSerializer(TrackingFieldsSerializer):
    tracking_number = TrackingNumberField(max_length=200, trim_whitespace=True)
    slug = CourierSlugField(required=False, allow_blank=True)

    def validate_tracking_number(self, value):
        try:
            return numbers.parse(value).number
        except numbers.TrackingNumberError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_slug(self, value):
        from tracking.carriers.registry import SUPPORTED_SLUGS

        value = (value or "").lower()
        if value and value not in SUPPORTED_SLUGS:
            raise serializers.ValidationError(
                f"Unsupported courier slug {value!r}; supported: {', '.join(SUPPORTED_SLUGS)}."
            )
        return value


class MarkCompletedSerializer(JSONTypesMixin, serializers.Serializer):
    reason = serializers.ChoiceField(CompletedReason.values)


class NotificationSerializer(JSONTypesMixin, serializers.Serializer):
    emails = _email_list()
    smses = _phone_list()


_TAG = "(" + "|".join(Tag.values) + ")"


@extend_schema_field({"type": "string", "pattern": rf"^(,*{_TAG}(,+{_TAG})*,*|,+)$"})
class TagListField(serializers.CharField):
    """Comma-separated tags, empty items ignored (the blank value is its own `oneOf` branch:
    the patterns here never match "")."""


_PLAIN_NUMBER = re.compile(r"[1-9][0-9]{0,17}")


class QuickQueryMixin:
    """What the serializer answers for the queries most requests send (nothing, or only some
    of `quick_fields`, integers written plainly), without running its fields: `quick(query)`
    is the validated data it would give, or None for any other query (validate that one).

    The answer is built from the serializer's own: its validated data for an empty query
    (read once), with the integers given, in its own bounds."""

    quick_fields: tuple[str, ...] = ()

    @classmethod
    def quick(cls, query: QueryDict) -> dict | None:
        if not query:
            return cls._quick_defaults()
        given = {}
        for name, values in query.lists():
            if name not in cls.quick_fields or len(values) != 1:
                return None
            text = values[0]
            if not _PLAIN_NUMBER.fullmatch(text):
                return None
            low, high = cls._quick_bounds()[name]
            number = int(text)
            if (low is not None and number < low) or (high is not None and number > high):
                return None
            given[name] = number
        return {**cls._quick_defaults(), **given}

    @classmethod
    def _quick_defaults(cls) -> dict:
        """A fresh copy of the empty query's validated data (its lists and sets too)."""
        if "_quick_empty" not in cls.__dict__:
            serializer = cls(data=QueryDict())
            serializer.is_valid(raise_exception=True)
            fields = serializer.fields
            cls._quick_empty = dict(serializer.validated_data)
            cls._quick_limits = {
                name: (fields[name].min_value, fields[name].max_value) for name in cls.quick_fields
            }
        return {
            name: value.copy() if isinstance(value, list | set | dict) else value
            for name, value in cls._quick_empty.items()
        }

    @classmethod
    def _quick_bounds(cls) -> dict[str, tuple[int | None, int | None]]:
        cls._quick_defaults()
        return cls._quick_limits


class ListQuerySerializer(QuickQueryMixin, QueryBlanksMixin, serializers.Serializer):
    quick_fields = ("page", "limit")

    page = serializers.IntegerField(required=False, default=1, min_value=1)
    limit = serializers.IntegerField(required=False, default=100, min_value=1, max_value=200)
    keyword = serializers.CharField(required=False, allow_blank=True, max_length=200)
    tag = TagListField(required=False, allow_blank=True, trim_whitespace=False)
    slug = serializers.CharField(required=False, allow_blank=True)
    origin = serializers.CharField(required=False, allow_blank=True)
    destination = serializers.CharField(required=False, allow_blank=True)
    created_at_min = serializers.DateTimeField(required=False)
    created_at_max = serializers.DateTimeField(required=False)
    updated_at_min = serializers.DateTimeField(required=False)
    updated_at_max = serializers.DateTimeField(required=False)
    order_id = serializers.CharField(required=False, allow_blank=True, max_length=255)
    tracking_numbers = serializers.CharField(required=False, allow_blank=True)
    return_to_sender = serializers.BooleanField(required=False, allow_null=True, default=None)
    fields = serializers.CharField(required=False, allow_blank=True)
    lang = serializers.CharField(required=False, allow_blank=True, max_length=10)

    def validate_tag(self, value):
        tags = [t for t in value.split(",") if t]
        unknown = [t for t in tags if t not in Tag.values]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown tag {unknown[0]!r}; use one of {', '.join(Tag.values)}."
            )
        return tags

    def validate_tracking_numbers(self, value):
        items = [numbers.normalize(n) for n in value.split(",") if n.strip()]
        if len(items) > 50:
            raise serializers.ValidationError("At most 50 tracking numbers are allowed.")
        return items

    def validate(self, attrs):
        for name in ("slug", "origin", "destination"):
            attrs[name] = [
                v.strip().lower() if name == "slug" else v.strip().upper()
                for v in attrs.get(name, "").split(",")
                if v.strip()
            ]
        attrs["fields"] = {f.strip() for f in attrs.get("fields", "").split(",") if f.strip()}
        return attrs


class DetailQuerySerializer(QuickQueryMixin, serializers.Serializer):
    fields = serializers.CharField(required=False, allow_blank=True)
    lang = serializers.CharField(required=False, allow_blank=True, max_length=10)

    def validate_fields(self, value):
        return {f.strip() for f in value.split(",") if f.strip()}
