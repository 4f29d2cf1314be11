"""Fixtures for the partner API tests: keyed clients for two partners, shipments, checkpoints."""

from __future__ import annotations

import itertools
from datetime import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from shipdesk.services import api_key_create
from tracking.choices import Subtag
from tracking.models import Checkpoint, Shipment
from tracking.services.shipments import shipment_create
from tracking.tests.api.support import PartnerClient, impb


@pytest.fixture(autouse=True)
def _roomy_default_rate(settings):
    """Tests make many quick requests with one key: only the throttle tests set a low limit."""
    settings.API_RATE_PER_SECOND = 10_000


@pytest.fixture
def client_for(db):
    """A JSON client holding a new key of the given partner (`.key` is the APIKey row)."""

    def make(partner, *, name: str = "backend", rate_per_second: int | None = None):
        key, raw_key = api_key_create(partner=partner, name=name)
        if rate_per_second is not None:
            key.rate_per_second = rate_per_second
            key.save(update_fields=["rate_per_second"])
        client = PartnerClient(raw_key)
        client.key, client.raw_key = key, raw_key
        return client

    return make


@pytest.fixture
def api(client_for, partner):
    return client_for(partner)


@pytest.fixture
def other_api(client_for, other_partner):
    return client_for(other_partner)


@pytest.fixture
def serials():
    return itertools.count(1)


@pytest.fixture
def make_shipment(partner, serials):
    """Store a shipment through the service (the partner's by default), a fresh number each."""

    def make(*, owner=None, number: str | None = None, **fields) -> Shipment:
        return shipment_create(
            partner=owner or partner, tracking_number=number or impb(next(serials)), **fields
        )

    return make


@pytest.fixture
def add_checkpoint():
    """Store a carrier event on a shipment (the shipment's status is left as it is)."""
    keys = itertools.count(1)

    def add(
        shipment: Shipment,
        *,
        when: datetime | None = None,
        subtag: Subtag = Subtag.IN_TRANSIT_001,
        message: str = "Arrived at USPS Regional Facility",
        offset_minutes: int | None = -300,
        **fields,
    ) -> Checkpoint:
        return Checkpoint.objects.create(
            shipment=shipment,
            event_key=f"event-{next(keys)}",
            checkpoint_time=when or timezone.now(),
            utc_offset_minutes=offset_minutes,
            message=message,
            tag=subtag.tag,
            subtag=subtag,
            subtag_message=subtag.label,
            **fields,
        )

    return add


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, pinned: `clock.now` is what `time.time()` answers in shipdesk.api.

    Starts at the beginning of a second so that tests never straddle a window boundary.
    """
    import time

    import shipdesk.api

    state = SimpleNamespace(now=float(int(time.time())) + 0.25)
    monkeypatch.setattr(shipdesk.api, "time", SimpleNamespace(time=lambda: state.now))
    return state


@pytest.fixture
def meanwhile(monkeypatch):
    """`meanwhile(**fields)`: someone else (the refresh worker, an agent) stores these fields on
    the tracking right after the API has read it and before the API writes."""
    from tracking.api import views

    original = views.TrackingLookupMixin.get_shipment

    def arrange(**fields):
        def get_shipment(self, **kwargs):
            shipment = original(self, **kwargs)
            Shipment.objects.filter(pk=shipment.pk).update(**fields)
            return shipment

        monkeypatch.setattr(views.TrackingLookupMixin, "get_shipment", get_shipment)

    return arrange
