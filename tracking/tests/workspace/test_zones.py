"""Readable zones for carrier events and shipments (tracking.zones)."""

from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tracking.zones import (
    MINUS,
    event_time_label,
    offset_label,
    shipment_zone,
    us_state,
    zone_for_event,
)

WINTER = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("minutes", "label"),
    [(-360, f"UTC{MINUS}06:00"), (330, "UTC+05:30"), (0, "UTC±00:00"), (-570, f"UTC{MINUS}09:30")],
)
def test_offset_labels(minutes, label):
    assert offset_label(minutes) == label


@pytest.mark.parametrize(
    ("when", "offset", "state", "name"),
    [
        (WINTER, -360, "IL", "CST"),
        (SUMMER, -300, "IL", "CDT"),
        (WINTER, -300, "NY", "EST"),
        (SUMMER, -420, "AZ", "MST"),  # Arizona keeps standard time all year
        (SUMMER, -360, "AZ", "MDT"),  # ... but the Navajo Nation does not
        (WINTER, -420, "TX", "MST"),  # El Paso
        (WINTER, -360, "TX", "CST"),
        (WINTER, -300, "FL", "EST"),
        (WINTER, -360, "FL", "CST"),  # the panhandle
        (WINTER, -600, "HI", "HST"),
        (WINTER, -540, "AK", "AKST"),
        (WINTER, -240, "PR", "AST"),
    ],
)
def test_the_state_and_the_offset_name_the_zone(when, offset, state, name):
    zone = zone_for_event(when, offset, state)

    assert zone is not None
    assert when.astimezone(zone).tzname() == name


@pytest.mark.parametrize(
    ("when", "offset", "state"),
    [
        (WINTER, -300, "IL"),  # not Chicago's offset in winter
        (WINTER, -360, ""),  # no state: an offset alone names no zone
        (WINTER, 60, "ON"),  # not a US state
    ],
)
def test_no_zone_is_made_up(when, offset, state):
    assert zone_for_event(when, offset, state) is None


def test_event_labels_give_the_local_time_the_zone_and_the_offset(settings):
    when = datetime(2026, 11, 20, 20, 5, tzinfo=UTC)

    assert event_time_label(when, -360, "IL") == f"Nov 20, 2026 14:05 CST (UTC{MINUS}06:00)"
    assert event_time_label(when, -360, "") == f"Nov 20, 2026 14:05 (UTC{MINUS}06:00)"
    assert event_time_label(when, 330, "") == "Nov 21, 2026 01:35 (UTC+05:30)"
    settings.TIME_ZONE = "Europe/Paris"
    assert event_time_label(when, None, "IL") == "Nov 20, 2026 21:05 CET"


def test_only_us_places_have_states():
    assert us_state(" il ", "USA") == "IL"
    assert us_state("PR", "PRI") == "PR"
    assert us_state("IL", "") == "IL"
    assert us_state("ON", "CAN") == ""


def event(when, offset, state, country="USA"):
    return SimpleNamespace(
        checkpoint_time=when, utc_offset_minutes=offset, state=state, country_iso3=country
    )


def shipment(state="", country=""):
    return SimpleNamespace(destination_state=state, destination_country_iso3=country)


def test_a_shipment_lives_in_its_destination_zone():
    assert shipment_zone(shipment("IL")) == ZoneInfo("America/Chicago")
    # A state of two zones: the latest event there picks the one.
    el_paso = [event(WINTER, -420, "TX"), event(WINTER - timedelta(days=1), -360, "TX")]
    assert shipment_zone(shipment("TX", "USA"), el_paso) == ZoneInfo("America/Denver")
    assert shipment_zone(shipment("TX")) == ZoneInfo("America/Chicago")


def test_without_a_destination_the_latest_event_or_the_desk_decides(settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert shipment_zone(shipment(), [event(WINTER, -300, "NY")]) == ZoneInfo("America/New_York")
    assert shipment_zone(shipment(), [event(WINTER, 60, "", "DEU")]) == dt_timezone(
        timedelta(hours=1)
    )
    assert shipment_zone(shipment("BY", "DEU")) == ZoneInfo("Europe/Paris")
