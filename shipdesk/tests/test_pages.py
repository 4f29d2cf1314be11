"""The landing page as people use it: in Debian's Chromium (Playwright) against a live server,
and the demo data and refresh queue that `make run` puts behind it."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from conftest import role_group
from shipdesk.roles import AGENTS
from tracking.choices import Subtag, Tag
from tracking.models import Checkpoint, Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.lifecycle import shipment_mark_completed
from tracking.services.shipments import shipment_create
from tracking.tasks import refresh_cycle

PASSWORD = "correct-horse-battery-42"
SIMULATED = "Simulated carrier"


def number(i: int) -> str:
    return with_impb_check_digit(f"9400111899223{i:08d}")


@pytest.fixture
def agent(django_user_model):
    user = django_user_model.objects.create_user("agent", password=PASSWORD)
    user.groups.add(role_group(AGENTS))
    return user


@pytest.fixture
def manager(django_user_model):
    return django_user_model.objects.create_user(
        "manager", password=PASSWORD, is_staff=True, is_superuser=True
    )


@pytest.fixture
def shipments_by_tag(partner):
    """4 pending, 3 delivered, 2 in transit and 1 lost (an exception) shipment."""
    made = [shipment_create(partner=partner, tracking_number=number(i)) for i in range(10)]
    for subtag, rows in ((Subtag.DELIVERED_001, made[4:7]), (Subtag.IN_TRANSIT_001, made[7:9])):
        Shipment.objects.filter(pk__in=[s.pk for s in rows]).update(
            tag=subtag.tag, subtag=subtag, subtag_message=subtag.label
        )
    shipment_mark_completed(shipment=made[9], reason="LOST")
    return {Tag.PENDING: 4, Tag.DELIVERED: 3, Tag.IN_TRANSIT: 2, Tag.EXCEPTION: 1}


def log_in(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def card(page, tag: Tag):
    return page.locator(f".tag-counts .tag-{tag.value.lower()}")


# In the browser


def test_an_anonymous_visit_to_the_home_page_is_sent_to_the_login_page(page, live_server):
    page.goto(live_server.url + "/")

    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(SIMULATED)


def test_logging_in_shows_the_shipments_counted_by_tag(page, live_server, agent, shipments_by_tag):
    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Shipments by status")).to_be_visible()
    expect(page.get_by_text("10 shipments in all.")).to_be_visible()
    for tag in Tag:
        expect(card(page, tag).locator(".count")).to_have_text(str(shipments_by_tag.get(tag, 0)))
        expect(card(page, tag).locator(".label")).to_have_text(tag.label)
    # Every tracking event comes from the sandbox, and the page says so.
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(SIMULATED)
    # Each status opens the search page filtered by it; an agent is not staff: no admin link.
    expect(card(page, Tag.DELIVERED).get_by_role("link")).to_have_attribute(
        "href", "/shipments/?tag=Delivered"
    )
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)


def test_a_wrong_password_keeps_the_visitor_on_the_login_page(page, live_server, agent):
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_label("Username")).to_have_value("agent")


def test_a_status_opens_as_a_filtered_list(page, live_server, manager, shipments_by_tag):
    log_in(page, live_server, "manager")
    card(page, Tag.DELIVERED).get_by_role("link").click()

    expect(page).to_have_url(re.compile(r"/shipments/\?tag=Delivered$"))
    expect(page.locator("table.results tbody tr")).to_have_count(shipments_by_tag[Tag.DELIVERED])


def test_logging_out_returns_to_the_login_page(page, live_server, agent):
    log_in(page, live_server, "agent")
    page.get_by_role("button", name="Log out agent").click()

    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))


# The demo `make run` serves, and the refresh it queues


def run(*args, **options):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_data_fills_every_tag_with_real_histories_and_is_made_once(client):
    output = run("seed_demo", "--per-tag", "3", "--no-progress")
    assert "Making 27 demo shipments on the sandbox carrier" in output

    counts = dict(Shipment.objects.order_by().values_list("tag").annotate(n=Count("id")))
    assert {tag.value: counts.get(tag.value, 0) for tag in Tag} == {tag.value: 3 for tag in Tag}
    assert Shipment.objects.values("partner").distinct().count() == 2
    for shipment in Shipment.objects.exclude(tag=Tag.PENDING):
        assert shipment.tracked_count == 1
        assert shipment.checkpoints.exists(), shipment.tag
        assert shipment.customer_name and shipment.order_number and shipment.subscribers.exists()
    delivered = Shipment.objects.filter(tag=Tag.DELIVERED)
    assert all(s.checkpoints.count() >= 10 and not s.active for s in delivered)
    assert all(not s.active for s in Shipment.objects.filter(tag=Tag.EXPIRED))
    assert not Checkpoint.objects.filter(shipment__tag=Tag.PENDING).exists()

    again = run("seed_demo", "--per-tag", "3", "--no-progress")
    assert "Nothing to do" in again
    assert Shipment.objects.count() == 27

    viewer = get_user_model().objects.create_user("viewer")
    viewer.groups.add(role_group(AGENTS))
    client.force_login(viewer)
    page = client.get(reverse("home"))
    assert [row["count"] for row in page.context["tag_counts"]] == [3] * len(Tag)


@pytest.mark.django_db
def test_the_demo_tops_up_the_tags_its_shipments_moved_out_of():
    run("seed_demo", "--per-tag", "2", "--no-progress")
    Shipment.objects.filter(tag=Tag.OUT_FOR_DELIVERY).update(tag=Tag.DELIVERED)

    output = run("seed_demo", "--per-tag", "2", "--no-progress")

    assert "Making 2 demo shipments" in output
    assert Shipment.objects.filter(tag=Tag.OUT_FOR_DELIVERY).count() == 2
    assert Shipment.objects.count() == 20


@pytest.mark.django_db
def test_the_demo_brings_due_shipments_up_to_date_before_counting():
    run("seed_demo", "--per-tag", "2", "--no-progress")
    first = set(Shipment.objects.filter(tag=Tag.INFO_RECEIVED).values_list("pk", flat=True))
    # Three days pass with no worker running: the parcels have moved on, the checks are due.
    # (The clock moves, not the history: chained checkpoints never change.)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        due = Shipment.objects.filter(active=True).update(next_check_at=timezone.now())
        output = run("seed_demo", "--per-tag", "2", "--no-progress")

    assert f"Bringing {due} due shipments up to date" in output
    now_info_received = set(
        Shipment.objects.filter(tag=Tag.INFO_RECEIVED).values_list("pk", flat=True)
    )
    assert len(now_info_received) == 2
    assert not now_info_received & first  # topped up with new ones


@pytest.mark.django_db
def test_no_demo_data_is_made_when_usps_credentials_are_set(settings):
    settings.USPS_CLIENT_ID, settings.USPS_CLIENT_SECRET = "id", "secret"

    output = run("seed_demo", "--per-tag", "2", "--no-progress")

    assert "USPS credentials are set" in output
    assert not Shipment.objects.exists()


@pytest.mark.django_db
def test_schedule_refresh_queues_the_refresh_cycle_once():
    assert "Queued the periodic refresh" in run("schedule_refresh")
    assert "already queued" in run("schedule_refresh")

    assert DBTaskResult.objects.filter(task_path=refresh_cycle.module_path).count() == 1
