"""The pure USPS mapper: request building, event and item parsing, codes to tags/subtags."""

import logging
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest

from tracking.carriers.base import TrackRequest
from tracking.carriers.usps import mapper
from tracking.choices import Subtag, Tag

START = datetime(2026, 11, 16, 14, 12, tzinfo=UTC)
NUMBER = "9205590175547700000018"
MAPPER_LOGGER = "tracking.carriers.usps.mapper"


@pytest.mark.parametrize(
    ("code", "text", "tag", "subtag"),
    [
        ("01", "Delivered, In/At Mailbox", Tag.DELIVERED, Subtag.DELIVERED_001),
        (
            "02",
            "Notice Left (No Authorized Recipient Available)",
            Tag.ATTEMPT_FAIL,
            Subtag.ATTEMPT_FAIL_003,
        ),
        ("OF", "Out for Delivery", Tag.OUT_FOR_DELIVERY, Subtag.OUT_FOR_DELIVERY_001),
        ("16", "Available for Pickup", Tag.AVAILABLE_FOR_PICKUP, Subtag.AVAILABLE_FOR_PICKUP_001),
        ("09", "Return to Sender Processed", Tag.EXCEPTION, Subtag.EXCEPTION_010),
        ("RD", "Delivered, To Original Sender", Tag.EXCEPTION, Subtag.EXCEPTION_011),
        ("11", "Forwarded to Mail Recovery Center", Tag.EXCEPTION, Subtag.EXCEPTION_013),
        (
            "MA",
            "Shipping Label Created, USPS Awaiting Item",
            Tag.INFO_RECEIVED,
            Subtag.INFO_RECEIVED_001,
        ),
        ("03", "USPS in possession of item", Tag.IN_TRANSIT, Subtag.IN_TRANSIT_002),
        ("SF", "Departed USPS Regional Facility", Tag.IN_TRANSIT, Subtag.IN_TRANSIT_007),
    ],
)
def test_event_codes_map_to_tags_and_subtags(event, caplog, code, text, tag, subtag):
    with caplog.at_level(logging.WARNING, logger=MAPPER_LOGGER):
        parsed = mapper.parse_event(event(code, text, "destination", start=START))
    assert (parsed.tag, parsed.subtag) == (tag.value, subtag.value)
    assert parsed.subtag_message == subtag.label
    assert parsed.raw_tag == code
    assert parsed.message == text
    assert not caplog.records, "a known code must not be logged as unknown"


def test_code_wins_over_text(event):
    # "Delivered" in the text, but RD says it went back to the sender.
    parsed = mapper.parse_event(event("RD", "Delivered, To Original Sender", start=START))
    assert parsed.subtag == Subtag.EXCEPTION_011


def test_unknown_code_is_mapped_by_its_text_and_logged(event, caplog):
    with caplog.at_level(logging.WARNING, logger=MAPPER_LOGGER):
        parsed = mapper.parse_event(event("Q7", "Delivered, Front Door/Porch", start=START))
    assert parsed.subtag == Subtag.DELIVERED_001
    assert parsed.raw_tag == "Q7"
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "Q7" in record.getMessage()


def test_unknown_code_and_text_fall_back_to_in_transit_and_are_logged(event, caplog):
    with caplog.at_level(logging.WARNING, logger=MAPPER_LOGGER):
        parsed = mapper.parse_event(event("ZZ", "Hold for Weather Conditions", start=START))
    assert (parsed.tag, parsed.subtag) == (Tag.IN_TRANSIT, Subtag.IN_TRANSIT_001)
    [record] = caplog.records
    assert "ZZ" in record.getMessage()
    assert "InTransit_001" in record.getMessage()


def test_local_time_offset_is_kept(event):
    # Chicago in November is UTC-6: 08:12 local is 14:12 UTC.
    parsed = mapper.parse_event(
        event("03", "USPS in possession of item", "origin", hours=0, start=START)
    )
    assert parsed.time == START
    assert parsed.time.tzinfo is not None
    assert parsed.utc_offset_minutes == -360
    local = parsed.time.astimezone(dt_timezone(timedelta(minutes=parsed.utc_offset_minutes)))
    assert (local.hour, local.minute) == (8, 12)


def test_offset_is_derived_from_gmt_when_local_time_has_none():
    raw = {
        "eventType": "Arrived at Post Office",
        "eventCode": "07",
        "eventTimestamp": "2026-11-17T23:45:00",
        "GMTTimestamp": "2026-11-18T04:45:00Z",
        "eventCity": "NEW YORK",
        "eventState": "NY",
        "eventZIPCode": "10001",
    }
    parsed = mapper.parse_event(raw)
    assert parsed.time == datetime(2026, 11, 18, 4, 45, tzinfo=UTC)
    assert parsed.utc_offset_minutes == -300


def test_gmt_only_event_has_no_offset(event):
    parsed = mapper.parse_event(
        event("07", "Arrived at Post Office", start=START, gmt_only=True, hours=1)
    )
    assert parsed.time == START + timedelta(hours=1)
    assert parsed.utc_offset_minutes is None


def test_event_fields(event):
    parsed = mapper.parse_event(
        event(
            "RD",
            "Delivered, To Original Sender",
            "origin",
            start=START,
            recipient="M LOPEZ",
            firm="ACME PARCELS",
        )
    )
    assert (parsed.city, parsed.state, parsed.zip) == ("Chicago", "IL", "60607")
    assert (parsed.country_iso3, parsed.country_name) == ("USA", "United States")
    assert parsed.location == "Chicago, IL 60607, USA"
    assert (parsed.recipient_name, parsed.firm) == ("M LOPEZ", "ACME PARCELS")


def test_same_event_parsed_twice_gives_the_same_key(event):
    raw = event("A1", "Arrived at USPS Regional Destination Facility", start=START)
    assert mapper.parse_event(raw).key == mapper.parse_event(dict(raw)).key
    # The same moment written as GMT only is still the same event.
    gmt_only = event(
        "A1", "Arrived at USPS Regional Destination Facility", start=START, gmt_only=True
    )
    assert mapper.parse_event(gmt_only).key == mapper.parse_event(raw).key


def test_different_events_get_different_keys(event):
    first = event("10", "Processed through USPS Facility", start=START, hours=5)
    later = event("10", "Processed through USPS Facility", start=START, hours=6)
    elsewhere = event("10", "Processed through USPS Facility", "origin", start=START, hours=5)
    keys = {mapper.parse_event(e).key for e in (first, later, elsewhere)}
    assert len(keys) == 3


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"eventType": ""}, "eventType"),
        ({"eventTimestamp": None, "GMTTimestamp": None}, "timestamp"),
        ({"eventTimestamp": "yesterday afternoon"}, "yesterday"),
        ({"eventTimestamp": 1763300000}, "not a string"),
    ],
)
def test_unusable_event_raises_value_error(event, change, reason):
    raw = {**event(start=START), **change}
    with pytest.raises(ValueError, match=reason):
        mapper.parse_event(raw)


def _requests(count: int) -> list[TrackRequest]:
    return [TrackRequest(tracking_number=f"92055901755477{i:08d}") for i in range(count)]


@pytest.mark.parametrize("count", [0, 36])
def test_build_tracking_request_rejects_0_or_36_numbers(count):
    with pytest.raises(ValueError, match="1 to 35"):
        mapper.build_tracking_request(_requests(count))


@pytest.mark.parametrize("count", [1, 35])
def test_build_tracking_request_accepts_1_to_35_numbers(count):
    body = mapper.build_tracking_request(_requests(count))
    assert [item["trackingNumber"] for item in body] == [
        r.tracking_number for r in _requests(count)
    ]


def test_build_tracking_request_includes_mailing_date_and_destination_zip():
    body = mapper.build_tracking_request(
        [
            TrackRequest(NUMBER, mailing_date=date(2026, 11, 14), destination_zip="10001-1234"),
            TrackRequest("EC123456785US"),
        ]
    )
    assert body == [
        {"trackingNumber": NUMBER, "mailingDate": "2026-11-14", "destinationZIPCode": "10001"},
        {"trackingNumber": "EC123456785US"},
    ]


def test_parse_item_reads_the_shipment_facts(item):
    result = mapper.parse_item(item(NUMBER, "delivered", start=START))
    assert result.ok
    assert result.unique_tracking_id == f"{NUMBER}-20261116-UTID"
    assert result.mail_class == "Priority Mail"
    assert result.status == "Delivered, In/At Mailbox"
    assert result.expected_delivery == date(2026, 11, 18)
    assert result.pod_eligible and result.rre_eligible
    assert (result.origin_city, result.origin_state, result.origin_zip) == (
        "Chicago",
        "IL",
        "60607",
    )
    assert (result.destination_city, result.destination_state, result.destination_zip) == (
        "New York",
        "NY",
        "10001",
    )
    assert [e.raw_tag for e in result.events] == [
        "01",
        "OF",
        "07",
        "T1",
        "A1",
        "SF",
        "10",
        "03",
        "MA",
    ]
    assert result.events[0].recipient_name == "J SMITH"


def test_parse_response_gives_one_result_per_requested_number(item):
    other = "9205590175547700000025"
    missing = "9205590175547700000032"
    body = [
        item(other, "notice_left", start=START),
        {**item(NUMBER, "delivered", start=START), "statusCode": "200"},
    ]
    results = mapper.parse_tracking_response(body, [NUMBER, missing, other])
    assert [r.tracking_number for r in results] == [NUMBER, missing, other]
    assert results[0].ok and results[0].events[0].tag == Tag.DELIVERED
    assert results[2].ok and results[2].events[0].tag == Tag.ATTEMPT_FAIL
    assert not results[1].ok
    assert "did not include" in results[1].error


def test_parse_response_records_per_item_errors(item):
    body = [
        {**item(NUMBER, "delivered", start=START), "statusCode": "200"},
        {
            "trackingNumber": "9205590175547700000025",
            "statusCode": "404",
            "error": {"code": "404", "message": "The tracking number may be incorrect."},
        },
    ]
    good, bad = mapper.parse_tracking_response(body, [NUMBER, "9205590175547700000025"])
    assert good.ok
    assert bad.error == "USPS 404: The tracking number may be incorrect."
    assert bad.events == []


def test_an_item_with_a_bad_event_is_an_error_for_that_number_only(item):
    broken = item("9205590175547700000025", "in_transit", start=START)
    broken["trackingEvents"][1]["eventTimestamp"] = 1763300000
    body = [item(NUMBER, "delivered", start=START), broken]
    good, bad = mapper.parse_tracking_response(body, [NUMBER, "9205590175547700000025"])
    assert good.ok and len(good.events) == 9
    assert bad.error.startswith("USPS answer malformed")
    assert "not a string" in bad.error


def test_a_single_item_object_is_read_as_one_item(item):
    [result] = mapper.parse_tracking_response(item(NUMBER, "delivered", start=START), [NUMBER])
    assert result.ok
    assert len(result.events) == 9


@pytest.mark.parametrize(
    "body",
    [
        None,
        "OK",
        42,
        {"unexpected": True},
        [None, "x", 3],
        [{"statusCode": "200"}],
        [{"trackingNumber": NUMBER, "trackingEvents": "none"}],
    ],
)
def test_a_response_of_the_wrong_shape_never_raises(body):
    [result] = mapper.parse_tracking_response(body, [NUMBER])
    assert not result.ok
    assert result.error.startswith("USPS answer")


# --- event times that cannot be read -------------------------------------------------------

BAD_TIMES = [
    # Shifting to UTC leaves the range of a datetime (OverflowError inside Python).
    ({"eventTimestamp": "0001-01-01T00:00:00+01:00"}, "eventTimestamp"),
    ({"eventTimestamp": "9999-12-31T23:00:00-05:00"}, "eventTimestamp"),
    ({"eventTimestamp": None, "GMTTimestamp": "0001-01-01T00:00:00+01:00"}, "GMTTimestamp"),
    ({"eventTimestamp": None, "GMTTimestamp": "9999-12-31T23:00:00-05:00"}, "GMTTimestamp"),
    # Readable, but no parcel was ever scanned then.
    ({"eventTimestamp": "0001-01-01T00:00:00+00:00"}, "out of range"),
    ({"eventTimestamp": "9999-12-31T10:00:00-05:00"}, "out of range"),
    ({"eventTimestamp": None, "GMTTimestamp": "1899-12-31T10:00:00Z"}, "out of range"),
    # Not a time at all, or not a real date.
    ({"eventTimestamp": "2026-13-01T10:00:00-05:00"}, "eventTimestamp"),
    ({"eventTimestamp": "2026-02-30T10:00:00-05:00"}, "eventTimestamp"),
    ({"eventTimestamp": "soon", "GMTTimestamp": None}, "eventTimestamp"),
    ({"GMTTimestamp": "2026-11-18T99:00:00Z"}, "GMTTimestamp"),
    # A local time with no offset and nothing to place it by.
    ({"eventTimestamp": "2026-11-17T23:45:00", "GMTTimestamp": None}, "no UTC offset"),
    # A local time too far from its GMT time to be the same moment.
    ({"eventTimestamp": "2026-11-17T23:45:00", "GMTTimestamp": "2026-11-01T04:45:00Z"}, "apart"),
    # Types JSON allows but a time is not.
    ({"eventTimestamp": 1763300000}, "not a string"),
    ({"eventTimestamp": None, "GMTTimestamp": 1763300000.5}, "not a string"),
    ({"eventTimestamp": ["2026-11-17T23:45:00-05:00"]}, "not a string"),
    ({"eventTimestamp": {"at": "2026-11-17T23:45:00-05:00"}}, "not a string"),
    ({"eventTimestamp": True}, "not a string"),
]


@pytest.mark.parametrize(("change", "reason"), BAD_TIMES)
def test_an_unreadable_event_time_is_an_unreadable_event(event, change, reason):
    raw = {**event(start=START), **change}
    with pytest.raises(ValueError, match=reason):
        mapper.parse_event(raw)


@pytest.mark.parametrize(("change", "reason"), BAD_TIMES)
def test_an_unreadable_event_time_costs_only_its_own_number(item, change, reason):
    other = "9205590175547700000025"
    broken = item(other, "in_transit", start=START)
    broken["trackingEvents"][2].update(change)
    body = [item(NUMBER, "delivered", start=START), broken]

    good, bad = mapper.parse_tracking_response(body, [NUMBER, other])

    assert good.ok and len(good.events) == 9
    assert not bad.ok and bad.events == []
    assert bad.error.startswith("USPS answer malformed: event 3: ")
    assert reason in bad.error


@pytest.mark.parametrize(
    "change",
    [
        {"eventCity": {"name": "NEW YORK"}},
        {"eventState": ["NY"]},
        {"eventCode": {"code": "10"}},
        {"eventType": ["Processed"]},
        {"recipientName": {"first": "J"}},
    ],
)
def test_an_event_field_of_an_unreadable_type_is_an_unreadable_event(event, change):
    raw = {**event(start=START), **change}
    with pytest.raises(ValueError, match=next(iter(change))):
        mapper.parse_event(raw)


def test_an_item_fact_of_an_unreadable_type_is_left_blank_and_the_events_are_read(item):
    raw = {
        **item(NUMBER, "delivered", start=START),
        "mailClass": {"name": "Priority Mail"},
        "originCity": ["CHICAGO"],
        "deliveryDateExpectation": {"expectedDeliveryDate": ["2026-11-18"]},
    }

    [result] = mapper.parse_tracking_response([raw], [NUMBER])

    assert result.ok and len(result.events) == 9
    assert (result.mail_class, result.origin_city, result.expected_delivery) == ("", "", None)
    assert result.origin_state == "IL"


@pytest.mark.parametrize("number", [["9205590175547700000018"], {"n": 1}, 9.5e300])
def test_an_unreadable_tracking_number_is_not_taken_for_a_number(item, number):
    raw = {**item(NUMBER, "delivered", start=START), "trackingNumber": number}
    [result] = mapper.parse_tracking_response([raw], [NUMBER])
    assert result.error == "USPS answer did not include this number"


def test_a_time_at_the_edge_of_the_range_or_with_an_odd_offset_is_read(event):
    late = mapper.parse_event({**event(start=START), "eventTimestamp": "2026-11-17T23:45:00+14:00"})
    assert late.time == datetime(2026, 11, 17, 9, 45, tzinfo=UTC)
    assert late.utc_offset_minutes == 14 * 60
    india = mapper.parse_event(
        {**event(start=START), "eventTimestamp": "2026-11-17T23:45:00+05:30"}
    )
    assert india.utc_offset_minutes == 330


def test_a_nul_character_in_a_text_field_is_dropped(event):
    parsed = mapper.parse_event({**event(start=START), "eventCity": "NEW\x00 YORK"})
    assert parsed.city == "New York"


def test_an_offset_no_place_has_is_an_unreadable_event(event):
    with pytest.raises(ValueError, match="UTC offset out of range"):
        mapper.parse_event({**event(start=START), "eventTimestamp": "2026-11-17T23:45:00+20:00"})
