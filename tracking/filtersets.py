"""Which shipments a list shows: the agents' search today, admin where it fits.

`shipments_filter` takes what tracking.forms.ShipmentSearchForm cleaned; each condition is
one an index serves on a million rows (see tracking.selectors.keyword_q with indexed=True).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from shipdesk.models import Partner
from tracking.selectors import keyword_branches, keyword_q

ACTIVE, INACTIVE = "active", "inactive"


def shipments_filter(
    qs: QuerySet,
    *,
    q: str = "",
    tag: str = "",
    carrier: str = "",
    partner: Partner | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    updated_from: date | None = None,
    updated_to: date | None = None,
    state: str = "",
) -> QuerySet:
    """Shipments matching every given condition; empty ones are ignored. Date ranges include
    both ends, whole days in the site's time zone."""
    if q.strip():
        qs = qs.filter(keyword_q(q, indexed=True))
    if tag:
        qs = qs.filter(tag=tag)
    if carrier:
        qs = qs.filter(slug=carrier)
    if partner is not None:
        qs = qs.filter(partner=partner)
    for name, start, end in (
        ("created_at", created_from, created_to),
        ("updated_at", updated_from, updated_to),
    ):
        if start:
            qs = qs.filter(**{f"{name}__gte": _day_start(start)})
        if end:
            qs = qs.filter(**{f"{name}__lt": _day_start(end + timedelta(days=1))})
    if state:
        qs = qs.filter(active=state == ACTIVE)
    return qs


def shipments_search(qs: QuerySet, *, q: str = "", **filters) -> tuple[QuerySet, list[Q]]:
    """shipments_filter's conditions but the search box's, and the search box's alternatives
    (keyword_branches) apart: the result page picks its rows branch by branch
    (tracking.selectors.shipments_page, shipments_count)."""
    return shipments_filter(qs, **filters), keyword_branches(q) if q.strip() else []


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
