"""The dashboard: its figures (tracking.stats) and the page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tracking import stats
from tracking.choices import Subtag, Tag
from tracking.tests.workspace.support import text

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def delivered(make_shipment):
    """`delivered(when, days=…, on_time=…, offset=…)`: a shipment delivered at `when`."""

    def make(when: datetime, *, days: int = 2, on_time: str = "", offset: int | None = -360):
        return make_shipment(
            status={
                "tag": Tag.DELIVERED,
                "subtag": Subtag.DELIVERED_001,
                "active": False,
                "shipment_delivery_date": when,
                "shipment_delivery_offset": offset,
                "delivery_time": days,
                "on_time_status": on_time,
            }
        )

    return make


@pytest.fixture
def exception(make_shipment):
    def make(when: datetime, *, subtag: Subtag = Subtag.EXCEPTION_007, **fields):
        return make_shipment(
            status={
                "tag": Tag.EXCEPTION,
                "subtag": subtag,
                "subtag_message": subtag.label,
                "last_event_at": when,
            },
            **fields,
        )

    return make


# The figures


def test_the_on_time_rate_counts_the_last_30_days_deliveries_with_a_promised_date(delivered):
    now = timezone.now()
    for _ in range(3):
        delivered(now - timedelta(days=2), on_time="on-time")
    delivered(now - timedelta(days=29), on_time="late")
    delivered(now - timedelta(days=1))  # no promised date: not measured
    delivered(now - timedelta(days=31), on_time="late")  # too old

    rate = stats.on_time_rate(now=now)

    assert (rate.on_time, rate.late, rate.measured, rate.percent) == (3, 1, 4, 75.0)
    assert stats.on_time_rate(now=now - timedelta(days=400)).percent is None


def test_transit_days_are_bucketed_with_a_last_bucket_for_ten_days_and_more(delivered):
    now = timezone.now()
    for days in (0, 2, 2, 3, 10, 14):
        delivered(now - timedelta(hours=5), days=days)
    delivered(now - timedelta(days=40), days=2)

    buckets = stats.transit_days(now=now)

    assert [label for label, _ in buckets] == [*map(str, range(10)), "10+"]
    assert dict(buckets) == {**{str(d): 0 for d in range(10)}, "0": 1, "2": 2, "3": 1, "10+": 2}


def test_each_delivery_counts_on_its_local_date(delivered, settings):
    settings.TIME_ZONE = "America/New_York"
    # 03:30 UTC on Nov 20 is the evening of Nov 19 in Chicago, the morning of Nov 20 in Tokyo.
    delivered(datetime(2026, 11, 20, 3, 30, tzinfo=UTC), offset=-360)
    delivered(datetime(2026, 11, 20, 3, 30, tzinfo=UTC), offset=540)
    # No offset: the desk's own zone (New York: Nov 19, 22:30).
    delivered(datetime(2026, 11, 20, 3, 30, tzinfo=UTC), offset=None)
    delivered(datetime(2026, 11, 21, 18, 0, tzinfo=UTC))
    delivered(datetime(2026, 10, 22, 18, 0, tzinfo=UTC))  # the day before the first day
    delivered(datetime(2026, 10, 23, 18, 0, tzinfo=UTC))  # the first day

    days = stats.delivered_per_day(today=date(2026, 11, 21))

    assert len(days) == 30
    assert days[0] == (date(2026, 10, 23), 1)
    assert days[-1] == (date(2026, 11, 21), 1)
    counted = {day: n for day, n in days if n}
    assert counted == {
        date(2026, 10, 23): 1,
        date(2026, 11, 19): 2,
        date(2026, 11, 20): 1,
        date(2026, 11, 21): 1,
    }


def test_recent_exceptions_are_the_latest_ten_of_the_last_30_days(exception, make_shipment):
    now = timezone.now()
    made = [exception(now - timedelta(hours=i)) for i in range(12)]
    exception(now - timedelta(days=31))
    make_shipment(status={"tag": Tag.IN_TRANSIT, "last_event_at": now})

    assert stats.recent_exceptions(now=now) == made[:10]


# The page


def test_the_dashboard_shows_counts_rates_charts_and_exceptions(
    client, agent_user, delivered, exception, make_shipment
):
    now = timezone.now()
    delivered(now - timedelta(hours=3), days=2, on_time="on-time")
    delivered(now - timedelta(hours=4), days=3, on_time="late")
    delivered(now - timedelta(hours=5), days=3, on_time="on-time")
    lost = exception(
        now - timedelta(hours=1), subtag=Subtag.EXCEPTION_013, customer_name="Ada Lovelace"
    )
    make_shipment(status={"tag": Tag.ATTEMPT_FAIL})
    client.force_login(agent_user)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    page = text(response)
    assert "5 shipments in all." in page
    html = response.content.decode()
    assert 'href="/shipments/?tag=Delivered"' in html
    assert re.search(r'tag-delivered">\s*<a [^>]+>\s*<span class="count">3</span>', html)
    assert (
        "On time, last 30 days 67% 2 of 3 deliveries with a promised date arrived by it; 1 late"
        in (page)
    )
    assert (
        f"Recent exceptions {lost.tracking_number} Shipment lost Ada Lovelace · Acme Parcels"
        in (page)
    )
    assert f'href="/shipments/{lost.public_id}/"' in html
    assert re.search(
        r'href="/attention/\?kind=failed">Failed attempts</a> <span class="count">1<', html
    )
    # Both charts are inline SVG with their numbers readable as a table too.
    charts = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(charts) == 2
    transit, daily = (ET.fromstring(c) for c in charts)
    assert transit.find(f"{SVG}title").text.startswith("Days in transit")
    assert [t.text for t in transit.iter(f"{SVG}text") if t.get("class") == "value"] == ["1", "2"]
    assert daily.find(f"{SVG}desc").text.startswith("3 deliveries from ")
    assert "Days in transit Shipments 0 0 1 0 2 1 3 2" in page


def test_the_dashboard_is_for_agents(client, django_user_model):
    assert client.get("/")["Location"] == "/login/?next=/"
    client.force_login(django_user_model.objects.create_user("visitor"))
    assert client.get("/").status_code == 403


@pytest.mark.parametrize("shipments", [0, 40])
def test_the_dashboard_takes_the_same_queries_whatever_the_data(
    client, agent_user, delivered, exception, django_assert_num_queries, shipments
):
    now = timezone.now()
    for i in range(shipments // 2):
        delivered(now - timedelta(days=i % 30, hours=1), days=i % 12, on_time="on-time")
        exception(now - timedelta(hours=i))
    client.force_login(agent_user)

    # session, user, groups, tag counts, on-time, transit days, per day, exceptions, attention
    with django_assert_num_queries(9):
        response = client.get(reverse("home"))

    assert len(response.context["exceptions"]) == min(shipments // 2, 10)
