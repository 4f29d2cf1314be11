"""Query counts: a list costs the same whatever its page size, a tracking whatever its history."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracking.choices import Subtag
from tracking.models import Shipment
from tracking.tests.api.support import days_ago, ok, url

THROTTLE_TABLE = "shipdesk_throttlewindow"  # the throttle's counter (one upsert a request)
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture
def busy(make_shipment, add_checkpoint):
    """60 trackings, each with 3 checkpoints, 2 e-mail and 1 SMS subscribers."""
    shipments = []
    for n in range(60):
        shipment = make_shipment(
            now=days_ago(n),
            emails=[f"a{n}@example.com", f"b{n}@example.com"],
            smses=["+18555072509"],
        )
        for hours, subtag in ((72, Subtag.INFO_RECEIVED_001), (48, Subtag.IN_TRANSIT_002),
                              (24, Subtag.IN_TRANSIT_001)):  # fmt: skip
            add_checkpoint(shipment, when=days_ago(n + hours / 24), subtag=subtag)
        shipments.append(shipment)
    return shipments


def queries(client, method, path, data=None) -> tuple[int, int, object]:
    """(all queries, queries outside the throttle's table, response) of one request."""
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, data)
    assert response.status_code < 300, response.content
    own = [
        q
        for q in captured.captured_queries
        if THROTTLE_TABLE not in q["sql"] and not q["sql"].startswith(SAVEPOINTS)
    ]
    return len(captured), len(own), response


@pytest.fixture
def warm(api, clock):
    """The key has been used in this second already: the throttle and last_used_at are warm."""
    ok(api.get(url("couriers")))
    return api


def test_list_queries_do_not_grow_with_the_page_size(warm, busy):
    small, small_own, response = queries(warm, "get", url("trackings"), {"limit": 5})
    assert len(ok(response)["trackings"]) == 5
    large, large_own, response = queries(warm, "get", url("trackings"), {"limit": 50})
    data = ok(response)
    assert len(data["trackings"]) == 50
    assert all(len(t["checkpoints"]) == 3 and len(t["emails"]) == 2 for t in data["trackings"])

    # count, page ids, rows, subscribers, checkpoints; and the throttle (the key is in memory)
    assert small_own == large_own == 5
    assert small == large == 6


def test_deep_pages_and_filters_cost_the_same(warm, busy):
    def page(**params):
        total, own, response = queries(warm, "get", url("trackings"), {"limit": 10, **params})
        return (total, own), len(ok(response)["trackings"])

    first, first_size = page(page=1)
    deep, deep_size = page(page=6)
    filtered, filtered_size = page(keyword="9400 1118", tag="Pending", slug="usps")
    past_the_end, past_the_end_size = page(page=99)

    assert (first_size, deep_size, filtered_size, past_the_end_size) == (10, 10, 10, 0)
    assert first == deep == filtered
    assert past_the_end[1] <= first[1]


def test_detail_queries_do_not_grow_with_the_history(warm, make_shipment, add_checkpoint):
    short = make_shipment(emails=["a@example.com"])
    add_checkpoint(short)
    long = make_shipment(emails=[f"{n}@example.com" for n in range(3)], smses=["+18555072509"])
    for n in range(30):
        add_checkpoint(long, when=days_ago(n))

    for path in ("trackings/{}", "last_checkpoint/{}", "notifications/{}"):
        counts = [queries(warm, "get", url(path.format(s.public_id)))[:2] for s in (short, long)]
        assert counts[0] == counts[1], path
        counts = [
            queries(warm, "get", url(path.format(f"usps/{s.tracking_number}")))[:2]
            for s in (short, long)
        ]
        assert counts[0] == counts[1], path

    ContentType.objects.get_for_model(Shipment)  # the audit's, cached once per process
    updates = [
        queries(warm, "put", url("trackings", s.public_id), {"title": "New"})[:2]
        for s in (short, long)
    ]
    assert updates[0] == updates[1]
