"""pytest fixtures for the fake (import them into a conftest: `from ...fixtures import *`)."""

import pytest

from tracking.carriers.usps.fake.server import FakeUspsServer


@pytest.fixture
def usps_server():
    """A fresh fake USPS on a free port of 127.0.0.1 (`.url`, `.fake` for switches and state)."""
    with FakeUspsServer() as server:
        yield server
