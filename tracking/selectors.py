"""Reads about shipments."""

from django.db.models import Count

from tracking.choices import Tag
from tracking.models import Shipment


def tag_counts() -> list[dict]:
    """Every tag with its number of shipments (zero included), in lifecycle order."""
    counts = dict(Shipment.objects.order_by().values_list("tag").annotate(n=Count("id")))
    return [{"tag": tag, "label": tag.label, "count": counts.get(tag.value, 0)} for tag in Tag]
