"""Demo mail orders: letters and postcards of each demo partner in every status, made through
the order services (rendered PDFs, a certified letter's tracking number, IMb scans), so the mail
page's tabs and every order action have something to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from mailorders.choices import ExtraService, IMbStatus, OrderStatus
from mailorders.models import ORDER_MODELS
from mailorders.services.imb import IMbScan, imb_scans_apply
from mailorders.services.orders import OrderContent, order_cancel, order_create, order_progress
from shipdesk.services import partner_get_or_create
from tracking.management.commands.seed_demo import PARTNERS

STEPS = [OrderStatus.READY, OrderStatus.PRINTING, OrderStatus.PROCESSED_FOR_DELIVERY]
STEPS.append(OrderStatus.COMPLETED)
SENDER = {
    "company_name": "",
    "address_line1": "230 W 200 S",
    "city": "Salt Lake City",
    "province_or_state": "UT",
    "postal_or_zip": "84101",
    "country_code": "US",
}
RECIPIENTS = [
    ("Ada", "Lovelace", "145 Mulberry St", "New York", "NY", "10013"),
    ("Grace", "Hopper", "1600 Amphitheatre Pkwy", "Mountain View", "CA", "94043"),
    ("Katherine", "Johnson", "2101 Nasa Pkwy", "Houston", "TX", "77058"),
    ("Alan", "Turing", "77 Massachusetts Ave", "Cambridge", "MA", "02139"),
    ("Mary", "Jackson", "1 Nasa Dr", "Hampton", "VA", "23666"),
]
LETTER = "<h1>Your order has shipped</h1><p>Dear {{to.firstName}}, thank you for your order.</p>"
POSTCARD_FRONT = "<h1>Spring sale</h1><p>Twenty per cent off everything this week.</p>"
POSTCARD_BACK = "<p>Dear {{to.firstName}}, see you soon!</p>"


@dataclass(frozen=True)
class DemoOrder:
    object_name: str
    status: str
    imb: str = ""
    extra_service: str = ""


ORDERS = [
    DemoOrder("letter", OrderStatus.READY),
    DemoOrder("postcard", OrderStatus.READY),
    DemoOrder("letter", OrderStatus.PRINTING),
    DemoOrder("letter", OrderStatus.PROCESSED_FOR_DELIVERY, IMbStatus.ENTERED_MAIL_STREAM),
    DemoOrder("letter", OrderStatus.PROCESSED_FOR_DELIVERY, extra_service=ExtraService.CERTIFIED),
    DemoOrder("postcard", OrderStatus.PROCESSED_FOR_DELIVERY, IMbStatus.OUT_FOR_DELIVERY),
    DemoOrder("letter", OrderStatus.COMPLETED, IMbStatus.OUT_FOR_DELIVERY),
    DemoOrder("letter", OrderStatus.COMPLETED, IMbStatus.RETURNED_TO_SENDER),
    DemoOrder("letter", OrderStatus.CANCELLED),
]


def _recipient(serial: int) -> dict:
    first, last, street, city, state, zip_code = RECIPIENTS[serial % len(RECIPIENTS)]
    return {
        "first_name": first,
        "last_name": last,
        "address_line1": street,
        "city": city,
        "province_or_state": state,
        "postal_or_zip": zip_code,
        "country_code": "US",
    }


def demo_orders_exist(partner) -> bool:
    return any(
        model.objects.filter(partner=partner, metadata__demo=True).exists()
        for model in ORDER_MODELS.values()
    )


def demo_mail_seed(*, partner) -> list:
    """Make ORDERS for `partner`: each created, moved on to its status, scanned where it says."""
    made = []
    now = timezone.now()
    for serial, spec in enumerate(ORDERS):
        postcard = spec.object_name == "postcard"
        content = (
            OrderContent(html=POSTCARD_FRONT, back_html=POSTCARD_BACK)
            if postcard
            else OrderContent(html=LETTER)
        )
        order, _ = order_create(
            object_name=spec.object_name,
            partner=partner,
            live=False,
            to=_recipient(serial),
            from_={**SENDER, "company_name": partner.name},
            content=content,
            extra_service=spec.extra_service or None,
            description=f"Demo {spec.object_name} {serial + 1}",
            metadata={"demo": True},
        )
        if spec.status == OrderStatus.CANCELLED:
            order = order_cancel(order=order, note="Sent by mistake.")
        else:
            for _ in range(STEPS.index(spec.status)):
                order = order_progress(order=order)
        if spec.imb:
            zip_code = order.to.postal_or_zip[:5]
            scan_at = now - timedelta(hours=6 * (len(ORDERS) - serial))
            imb_scans_apply(scans=[IMbScan(order.id, spec.imb, scan_at, zip_code)])
        made.append(order)
    return made


class Command(BaseCommand):
    help = (
        "Create demo mail orders: for each demo partner, test letters and postcards in every "
        "status (ready, printing, processed for delivery, completed, cancelled), some with IMb "
        "scans and one certified. Changes nothing for a partner that already has demo orders."
    )

    def handle(self, *args, **options):
        for name in PARTNERS:
            partner = partner_get_or_create(name=name)
            if demo_orders_exist(partner):
                self.stdout.write(f"{name}: demo mail orders already there.")
                continue
            made = demo_mail_seed(partner=partner)
            self.stdout.write(f"{name}: {len(made)} demo mail orders.")
