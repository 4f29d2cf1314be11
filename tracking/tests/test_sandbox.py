"""The offline sandbox carrier: deterministic, moving with time, every scenario to its end."""

from datetime import UTC, datetime, timedelta
from functools import cache

import pytest

from tracking.carriers.base import TrackRequest
from tracking.carriers.registry import get_carrier
from tracking.carriers.sandbox.carrier import SIMULATED_NOTE, SandboxCarrier, scenario_for
from tracking.carriers.sandbox.scenarios import SCENARIOS, WEIGHTS
from tracking.numbers import parse, with_impb_check_digit
from tracking.services.refresh import refresh_due
from tracking.services.shipments import shipment_create

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@cache
def numbers_for(scenario: str, count: int = 1) -> tuple[str, ...]:
    """Valid IMpb numbers the sandbox plays `scenario` for."""
    found = []
    for serial in range(100_000):
        number = with_impb_check_digit(f"9400111899223{serial:08d}")
        if scenario_for(number) == scenario:
            found.append(number)
            if len(found) == count:
                return tuple(found)
    raise AssertionError(f"no number found for {scenario}")


def number_for(scenario: str) -> str:
    return numbers_for(scenario)[0]


def clock_at(hours: float):
    """A clock stopped `hours` after T0."""
    return lambda: T0 + timedelta(hours=hours)


def track_at(hours: float, number: str, *, time_scale: float = 1.0):
    carrier = SandboxCarrier(time_scale=time_scale, clock=clock_at(hours))
    (result,) = carrier.track([TrackRequest(number, created_at=T0)])
    return result


def planned_hours(number: str) -> list[float]:
    """Hours after T0 of each step the sandbox plans for `number` (in real time)."""
    request = TrackRequest(number, created_at=T0)
    events = SandboxCarrier(time_scale=1).plan_for(request, created_at=T0).events
    return [(e.at - T0).total_seconds() / 3600 for e in events]


FAR = 24 * 28  # hours: every scenario has ended


def test_every_scenario_has_numbers_and_weights_add_up_to_100():
    assert sum(w for _, w in WEIGHTS) == 100
    assert {name for name, _ in WEIGHTS} == set(SCENARIOS)
    for name in SCENARIOS:
        assert parse(number_for(name)).kind == "impb"


def test_the_scenario_depends_only_on_the_number():
    number = number_for("returned")
    assert scenario_for(number) == scenario_for(number) == "returned"


def test_same_number_and_times_give_the_same_events():
    number = number_for("attempt_then_delivered")
    first = track_at(FAR, number)
    second = track_at(FAR, number)
    assert first == second
    assert len(first.events) == len(SCENARIOS["attempt_then_delivered"])
    assert len({e.key for e in first.events}) == len(first.events)


def test_earlier_events_keep_their_identity_as_the_shipment_moves():
    number = number_for("delivered")
    hours = planned_hours(number)
    early = {e.key: e for e in track_at(hours[3], number).events}
    late = {e.key: e for e in track_at(hours[-1], number).events}
    assert early and set(early) < set(late)
    assert all(late[k] == e for k, e in early.items())


def test_a_scenario_progresses_with_time():
    number = number_for("delivered")
    hours = planned_hours(number)
    before_label = track_at(hours[0] - 0.01, number)
    assert before_label.events == []
    assert before_label.status == "Label created, not yet in system"
    subtags = [track_at(h, number).events[0].subtag for h in hours]
    assert subtags == [
        "InfoReceived_001",
        "InTransit_002",
        "InTransit_001",
        "InTransit_007",  # departed
        "InTransit_003",  # arrived at a regional facility
        "InTransit_007",
        "InTransit_003",
        "InTransit_003",  # arrived at the post office
        "OutForDelivery_001",
        "Delivered_001",
    ]
    latest = track_at(hours[-1], number)
    times = [e.time for e in latest.events]
    assert times == sorted(times, reverse=True)  # newest first, as USPS lists them
    assert max(times) <= T0 + timedelta(hours=hours[-1])
    assert 1 <= (hours[-1] - hours[1]) / 24 <= 14  # days in transit, not minutes


def test_the_time_scale_speeds_the_story_up():
    number = number_for("delivered")
    delivered_at = planned_hours(number)[-1]
    # At 60x a simulated hour passes each real minute.
    assert track_at(delivered_at / 60 - 0.01, number, time_scale=60).events[0].tag != "Delivered"
    assert track_at(delivered_at / 60 + 0.01, number, time_scale=60).events[0].tag == "Delivered"


def test_answers_are_labelled_simulated():
    result = track_at(48, number_for("delivered"))
    assert result.status_summary == SIMULATED_NOTE
    carrier = get_carrier("usps")  # tests run without USPS credentials
    assert carrier.simulated is True
    assert "simulated" in carrier.name.lower()


@pytest.mark.parametrize(
    ("scenario", "hours", "tag", "subtag", "along_the_way"),
    [
        ("delivered", FAR, "Delivered", "Delivered_001", set()),
        ("attempt_then_delivered", FAR, "Delivered", "Delivered_001", {"AttemptFail_003"}),
        ("pickup", FAR, "Delivered", "Delivered_002", {"AvailableForPickup_001"}),
        ("returned", FAR, "Exception", "Exception_011", {"Exception_007", "Exception_010"}),
        ("lost", FAR, "Exception", "Exception_013", {"Exception_005"}),
        ("stalled", 500, "InTransit", "InTransit_002", set()),
        ("unknown", 500, "Pending", "Pending_001", set()),
    ],
)
def test_each_scenario_reaches_its_final_status_through_a_refresh(
    partner, scenario, hours, tag, subtag, along_the_way
):
    shipment = shipment_create(partner=partner, tracking_number=number_for(scenario), now=T0)
    clock = clock_at(hours)

    report = refresh_due(clock=clock, carriers={"usps": SandboxCarrier(time_scale=1, clock=clock)})

    shipment.refresh_from_db()
    assert report.shipments == 1
    assert (shipment.tag, shipment.subtag) == (tag, subtag)
    assert along_the_way <= set(shipment.checkpoints.values_list("subtag", flat=True))
    finished = tag == "Delivered" or subtag in ("Exception_011", "Exception_013")
    assert shipment.active is not finished
    assert shipment.return_to_sender is (scenario == "returned")
    if scenario == "attempt_then_delivered":
        assert shipment.failed_delivery_attempts == 1
        assert shipment.signed_by == "A GARCIA"


def test_a_shipment_walks_through_the_tags_refresh_after_refresh(partner):
    number = number_for("pickup")
    shipment = shipment_create(partner=partner, tracking_number=number, now=T0)
    planned = planned_hours(number)
    seen = []
    for hours in [planned[i] for i in (0, 1, 8, 9, 10, 11)]:
        clock = clock_at(hours)
        carrier = SandboxCarrier(time_scale=1, clock=clock)
        shipment.next_check_at = T0  # due now, whatever the schedule said
        shipment.save()
        refresh_due(clock=clock, carriers={"usps": carrier})
        shipment.refresh_from_db()
        seen.append(shipment.tag)
    assert seen == [
        "InfoReceived",
        "InTransit",
        "OutForDelivery",
        "AttemptFail",
        "AvailableForPickup",
        "Delivered",
    ]
    assert shipment.subtag == "Delivered_002"
    assert shipment.checkpoints.count() == len(SCENARIOS["pickup"])
