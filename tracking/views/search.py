"""Find a shipment: one box and a few filters, results paged by cursor (tracking.selectors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from django.shortcuts import render

from shipdesk.roles import agent_required
from tracking import selectors
from tracking.filtersets import shipments_search
from tracking.forms import OFFSET_LIMIT, PAGE_SIZES, ResultPageForm, ShipmentSearchForm
from tracking.models import Shipment

# Numbered page links: this many either side of the current page.
PAGE_WINDOW = 3


@agent_required
def search(request):
    form = ShipmentSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "tracking/search.html", {"form": form}, status=400)
    qs, branches = shipments_search(Shipment.objects.all(), **form.filters())
    context = {"form": form, **results(request, form, qs, branches=branches)}
    return render(request, "tracking/search.html", context)


def results(request, form: ResultPageForm, qs, *, branches=None) -> dict:
    """The result table's context (`_results.html`): a page of shipments and its pager; with
    `branches` (tracking.filtersets.shipments_search), the shipments of `qs` matching any."""
    data = form.cleaned_data
    position = form.position()
    page = selectors.shipments_page(
        qs, sort=data["sort"], size=data["size"], branches=branches, **position
    )
    if position.get("offset") == 0 and not page.next_cursor:
        total = len(page.rows)  # the first page holds them all: nothing more to count
    else:
        total = selectors.shipments_count(qs, OFFSET_LIMIT, branches=branches)
    return {"page": page, "pager": Pager.build(request, page, data, total)}


@dataclass
class Pager:
    number: int
    total: int
    total_capped: bool
    first_url: str | None = None
    previous_url: str | None = None
    next_url: str | None = None
    numbers: list[tuple[int, str | None]] = field(default_factory=list)
    sizes: list[tuple[int, str | None]] = field(default_factory=list)

    @classmethod
    def build(cls, request, page, data: dict, total: int) -> Pager:
        size = data["size"]
        # The page number only labels a cursor page: never below 2 when one comes before.
        number = max(data["page"], 2) if page.previous_cursor else 1
        pager = cls(
            number=number, total=min(total, OFFSET_LIMIT), total_capped=total > OFFSET_LIMIT
        )

        def url(**params) -> str:
            query = request.GET.copy()
            for name in ("after", "before", "page"):
                query.pop(name, None)
            for name, value in params.items():
                query[name] = value
            return "?" + query.urlencode()

        if page.previous_cursor:
            pager.first_url = url()
            pager.previous_url = url(before=page.previous_cursor, page=number - 1)
        if page.next_cursor:
            pager.next_url = url(after=page.next_cursor, page=number + 1)
        if not pager.total_capped:  # every page is within the cheap OFFSET range
            last = max(1, ceil(total / size))
            low, high = max(1, number - PAGE_WINDOW), min(last, number + PAGE_WINDOW)
            pager.numbers = [
                (n, None if n == number else url(page=n)) for n in range(low, high + 1)
            ]
        pager.sizes = [(n, None if n == size else url(size=n)) for n in PAGE_SIZES]
        return pager
