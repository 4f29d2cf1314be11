"""`manage.py seed_demo_labels`: demo labels through the real services, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from mailorders.choices import LabelStatus
from mailorders.models import Label, Manifest
from tracking import numbers

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo_labels", stdout=out, **options)
    return out.getvalue()


def test_each_demo_partner_gets_labels_in_every_state_and_a_second_run_adds_none(settings):
    settings.USPS_CLIENT_ID = settings.USPS_CLIENT_SECRET = ""
    first = seed(count=4)
    again = seed(count=4)

    assert "Northwind Outfitters: 4 demo labels" in first and "already there" in again
    labels = Label.objects.select_related("shipment")
    assert labels.count() == 8 and Manifest.objects.count() == 2
    statuses = sorted(
        labels.filter(partner__name="Bluebird Books").values_list("status", flat=True)
    )
    assert statuses == sorted(
        [LabelStatus.CANCELLED, LabelStatus.MANIFESTED, LabelStatus.MANIFESTED, LabelStatus.CREATED]
    )
    for label in labels:
        numbers.validate_for_usps(label.tracking_number)
        assert label.label_file and label.shipment.tracking_number == label.tracking_number
        assert label.shipment.active is (label.status != LabelStatus.CANCELLED)


def test_no_demo_labels_with_usps_credentials(settings):
    settings.USPS_CLIENT_ID, settings.USPS_CLIENT_SECRET = "id", "secret"
    assert "no demo labels" in seed()
    assert not Label.objects.exists()
