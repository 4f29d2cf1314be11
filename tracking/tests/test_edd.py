"""Estimated delivery: business days, the learnt model, its fallbacks, predict-batch, service."""

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracking import edd, numbers
from tracking.carriers.sandbox import lanes
from tracking.choices import Tag
from tracking.models import Checkpoint, Shipment
from tracking.services import edd as edd_service
from tracking.services.shipments import shipment_create

NY, SF, LA = "10001", "94105", "90001"  # ZIP3 100, 941, 900 (regions 1 and 9)
PM = "Priority Mail"
MONDAY = datetime(2025, 6, 2, 10, 0)  # a week without holidays
FRIDAY = datetime(2025, 6, 6, 10, 0)


def lane_records(transits: dict[int, int], *, origin=NY, dest=SF, mail_class=PM, picked=MONDAY):
    """Delivered shipments on one lane: {transit business days: how many}."""
    return [
        edd.TransitRecord(origin, dest, mail_class, picked, edd.add_business_days(picked.date(), t))
        for t, count in transits.items()
        for _ in range(count)
    ]


def estimate(model, *, origin=NY, dest=SF, mail_class=PM, picked=FRIDAY, **kwargs):
    return edd.estimate(
        model,
        origin_zip=origin,
        destination_zip=dest,
        mail_class=mail_class,
        accepted_at=picked,
        **kwargs,
    )


# --- calendar -------------------------------------------------------------------------------


def test_saturday_is_a_business_day_sunday_and_federal_holidays_are_not():
    assert edd.is_business_day(date(2025, 6, 7))  # Saturday
    assert not edd.is_business_day(date(2025, 6, 8))  # Sunday
    for holiday in (
        date(2025, 1, 1),
        date(2025, 1, 20),  # Martin Luther King Jr. Day
        date(2025, 5, 26),  # Memorial Day
        date(2025, 6, 19),  # Juneteenth
        date(2025, 7, 4),
        date(2025, 9, 1),  # Labor Day
        date(2025, 11, 27),  # Thanksgiving
        date(2025, 12, 25),
    ):
        assert not edd.is_business_day(holiday), holiday
    assert edd.is_business_day(date(2020, 6, 19))  # Juneteenth is federal from 2021


def test_a_weekend_holiday_is_also_off_on_its_observed_day():
    # July 4th 2026 is a Saturday: observed Friday the 3rd; both are off.
    assert not edd.is_business_day(date(2026, 7, 3))
    assert not edd.is_business_day(date(2026, 7, 4))
    # New Year 2023 is a Sunday: observed Monday the 2nd.
    assert not edd.is_business_day(date(2023, 1, 2))
    # New Year 2022 is a Saturday: observed on Friday 31 December 2021, the year before.
    assert not edd.is_business_day(date(2021, 12, 31))


def test_business_day_arithmetic():
    assert edd.next_business_day(date(2025, 6, 7)) == date(2025, 6, 9)  # Saturday → Monday
    assert edd.add_business_days(date(2025, 6, 6), 0) == date(2025, 6, 6)
    assert edd.add_business_days(date(2025, 6, 6), 2) == date(2025, 6, 9)  # Fri → Sat, Mon
    assert edd.add_business_days(date(2025, 7, 3), 1) == date(2025, 7, 5)  # over July 4th
    assert edd.business_days_between(date(2025, 6, 6), date(2025, 6, 9)) == 2
    assert edd.business_days_between(date(2025, 7, 3), date(2025, 7, 7)) == 2  # Sat 5, Mon 7
    assert edd.business_days_between(date(2025, 6, 9), date(2025, 6, 6)) == -2


@pytest.mark.parametrize(
    ("picked_up", "accepted"),
    [
        (datetime(2025, 6, 2, 16, 59), date(2025, 6, 2)),
        (datetime(2025, 6, 2, 17, 0, 0), date(2025, 6, 2)),  # at the cutoff: same day
        (datetime(2025, 6, 2, 17, 0, 1), date(2025, 6, 3)),  # after it: next business day
        (datetime(2025, 6, 7, 12, 0), date(2025, 6, 7)),  # Saturday counts
        (datetime(2025, 6, 7, 18, 0), date(2025, 6, 9)),  # Saturday evening → Monday
        (datetime(2025, 6, 8, 9, 0), date(2025, 6, 9)),  # Sunday → Monday
        (datetime(2025, 7, 4, 9, 0), date(2025, 7, 5)),  # a holiday → the next day
        (datetime(2025, 7, 3, 17, 30), date(2025, 7, 5)),  # late, and the next day is July 4th
        (datetime(2025, 6, 2, 16, 30, tzinfo=ZoneInfo("America/New_York")), date(2025, 6, 2)),
    ],
)
def test_acceptance_day_respects_the_cutoff(picked_up, accepted):
    assert edd.acceptance_day(picked_up) == accepted


def test_acceptance_day_with_another_cutoff():
    assert edd.acceptance_day(datetime(2025, 6, 2, 16, 0), time(15, 0)) == date(2025, 6, 3)


# --- places and classes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Priority Mail", "priority_mail"),
        ("Priority Mail Express®", "priority_mail_express"),
        ("usps-priority_mail_express", "priority_mail_express"),
        ("usps-priority_mail", "priority_mail"),
        ("USPS Ground Advantage", "ground_advantage"),
        ("First-Class Package Service", "ground_advantage"),
        ("First-Class Mail", "first_class_mail"),
        ("{service_type_name}", "service_type_name"),
        ("", None),
        (None, None),
    ],
)
def test_mail_class_names_are_normalized(name, key):
    assert edd.normalize_mail_class(name) == key


def test_zip3_and_time_zone():
    assert edd.zip3("94105-1234") == "941"
    assert edd.zip3(" 10001 ") == "100"
    assert edd.zip3("9410") is None
    assert edd.zip3("ABCDE") is None
    assert edd.zip3("\u0669\u0668\u0661\u0660\u0661") is None  # Arabic-Indic digits: not a ZIP
    assert edd.zip3("\uff19\uff18\uff11\uff10\uff11") is None  # fullwidth digits
    assert edd.zip_timezone("98108") == ZoneInfo("America/Los_Angeles")
    assert edd.zip_timezone("85004") == ZoneInfo("America/Phoenix")
    assert edd.zip_timezone("60601") == ZoneInfo("America/Chicago")
    assert edd.zip_timezone("37203") == ZoneInfo("America/Chicago")  # Nashville
    assert edd.zip_timezone("37902") == ZoneInfo("America/New_York")  # Knoxville
    assert edd.zip_timezone("96813") == ZoneInfo("Pacific/Honolulu")
    assert edd.zip_timezone("nope") is None


# --- the model ------------------------------------------------------------------------------


def test_quantiles_of_a_known_history():
    hist = {1: 10, 2: 70, 3: 15, 5: 5}
    assert edd.hist_quantile(hist, 0.05) == 1
    assert edd.hist_quantile(hist, 0.50) == 2
    assert edd.hist_quantile(hist, 0.95) == 3
    assert edd.hist_quantile(hist, 1.0) == 5
    assert edd.hist_quantile({4: 1}, 0.05) == 4


def test_min_likely_max_are_the_lane_quantiles_in_business_days():
    model = edd.EddModel.learn(lane_records({1: 10, 2: 70, 3: 15, 5: 5}))
    result = estimate(model, picked=FRIDAY)  # accepted Friday 6 June
    assert result.level == "lane"
    assert result.samples == 100
    assert result.transit_days == (1, 2, 3)
    assert result.estimated_delivery_date_min == date(2025, 6, 7)  # Saturday
    assert result.estimated_delivery_date == date(2025, 6, 9)  # Monday: Sunday skipped
    assert result.estimated_delivery_date_max == date(2025, 6, 10)
    assert result.as_aftership() == {
        "confidence_code": result.confidence_code,
        "estimated_delivery_date": "2025-06-09",
        "estimated_delivery_date_min": "2025-06-07",
        "estimated_delivery_date_max": "2025-06-10",
    }

    late = estimate(model, picked=FRIDAY.replace(hour=18))  # after the cutoff: from Saturday
    assert late.accepted_on == date(2025, 6, 7)
    assert late.estimated_delivery_date == date(2025, 6, 10)


def test_transit_is_learnt_in_business_days_from_the_acceptance_day():
    # Picked up Thursday 3 July after the cutoff: accepted Saturday 5 (July 4th is off);
    # delivered Tuesday 8: Monday and Tuesday, 2 business days.
    record = edd.TransitRecord(NY, SF, PM, datetime(2025, 7, 3, 18, 0), date(2025, 7, 8))
    model = edd.EddModel.learn([record])
    assert model.histograms[("lane", "100", "941", "priority_mail")] == {2: 1}
    assert model.histograms[("region", "100", "9", "priority_mail")] == {2: 1}
    assert model.histograms[("global", "", "", "")] == {2: 1}


def test_records_from_stored_fields_use_local_times():
    # 21:30 UTC is 17:30 in New York (after the cutoff) and 14:30 in San Francisco.
    record = edd.transit_record(
        origin_postal_code=NY,
        destination_postal_code=SF,
        mail_class=PM,
        picked_up_at=datetime(2025, 6, 2, 21, 30, tzinfo=UTC),
        delivered_at=datetime(2025, 6, 5, 2, 0, tzinfo=UTC),
        delivery_offset_minutes=-420,
    )
    assert record.accepted_at.hour == 17
    assert record.delivered_on == date(2025, 6, 4)  # 19:00 on the 4th in California
    with_offset = edd.transit_record(
        origin_postal_code=NY,
        destination_postal_code=SF,
        mail_class=PM,
        picked_up_at=datetime(2025, 6, 2, 21, 30, tzinfo=UTC),
        pickup_offset_minutes=-300,
        delivered_at=datetime(2025, 6, 5, 2, 0, tzinfo=UTC),
    )
    assert with_offset.accepted_at.hour == 16  # the checkpoint's own offset wins


def region_model(lane: dict[int, int] | None = None) -> edd.EddModel:
    """40 shipments NY → Los Angeles taking 3 days (region 9), plus `lane` NY → SF."""
    return edd.EddModel.learn(lane_records({3: 40}, dest=LA) + lane_records(lane or {}))


def test_a_lane_with_enough_history_answers_itself():
    result = estimate(region_model({1: 30}))
    assert result.level == "lane"
    assert result.transit_days == (1, 1, 1)


def test_a_lane_without_history_falls_back_to_its_region():
    result = estimate(region_model())
    assert result.level == "region"
    assert result.transit_days == (3, 3, 3)


def test_a_young_lane_is_topped_up_with_its_region():
    # 5 lane shipments (1 day) weigh 5/20; the region (45: 40 x 3 days, 5 x 1) the rest.
    dist = region_model({1: 5}).distribution(NY, SF, PM)
    assert dist.shares == {"lane": 0.25, "region": 0.75}
    assert dist.weights[1] == pytest.approx(0.25 + 0.75 * 5 / 45)
    result = estimate(region_model({1: 5}))
    assert result.level == "region"
    assert result.transit_days == (1, 3, 3)


def test_without_a_class_the_lane_of_any_class_answers():
    model = edd.EddModel.learn(
        lane_records({2: 15}) + lane_records({4: 15}, mail_class="USPS Ground Advantage")
    )
    result = estimate(model, mail_class=None)
    assert result.level == "lane_any_class"
    assert result.transit_days == (2, 2, 4)
    assert estimate(model, mail_class="Media Mail").level == "lane_any_class"  # never seen
    # Priority Mail's own lane and region (15 each) are topped up with it.
    shares = model.distribution(NY, SF, PM).shares
    assert shares == {"lane": 0.75, "region": 0.1875, "lane_any_class": 0.0625}


def test_without_zip_codes_the_class_answers_and_says_the_address_is_imprecise():
    result = estimate(region_model(), origin=None, dest="")
    assert result.level == "class"
    assert result.confidence_code == edd.CODE_IMPRECISE_ADDRESS


def test_with_too_little_history_the_carrier_date_is_used_then_the_zone_table():
    model = edd.EddModel.learn(lane_records({2: 5}))  # under min_samples everywhere
    expected = date(2025, 6, 10)
    result = estimate(model, expected_delivery=expected)
    assert result.level == "carrier"
    assert (
        result.estimated_delivery_date_min,
        result.estimated_delivery_date,
        result.estimated_delivery_date_max,
    ) == (expected, expected, expected)
    assert result.confidence_code == edd.CODE_FEW_DATA
    assert estimate(None, expected_delivery=expected).level == "carrier"
    for fallback in (estimate(model), estimate(None)):
        assert (fallback.level, fallback.confidence_code) == ("zone_table", edd.CODE_FEW_DATA)
    # Only a lane that is not a US one has no estimate.
    assert estimate(model, origin="SW1A 1AA", dest="75008") is None


def test_confidence_grows_with_samples():
    scores = []
    for n in (0, 5, 19, 20, 50, 200):
        model = edd.EddModel.learn(lane_records({2: 100}, dest=LA) + lane_records({2: n}))
        scores.append(estimate(model).confidence)
    assert scores == sorted(set(scores)), scores
    assert scores[0] > 0 and scores[-1] <= 100
    wide = edd.EddModel.learn(lane_records({1: 50, 2: 50, 3: 50, 4: 50}))
    narrow = edd.EddModel.learn(lane_records({2: 200}))
    assert estimate(wide).confidence < estimate(narrow).confidence
    assert estimate(None, expected_delivery=date(2025, 6, 9)).confidence < scores[0]


def test_an_undelivered_shipment_is_never_estimated_in_the_past():
    model = edd.EddModel.learn(lane_records({1: 10, 2: 70, 3: 15, 5: 5}))
    # Accepted Friday 6 June; still not delivered on Tuesday 10 (3 business days later).
    result = estimate(model, not_before=date(2025, 6, 10))
    assert result.estimated_delivery_date_min >= date(2025, 6, 10)
    assert result.transit_days == (3, 3, 5)
    # Later than any history: today (or the next business day), volatile.
    result = estimate(model, not_before=date(2025, 6, 22))  # a Sunday
    assert result.estimated_delivery_date == date(2025, 6, 23)
    assert result.confidence_code == edd.CODE_VOLATILE


def test_the_model_survives_a_json_round_trip():
    model = edd.EddModel.learn(p.record() for p in lanes.generate(600, seed=3))
    copy = edd.EddModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert copy.histograms == model.histograms
    assert copy.cutoffs == model.cutoffs
    assert estimate(copy, dest="90210") == estimate(model, dest="90210")


def test_each_origin_cutoff_is_learnt_from_its_history():
    model = edd.EddModel.learn(p.record() for p in lanes.generate(4000, seed=11))
    assert model.cutoffs == {zip3: cutoff for zip3, _, cutoff in lanes.ORIGINS}
    assert model.cutoff_for("99999") == edd.CUTOFF  # no history: the default


# --- predict-batch --------------------------------------------------------------------------

SEATTLE = {
    "country": "USA",
    "state": "WA",
    "postal_code": "98108",
    "raw_location": "Seattle, Washington, 98108, USA, United States",
}
EL_CAJON = {
    "country": "USA",
    "state": "CA",
    "postal_code": "92019",
    "raw_location": "El Cajon, California, 92019, USA, United States",
}
SEED_ITEMS = [
    {
        "slug": "usps",
        "service_type_name": "{service_type_name}",
        "origin_address": {**SEATTLE, "city": "Seattle"},
        "destination_address": EL_CAJON,
        "weight": {"unit": "kg", "value": 1},
        "package_count": 1,
        "pickup_time": "2021-07-01 15:00:00",
    },
    {
        "slug": "usps",
        "service_type_name": "{service_type_name}",
        "origin_address": SEATTLE,
        "destination_address": {**EL_CAJON, "state": "California"},
        "weight": None,
        "package_count": None,
        "estimated_pickup": {
            "order_time": "2021-07-01 15:04:05",
            "order_cutoff_time": "20:00:00",
            "business_days": [1, 2, 3, 4, 5, 6, 7],
            "order_processing_time": {"unit": "day", "value": 0},
        },
    },
]


def seattle_model() -> edd.EddModel:
    return edd.EddModel.learn(lane_records({2: 30}, origin="98108", dest="92019"))


def test_predict_batch_answers_the_seed_request():
    first, second = edd.predict_batch(json.loads(json.dumps(SEED_ITEMS)), model=seattle_model())

    assert first["pickup_time"] == "2021-07-01 15:00:00"
    assert first["estimated_pickup"] is None
    assert first["origin_address"]["city"] == "Seattle"
    assert first["destination_address"]["city"] is None  # filled in, as the seed answers
    assert first["weight"] == {"unit": "kg", "value": 1}
    # Accepted Thursday 1 July; 2 business days: Friday 2, Saturday 3.
    assert first["estimated_delivery_date"] == "2021-07-03"
    assert first["estimated_delivery_date_min"] == "2021-07-03"
    assert first["estimated_delivery_date_max"] == "2021-07-03"

    assert second["pickup_time"] is None
    assert second["estimated_pickup"] == {
        "order_time": "2021-07-01 15:04:05",
        "order_cutoff_time": "20:00:00",
        "business_days": [1, 2, 3, 4, 5, 6, 7],
        "order_processing_time": {"unit": "day", "value": 0},
        "pickup_time": "2021-07-01 20:00:00",
    }
    # Handed over at 20:00, after the 17:00 cutoff: accepted Friday 2; then Saturday 3 and,
    # July 4th falling on a Sunday, Monday 5 is off: Tuesday 6.
    assert second["estimated_delivery_date"] == "2021-07-06"
    for key in ("slug", "service_type_name", "origin_address", "destination_address"):
        assert key in second
    assert isinstance(second["confidence_code"], int)


def test_predict_batch_without_history_answers_from_the_zone_table():
    # Seattle 981 → El Cajon 920, about 1,000 miles (zone 5); an unknown service type is read
    # as Ground Advantage (3-5 days there). Picked up Thursday 1 July 2021 before the cutoff;
    # Monday 5 July is the observed Independence Day holiday.
    [item] = edd.predict_batch(SEED_ITEMS[:1], model=None)
    assert (
        item["estimated_delivery_date_min"],
        item["estimated_delivery_date"],
        item["estimated_delivery_date_max"],
    ) == ("2021-07-06", "2021-07-07", "2021-07-08")
    assert item["confidence_code"] == edd.CODE_FEW_DATA


def test_predict_batch_without_a_zip_code_reads_the_states():
    item = {
        **SEED_ITEMS[0],
        "service_type_name": "Priority Mail",
        "origin_address": {"country": "USA", "state": "Washington"},
        "destination_address": {"country": "USA", "state": "CA"},
    }
    [answer] = edd.predict_batch([item], model=None)
    assert answer["estimated_delivery_date"] == "2021-07-06"  # 3 days of Priority Mail
    assert answer["confidence_code"] == edd.CODE_FEW_DATA
    nowhere = {**item, "origin_address": {"country": "USA"}}
    assert edd.predict_batch([nowhere], model=None)[0]["estimated_delivery_date"] is None


@pytest.mark.parametrize(
    ("plan", "pickup"),
    [
        # Before the cutoff on a working day: that day at the cutoff.
        ({"order_time": "2021-07-01 15:04:05", "order_cutoff_time": "20:00:00"}, "07-01 20:00"),
        # After the cutoff: the next working day.
        ({"order_time": "2021-07-01 21:00:00", "order_cutoff_time": "20:00:00"}, "07-02 20:00"),
        # Saturday order, Monday-Friday shop (the default days), 17:00 default cutoff.
        ({"order_time": "2021-07-03 09:00:00"}, "07-05 17:00"),
        # Two processing days, counted in the shop's working days (Fri → Mon, Tue).
        (
            {
                "order_time": "2021-07-02 09:00:00",
                "order_cutoff_time": "12:00:00",
                "business_days": [1, 2, 3, 4, 5],
                "order_processing_time": {"unit": "day", "value": 2},
            },
            "07-06 12:00",
        ),
    ],
)
def test_estimated_pickup_time(plan, pickup):
    [item] = edd.predict_batch([{**SEED_ITEMS[1], "estimated_pickup": plan}], model=seattle_model())
    assert item["estimated_pickup"]["pickup_time"] == f"2021-{pickup}:00"


def replace(item: dict, path: str, value):
    """A deep copy of `item` with the dotted `path` set to `value` (or removed for ...)."""
    item = json.loads(json.dumps(item))
    *parents, last = path.split(".")
    target = item
    for part in parents:
        target = target[part]
    if value is ...:
        target.pop(last, None)
    else:
        target[last] = value
    return item


BAD_ITEMS = [
    ("slug", ..., "slug"),
    ("slug", "fedex", "slug"),
    ("service_type_name", 5, "service_type_name"),
    ("origin_address", ..., "origin_address"),
    ("origin_address", "Seattle", "origin_address"),
    ("origin_address.country", "CHN", "origin_address.country"),
    ("destination_address.postal_code", "ABCDE", "destination_address.postal_code"),
    ("destination_address.city", 7, "destination_address.city"),
    ("weight", {"unit": "stone", "value": 1}, "weight.unit"),
    ("weight", {"unit": "kg", "value": -1}, "weight.value"),
    ("weight", {"unit": "kg", "value": float("nan")}, "weight.value"),
    ("package_count", 0, "package_count"),
    ("estimated_pickup", ..., "pickup_time"),  # neither pickup_time nor estimated_pickup
    ("pickup_time", "2021-07-01 15:00:00", "pickup_time"),  # both
    ("estimated_pickup", "tomorrow", "estimated_pickup"),
    ("estimated_pickup.order_time", ..., "estimated_pickup.order_time"),
    ("estimated_pickup.order_time", "2021/07/01 15:04", "estimated_pickup.order_time"),
    ("estimated_pickup.order_time", "9999-12-31 23:59:59", "estimated_pickup.order_time"),
    ("estimated_pickup.order_cutoff_time", "8pm", "estimated_pickup.order_cutoff_time"),
    ("estimated_pickup.business_days", [], "estimated_pickup.business_days"),
    ("estimated_pickup.business_days", [0, 1], "estimated_pickup.business_days"),
    ("estimated_pickup.business_days", [1, 1], "estimated_pickup.business_days"),
    ("estimated_pickup.business_days", "weekdays", "estimated_pickup.business_days"),
    (
        "estimated_pickup.order_processing_time.unit",
        "hour",
        "estimated_pickup.order_processing_time.unit",
    ),
    (
        "estimated_pickup.order_processing_time.value",
        -1,
        "estimated_pickup.order_processing_time.value",
    ),
    (
        "estimated_pickup.order_processing_time.value",
        True,
        "estimated_pickup.order_processing_time.value",
    ),
]


@pytest.mark.parametrize(("path", "value", "field"), BAD_ITEMS)
def test_predict_batch_errors_name_the_field(path, value, field):
    bad = replace(SEED_ITEMS[1], path, value)
    with pytest.raises(edd.EddInputError) as caught:
        edd.predict_batch([SEED_ITEMS[0], bad], model=None)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == f"estimated_delivery_dates[1].{field}"
    assert caught.value.field in str(caught.value)


def test_predict_batch_errors_for_a_bad_pickup_time_and_a_bad_batch():
    with pytest.raises(edd.EddInputError) as caught:
        edd.predict_batch([{**SEED_ITEMS[0], "pickup_time": "2021-07-01"}], model=None)
    assert caught.value.field == "estimated_delivery_dates[0].pickup_time"
    for items in (None, [], SEED_ITEMS * 3, {"slug": "usps"}):
        with pytest.raises(edd.EddInputError) as caught:
            edd.predict_batch(items, model=None)
        assert caught.value.field == "estimated_delivery_dates"
    with pytest.raises(edd.EddInputError) as caught:
        edd.predict_batch(["usps"], model=None)
    assert caught.value.field == "estimated_delivery_dates[0]"


# --- the synthetic lane generator -----------------------------------------------------------


def test_the_generator_is_deterministic_and_realistic():
    parcels = lanes.generate(1500, seed=5)
    assert parcels == lanes.generate(1500, seed=5)
    assert parcels != lanes.generate(1500, seed=6)
    cutoffs = {zip3: cutoff for zip3, _, cutoff in lanes.ORIGINS}
    for p in parcels:
        numbers.validate_for_usps(p.tracking_number)
        delivered = p.delivered_at.date()
        assert edd.is_business_day(delivered)
        start = edd.acceptance_day(p.accepted_at, cutoffs[p.origin.zip3])
        assert edd.business_days_between(start, delivered) == p.transit_days >= 1
        assert p.expected_delivery == edd.add_business_days(start, p.standard_days)
        # What the model learns from matches the parcel, via UTC and back.
        record = p.record()
        assert record.delivered_on == delivered
        assert record.accepted_at == p.accepted_at
    assert len({p.tracking_number for p in parcels}) == len(parcels)
    assert sum(p.accepted_at.weekday() == 6 for p in parcels) < len(parcels) * 0.03
    by_class = {c: [p.transit_days for p in parcels if p.mail_class == c] for c in lanes.NOISE}
    assert max(by_class[lanes.PME]) < max(by_class[lanes.GA])
    assert sorted(by_class[lanes.PM])[len(by_class[lanes.PM]) // 2] in (2, 3)


# --- the service, on real Shipment rows -----------------------------------------------------

EDT, PDT = timedelta(hours=-4), timedelta(hours=-7)


def delivered(partner, index: int, **fields) -> Shipment:
    """A Priority Mail shipment NY → SF picked up Monday 2 June 14:00 EDT, delivered
    Wednesday 4 June 15:00 PDT (2 business days), unless `fields` say otherwise."""
    number = numbers.with_impb_check_digit(f"9405511{index:014d}")
    shipment = shipment_create(partner=partner, tracking_number=number)
    values = {
        "tag": Tag.DELIVERED,
        "active": False,
        "mail_class": PM,
        "origin_postal_code": NY,
        "destination_postal_code": SF,
        "shipment_pickup_date": datetime(2025, 6, 2, 14, 0) - EDT,
        "shipment_delivery_date": datetime(2025, 6, 4, 15, 0) - PDT,
        "shipment_delivery_offset": -420,
        "created_at": datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
    }
    values.update(fields)
    for key in ("shipment_pickup_date", "shipment_delivery_date"):
        if values.get(key) is not None and values[key].tzinfo is None:
            values[key] = values[key].replace(tzinfo=UTC)
    Shipment.objects.filter(pk=shipment.pk).update(**values)
    shipment.refresh_from_db()
    return shipment


@pytest.fixture
def history(partner):
    """25 delivered shipments on the lane, and some that must not be learnt from."""
    for i in range(25):
        delivered(partner, i)
    delivered(partner, 100, return_to_sender=True)
    delivered(partner, 101, completed_reason="DELIVERED")
    delivered(partner, 102, tag=Tag.IN_TRANSIT, active=True)
    delivered(partner, 103, origin_postal_code="")
    delivered(partner, 104, shipment_delivery_date=None)
    yield
    cache.delete(edd_service.CACHE_KEY)


NOW = datetime(2025, 6, 6, 19, 0, tzinfo=UTC)  # Friday 15:00 in New York


def test_service_learns_from_carrier_delivered_shipments_only(history):
    records = edd_service.delivered_records()
    assert len(records) == 25
    model = edd_service.edd_model_learn(now=NOW)
    assert model.histograms[("lane", "100", "941", "priority_mail")] == {2: 25}


def test_service_estimates_and_stores_a_pending_shipment(partner, history):
    # Picked up Friday 6 June 14:00 in New York: accepted Friday, +2 → Monday 9 June.
    pending = delivered(
        partner,
        200,
        tag=Tag.IN_TRANSIT,
        active=True,
        shipment_pickup_date=datetime(2025, 6, 6, 14, 0) - EDT,
        shipment_delivery_date=None,
        shipment_delivery_offset=None,
        expected_delivery=date(2025, 6, 12),
    )
    Checkpoint.objects.create(
        shipment=pending,
        event_key="acceptance",
        checkpoint_time=pending.shipment_pickup_date,
        utc_offset_minutes=-240,
        message="USPS in possession of item",
        tag=Tag.IN_TRANSIT,
        subtag="InTransit_002",
        subtag_message="Acceptance scan",
    )
    model = edd_service.edd_model_learn(now=NOW)

    result = edd_service.shipment_estimate_delivery(shipment=pending, model=model, now=NOW)
    assert result.level == "lane"
    assert result.estimated_delivery_date == date(2025, 6, 9)
    assert result.estimated_delivery_date_min == result.estimated_delivery_date_max

    assert edd_service.shipments_edd_update(shipments=[pending], model=model, now=NOW) == 1
    pending.refresh_from_db()
    assert pending.estimated_delivery_date == date(2025, 6, 9)
    assert pending.estimated_delivery_date_min == date(2025, 6, 9)
    assert pending.estimated_delivery_date_max == date(2025, 6, 9)
    assert pending.estimated_delivery_confidence == result.confidence_code
    # Unchanged on a second pass; and a delivered shipment keeps what it had.
    assert edd_service.shipments_edd_update(shipments=[pending], model=model, now=NOW) == 0
    done = Shipment.objects.filter(tag=Tag.DELIVERED).first()
    assert edd_service.shipments_edd_update(shipments=[done], model=model, now=NOW) == 0

    # Still not delivered on Tuesday 10 June: nothing in the past.
    later = datetime(2025, 6, 10, 15, 0, tzinfo=UTC)
    result = edd_service.shipment_estimate_delivery(shipment=pending, model=model, now=later)
    assert result.estimated_delivery_date == date(2025, 6, 10)


def test_service_estimates_from_now_before_pickup_and_from_the_carrier_date_without_history(
    partner, history
):
    model = edd_service.edd_model_learn(now=NOW)
    waiting = delivered(
        partner,
        300,
        tag=Tag.INFO_RECEIVED,
        shipment_pickup_date=None,
        shipment_delivery_date=None,
        created_at=datetime(2025, 6, 3, 12, 0, tzinfo=UTC),
    )
    # Label made on Tuesday, not accepted by Friday 15:00: counted from Friday, +2 → Monday.
    result = edd_service.shipment_estimate_delivery(shipment=waiting, model=model, now=NOW)
    assert result.accepted_on == date(2025, 6, 6)
    assert result.estimated_delivery_date == date(2025, 6, 9)

    elsewhere = delivered(
        partner,
        301,
        tag=Tag.IN_TRANSIT,
        origin_postal_code="",
        destination_postal_code="",
        mail_class="",
        shipment_delivery_date=None,
        expected_delivery=date(2025, 6, 11),
    )
    empty = edd.EddModel()
    result = edd_service.shipment_estimate_delivery(shipment=elsewhere, model=empty, now=NOW)
    assert result.level == "carrier"
    assert result.estimated_delivery_date == date(2025, 6, 11)


def test_service_updates_many_shipments_in_a_fixed_number_of_queries(partner, history):
    model = edd_service.edd_model_learn(now=NOW)

    def pending(first: int, count: int) -> list[Shipment]:
        return [
            delivered(partner, i, tag=Tag.IN_TRANSIT, shipment_delivery_date=None)
            for i in range(first, first + count)
        ]

    counts = []
    for shipments in (pending(400, 1), pending(500, 6)):
        with CaptureQueriesContext(connection) as queries:
            edd_service.shipments_edd_update(shipments=shipments, model=model, now=NOW)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_service_caches_the_model_and_predicts(history, django_assert_num_queries):
    cache.delete(edd_service.CACHE_KEY)
    learnt = edd_service.edd_model_get(now=NOW)
    assert learnt.learnt == 25
    assert cache.get(edd_service.CACHE_KEY) is not None
    with django_assert_num_queries(1):  # the cache read only
        cached = edd_service.edd_model_get()
    assert cached.histograms == learnt.histograms

    item = {
        **SEED_ITEMS[0],
        "origin_address": {"postal_code": NY},
        "destination_address": {"postal_code": SF},
        "service_type_name": "usps-priority_mail",
        "pickup_time": "2025-06-06 14:00:00",
    }
    [answer] = edd_service.edd_predict_batch(items=[item])
    assert answer["estimated_delivery_date"] == "2025-06-09"

    with django_assert_num_queries(0), pytest.raises(edd.EddInputError):
        edd_service.edd_predict_batch(items=[{**item, "slug": ""}])
