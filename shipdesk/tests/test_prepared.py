"""A PreparedIn answers exactly what the queryset would, in one query, without rebuilding it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shipdesk.models import Partner
from shipdesk.prepared import PreparedIn, PreparedWhere
from shipdesk.services import partner_get_or_create

ROWS = Partner.objects.order_by("-id").values("id", "name", "is_active", "created_at")
TUPLES = Partner.objects.order_by("id").values_list("slug", "is_active", "created_at")


@pytest.fixture
def partners(db):
    made = [partner_get_or_create(name=f"Partner {n}") for n in range(5)]
    made[1].is_active = False
    made[1].save()
    return [p.pk for p in made]


@pytest.mark.parametrize("queryset", [ROWS, TUPLES])
def test_the_rows_are_the_querysets(partners, queryset):
    prepared = PreparedIn(queryset, "id")
    for ids in (partners[:1], partners, partners[1:4], [partners[4], partners[0]], [10**9]):
        for _ in range(2):  # compiled, then reused
            assert prepared.rows(ids) == list(queryset.filter(id__in=ids))


def test_the_values_convert_as_django_converts_them(partners):
    (row,) = PreparedIn(ROWS, "id").rows([partners[1]])
    assert row["is_active"] is False
    assert row["created_at"].tzinfo is not None


def test_one_query_each_time(partners):
    prepared = PreparedIn(ROWS, "id")
    prepared.rows(partners)
    with CaptureQueriesContext(connection) as captured:
        prepared.rows(partners[::-1])
    assert len(captured) == 1


def test_duplicates_none_and_nothing_are_read_as_django_reads_them(partners):
    prepared = PreparedIn(ROWS, "id")
    assert prepared.rows([]) == []
    twice = [partners[0], partners[0], None, partners[2]]
    assert prepared.rows(twice) == list(ROWS.filter(id__in=twice))


def test_only_values_querysets_are_prepared():
    with pytest.raises(TypeError):
        PreparedIn(Partner.objects.all(), "id")


def test_datetimes_keep_the_querysets_zone(partners):
    (row,) = PreparedIn(ROWS, "id").rows([partners[0]])
    (expected,) = ROWS.filter(id=partners[0])
    assert row["created_at"] == expected["created_at"]
    assert row["created_at"].tzinfo == expected["created_at"].tzinfo


@pytest.mark.parametrize("queryset", [ROWS, TUPLES])
def test_a_prepared_where_reads_the_querysets_rows(partners, queryset):
    prepared = PreparedWhere(queryset, "id", "is_active")
    for values in ((partners[0], True), (partners[1], False), (partners[1], True), (10**9, True)):
        for _ in range(2):
            assert prepared.rows(*values) == list(
                queryset.filter(id=values[0], is_active=values[1])
            )
    with CaptureQueriesContext(connection) as captured:
        prepared.rows(partners[2], True)
    assert len(captured) == 1


DETAILS = [
    {},
    {"a": [1, 2.5, "é \u2028", None, True, {"b": -0.0}], "a2": 1e-7},
    {"big": 2**70, "small": -(2**63)},  # past 64 bits: orjson refuses, Django's reader reads
    "text",
    [1, "two"],
]


def test_json_columns_read_as_django_reads_them(db):
    from shipdesk.models import AuditEvent

    events = [
        AuditEvent.objects.create(actor_kind="system", actor_label="s", action="x", summary="y")
        for _ in DETAILS
    ]
    for event, detail in zip(events, DETAILS, strict=True):
        AuditEvent.objects.filter(pk=event.pk).update(detail=detail)
    ids = [e.pk for e in events]
    queryset = AuditEvent.objects.order_by("id").values("id", "detail")

    rows = PreparedIn(queryset, "id").rows(ids)

    expected = list(queryset.filter(id__in=ids))
    assert rows == expected
    assert [type(r["detail"]) for r in rows] == [type(r["detail"]) for r in expected]
