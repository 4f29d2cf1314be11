"""Template filters of the shipment page: event times in their own zone, estimate confidence."""

from django import template

from tracking import edd
from tracking.zones import event_time_label, us_state

register = template.Library()

CONFIDENCE = {
    edd.CODE_HIGHEST: "highest confidence",
    edd.CODE_HIGH: "high confidence",
    edd.CODE_RANGE_HIGH: "high confidence in the range, medium in the likely date",
    edd.CODE_VOLATILE: "low confidence: transit times on this lane vary widely",
    edd.CODE_FEW_DATA: "low confidence: too little delivery history (the carrier's date, USPS's "
    "standard or the usual transit for the distance)",
    edd.CODE_IMPRECISE_ADDRESS: "low confidence: the address is not precise enough",
}


@register.filter
def event_time(checkpoint) -> str:
    """When the carrier saw it, in the event's own zone: `Nov 20, 2026 14:05 CST (UTC-06:00)`."""
    return event_time_label(
        checkpoint.checkpoint_time,
        checkpoint.utc_offset_minutes,
        us_state(checkpoint.state, checkpoint.country_iso3),
    )


@register.filter
def confidence(code: int | None) -> str:
    if code is None:
        return ""
    return CONFIDENCE.get(code, f"confidence code {code}")
