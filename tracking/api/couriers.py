"""The couriers shipdesk tracks, in AfterShip's courier shape."""

from rest_framework import serializers

from shipdesk.api import aftership_response
from shipdesk.jsontypes import JSONTypesMixin
from tracking import numbers
from tracking.api import schema as doc
from tracking.api.schema import v2026_07 as v2026
from tracking.api.versions import input_2026_07 as i
from tracking.api.views import VersionedView
from tracking.carriers.registry import SUPPORTED_SLUGS

COURIERS = {
    "usps": {
        "slug": "usps",
        "name": "USPS",
        "phone": "+1 800-275-8777",
        "other_name": "United States Postal Service",
        "web_url": "https://www.usps.com",
        "required_fields": [],
        "optional_fields": ["tracking_postal_code", "tracking_ship_date"],
        "default_language": "en",
        "support_languages": ["en"],
        "service_from_country_iso3": ["USA"],
    }
}
COURIERS_TAGS = ["Couriers"]


class CourierListView(VersionedView):
    schema = doc.PartnerAutoSchema()

    @doc.version_operation(
        "2026-07", responses=v2026.responses(v2026.CourierListResponse, 401, 429)
    )
    @doc.operation(
        operation_id="getUserCouriers",
        summary="Get the partner's couriers",
        tags=COURIERS_TAGS,
        responses=doc.responses(doc.CourierListResponse, 401, 429),
    )
    def get(self, request):
        return aftership_response(self.version.couriers(SUPPORTED_SLUGS))


class AllCouriersView(CourierListView):
    @doc.operation(
        operation_id="getAllCouriers",
        summary="Get all couriers",
        description="Every courier shipdesk can track.",
        tags=COURIERS_TAGS,
        responses=doc.responses(doc.CourierListResponse, 401, 429),
    )
    def get(self, request):
        return aftership_response(self.version.couriers(SUPPORTED_SLUGS))


class DetectSerializer(JSONTypesMixin, serializers.Serializer):
    tracking_number = serializers.CharField(max_length=200)
    slug = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Only detect among these courier slugs.",
    )


DetectBody = doc.request_body(
    "DetectCourierBody",
    "tracking",
    DetectSerializer,
    "The tracking number to detect a courier for. Also accepted without the `tracking` wrapper.",
)


class CourierDetectView(VersionedView):
    schema = doc.PartnerAutoSchema()

    @doc.version_operation(
        "2026-07",
        request=i.DetectSerializer,
        responses=v2026.responses(v2026.CourierListResponse, 400, 401, 415, 429),
    )
    @doc.operation(
        operation_id="detectCourier",
        summary="Detect the courier of a tracking number",
        description="The couriers whose number formats match (empty when none is sure).",
        tags=COURIERS_TAGS,
        request=DetectBody,
        responses=doc.responses(doc.CourierListResponse, 400, 401, 415, 429),
    )
    def post(self, request):
        data = self.version.detect_input(request)
        detected = numbers.detect_slugs(data["tracking_number"])
        wanted = {slug.lower() for slug in data.get("slug", []) if slug}
        if wanted:
            detected = [s for s in detected if s in wanted]
        return aftership_response(self.version.couriers(detected))
