"""GET /trackings: paging, newest first, every 2024-04 filter, `fields`, and its errors."""

import pytest
from django.utils import timezone

from tracking.choices import Subtag
from tracking.models import Shipment
from tracking.tests.api.support import days_ago, error, impb, ok, url


@pytest.fixture
def catalog(make_shipment, other_partner):
    """Four trackings of the partner (oldest first) and a look-alike of another partner."""
    shipments = {
        "mug": make_shipment(
            number=impb(101),
            now=days_ago(5),
            title="Blue mug",
            order_id="ORD-1",
            order_number="N-100",
            customer_name="Ann Lee",
            custom_fields={"sku": "MUG-BLUE", "note": "Café au lait"},
            emails=["ann@example.com"],
            origin_country_iso3="CHN",
            destination_country_iso3="USA",
        ),
        "chair": make_shipment(
            number=impb(102),
            now=days_ago(4),
            title="Red chair",
            order_id="ORD-2",
            customer_name="Bob Stone",
            smses=["+18555072509"],
            origin_country_iso3="USA",
            destination_country_iso3="CAN",
        ),
        "lamp": make_shipment(
            number="EC123456785US",
            now=days_ago(3),
            title="Green lamp",
            order_id="ORD-3",
            customer_name="Cy Young",
            origin_country_iso3="USA",
            destination_country_iso3="USA",
        ),
        "letter": make_shipment(number=impb(104), now=days_ago(2)),
        "theirs": make_shipment(
            owner=other_partner,
            number=impb(101),
            now=days_ago(1),
            title="Blue mug",
            order_id="ORD-1",
            customer_name="Ann Lee",
            emails=["ann@example.com"],
        ),
    }
    status = {
        "mug": Subtag.IN_TRANSIT_001,
        "chair": Subtag.DELIVERED_001,
        "lamp": Subtag.EXCEPTION_011,
        "letter": Subtag.PENDING_001,
    }
    for name, subtag in status.items():
        Shipment.objects.filter(pk=shipments[name].pk).update(
            tag=subtag.tag,
            subtag=subtag,
            subtag_message=subtag.label,
            return_to_sender=subtag == Subtag.EXCEPTION_011,
        )
    return shipments


def listed(api, catalog, **params) -> list[str]:
    """The names of the trackings a list answers, in its order."""
    names = {s.public_id: name for name, s in catalog.items()}
    data = ok(api.get(url("trackings"), params))
    assert data["count"] == len(data["trackings"]) or params.get("limit")
    return [names[t["id"]] for t in data["trackings"]]


def test_list_is_newest_first_with_default_paging(api, catalog):
    data = ok(api.get(url("trackings")))

    assert data["page"] == 1
    assert data["limit"] == 100
    assert data["count"] == 4
    assert data["pagination"] == {"total": 4, "has_next_page": False, "next_cursor": None}
    assert [t["id"] for t in data["trackings"]] == [
        catalog[name].public_id for name in ("letter", "lamp", "chair", "mug")
    ]
    assert data["trackings"][0]["tracking_number"] == catalog["letter"].tracking_number
    assert "checkpoints" in data["trackings"][0]


def test_list_pages_through_the_results(api, catalog):
    first = ok(api.get(url("trackings"), {"limit": 3}))
    second = ok(api.get(url("trackings"), {"limit": 3, "page": 2}))
    past = ok(api.get(url("trackings"), {"limit": 3, "page": 3}))

    assert [len(d["trackings"]) for d in (first, second, past)] == [3, 1, 0]
    assert first["pagination"] == {"total": 4, "has_next_page": True, "next_cursor": "2"}
    assert second["pagination"]["has_next_page"] is False
    assert (second["page"], second["limit"], second["count"]) == (2, 3, 4)
    seen = [t["id"] for t in first["trackings"] + second["trackings"]]
    assert seen == [catalog[n].public_id for n in ("letter", "lamp", "chair", "mug")]
    assert ok(api.get(url("trackings"), {"page": 10**12}))["trackings"] == []


def test_trackings_created_in_the_same_instant_keep_a_stable_order(api, make_shipment):
    now = timezone.now()
    created = [make_shipment(now=now) for _ in range(3)]

    data = ok(api.get(url("trackings")))

    assert [t["id"] for t in data["trackings"]] == [s.public_id for s in reversed(created)]


def test_limit_goes_up_to_200(api, make_shipment):
    for _ in range(201):
        make_shipment()

    assert len(ok(api.get(url("trackings"), {"limit": 200}))["trackings"]) == 200
    assert len(ok(api.get(url("trackings")))["trackings"]) == 100


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "two"}, "page"),
        ({"tag": "Lost"}, "tag"),
        ({"created_at_min": "last week"}, "created_at_min"),
        ({"created_at_max": "2024-13-01T00:00:00Z"}, "created_at_max"),
        ({"updated_at_min": "x"}, "updated_at_min"),
        ({"updated_at_max": "x"}, "updated_at_max"),
        ({"return_to_sender": "maybe"}, "return_to_sender"),
        ({"keyword": "k" * 201}, "keyword"),
        ({"tracking_numbers": ",".join(impb(n) for n in range(51))}, "tracking_numbers"),
    ],
)
def test_invalid_list_parameters_are_a_bad_request_naming_them(api, catalog, params, field):
    error(api.get(url("trackings"), params), 400, says=(f"{field}:",))


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("ORD-2", ["chair"]),  # order id
        ("N-100", ["mug"]),  # order number
        ("chair", ["chair"]),  # title, any case, any part
        ("BLUE MUG", ["mug"]),
        ("stone", ["chair"]),  # customer name
        ("Cy Young", ["lamp"]),
        ("MUG-BLUE", ["mug"]),  # a custom field's value
        ("ann@example.com", ["mug"]),  # an e-mail subscriber
        ("ANN@EXAMPLE.COM", ["mug"]),
        ("+18555072509", ["chair"]),  # an SMS subscriber
        ("EC123456785US", ["lamp"]),  # tracking number
        ("ec123456785us", ["lamp"]),
        ("EC 1234 5678 5US", ["lamp"]),
        ("EC1234", ["lamp"]),  # a tracking number's beginning
        ("nothing like it", []),
    ],
)
def test_keyword_searches_number_title_order_customer_custom_fields_and_subscribers(
    api, catalog, keyword, expected
):
    assert listed(api, catalog, keyword=keyword) == expected


def test_keyword_finds_a_full_tracking_number(api, catalog):
    assert listed(api, catalog, keyword=catalog["chair"].tracking_number) == ["chair"]


def test_keyword_finds_a_custom_field_value_with_accents(api, catalog):
    assert listed(api, catalog, keyword="Café au lait") == ["mug"]


def test_a_keyword_with_quotes_finds_its_custom_field(api, catalog, make_shipment):
    catalog["pizza"] = make_shipment(custom_fields={"item": 'A 12" pizza'})
    assert listed(api, catalog, keyword='12" pizza') == ["pizza"]


@pytest.mark.parametrize("keyword", ["-", " - ", "--"])
def test_a_keyword_of_separators_only_does_not_match_everything(api, catalog, keyword):
    assert listed(api, catalog, keyword=keyword) == []


def test_a_blank_keyword_filters_nothing(api, catalog):
    assert len(listed(api, catalog, keyword="   ")) == 4


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "Delivered"}, ["chair"]),
        ({"tag": "Pending,Exception"}, ["letter", "lamp"]),
        ({"tag": "Expired"}, []),
        ({"slug": "usps"}, ["letter", "lamp", "chair", "mug"]),
        ({"slug": "USPS,fedex"}, ["letter", "lamp", "chair", "mug"]),
        ({"slug": "fedex"}, []),
        ({"origin": "CHN"}, ["mug"]),
        ({"origin": "usa"}, ["lamp", "chair"]),
        ({"origin": "CHN,USA"}, ["lamp", "chair", "mug"]),
        ({"destination": "CAN"}, ["chair"]),
        ({"destination": "USA,CAN"}, ["lamp", "chair", "mug"]),
        ({"order_id": "ORD-1"}, ["mug"]),
        ({"order_id": "ORD"}, []),
        ({"return_to_sender": "true"}, ["lamp"]),
        ({"return_to_sender": "false"}, ["letter", "chair", "mug"]),
        ({"tag": "InTransit", "origin": "CHN", "destination": "USA"}, ["mug"]),
        ({"tag": "InTransit", "origin": "USA"}, []),
    ],
)
def test_list_filters(api, catalog, params, expected):
    assert listed(api, catalog, **params) == expected


def test_tracking_numbers_filter_takes_up_to_50_numbers(api, catalog):
    wanted = [catalog["mug"].tracking_number, "ec 1234-5678-5us"]
    fillers = [impb(n) for n in range(500, 548)]

    assert listed(api, catalog, tracking_numbers=",".join(wanted + fillers)) == ["lamp", "mug"]


def test_created_at_bounds(api, catalog):
    assert listed(api, catalog, created_at_min=days_ago(3.5).isoformat()) == ["letter", "lamp"]
    assert listed(api, catalog, created_at_max=days_ago(3.5).isoformat()) == ["chair", "mug"]
    assert listed(
        api,
        catalog,
        created_at_min=days_ago(4.5).isoformat(),
        created_at_max=days_ago(2.5).isoformat(),
    ) == ["lamp", "chair"]


def test_created_at_bounds_are_echoed_with_their_offset(api, catalog):
    data = ok(api.get(url("trackings"), {"created_at_min": "2024-01-01T08:00:00+08:00"}))
    assert data["created_at_min"] == "2024-01-01T00:00:00+00:00"
    assert data["created_at_max"] is None


def test_updated_at_bounds(api, catalog):
    for name, days in (("mug", 1), ("chair", 10), ("lamp", 20), ("letter", 30)):
        Shipment.objects.filter(pk=catalog[name].pk).update(updated_at=days_ago(days))

    assert listed(api, catalog, updated_at_min=days_ago(15).isoformat()) == ["chair", "mug"]
    assert listed(api, catalog, updated_at_max=days_ago(15).isoformat()) == ["letter", "lamp"]
    assert listed(
        api,
        catalog,
        updated_at_min=days_ago(25).isoformat(),
        updated_at_max=days_ago(5).isoformat(),
    ) == ["lamp", "chair"]


def test_fields_picks_the_keys_of_each_tracking(api, catalog):
    data = ok(api.get(url("trackings"), {"fields": "title, tag,order_id", "limit": 2}))

    assert data["fields"] == "order_id,tag,title"
    assert data["trackings"] == [
        {"id": catalog["letter"].public_id, "title": catalog["letter"].tracking_number,
         "tag": "Pending", "order_id": None},
        {"id": catalog["lamp"].public_id, "title": "Green lamp", "tag": "Exception",
         "order_id": "ORD-3"},
    ]  # fmt: skip


def test_the_answer_echoes_the_filters(api, catalog):
    data = ok(
        api.get(
            url("trackings"),
            {"keyword": "mug", "tag": "InTransit", "slug": "usps", "origin": "chn"},
        )
    )
    assert data["keyword"] == "mug"
    assert data["tag"] == "InTransit"
    assert data["slug"] == "usps"
    assert data["origin"] == ["CHN"]
    assert data["count"] == 1


def test_a_list_never_shows_another_partners_trackings(other_api, catalog):
    data = ok(other_api.get(url("trackings")))
    assert [t["id"] for t in data["trackings"]] == [catalog["theirs"].public_id]

    for params in (
        {"keyword": catalog["chair"].tracking_number},
        {"keyword": "Red chair"},
        {"order_id": "ORD-2"},
        {"tracking_numbers": catalog["lamp"].tracking_number},
        {"tag": "Delivered"},
        {"return_to_sender": "true"},
    ):
        data = ok(other_api.get(url("trackings"), params))
        assert (data["count"], data["trackings"]) == (0, []), params


def test_an_empty_account_lists_nothing(other_api):
    data = ok(other_api.get(url("trackings")))
    assert (data["count"], data["trackings"]) == (0, [])
    assert data["pagination"] == {"total": 0, "has_next_page": False, "next_cursor": None}
