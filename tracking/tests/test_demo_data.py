"""The demo data a team would believe: local times, days in transit, agreeing facts."""

import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from statistics import mean

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from pypdf import PdfReader

from mailorders.models import Label
from tracking import stats
from tracking.carriers.base import TrackRequest
from tracking.carriers.sandbox.carrier import SandboxCarrier
from tracking.carriers.sandbox.plan import lane_for
from tracking.choices import Tag
from tracking.edd import normalize_mail_class, zip_timezone
from tracking.models import Checkpoint, Shipment
from tracking.numbers import with_impb_check_digit
from tracking.pod.eligibility import service_labels
from tracking.pod.keys import key_file_create
from tracking.pod.letter import pod_letter
from tracking.services.refresh import refresh_due
from tracking.zones import STATE_ZONES

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def zone_of(checkpoint):
    return zip_timezone(checkpoint.zip) or STATE_ZONES[checkpoint.state][0]


@pytest.fixture
def demo(settings):
    settings.USPS_CLIENT_ID = settings.USPS_CLIENT_SECRET = ""
    run("seed_demo", "--per-tag", "8", "--no-progress")


def test_every_checkpoint_is_in_its_places_own_time_zone(demo):
    checkpoints = Checkpoint.objects.all()
    assert checkpoints.count() > 100
    states = set()
    for c in checkpoints:
        local = c.checkpoint_time.astimezone(zone_of(c))
        assert c.utc_offset_minutes == local.utcoffset() / timedelta(minutes=1), (c.city, c.zip)
        states.add(c.state)
    assert len(states) >= 5  # many lanes, not one


def test_seattle_events_are_pacific_time_summer_and_winter():
    carrier = SandboxCarrier(time_scale=1)
    number = with_impb_check_digit("940551189940000000001")
    offsets = set()
    for start in (datetime(2026, 1, 12, 18, tzinfo=UTC), datetime(2026, 7, 13, 18, tzinfo=UTC)):
        request = TrackRequest(
            number, created_at=start, origin_city="Seattle", origin_state="WA", origin_zip="98108"
        )
        item = carrier.usps_item(request, start + timedelta(days=30))
        at_seattle = [e for e in item["trackingEvents"] if e["eventCity"] == "SEATTLE"]
        assert at_seattle
        offsets |= {e["eventTimestamp"][-6:] for e in at_seattle}
    assert offsets == {"-08:00", "-07:00"}


def test_delivered_demo_parcels_took_days_by_mail_class_and_the_dashboard_shows_it(demo):
    delivered = list(Shipment.objects.filter(tag=Tag.DELIVERED))
    assert len(delivered) == 8
    for s in delivered:
        assert 1 <= s.delivery_time <= 12, (s.tracking_number, s.delivery_time)
        assert s.shipment_delivery_date - s.shipment_pickup_date >= timedelta(hours=12)
        assert normalize_mail_class(s.mail_class) == normalize_mail_class(s.shipping_method)
    assert len({s.delivery_time for s in delivered}) >= 2

    rate = stats.on_time_rate()
    assert rate.measured == len(delivered) and rate.percent is not None
    chart = dict(stats.transit_days())
    assert chart["0"] == 0 and sum(chart.values()) == len(delivered)


def test_transit_varies_by_mail_class_and_distance():
    by_class = defaultdict(list)
    for stc in ("701", "055", "001"):
        for serial in range(60):
            number = with_impb_check_digit(f"94{stc}118994{serial:010d}")
            lane = lane_for(number, origin=("Seattle", "WA", "98108"))
            by_class[lane.mail_class].append((lane.zone, lane.transit_days))
    express, priority, ground = (
        by_class[name]
        for name in ("Priority Mail Express", "Priority Mail", "USPS Ground Advantage")
    )
    averages = [mean(days for _, days in rows) for rows in (express, priority, ground)]
    assert averages == sorted(averages) and averages[0] < averages[2]
    assert max(days for _, days in express) <= 3
    far = [days for zone, days in ground if zone >= 7]
    near = [days for zone, days in ground if zone <= 4]
    assert near and far and mean(near) < mean(far)


def test_demo_labels_shipments_agree_with_their_labels(settings, demo):
    run("seed_demo_labels", "--count", "4")
    later = timezone.now() + timedelta(hours=8)  # 20 simulated days at 60x
    refresh_due(
        clock=lambda: later, carriers={"usps": SandboxCarrier(time_scale=60, clock=lambda: later)}
    )
    labels = Label.objects.select_related("shipment")
    assert labels.count() == 8
    for label in labels:
        shipment = label.shipment
        assert normalize_mail_class(shipment.mail_class) == normalize_mail_class(label.service_name)
        origin = label.ship_from
        assert (shipment.origin_city, shipment.origin_postal_code) == (
            origin["city"],
            origin["postal_code"],
        )
        first = shipment.checkpoints.order_by("checkpoint_time").first()
        if first is not None:
            assert first.city.upper() == origin["city"].upper()
            assert first.state == origin["state"]
            assert first.zip == origin["postal_code"]


def test_the_pod_letter_names_the_shipments_own_mail_class_and_services(demo, settings, tmp_path):
    settings.POD_SIGNING_KEY = ""
    settings.POD_SIGNING_KEY_FILE = tmp_path / "pod-key.json"
    key_file_create(path=settings.POD_SIGNING_KEY_FILE)
    shipment = Shipment.objects.filter(tag=Tag.DELIVERED).order_by("-delivery_time").first()
    services = service_labels(shipment)
    assert normalize_mail_class(shipment.mail_class) not in map(normalize_mail_class, services)
    assert "Package" not in services

    reader = PdfReader(io.BytesIO(pod_letter(shipment=shipment).pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert f"Mail class {shipment.mail_class}" in text
    assert f"Services {', '.join(services)}" in text
    assert shipment.shipping_method == shipment.mail_class  # what the order said it paid for


def test_every_tag_is_filled_with_a_quick_run(demo):
    counts = dict(Shipment.objects.order_by().values_list("tag").annotate(n=Count("id")))
    assert {tag.value: counts.get(tag.value, 0) for tag in Tag} == {tag.value: 8 for tag in Tag}
