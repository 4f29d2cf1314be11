"""The shipment page's proof-of-delivery panel: what may be offered, and what was asked."""

from django import template

from tracking.choices import Tag
from tracking.pod.eligibility import pod_options

register = template.Library()

REQUESTS_SHOWN = 5


@register.simple_tag
def pod_panel(shipment, checkpoints=()) -> dict:
    """`{% pod_panel shipment checkpoints as pod %}`: pod.options and pod.requests (newest
    first). The page's checkpoints (newest first) spare the query for the delivery event."""
    delivery = next((c for c in checkpoints if c.tag == Tag.DELIVERED), None)
    return {
        "options": pod_options(shipment, delivery=delivery),
        "requests": list(shipment.pod_requests.all()[:REQUESTS_SHOWN]),
    }
