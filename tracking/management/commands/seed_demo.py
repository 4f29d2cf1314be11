"""Demo data on the sandbox carrier: shipments in every tag, with real checkpoint histories."""

import random
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from shipdesk.services import partner_get_or_create
from tracking.carriers.registry import usps_configured
from tracking.carriers.sandbox.carrier import scenario_for
from tracking.models import Shipment
from tracking.numbers import with_impb_check_digit
from tracking.selectors import tag_counts
from tracking.services.refresh import refresh_due
from tracking.services.shipments import shipment_create

PARTNER = "Demo Store"
# Wanted tag -> (sandbox scenario, simulated hours since creation: low, high)
STAGES = {
    "Pending": [("unknown", 1, 40)],
    "InfoReceived": [("delivered", 1, 5)],
    "InTransit": [("delivered", 12, 39)],
    "OutForDelivery": [("delivered", 42.5, 46)],
    "AttemptFail": [("attempt_then_delivered", 48, 65)],
    "Delivered": [("delivered", 50, 600), ("pickup", 100, 400)],
    "AvailableForPickup": [("pickup", 49, 95)],
    "Exception": [("returned", 53, 69), ("returned", 111, 300), ("lost", 270, 400)],
}
FIRST = [
    "Ann",
    "Bo",
    "Carla",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kira",
    "Liam",
    "Mona",
    "Nils",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
]
LAST = [
    "Lee",
    "Garcia",
    "Chen",
    "Okafor",
    "Novak",
    "Haddad",
    "Smith",
    "Tanaka",
    "Silva",
    "Kowalski",
    "Nguyen",
    "Murphy",
    "Rossi",
    "Berg",
    "Khan",
    "Dubois",
]


class Command(BaseCommand):
    help = "Create demo shipments on the sandbox carrier (at least PER_TAG in every tag)."

    def add_arguments(self, parser):
        parser.add_argument("--per-tag", type=int, default=220)

    def handle(self, *args, per_tag, **options):
        if usps_configured():
            raise CommandError("USPS credentials are set: demo data is for the sandbox only.")
        partner = partner_get_or_create(name=PARTNER)
        if Shipment.objects.filter(partner=partner).exists():
            self.stdout.write("Demo data is already there; nothing to do.")
            return
        rng = random.Random(2026)
        now = timezone.now()
        scale = settings.SANDBOX_TIME_SCALE
        pools = self._numbers_by_scenario(per_tag * 4)
        wanted = [
            (tag, stage)
            for tag, stages in STAGES.items()
            for i in range(per_tag)
            for stage in [stages[i % len(stages)]]
        ]
        wanted += [("Expired", ("stalled", None, None))] * per_tag
        for _tag, (scenario, low, high) in tqdm(wanted, desc="Demo shipments", unit="shipment"):
            if low is None:
                age = timedelta(days=settings.TRACKING_EXPIRE_DAYS + rng.uniform(2, 20))
            else:
                age = timedelta(hours=rng.uniform(low, high) / scale)
            self._create(partner, pools[scenario].pop(), now - age, rng)
        report = refresh_due()
        self.stdout.write(
            f"Tracked {report.shipments} demo shipments ({report.events} carrier events), "
            f"expired {report.expired}."
        )
        for row in tag_counts():
            self.stdout.write(f"  {row['label']:<22} {row['count']:>6}")

    def _numbers_by_scenario(self, per_scenario: int) -> dict[str, list[str]]:
        pools: dict[str, list[str]] = {}
        serial = 0
        while (
            min(
                (
                    len(pools.get(s, []))
                    for s in (
                        "unknown",
                        "delivered",
                        "attempt_then_delivered",
                        "pickup",
                        "returned",
                        "lost",
                        "stalled",
                    )
                ),
                default=0,
            )
            < per_scenario
        ):
            number = with_impb_check_digit(f"9400111899{serial:011d}")
            pools.setdefault(scenario_for(number), []).append(number)
            serial += 1
        return pools

    def _create(self, partner, number, created_at, rng):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        order = f"SO-{rng.randint(100000, 999999)}"
        shipment_create(
            partner=partner,
            tracking_number=number,
            created_at=created_at,
            title=f"Order {order}",
            order_id=order,
            order_number=order[3:],
            customer_name=f"{first} {last}",
            emails=[f"{first}.{last}{rng.randint(1, 99)}@example.com".lower()],
            order_promised_delivery_date=(created_at + timedelta(days=rng.choice([2, 3, 5]))).date()
            if rng.random() < 0.8
            else None,
            origin_country_iso3="USA",
            destination_country_iso3="USA",
            destination_postal_code="10001",
            destination_zip="10001",
            mailing_date=created_at.date() if created_at.date() <= date.today() else None,
        )
