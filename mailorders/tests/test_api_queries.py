"""Lists cost a fixed number of queries, however many orders a page holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import FROM, TO, ok, url

# Key look-up, throttle count (and clean-up), list count, page (orders with their contacts and
# bank account).
LIST_QUERIES = 6


def count_queries(client, path, **params) -> tuple[int, dict]:
    """Queries on print-mail tables (the key and throttle queries vary by one with the clock's
    second: the first request of a second clears the key's older throttle window)."""
    with CaptureQueriesContext(connection) as ctx:
        body = ok(client.get(path, params))
    return sum('"mailorders_' in q["sql"] for q in ctx.captured_queries), body


@pytest.fixture
def bank(api):
    return ok(api.post(url("bank_accounts"), {"bankName": "CIBC", "accountNumber": "12345678"}))


def make(api, resource: str, bank: dict, n: int) -> None:
    bodies = {
        "letters": {"to": TO, "from": FROM, "html": "<p>x</p>"},
        "postcards": {"to": TO, "frontHTML": "<p>f</p>", "backHTML": "<p>b</p>"},
        "self_mailers": {"to": TO, "from": FROM, "insideHTML": "i", "outsideHTML": "o"},
        "cheques": {"to": TO, "from": FROM, "bankAccount": bank["id"], "amount": 100},
    }
    for index in range(n):
        ok(api.post(url(resource), {**bodies[resource], "description": f"n{index}"}))


@pytest.mark.parametrize("resource", ["letters", "postcards", "self_mailers", "cheques"])
def test_a_list_page_costs_the_same_for_2_or_9_orders(
    api, bank, resource, django_assert_max_num_queries
):
    make(api, resource, bank, 2)
    api.get(url(resource))  # the key's last use is recorded once a minute, not on every call
    small, body = count_queries(api, url(resource))
    assert body["totalCount"] == 2
    make(api, resource, bank, 7)
    api.get(url(resource))
    with django_assert_max_num_queries(LIST_QUERIES):
        large, body = count_queries(api, url(resource), limit=9)
    assert len(body["data"]) == 9
    assert small == large == 2  # the count, and the page with its contacts (and bank)


@pytest.mark.parametrize("resource", ["contacts", "templates", "bank_accounts"])
def test_resource_lists_cost_a_fixed_number_of_queries(
    api, resource, django_assert_max_num_queries
):
    for index in range(5):
        payloads = {
            "contacts": {**TO, "firstName": f"Ada{index}"},
            "templates": {"html": f"<p>{index}</p>"},
            "bank_accounts": {"bankName": f"Bank {index}", "accountNumber": "12345678"},
        }
        ok(api.post(url(resource), payloads[resource]))
    api.get(url(resource))
    with django_assert_max_num_queries(LIST_QUERIES):
        body = ok(api.get(url(resource)))
    assert body["totalCount"] == 5
