"""Shipments with real histories for the shipment page and dashboard tests."""

import pytest

from tracking.tests.workspace import support


@pytest.fixture
def make_shipment(partner):
    """`make_shipment(owner=…, status={…}, **fields)`: the partner's by default."""

    def make(*, owner=None, **fields):
        return support.make_shipment(owner or partner, **fields)

    return make


@pytest.fixture
def add_checkpoint():
    return support.add_checkpoint
