"""Demo data on the sandbox carrier: two partners and shipments in every tag, with histories.

How a shipment lands in the tag it is meant for: the sandbox carrier picks a scenario from the
tracking number (`scenario_for`) and plays it back SANDBOX_TIME_SCALE times faster than real
time from the shipment's creation. So each demo shipment gets a valid IMpb number whose
scenario passes through the wanted tag and a creation time that puts the simulated clock in
that stage; it is then tracked once through the real refresh path (`shipments_track` with the
sandbox carrier), so its checkpoint history is what the worker itself would have stored.
Expired shipments are stalled parcels created more than TRACKING_EXPIRE_DAYS ago, expired by
`shipments_expire_stale` as the worker would.

Tags that last a short simulated while (Info received, Out for delivery) are seeded at the
start of their stage. Left running, the worker moves the demo shipments on and those tags empty
within minutes at the default time scale. Running the command again first refreshes what is
due (as the worker would, so the counts are current), then tops every tag back up to --per-tag;
when every tag already holds that many demo shipments it makes nothing.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from tqdm import tqdm

from shipdesk.models import Partner
from shipdesk.services import partner_get_or_create
from tracking.carriers.registry import usps_configured
from tracking.carriers.sandbox.carrier import SandboxCarrier, scenario_for
from tracking.choices import Tag
from tracking.models import Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.refresh import count_due, refresh_due, shipments_track
from tracking.services.shipments import shipment_create, shipments_expire_stale

DEMO_SOURCE = "demo"

# Lasting tags first, the short-lived ones last: they are the freshest when the command ends.
SEED_ORDER = [
    Tag.EXPIRED,
    Tag.DELIVERED,
    Tag.EXCEPTION,
    Tag.PENDING,
    Tag.IN_TRANSIT,
    Tag.AVAILABLE_FOR_PICKUP,
    Tag.ATTEMPT_FAIL,
    Tag.OUT_FOR_DELIVERY,
    Tag.INFO_RECEIVED,
]

# Sandbox scenarios (tracking/carriers/sandbox/scenarios.py) that go out for delivery.
MOVING = ("delivered", "attempt_then_delivered", "pickup", "returned")


@dataclass(frozen=True)
class Recipe:
    """Scenarios that reach a tag, and how long before now such a shipment was created.

    `hours`: a window in simulated hours, for short stages. `days`: an age in real days, for
    stages that last, but at least `min_hours` simulated hours. `share`: weight among recipes.
    """

    scenarios: tuple[str, ...]
    hours: tuple[float, float] | None = None
    days: tuple[float, float] | None = None
    min_hours: float = 0.0
    share: float = 1.0


def recipes(*, expire_days: int) -> dict[Tag, list[Recipe]]:
    """The plan for each tag. Active shipments stay young enough not to expire."""
    young = max(expire_days / 3, 0.05)
    return {
        Tag.PENDING: [Recipe(("unknown",), days=(0.02, min(5.0, young)))],
        Tag.INFO_RECEIVED: [Recipe((*MOVING, "lost", "stalled"), hours=(0.6, 1.2))],
        Tag.IN_TRANSIT: [
            Recipe(("stalled",), days=(0.5, min(8.0, young)), min_hours=6.5, share=0.4),
            Recipe(("lost",), hours=(8, 120), share=0.2),
            Recipe(MOVING, hours=(7, 40), share=0.4),
        ],
        Tag.OUT_FOR_DELIVERY: [Recipe(MOVING, hours=(42.1, 42.8))],
        Tag.ATTEMPT_FAIL: [Recipe(("attempt_then_delivered",), hours=(47.2, 50))],
        Tag.DELIVERED: [
            Recipe(("delivered", "attempt_then_delivered", "pickup"), days=(0.5, 20), min_hours=97)
        ],
        Tag.AVAILABLE_FOR_PICKUP: [Recipe(("pickup",), hours=(48.2, 60))],
        Tag.EXCEPTION: [
            Recipe(("returned",), days=(1, 20), min_hours=111, share=0.4),  # returned to sender
            Recipe(("lost",), days=(11, 25), min_hours=261, share=0.3),  # lost
            Recipe(("lost",), hours=(131, 200), share=0.2),  # status not updated
            Recipe(("returned",), hours=(52.5, 60), share=0.1),  # returning to sender
        ],
        Tag.EXPIRED: [Recipe(("stalled",), days=(expire_days + 1, expire_days + 30), min_hours=7)],
    }


FIRST_NAMES = " ".join(
    [
        "Olivia Liam Emma Noah Ava Elijah Sophia James Isabella Lucas Mia Mateo Amelia Ethan",
        "Harper Aiden Evelyn Levi Abigail Daniel Camila Henry Luna Jackson Sofia Sebastian Chloe",
        "Wei Aisha Diego Priya Kenji Fatima Omar Grace Hiro Nadia Samuel Zoe Ravi",
    ]
).split()
LAST_NAMES = " ".join(
    [
        "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez",
        "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson",
        "White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Nguyen Chen Patel",
        "Kim Okafor Novak",
    ]
).split()
# The demo partners and what they sell.
PARTNERS = {
    "Northwind Outfitters": [
        "Trail backpack 40L",
        "Merino base layer",
        "Camp stove",
        "Rain shell",
        "Trekking poles",
        "Insulated bottle",
        "Down vest",
        "Headlamp",
    ],
    "Bluebird Books": [
        "Hardcover bundle",
        "Signed first edition",
        "Picture book set",
        "Cookbook",
        "Puzzle and book gift set",
        "Travel guide",
        "Poetry collection",
        "Book club box",
    ],
}
SHIPPING_METHODS = {"Priority Mail": 5, "USPS Ground Advantage": 4, "Priority Mail Express": 1}
PROMISED_DAYS = {"Priority Mail Express": 2, "Priority Mail": 4, "USPS Ground Advantage": 6}
CHANNELS = ["web", "web", "web", "phone", "marketplace"]
IMPB_PREFIX = "94055118995"  # 11 digits + a 10-digit serial + the mod-10 check digit = 22


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=lambda: {t.value: 0 for t in Tag})
    counts: dict[str, int] = field(default_factory=dict)
    expired: int = 0


def demo_tag_counts() -> dict[str, int]:
    """Demo shipments per tag (every tag, zero included)."""
    rows = (
        Shipment.objects.filter(partner__name__in=PARTNERS)
        .order_by()
        .values_list("tag")
        .annotate(n=Count("id"))
    )
    counts = dict(rows)
    return {tag.value: counts.get(tag.value, 0) for tag in Tag}


def demo_missing(*, per_tag: int) -> dict[str, int]:
    """How many demo shipments each tag lacks to hold `per_tag`."""
    return {tag: max(0, per_tag - n) for tag, n in demo_tag_counts().items()}


def demo_seed(
    *,
    per_tag: int,
    time_scale: float,
    on_progress: Callable[[int], None] | None = None,
) -> SeedReport:
    """Top every tag up to `per_tag` demo shipments, tracked once by the sandbox carrier."""
    partners = [partner_get_or_create(name=name) for name in PARTNERS]
    missing = demo_missing(per_tag=per_tag)
    existing = Shipment.objects.filter(partner__in=partners)
    used = set(existing.values_list("tracking_number", flat=True))
    serial = len(used)
    rng = random.Random(f"shipdesk-demo-{serial}")
    carrier = SandboxCarrier(time_scale=time_scale)
    plan = recipes(expire_days=settings.TRACKING_EXPIRE_DAYS)
    report = SeedReport()
    for tag in SEED_ORDER:
        todo = missing[tag.value]
        while todo > 0:
            size = min(todo, carrier.batch_size)
            with transaction.atomic():
                # Ages are taken from this moment and the batch is tracked right after, so
                # the simulated clock is where the recipe put it.
                now = timezone.now()
                batch = []
                for _ in range(size):
                    serial += 1
                    recipe = rng.choices(plan[tag], weights=[r.share for r in plan[tag]])[0]
                    created_at = now - _age(rng, recipe, time_scale)
                    partner = partners[serial % len(partners)]
                    batch.append(
                        shipment_create(
                            partner=partner,
                            tracking_number=_number_for(rng, recipe.scenarios, used),
                            now=created_at,
                            **_order(rng, partner, serial, created_at),
                        )
                    )
                shipments_track(carrier=carrier, shipments=batch, now=timezone.now())
            report.created[tag.value] += size
            todo -= size
            if on_progress:
                on_progress(size)
        if tag == Tag.EXPIRED and report.created[tag.value]:
            report.expired = shipments_expire_stale()
    report.counts = demo_tag_counts()
    return report


def _number_for(rng: random.Random, scenarios: tuple[str, ...], used: set[str]) -> str:
    """A fresh, valid IMpb number that the sandbox plays back with one of `scenarios`."""
    while True:
        number = with_impb_check_digit(f"{IMPB_PREFIX}{rng.randrange(10**10):010d}")
        if number not in used and scenario_for(number) in scenarios:
            used.add(number)
            return number


def _age(rng: random.Random, recipe: Recipe, time_scale: float) -> timedelta:
    """How long before now a shipment following `recipe` was created (real time)."""
    if recipe.hours:
        return timedelta(hours=rng.uniform(*recipe.hours) / time_scale)
    assert recipe.days is not None
    return max(
        timedelta(days=rng.uniform(*recipe.days)),
        timedelta(hours=recipe.min_hours / time_scale),
    )


def _order(rng: random.Random, partner: Partner, serial: int, created_at: datetime) -> dict:
    """The order and customer behind a demo shipment."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    item = rng.choice(PARTNERS[partner.name])
    order_number = f"#{1000 + serial}"
    order_date = created_at - timedelta(hours=rng.uniform(2, 30))
    method = rng.choices(list(SHIPPING_METHODS), weights=list(SHIPPING_METHODS.values()))[0]
    return {
        "title": f"Order {order_number} · {item}",
        "order_id": str(rng.randrange(10**9, 10**10)),
        "order_number": order_number,
        "order_date": order_date,
        "order_promised_delivery_date": (order_date + timedelta(days=PROMISED_DAYS[method])).date(),
        "customer_name": f"{first} {last}",
        "emails": [f"{first}.{last}{serial % 97}@example.com".lower()],
        "shipping_method": method,
        "shipment_type": "Package",
        "shipment_package_count": 1,
        "shipment_weight": round(rng.uniform(0.3, 12.0), 1),
        "shipment_weight_unit": "lb",
        "mailing_date": created_at.date(),
        "language": "en",
        "source": DEMO_SOURCE,
        "custom_fields": {"item": item, "channel": rng.choice(CHANNELS)},
    }


class Command(BaseCommand):
    help = (
        "Create demo data on the sandbox carrier: two partners and at least --per-tag "
        "shipments in every tag, each with a checkpoint history from the sandbox. Tops tags up "
        "to --per-tag; changes nothing when they already hold that many."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--per-tag",
            type=int,
            default=200,
            help="Demo shipments each tag should hold (default: 200).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args, per_tag, no_progress, **options):
        if per_tag < 1:
            raise CommandError("--per-tag must be 1 or more.")
        if usps_configured():
            self.stdout.write(
                self.style.WARNING(
                    "USPS credentials are set, so shipdesk tracks through USPS, which knows "
                    "nothing of made-up demo numbers: no demo data was made."
                )
            )
            return
        quiet = no_progress or options.get("verbosity", 1) < 1
        self._catch_up(quiet=quiet)
        missing = demo_missing(per_tag=per_tag)
        total = sum(missing.values())
        if not total:
            self.stdout.write(
                f"Demo data already there: every tag holds at least {per_tag} demo shipments. "
                "Nothing to do."
            )
            return
        scale = settings.SANDBOX_TIME_SCALE
        self.stdout.write(
            f"Making {total} demo shipments on the sandbox carrier (its simulated clock runs "
            f"{scale:g} times faster than real time)."
        )
        with tqdm(
            total=total,
            unit="shipment",
            desc="Demo data",
            file=sys.stderr,
            disable=True if quiet else None,
        ) as bar:
            report = demo_seed(per_tag=per_tag, time_scale=scale, on_progress=bar.update)
        width = max(len(t.label) for t in Tag)
        self.stdout.write("Demo shipments by tag (made now / in all):")
        for tag in Tag:
            self.stdout.write(
                f"  {tag.label:<{width}}  {report.created[tag.value]:>5} / "
                f"{report.counts[tag.value]:>5}"
            )
        short = [t.label for t in Tag if report.counts[t.value] < per_tag]
        if short:
            self.stdout.write(
                self.style.WARNING(
                    f"Fewer than {per_tag} demo shipments in: {', '.join(short)} (some moved on "
                    "while the demo was being made); run the command again to top them up."
                )
            )

    def _catch_up(self, *, quiet: bool) -> None:
        """Refresh what is due first (as the worker would), so the counts are today's."""
        due = count_due()
        if not due:
            return
        self.stdout.write(f"Bringing {due} due shipments up to date before counting.")
        with tqdm(
            total=due,
            unit="shipment",
            desc="Refreshing",
            file=sys.stderr,
            disable=True if quiet else None,
        ) as bar:
            refresh_due(on_batch=bar.update)
