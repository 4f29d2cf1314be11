"""The API keys a process keeps in its own memory: how long, how many, and what drops them.

(That a key revoked in one process is refused by the others within a second is tested with
real processes: tracking/tests/api/test_throttle_processes.py.)"""

from types import SimpleNamespace

import pytest

import shipdesk.services
from shipdesk.models import APIKey
from shipdesk.services import api_key_authenticate, api_key_create, api_key_revoke


@pytest.fixture
def monotonic(monkeypatch):
    """The memory's clock, pinned: `monotonic.now` is what `time.monotonic()` answers there."""
    state = SimpleNamespace(now=1_000.0)
    monkeypatch.setattr(shipdesk.services, "time", SimpleNamespace(monotonic=lambda: state.now))
    return state


def test_a_key_is_read_once_then_answered_from_memory_as_is(partner, django_assert_num_queries):
    _, raw_key = api_key_create(partner=partner, name="k")
    with django_assert_num_queries(1):
        first = api_key_authenticate(raw_key=raw_key)
    with django_assert_num_queries(0):
        again = api_key_authenticate(raw_key=raw_key)
        assert again.partner == partner
    assert again is first  # the row itself, not a copy made for each request


def test_a_key_is_read_again_after_api_key_cache_seconds(
    partner, settings, monotonic, django_assert_num_queries
):
    settings.API_KEY_CACHE_SECONDS = 0.5
    key, raw_key = api_key_create(partner=partner, name="k")
    api_key_authenticate(raw_key=raw_key)
    APIKey.objects.filter(pk=key.pk).update(name="renamed")  # no signal: as in another process

    monotonic.now += 0.49
    with django_assert_num_queries(0):
        assert api_key_authenticate(raw_key=raw_key).name == "k"
    monotonic.now += 0.01
    with django_assert_num_queries(1):
        assert api_key_authenticate(raw_key=raw_key).name == "renamed"


def test_a_revocation_in_this_process_applies_at_once(partner, settings, monotonic):
    settings.API_KEY_CACHE_SECONDS = 3600
    key, raw_key = api_key_create(partner=partner, name="k")
    assert api_key_authenticate(raw_key=raw_key) is not None

    api_key_revoke(key=key)

    assert api_key_authenticate(raw_key=raw_key) is None


def test_a_deactivated_partner_applies_at_once(partner, settings, monotonic):
    settings.API_KEY_CACHE_SECONDS = 3600
    _, raw_key = api_key_create(partner=partner, name="k")
    assert api_key_authenticate(raw_key=raw_key) is not None

    partner.is_active = False
    partner.save()

    assert api_key_authenticate(raw_key=raw_key) is None


def test_the_memory_is_emptied_past_its_bound(partner, settings, monkeypatch):
    settings.API_KEY_CACHE_SECONDS = 3600
    monkeypatch.setattr(shipdesk.services, "KEYS_KEPT", 3)
    raw_keys = [api_key_create(partner=partner, name=f"k{n}")[1] for n in range(4)]
    for raw_key in raw_keys:
        assert api_key_authenticate(raw_key=raw_key) is not None

    assert list(shipdesk.services._keys) == [raw_keys[3].split("_")[2]]
