"""What AfterShip 2026-07 requests carry, validated and read into the services' own arguments.

The bodies are flat (no `tracking` wrapper); `customers[]` stands for 2024-04's emails, smses
and customer name; `*_country_region` for `*_country_iso3`; the promised delivery date is an
object with its range.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shipdesk.jsontypes import JSONTypesMixin
from tracking.api import serializers as s
from tracking.api.versions.countries import ALPHA3
from tracking.choices import CompletedReason
from tracking.services.shipments import MAX_SUBSCRIBERS

MAX_CUSTOMERS = MAX_SUBSCRIBERS
TEXT_FIELDS = {
    name: length
    for name, length in s.TEXT_FIELDS.items()
    if name not in {"customer_name", "tracking_postal_code", "tracking_state"}
}
COUNTRY_FIELDS = {
    "origin_country_region": "origin_country_iso3",
    "destination_country_region": "destination_country_iso3",
}
DELIVERY_TYPES = ["pickup_at_store", "door_to_door", "pickup_at_courier"]
PHONE_PATTERN = r"^\+?[0-9 ()\-]{6,20}$"


def _any_case(code: str) -> str:
    return "".join(f"[{c}{c.lower()}]" for c in code)


# The codes in any case, blank allowed: what the field takes, as a pattern the schema states.
COUNTRY_PATTERN = "^(" + "|".join(_any_case(code) for code in sorted(ALPHA3)) + ")?$"


@extend_schema_field({"type": "string", "pattern": COUNTRY_PATTERN})
class CountryRegionField(serializers.CharField):
    """An ISO 3166-1 alpha-3 code (any case), e.g. USA."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data).upper()
        if value and value not in ALPHA3:
            raise serializers.ValidationError(
                f"{data!r} is not an ISO 3166-1 alpha-3 country/region code (e.g. USA)."
            )
        return value


class CustomerSerializer(JSONTypesMixin, serializers.Serializer):
    role = serializers.CharField(max_length=50, required=False, allow_null=True, allow_blank=True)
    name = serializers.CharField(max_length=255, required=False, allow_null=True, allow_blank=True)
    phone_number = serializers.RegexField(
        PHONE_PATTERN,
        required=False,
        allow_null=True,
        error_messages={"invalid": "Must be a phone number, e.g. +18555072509."},
    )
    email = serializers.EmailField(max_length=254, required=False, allow_null=True)
    language = serializers.CharField(
        max_length=10, required=False, allow_null=True, allow_blank=True
    )
    id = serializers.CharField(max_length=128, required=False, allow_null=True, allow_blank=True)


class PromisedDateSerializer(JSONTypesMixin, serializers.Serializer):
    promised_delivery_date = serializers.DateField(
        required=False, allow_null=True, input_formats=["%Y-%m-%d"]
    )
    promised_delivery_date_min = serializers.DateField(
        required=False, allow_null=True, input_formats=["%Y-%m-%d"]
    )
    promised_delivery_date_max = serializers.DateField(
        required=False, allow_null=True, input_formats=["%Y-%m-%d"]
    )


class TrackingFieldsSerializer(JSONTypesMixin, serializers.Serializer):
    """The fields a partner may set on create and update (2026-07 names)."""

    order_date = serializers.DateTimeField(required=False, allow_null=True)
    order_promised_delivery_date = PromisedDateSerializer(required=False, allow_null=True)
    custom_fields = serializers.DictField(required=False, allow_null=True)
    shipment_tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50
    )
    customers = serializers.ListField(
        child=CustomerSerializer(),
        required=False,
        max_length=MAX_CUSTOMERS,
        error_messages={"max_length": f"At most {MAX_CUSTOMERS} customers are allowed."},
    )
    shipment_direction = serializers.ChoiceField(
        ["forward", "return"], required=False, allow_null=True
    )
    delivery_type = serializers.ChoiceField(DELIVERY_TYPES, required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        for name, length in TEXT_FIELDS.items():
            if name not in fields:
                fields[name] = serializers.CharField(
                    max_length=length, required=False, allow_blank=True, allow_null=True
                )
        for name in COUNTRY_FIELDS:
            fields[name] = CountryRegionField(required=False, allow_blank=True, allow_null=True)
        return fields

    def validate(self, attrs):
        """The services' arguments: shipdesk's own column names."""
        out = {}
        for name, value in attrs.items():
            if name in COUNTRY_FIELDS:
                out[COUNTRY_FIELDS[name]] = value or ""
            elif name in TEXT_FIELDS or name in {"delivery_type", "shipment_direction"}:
                out[name] = value or ""
            elif name == "shipment_tags":
                out[name] = value or []
            elif name == "order_promised_delivery_date":
                value = value or {}
                out["order_promised_delivery_date"] = value.get("promised_delivery_date")
                out["order_promised_delivery_date_min"] = value.get("promised_delivery_date_min")
                out["order_promised_delivery_date_max"] = value.get("promised_delivery_date_max")
            elif name == "customers":
                out.update(_customers(value))
            else:
                out[name] = value
        return out


def _customers(items: list[dict]) -> dict:
    """customers[] as shipdesk keeps them: the list as sent, the addresses notified, the first
    name as the shipment's customer name."""
    kept = [
        {key: item.get(key) or None for key in CustomerSerializer._declared_fields}
        for item in items
    ]
    emails = list(dict.fromkeys(c["email"] for c in kept if c["email"]))
    smses = list(dict.fromkeys(c["phone_number"] for c in kept if c["phone_number"]))
    names = [c["name"] for c in kept if c["name"]]
    return {
        "customers": kept,
        "emails": emails,
        "smses": smses,
        "customer_name": names[0] if names else "",
    }


@extend_schema_field({"type": "string", "maxLength": 200, "pattern": s.TRACKING_NUMBER_PATTERN})
class TrackingNumberField(s.TrackingNumberField):
    pass


class TrackingCreateSerializer(TrackingFieldsSerializer):
    tracking_number = TrackingNumberField(max_length=200, trim_whitespace=True)
    slug = s.CourierSlugField(required=False, allow_blank=True, allow_null=True)

    validate_tracking_number = s.TrackingCreateSerializer.validate_tracking_number
    validate_slug = s.TrackingCreateSerializer.validate_slug


class TrackingUpdateSerializer(TrackingFieldsSerializer):
    slug = s.CourierSlugField(required=False, allow_blank=True, allow_null=True)

    validate_slug = s.TrackingCreateSerializer.validate_slug

    def validate(self, attrs):
        attrs.pop("slug", None)  # USPS is the only courier: a valid slug changes nothing
        return super().validate(attrs)


class MarkCompletedSerializer(JSONTypesMixin, serializers.Serializer):
    reason = serializers.ChoiceField(CompletedReason.values)
    event_datetime = serializers.DateTimeField(required=False, allow_null=True)


class DetectSerializer(JSONTypesMixin, serializers.Serializer):
    tracking_number = serializers.CharField(max_length=200)
    slug = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Only detect among these courier slugs.",
    )
    destination_postal_code = serializers.CharField(required=False, allow_blank=True)
    tracking_ship_date = serializers.CharField(required=False, allow_blank=True)
    tracking_account_number = serializers.CharField(required=False, allow_blank=True)
    tracking_key = serializers.CharField(required=False, allow_blank=True)
    destination_state = serializers.CharField(required=False, allow_blank=True)
    slug_group = serializers.CharField(required=False, allow_blank=True)
    origin_country_region = CountryRegionField(required=False, allow_blank=True)
    destination_country_region = CountryRegionField(required=False, allow_blank=True)


class ListQuerySerializer(s.ListQuerySerializer):
    """2024-04's filters with a cursor in place of the page number."""

    quick_fields = ("limit",)
    page = None
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    shipment_tags = serializers.CharField(required=False, allow_blank=True)
    courier_destination_country_region = serializers.CharField(required=False, allow_blank=True)
    transit_time = serializers.IntegerField(required=False, min_value=0)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs["shipment_tags"] = [
            t.strip() for t in attrs.get("shipment_tags", "").split(",") if t.strip()
        ]
        attrs["courier_destination_country_region"] = [
            v.strip().upper()
            for v in attrs.get("courier_destination_country_region", "").split(",")
            if v.strip()
        ]
        return attrs
