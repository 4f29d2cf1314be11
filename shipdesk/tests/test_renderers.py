"""The partner APIs' renderer writes DRF's bytes (orjson where it can, DRF's encoder else)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer

from shipdesk.renderers import JSONRenderer

CHICAGO = timezone(timedelta(hours=-6))


@dataclass
class Point:
    x: int


DOCUMENTS = [
    {"meta": {"code": 200}, "data": {"tracking": {"id": "abc", "checkpoints": []}}},
    {
        "text": 'Zoë 漢字 \U0001f600 "quoted" back\\slash tab\t nl\n \x00 \x1f \x7f',
        "separators": "line\u2028paragraph\u2029end",
        "numbers": [0, -1, 2**63 - 1, 1.5, -0.0, 41.878113, 1e16, 0.1 + 0.2],
        "flags": [True, False, None],
        "empty": [{}, [], ""],
        "tuple": (1, "two"),
    },
    {
        "aware": datetime(2026, 12, 1, 9, 30, 15, tzinfo=UTC),
        "aware_micro": datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=CHICAGO),
        "naive": datetime(2026, 12, 1, 9, 30),
        "day": date(2026, 12, 1),
        "clock": time(9, 30, 15, 500000),
        "span": timedelta(hours=1, seconds=3),
        "money": Decimal("19.99"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "lazy": gettext_lazy("Delivered"),
        "set": {3},
        "bytes": b"raw",
    },
    {"huge": 2**70, "point": Point(1)},  # past orjson: DRF's encoder answers (or refuses)
    {1: "integer key", "nested": {"deep": [[[[{"a": None}]]]]}},
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_bytes_are_drfs(document):
    try:
        expected = DRFRenderer().render(document)
    except TypeError:
        with pytest.raises(TypeError):
            JSONRenderer().render(document)
        return
    assert JSONRenderer().render(document) == expected


def test_an_indented_answer_is_drfs_too():
    document = DOCUMENTS[1]
    media_type = "application/json; indent=4"
    assert JSONRenderer().render(document, media_type) == DRFRenderer().render(document, media_type)


def test_nothing_renders_as_an_empty_body():
    assert JSONRenderer().render(None) == b""
