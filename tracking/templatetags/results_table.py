"""Template filters of the search page and its result table, cheap per row."""

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


@register.filter
def options(bound_field) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of a choice field, read once: a select written out in the
    template costs a fraction of Django's widget templates (one include per option)."""
    current = bound_field.value()
    current = "" if current is None else str(current)
    return [(str(v), label, str(v) == current) for v, label in bound_field.field.choices]
