"""The agents' search and needs-attention pages through Django's test client."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tracking.choices import Subtag, Tag
from tracking.models import Checkpoint, Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.shipments import shipment_create

SEARCH = reverse("shipment-search")
ATTENTION = reverse("attention")


def number(i: int) -> str:
    return with_impb_check_digit(f"9400111899223{i:08d}")


N1 = number(1)
SPACED = f" {N1[:4]} {N1[4:8]}-{N1[8:12]} {N1[12:16]}  {N1[16:20]} - {N1[20:]} "


def set_tag(shipment, subtag: Subtag, **fields):
    Shipment.objects.filter(pk=shipment.pk).update(
        tag=subtag.tag, subtag=subtag, subtag_message=subtag.label, **fields
    )


@pytest.fixture
def desk(partner, other_partner):
    """Five named shipments over two partners, with checkpoints and subscribers."""
    now = timezone.now()
    rows = {
        "jane": shipment_create(
            partner=partner,
            tracking_number=number(1),
            customer_name="Jane Doe",
            order_id="ORD-1001",
            order_number="#1001",
            title="Blue iPhone case",
            emails=["Jane.Doe@example.com"],
            smses=["+15555550101"],
        ),
        "janet": shipment_create(
            partner=partner,
            tracking_number=number(2),
            customer_name="janet smith",
            order_id="ORD-1002",
        ),
        "bob": shipment_create(
            partner=other_partner,
            tracking_number=number(3),
            customer_name="Bob Stone",
            order_number="#2001",
            emails=["bob@example.com"],
        ),
        "zoe": shipment_create(
            partner=other_partner, tracking_number="EC123456785US", customer_name="Zoë Winter"
        ),
        "old": shipment_create(
            partner=partner,
            tracking_number=number(5),
            customer_name="Olga Old",
            order_promised_delivery_date=date(2020, 1, 10),
        ),
    }
    # Distinct, known creation and update times: jane newest ... old oldest.
    for age, shipment in enumerate(rows.values()):
        when = now - timedelta(days=age * 10)
        Shipment.objects.filter(pk=shipment.pk).update(created_at=when, updated_at=when)
    set_tag(rows["bob"], Subtag.EXCEPTION_007)
    set_tag(rows["old"], Subtag.DELIVERED_001, active=False)
    Checkpoint.objects.create(
        shipment=rows["jane"],
        event_key="a",
        checkpoint_time=now - timedelta(hours=5),
        utc_offset_minutes=-360,
        message="Arrived at USPS Regional Facility",
        tag=Tag.IN_TRANSIT,
        subtag=Subtag.IN_TRANSIT_003,
        subtag_message="Arrival scan",
        city="CHICAGO",
        state="IL",
    )
    Checkpoint.objects.create(
        shipment=rows["jane"],
        event_key="b",
        checkpoint_time=now - timedelta(hours=2),
        utc_offset_minutes=-360,
        message="Out for Delivery",
        tag=Tag.OUT_FOR_DELIVERY,
        subtag=Subtag.OUT_FOR_DELIVERY_001,
        subtag_message="Out for delivery",
        city="CHICAGO",
        state="IL",
    )
    return {name: Shipment.objects.get(pk=s.pk) for name, s in rows.items()}


def found(response) -> list[str]:
    assert response.status_code == 200, response.content[:2000]
    return [s.customer_name for s in response.context["page"].rows]


# Who may see the pages


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SEARCH, ATTENTION])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SEARCH, ATTENTION])
def test_a_user_without_a_role_gets_the_403_page(client, django_user_model, url):
    client.force_login(django_user_model.objects.create_user("visitor"))
    response = client.get(url)
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert (
        b"Not allowed" in response.content and b"Your role does not allow this." in response.content
    )
    assert b"Needs attention" not in response.content  # no workspace links in the nav


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["agent_user", "manager_user"])
def test_agents_and_managers_may_search(client, request, fixture, desk):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(SEARCH)
    assert len(found(response)) == 5
    nav = response.content.decode()
    assert 'href="/shipments/" aria-current="page">Search' in nav
    assert (">Admin</a>" in nav) == (fixture == "manager_user")


# The search box


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param(number(1), ["Jane Doe"], id="exact number"),
        pytest.param(SPACED, ["Jane Doe"], id="spaced"),
        pytest.param(
            number(1)[:12].lower(),
            ["Jane Doe", "janet smith", "Bob Stone", "Olga Old"],
            id="prefix",
        ),
        pytest.param("ec 123456785 us", ["Zoë Winter"], id="s10 lower-case"),
        pytest.param("ORD-1002", ["janet smith"], id="order id"),
        pytest.param("#2001", ["Bob Stone"], id="order number"),
        pytest.param("jane", ["Jane Doe", "janet smith"], id="name prefix"),
        pytest.param("JANE  d", ["Jane Doe"], id="name prefix, spaces"),
        pytest.param("doe", [], id="not inside a name"),
        pytest.param("zoë w", ["Zoë Winter"], id="accented name"),
        pytest.param("jane.doe@EXAMPLE.com", ["Jane Doe"], id="e-mail any case"),
        pytest.param("+1 555-555-0101", ["Jane Doe"], id="phone"),
        pytest.param("blue iph", ["Jane Doe"], id="title prefix"),
        pytest.param("100%_", [], id="LIKE wildcards are literal"),
        pytest.param("nobody@example.com", [], id="unknown e-mail"),
    ],
)
def test_the_search_box_finds(agent_client, desk, q, expected):
    assert found(agent_client.get(SEARCH, {"q": q})) == expected


@pytest.mark.django_db
def test_a_partner_public_id_selects_the_partner(agent_client, desk, other_partner):
    response = agent_client.get(SEARCH, {"partner": other_partner.public_id})
    assert found(response) == ["Bob Stone", "Zoë Winter"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "Exception"}, ["Bob Stone"]),
        ({"carrier": "usps"}, ["Jane Doe", "janet smith", "Bob Stone", "Zoë Winter", "Olga Old"]),
        ({"state": "inactive"}, ["Olga Old"]),
        ({"state": "active", "q": "olga"}, []),
        ({"q": "jane", "tag": "Pending"}, ["Jane Doe", "janet smith"]),
        ({"created_from": "DAYS-15", "created_to": "DAYS-5"}, ["janet smith"]),
        ({"updated_to": "DAYS-25"}, ["Zoë Winter", "Olga Old"]),
        ({"sort": "created"}, ["Jane Doe", "janet smith", "Bob Stone", "Zoë Winter", "Olga Old"]),
        ({"sort": "promised"}, ["Olga Old", "Jane Doe", "janet smith", "Bob Stone", "Zoë Winter"]),
    ],
)
def test_filters_and_sort(agent_client, desk, params, expected):
    today = timezone.localdate()
    params = {
        k: (today - timedelta(days=int(v[5:]))).isoformat() if v.startswith("DAYS-") else v
        for k, v in params.items()
    }
    assert found(agent_client.get(SEARCH, params)) == expected


@pytest.mark.django_db
def test_a_row_shows_status_last_checkpoint_in_its_zone_customer_order_and_partner(
    agent_client, desk, partner
):
    response = agent_client.get(SEARCH, {"q": "jane d"})
    html = response.content.decode()
    row = re.search(r"<tbody>(.*)</tbody>", html, re.S).group(1)
    jane = desk["jane"]
    assert f'href="/shipments/{jane.public_id}/"' in row
    assert jane.tracking_number in row
    assert 'class="badge tag-pending pill"' in row
    assert "Out for Delivery" in row and "Chicago, IL" in row
    local = (timezone.now() - timedelta(hours=2)).astimezone(timezone.get_fixed_timezone(-360))
    assert f"{local:%H:%M}" in row  # the event's own time, not the server's
    assert "#1001" in row and partner.name in row and "Jane Doe" in row
    assert '<td data-label="Age">now</td>' in row
    bob = agent_client.get(SEARCH, {"q": "bob"}).content.decode()
    assert '<td data-label="Age">20 d</td>' in bob and "No checkpoint yet" in bob


# Paging


@pytest.fixture
def many(partner):
    """60 shipments updated one minute apart: 'Customer 00' is the most recent."""
    now = timezone.now()
    for i in range(60):
        s = shipment_create(
            partner=partner, tracking_number=number(100 + i), customer_name=f"Customer {i:02d}"
        )
        when = now - timedelta(minutes=i)
        Shipment.objects.filter(pk=s.pk).update(updated_at=when, created_at=when)
    return [f"Customer {i:02d}" for i in range(60)]


def link(response, rel: str) -> str:
    pager = response.context["pager"]
    return {"next": pager.next_url, "prev": pager.previous_url, "first": pager.first_url}[rel]


@pytest.mark.django_db
def test_keyset_pages_forward_and_back_keep_the_query(agent_client, many):
    first = agent_client.get(SEARCH, {"q": "customer", "size": 25})
    assert found(first) == many[:25]
    assert link(first, "prev") is None and link(first, "first") is None
    assert "q=customer" in link(first, "next") and "size=25" in link(first, "next")

    second = agent_client.get(SEARCH + link(first, "next"))
    assert found(second) == many[25:50]
    assert second.context["pager"].number == 2
    third = agent_client.get(SEARCH + link(second, "next"))
    assert found(third) == many[50:]
    assert link(third, "next") is None

    back = agent_client.get(SEARCH + link(third, "prev"))
    assert found(back) == many[25:50]
    assert back.context["pager"].number == 2
    start = agent_client.get(SEARCH + link(back, "prev"))
    assert found(start) == many[:25]
    assert link(start, "prev") is None and start.context["pager"].number == 1
    assert found(agent_client.get(SEARCH + link(third, "first"))) == many[:25]


@pytest.mark.django_db
def test_a_cursor_link_without_a_page_number_still_pages_back(agent_client, many):
    first = agent_client.get(SEARCH, {"size": 25})
    bare = re.sub(r"&?page=\d+", "", link(first, "next"))
    second = agent_client.get(SEARCH + bare)
    assert found(second) == many[25:50] and second.context["pager"].number == 2
    assert found(agent_client.get(SEARCH + link(second, "prev"))) == many[:25]


@pytest.mark.django_db
def test_a_row_added_while_paging_does_not_shift_the_next_page(agent_client, many, partner):
    first = agent_client.get(SEARCH, {"size": 25})
    shipment_create(partner=partner, tracking_number=number(999), customer_name="Newcomer")
    assert found(agent_client.get(SEARCH + link(first, "next"))) == many[25:50]


@pytest.mark.django_db
def test_numbered_pages_and_page_sizes(agent_client, many):
    first = agent_client.get(SEARCH, {"size": 25})
    pager = first.context["pager"]
    assert pager.total == 60 and not pager.total_capped
    assert [n for n, _ in pager.numbers] == [1, 2, 3]
    assert [n for n, url in pager.sizes if url is None] == [25]
    page3 = agent_client.get(SEARCH + dict(pager.numbers)[3])
    assert found(page3) == many[50:]
    assert found(agent_client.get(SEARCH + link(page3, "prev"))) == many[25:50]
    big = agent_client.get(SEARCH + dict(pager.sizes)[100])
    assert found(big) == many and big.context["pager"].numbers == [(1, None)]
    assert b"60 shipments" in big.content


@pytest.mark.django_db
def test_a_large_result_is_counted_no_further_than_the_cap(agent_client, many, monkeypatch):
    monkeypatch.setattr("tracking.views.search.OFFSET_LIMIT", 40)
    response = agent_client.get(SEARCH, {"size": 25})
    pager = response.context["pager"]
    assert pager.total_capped and pager.numbers == []
    assert b"More than 40 shipments" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["updated", "created", "promised"])
def test_every_sort_pages_through_every_row_once(agent_client, many, sort):
    Shipment.objects.filter(customer_name__in=many[::3]).update(
        order_promised_delivery_date=date(2030, 1, 1)
    )
    Shipment.objects.filter(customer_name__in=many[1::3]).update(
        order_promised_delivery_date=date(2030, 1, 2)
    )
    seen, url = [], f"{SEARCH}?sort={sort}&size=25"
    while url:
        response = agent_client.get(url)
        seen += found(response)
        url = link(response, "next") and SEARCH + link(response, "next")
    assert sorted(seen) == many
    back, url = [], SEARCH + link(response, "prev")
    while url:
        response = agent_client.get(url)
        back = found(response) + back
        url = link(response, "prev") and SEARCH + link(response, "prev")
    assert back == seen[: len(back)] and len(back) == 50


# Bad input


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tag": "Lost"}, "Status: Select a valid choice."),
        ({"created_from": "yesterday"}, "Created from: Enter a valid date."),
        (
            {"updated_from": "2026-02-01", "updated_to": "2026-01-01"},
            "Updated to: Must be on or after updated from.",
        ),
        ({"size": "1000"}, "Per page: Select a valid choice."),
        ({"sort": "price"}, "Sort by: Select a valid choice."),
        ({"page": "0"}, "Page: Ensure this value is greater than or equal to 1."),
        ({"page": "x"}, "Page: Enter a whole number."),
        ({"page": "41", "size": "25"}, "Page 41 is past the first 1,000 results"),
        ({"after": "not-a-cursor"}, "This page link is no longer valid"),
        ({"after": "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHw1"}, None),  # a well-formed cursor: fine
        ({"after": "MjAyNi0wMS0wMXw1"}, "This page link is no longer valid"),  # no offset
        ({"before": "fHh8"}, "This page link is no longer valid"),
        ({"partner": "nope"}, "Partner: Select a valid choice."),
        ({"q": "x" * 201}, "Search: Ensure this value has at most 200 characters"),
        ({"q": "\x00"}, "Null characters are not allowed."),
    ],
)
def test_bad_query_values_get_a_message_not_a_500(agent_client, desk, params, message):
    response = agent_client.get(SEARCH, params)
    if message is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    text = response.content.decode().replace("&#x27;", "'")
    assert message in text
    assert 'role="alert"' in text and "page" not in response.context


@pytest.mark.django_db
def test_a_cursor_from_another_sort_is_refused(agent_client, many):
    first = agent_client.get(SEARCH, {"sort": "promised", "size": 25})
    Shipment.objects.update(order_promised_delivery_date=None)
    nxt = agent_client.get(SEARCH + link(first, "next"))
    assert found(nxt) == many[25:50]  # all promised dates empty now: still in id order
    tampered = link(first, "next").replace("sort=promised", "sort=updated")
    assert agent_client.get(SEARCH + tampered).status_code == 400


# Query counts


@pytest.mark.django_db
@pytest.mark.parametrize("size", [25, 100])
def test_the_search_page_costs_the_same_queries_whatever_the_page_size(
    agent_client, partner, django_assert_num_queries, size
):
    now = timezone.now()
    for i in range(110):
        s = shipment_create(partner=partner, tracking_number=number(300 + i), customer_name=f"C{i}")
        for k in range(3):
            Checkpoint.objects.create(
                shipment=s,
                event_key=str(k),
                checkpoint_time=now - timedelta(hours=k),
                message=f"event {k}",
                tag=Tag.IN_TRANSIT,
                subtag=Subtag.IN_TRANSIT_001,
                subtag_message="In transit",
            )
    agent_client.get(SEARCH)  # session and caches warm
    # session, user, groups, partners (filter), count, page, last checkpoints; on PostgreSQL
    # the page's rows are chosen branch by branch first (tracking.selectors.BranchRows)
    branches = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(7 + branches):
        response = agent_client.get(SEARCH, {"size": size, "q": "c"})
    assert len(found(response)) == size
    assert all(s.last_checkpoint.message == "event 0" for s in response.context["page"].rows)
    with django_assert_num_queries(7 + branches):
        agent_client.get(SEARCH + link(response, "next"))
    # A first page that holds every result needs no count.
    with django_assert_num_queries(6 + branches):
        assert (
            len(found(agent_client.get(SEARCH, {"size": size, "q": "c10"}))) == 11
        )  # C10, C100-C109


# Needs attention


@pytest.mark.django_db
def test_needs_attention_lists_each_queue_with_its_count(agent_client, desk, partner, settings):
    settings.ATTENTION_STALE_DAYS = 5
    now = timezone.now()
    set_tag(desk["janet"], Subtag.ATTEMPT_FAIL_001, last_event_at=now - timedelta(days=1))
    set_tag(desk["zoe"], Subtag.AVAILABLE_FOR_PICKUP_001, last_event_at=now - timedelta(days=6))
    Shipment.objects.filter(pk=desk["jane"].pk).update(
        last_event_at=now - timedelta(hours=2),
        order_promised_delivery_date=timezone.localdate() - timedelta(days=1),
    )
    # Bob (exception) last moved 2 days ago; the delivered one is neither stale nor overdue.
    Shipment.objects.filter(pk=desk["bob"].pk).update(last_event_at=now - timedelta(days=2))

    expected = {
        "exception": ["Bob Stone"],
        "failed": ["janet smith"],
        "pickup": ["Zoë Winter"],
        "stale": ["Zoë Winter"],
        "overdue": ["Jane Doe"],
    }
    for kind, names in expected.items():
        response = agent_client.get(ATTENTION, {"kind": kind})
        assert found(response) == names, kind
        counts = {t["key"]: t["count"] for t in response.context["tabs"]}
        assert counts == {k: len(v) for k, v in expected.items()}
    stale = agent_client.get(ATTENTION, {"kind": "stale"}).content.decode()
    assert "No carrier event for 5 days or more." in stale
    assert (
        '<a href="?kind=stale" aria-current="page">No movement <span class="count">1</span>'
        in stale
    )
    default = agent_client.get(ATTENTION)
    assert default.context["current"]["key"] == "exception"
    assert agent_client.get(ATTENTION, {"kind": "lost"}).status_code == 400


@pytest.mark.django_db
def test_a_pending_shipment_with_no_event_goes_stale_from_its_creation(partner, settings):
    from tracking.selectors import attention_counts

    settings.ATTENTION_STALE_DAYS = 3
    s = shipment_create(partner=partner, tracking_number=number(7))
    assert attention_counts()["stale"] == 0
    Shipment.objects.filter(pk=s.pk).update(created_at=timezone.now() - timedelta(days=4))
    assert attention_counts() == {
        "exception": 0,
        "failed": 0,
        "pickup": 0,
        "stale": 1,
        "overdue": 0,
    }
