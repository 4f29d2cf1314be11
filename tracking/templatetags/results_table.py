"""Template filters of the result table (templates/tracking/_results.html), cheap per row."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def age(when) -> str:
    """How long ago, in its largest whole unit: "3 d", "5 h", "12 min", "now"."""
    if when is None:
        return ""
    seconds = (timezone.now() - when).total_seconds()
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return "now"
