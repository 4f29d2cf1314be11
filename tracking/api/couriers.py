"""The couriers shipdesk tracks, in AfterShip's courier shape."""

from rest_framework import serializers

from shipdesk.api import PartnerAPIView, aftership_response
from tracking import numbers
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


def couriers_answer(slugs):
    couriers = [COURIERS[slug] for slug in slugs]
    return aftership_response({"total": len(couriers), "couriers": couriers})


class CourierListView(PartnerAPIView):
    def get(self, request):
        return couriers_answer(SUPPORTED_SLUGS)


class DetectSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=200)
    slug = serializers.ListField(child=serializers.CharField(), required=False)


class CourierDetectView(PartnerAPIView):
    def post(self, request):
        from tracking.api.views import _body, _validated

        data = _validated(DetectSerializer, _body(request, "tracking"))
        detected = numbers.detect_slugs(data["tracking_number"])
        if data.get("slug"):
            detected = [s for s in detected if s in data["slug"]]
        return couriers_answer([s for s in detected if s in COURIERS])
