"""The API's quick paths answer exactly what the general ones do: queries read without running
their serializer, DRF's content negotiation skipped for the usual Accept headers, each distinct
time formatted once per answer, checkpoints read as tuples."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from shipdesk.renderers import JSONRenderer
from tracking.api import representation as rep
from tracking.api import serializers as s
from tracking.api.versions import input_2026_07 as i
from tracking.api.versions import shapes_2026_07 as shapes
from tracking.api.views import TrackingListView
from tracking.tests.api.support import ok, url

QUERIES = [
    "",
    "limit=100",
    "limit=1",
    "limit=200",
    "page=7",
    "page=3&limit=25",
    "limit=0",
    "limit=201",
    "limit=05",
    "limit=%2B5",
    "limit=5.0",
    "limit=",
    "page=",
    "page=0",
    "limit=1&limit=2",
    "limit=abc",
    "limit=%D9%A1",
    "page=99999999999999999999",
    "tag=Delivered",
    "fields=title",
    "cursor=x",
    "keyword=a&limit=5",
]


def _serializer_answer(serializer_class, query: QueryDict):
    serializer = serializer_class(data=query)
    return dict(serializer.validated_data) if serializer.is_valid() else None


@pytest.mark.parametrize("serializer_class", [s.ListQuerySerializer, i.ListQuerySerializer])
@pytest.mark.parametrize("text", QUERIES)
def test_a_quick_list_query_is_the_serializers_answer(serializer_class, text):
    query = QueryDict(text)
    quick = serializer_class.quick(query)
    if quick is not None:
        assert quick == _serializer_answer(serializer_class, query)
        assert set(quick) == set(_serializer_answer(serializer_class, query))


def test_the_usual_queries_are_quick():
    assert s.ListQuerySerializer.quick(QueryDict("limit=100")) is not None
    assert s.ListQuerySerializer.quick(QueryDict("page=2&limit=50")) is not None
    assert i.ListQuerySerializer.quick(QueryDict("limit=100")) is not None
    assert i.ListQuerySerializer.quick(QueryDict("page=2")) is None  # not a 2026-07 parameter
    assert s.DetailQuerySerializer.quick(QueryDict("")) == {}
    assert s.DetailQuerySerializer.quick(QueryDict("fields=title")) is None


def test_quick_answers_are_fresh_each_time():
    first = s.ListQuerySerializer.quick(QueryDict(""))
    first["slug"].append("usps")
    first["fields"].add("title")
    first["after"] = "x"
    again = s.ListQuerySerializer.quick(QueryDict(""))
    assert again["slug"] == [] and again["fields"] == set() and "after" not in again


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "application/json",
        "application/json; indent=4",
        "application/*",
        "text/html, */*;q=0.1",
        "application/json;q=0.5, text/html",
    ],
)
@pytest.mark.parametrize("query", ["", "?format=json"])
def test_the_negotiation_chooses_as_drfs(accept, query):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    factory = APIRequestFactory()
    view = TrackingListView()
    view.format_kwarg = None
    view.args, view.kwargs = (), {}

    request = Request(factory.get("/x" + query, **headers))
    renderer, media_type = view.perform_content_negotiation(request)
    drf_renderer, drf_media_type = DefaultContentNegotiation().select_renderer(
        Request(factory.get("/x" + query, **headers)), [JSONRenderer()]
    )
    assert (type(renderer), media_type) == (type(drf_renderer), drf_media_type)


def test_an_unacceptable_type_is_still_refused(api):
    response = api.get(url("trackings"), HTTP_ACCEPT="text/html")

    assert response.status_code == 406


def test_no_accept_header_answers_json(api, make_shipment):
    make_shipment()

    response = api.get(url("trackings"))

    ok(response)
    assert response["Content-Type"] == "application/json"


NEW_YORK = ZoneInfo("America/New_York")
MINUS_FIVE = timezone(timedelta(hours=-5))
TIMES = [
    datetime(2026, 3, 1, 12, 0, 5, 999999, tzinfo=UTC),
    datetime(2026, 3, 1, 7, 0, 5, 999999, tzinfo=MINUS_FIVE),  # the same instant
    datetime(2026, 3, 1, 7, 0, 5, tzinfo=NEW_YORK),  # the same instant again
    datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK),  # an hour that happens twice
    datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK),
    datetime(2026, 3, 1, 12, 0, 5),  # naive
    None,
]


def test_times_formatted_once_read_as_each_formatted_alone():
    iso = rep.iso_once()
    for _ in range(2):
        for value in TIMES:
            for offset in (None, -300, 330, 0):
                assert iso(value, offset) == rep.iso(value, offset)


def test_a_checkpoint_tuple_is_its_columns_in_order(make_shipment, add_checkpoint):
    checkpoint = add_checkpoint(make_shipment(), latitude=41.5, longitude=-87.25, city="CHICAGO")
    values = vars(checkpoint)

    row = rep.checkpoint_values(checkpoint)

    assert row == (checkpoint.shipment_id, *(values[n] for n in rep.CHECKPOINT_COLUMNS))
    (read,) = rep.CHECKPOINT_ROWS.filter(pk=checkpoint.pk)
    assert rep.checkpoint_row(read) == rep.checkpoint_row(row)
    assert rep.checkpoint_row(row)["coordinates"] == [41.5, -87.25]
    assert shapes.checkpoint(row)["coordinate"] == {"latitude": 41.5, "longitude": -87.25}
    assert rep.checkpoint_data(checkpoint)["city"] == "CHICAGO"
