import pytest

from shipdesk.services import partner_get_or_create


@pytest.fixture
def partner(db):
    return partner_get_or_create(name="Acme Parcels")


@pytest.fixture
def other_partner(db):
    return partner_get_or_create(name="Globex Mail")
