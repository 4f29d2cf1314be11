"""Names people read for a shipping label's stored values (the shipment page's label section)."""

from django import template

from mailorders.choices import LabelServiceType

register = template.Library()

SERVICE_NAMES = dict(LabelServiceType.choices)


@register.filter
def label_service(service_type: str) -> str:
    """`usps-discounted_priority_mail` → `Priority Mail` (the stored value when unknown)."""
    return SERVICE_NAMES.get(service_type, service_type)
