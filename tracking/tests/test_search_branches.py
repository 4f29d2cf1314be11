"""The agents' search picked branch by branch (tracking.selectors.BranchRows on PostgreSQL):
the same pages, in the same order, as one query over the OR of the branches."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tracking.models import Shipment
from tracking.numbers import with_impb_check_digit
from tracking.selectors import (
    SORTS,
    _indexed_keyword_q,
    keyword_branches,
    shipments_count,
    shipments_page,
)
from tracking.services.shipments import shipment_create

NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
NAMES = ["Grace Hopper", "Grace Howard", "Grace Hughes", "Hana Green", "Grace Hopper"]


@pytest.fixture
def shipments(partner):
    made = []
    for i in range(23):
        number = with_impb_check_digit(f"9400111899{i:011d}")
        shipment = shipment_create(partner=partner, tracking_number=number)
        made.append(shipment.pk)
        Shipment.objects.filter(pk=shipment.pk).update(
            customer_name=NAMES[i % len(NAMES)],
            title="Grace Hotel order" if i % 7 == 0 else "Order",
            # Ties on purpose: the primary key must break them the same way.
            updated_at=NOW - timedelta(hours=i // 3),
            created_at=NOW - timedelta(days=i % 4),
            order_promised_delivery_date=None if i % 3 else date(2026, 3, 1 + i % 5),
            order_id="Grace Ho" if i == 11 else f"ORD-{i}",
        )
    return made


def walk(sort: str, branches, size: int = 4) -> list[list[int]]:
    """Every page, following Next cursors, then back with Previous from the last one."""
    key = SORTS[sort].key
    pages, page = (
        [],
        shipments_page(Shipment.objects.all(), sort=sort, size=size, branches=branches),
    )
    pages.append([r.id for r in page.rows])
    while page.next_cursor:
        after = key.decode(page.next_cursor, Shipment)
        page = shipments_page(
            Shipment.objects.all(), sort=sort, size=size, branches=branches, after=after
        )
        pages.append([r.id for r in page.rows])
    while page.previous_cursor:
        before = key.decode(page.previous_cursor, Shipment)
        page = shipments_page(
            Shipment.objects.all(), sort=sort, size=size, branches=branches, before=before
        )
        pages.append([r.id for r in page.rows])
    offset = shipments_page(
        Shipment.objects.all(), sort=sort, size=size, branches=branches, offset=size
    )
    pages.append([r.id for r in offset.rows])
    return pages


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_pages_by_branch_are_the_pages_of_the_or(shipments, sort):
    keyword = "grace ho"
    expected = list(
        Shipment.objects.filter(_indexed_keyword_q(keyword))
        .order_by(*SORTS[sort].key.ordering())
        .values_list("id", flat=True)
    )
    assert len(expected) > 10  # names, a title and an order id match

    pages = walk(sort, keyword_branches(keyword))

    forward = [pk for page in pages[: -(-len(expected) // 4)] for pk in page]
    assert forward == expected
    assert pages[-1] == expected[4:8]
    assert pages == walk_or(sort, keyword)


def walk_or(sort: str, keyword: str) -> list[list[int]]:
    filtered = Shipment.objects.filter(_indexed_keyword_q(keyword))
    key = SORTS[sort].key
    pages, page = [], shipments_page(filtered, sort=sort, size=4)
    pages.append([r.id for r in page.rows])
    while page.next_cursor:
        page = shipments_page(
            filtered, sort=sort, size=4, after=key.decode(page.next_cursor, Shipment)
        )
        pages.append([r.id for r in page.rows])
    while page.previous_cursor:
        before = key.decode(page.previous_cursor, Shipment)
        page = shipments_page(filtered, sort=sort, size=4, before=before)
        pages.append([r.id for r in page.rows])
    pages.append([r.id for r in shipments_page(filtered, sort=sort, size=4, offset=4).rows])
    return pages


def test_the_count_by_branch_counts_each_shipment_once(shipments):
    branches = keyword_branches("Grace Ho")
    total = Shipment.objects.filter(_indexed_keyword_q("Grace Ho")).count()

    assert shipments_count(Shipment.objects.all(), 1000, branches=branches) == total
    assert shipments_count(Shipment.objects.all(), 5, branches=branches) == 6


def test_a_page_by_branch_takes_a_fixed_number_of_queries(shipments, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the branches, the page's rows, their checkpoints
        page = shipments_page(
            Shipment.objects.all(), sort="updated", size=25, branches=keyword_branches("Grace")
        )
    assert len(page.rows) == 19
