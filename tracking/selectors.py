"""Reads about shipments."""

import json

from django.db.models import Count, Q

from tracking.choices import Tag
from tracking.models import Shipment, Subscriber
from tracking.numbers import normalize


def tag_counts() -> list[dict]:
    """Every tag with its number of shipments (zero included), in lifecycle order."""
    counts = dict(Shipment.objects.order_by().values_list("tag").annotate(n=Count("id")))
    return [{"tag": tag, "label": tag.label, "count": counts.get(tag.value, 0)} for tag in Tag]


def trackings_filter(qs, params: dict):
    """Apply the AfterShip list filters (validated by ListQuerySerializer) to a queryset."""
    keyword = params.get("keyword", "").strip()
    if keyword:
        qs = qs.filter(keyword_q(keyword))
    if params.get("tag"):
        qs = qs.filter(tag__in=params["tag"])
    if params.get("slug"):
        qs = qs.filter(slug__in=params["slug"])
    if params.get("origin"):
        qs = qs.filter(origin_country_iso3__in=params["origin"])
    if params.get("destination"):
        qs = qs.filter(destination_country_iso3__in=params["destination"])
    for name, lookup in (
        ("created_at_min", "created_at__gte"),
        ("created_at_max", "created_at__lte"),
        ("updated_at_min", "updated_at__gte"),
        ("updated_at_max", "updated_at__lte"),
    ):
        if params.get(name):
            qs = qs.filter(**{lookup: params[name]})
    if params.get("order_id"):
        qs = qs.filter(order_id=params["order_id"])
    if params.get("tracking_numbers"):
        qs = qs.filter(tracking_number__in=params["tracking_numbers"])
    if params.get("return_to_sender") is not None:
        qs = qs.filter(return_to_sender=params["return_to_sender"])
    return qs


def keyword_q(keyword: str) -> Q:
    """Tracking number (exact or prefix), title, order id/number, customer, custom fields,
    e-mails and phone numbers."""
    number = normalize(keyword)
    q = (
        Q(order_id=keyword)
        | Q(order_number=keyword)
        | Q(title__icontains=keyword)
        | Q(customer_name__icontains=keyword)
        | Q(id__in=Subscriber.objects.filter(address__iexact=keyword).values("shipment_id"))
    )
    if number:  # a keyword of dashes and spaces only would be a prefix of every number
        q |= Q(tracking_number__startswith=number)
    if len(keyword) >= 3:
        q |= Q(custom_fields__icontains=keyword)
        # SQLite keeps JSON as text with non-ASCII characters escaped (`\u00e9`) and quotes
        # escaped everywhere: search that spelling too.
        escaped = json.dumps(keyword)[1:-1]
        if escaped != keyword:
            q |= Q(custom_fields__icontains=escaped)
    return q
