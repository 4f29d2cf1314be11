"""`manage.py seed_demo_mail`: demo mail orders in every status, through the order services."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from mailorders.choices import IMbStatus, OrderStatus
from mailorders.models import ORDER_MODELS

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo_mail", stdout=out)
    return out.getvalue()


def demo_orders():
    return [o for model in ORDER_MODELS.values() for o in model.objects.filter(metadata__demo=True)]


def test_every_status_and_imb_status_is_in_the_demo_and_a_second_run_adds_none(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = seed()
    again = seed()

    assert "Northwind Outfitters: 9 demo mail orders" in first and "already there" in again
    orders = demo_orders()
    assert len(orders) == 18
    assert {o.status for o in orders} == set(OrderStatus)
    assert {o.imb_status for o in orders if o.imb_status} == set(IMbStatus)
    for order in orders:
        assert order.pdf, order
        if order.imb_status:
            assert order.imb_date and order.imb_zip_code == order.to.postal_or_zip[:5]
    certified = [o for o in orders if o.extra_service]
    assert certified and all(o.tracking_number and o.shipment_id for o in certified)
    cancelled = [o for o in orders if o.status == OrderStatus.CANCELLED]
    assert all(o.cancellation_note for o in cancelled)


def test_the_mail_page_shows_a_tab_for_every_status(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed()
    for status in OrderStatus:
        page = admin_client.get(reverse("mail-list"), {"status": status.value})
        assert page.status_code == 200
        assert page.context["total"] >= 1, status
