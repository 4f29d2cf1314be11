"""Postmen-keyed clients for two partners (in place of the print-mail ones)."""

import pytest

from mailorders.tests.postmen.support import client_of


@pytest.fixture
def api(partner):
    return client_of(partner)


@pytest.fixture
def other_api(other_partner):
    return client_of(other_partner)
