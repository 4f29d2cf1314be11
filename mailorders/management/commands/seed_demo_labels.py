"""Demo shipping labels: a sandbox shipper account for each demo partner and a few labels on it,
bought through the label service (PDFs, IMpb numbers, tracked shipments), one of them cancelled
and two handed over on a manifest, so every label page and action has something to show."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from mailorders.choices import LabelServiceType, PaperSize
from mailorders.models import Label, ShipperAccount
from mailorders.services.labels import label_cancel, label_create
from mailorders.services.manifests import manifest_create
from shipdesk.services import partner_get_or_create
from tracking.carriers.registry import usps_configured
from tracking.management.commands.seed_demo import PARTNERS

ACCOUNT = "USPS sandbox (demo)"
SHIP_FROM = {
    "contact_name": "Shipping desk",
    "street1": "230 W 200 S",
    "city": "Salt Lake City",
    "state": "UT",
    "postal_code": "84101",
    "country": "USA",
}
RECIPIENTS = [
    ("Ada Lovelace", "145 Mulberry St", "New York", "NY", "10013"),
    ("Grace Hopper", "1600 Amphitheatre Pkwy", "Mountain View", "CA", "94043"),
    ("Katherine Johnson", "2101 Nasa Pkwy", "Houston", "TX", "77058"),
    ("Alan Turing", "77 Massachusetts Ave", "Cambridge", "MA", "02139"),
    ("Mary Jackson", "1 Nasa Dr", "Hampton", "VA", "23666"),
]
SERVICES = [
    LabelServiceType.PRIORITY_MAIL,
    LabelServiceType.GROUND_ADVANTAGE,
    LabelServiceType.PRIORITY_MAIL_EXPRESS,
]


def demo_label_body(account: ShipperAccount, serial: int) -> dict:
    name, street, city, state, postal_code = RECIPIENTS[serial % len(RECIPIENTS)]
    return {
        "shipper_account": {"id": account.pk},
        "service_type": SERVICES[serial % len(SERVICES)],
        "paper_size": PaperSize.SIZE_4X8 if serial % 4 == 3 else PaperSize.SIZE_4X6,
        "references": [f"demo-order-{serial:04d}"],
        "shipment": {
            "ship_from": {**SHIP_FROM, "company_name": account.partner.name},
            "ship_to": {
                "contact_name": name,
                "street1": street,
                "city": city,
                "state": state,
                "postal_code": postal_code,
                "country": "USA",
            },
            "parcels": [
                {
                    "weight": {"unit": "lb", "value": 1 + serial % 5},
                    "dimension": {"unit": "in", "width": 10, "height": 6, "depth": 4},
                }
            ],
        },
    }


class Command(BaseCommand):
    help = (
        "Create demo shipping labels on the sandbox: for each demo partner a sandbox shipper "
        "account and --count labels (one cancelled, two on a manifest). Changes nothing for a "
        "partner that already has demo labels, or when USPS credentials are set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=int, default=5, help="Labels per demo partner (default: 5)."
        )

    def handle(self, *args, count, **options):
        if usps_configured():
            self.stdout.write("USPS credentials are set: no demo labels were made.")
            return
        for name in PARTNERS:
            partner = partner_get_or_create(name=name)
            account, _ = ShipperAccount.objects.get_or_create(
                partner=partner, description=ACCOUNT, defaults={"sandbox": True}
            )
            if Label.objects.filter(shipper_account=account).exists():
                self.stdout.write(f"{name}: demo labels already there.")
                continue
            labels = [
                label_create(partner=partner, data=demo_label_body(account, serial))
                for serial in range(1, count + 1)
            ]
            if count >= 3:
                label_cancel(label=labels[0])
                manifest_create(
                    partner=partner,
                    shipper_account_id=account.pk,
                    label_ids=[label.pk for label in labels[1:3]],
                )
            self.stdout.write(f"{name}: {count} demo labels on {account} ({account.pk}).")
