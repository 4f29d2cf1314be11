"""Demo data on the sandbox carrier: two partners and shipments in every tag, with histories.

How a shipment lands in the tag it is meant for: the sandbox carrier plans each parcel's
journey on a real lane (tracking/carriers/sandbox/plan.py: business days by mail class and
zone, each place's own time zone). The demo's history (delivered, returned, lost, stalled and
expired parcels) uses numbers the sandbox plays in real time, so its transit times are days.
The short-lived tags (Info received, Out for delivery, a failed attempt, Available for pickup,
part of In transit) are parcels mailed days ago and created in shipdesk just now: what lies
before their creation keeps its real times, what follows plays SANDBOX_TIME_SCALE times faster,
so a running worker moves them on within minutes. Each candidate is checked against the
sandbox's own answer before it is made, then tracked once through the real refresh path
(`shipments_track`), so its checkpoint history is what the worker itself would have stored.
Expired shipments are stalled parcels created more than TRACKING_EXPIRE_DAYS ago, expired by
`shipments_expire_stale` as the worker would.

Running the command again first refreshes what is due (as the worker would, so the counts are
current), then tops every tag back up to --per-tag; when every tag already holds that many
demo shipments it makes nothing.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from tqdm import tqdm

from shipdesk.models import Partner
from shipdesk.services import partner_get_or_create
from tracking import edd
from tracking.carriers.base import TrackRequest
from tracking.carriers.registry import usps_configured
from tracking.carriers.sandbox.carrier import REAL_TIME_MAILER_ID, SandboxCarrier, scenario_for
from tracking.carriers.usps import mapper
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
LIVE_MAILER_ID = "118995"
# How far ahead of now a live parcel's next steps may be planned (simulated, at most).
LIVE_LOOKAHEAD = timedelta(days=3)
TRIES = 400


@dataclass(frozen=True)
class Recipe:
    """Scenarios that reach a tag, and when such a parcel was mailed.

    `live`: played at the sandbox's time scale after its creation (which is now), mailed
    `days` before; otherwise history in real time, created `days` ago. `share`: weight among
    recipes.
    """

    scenarios: tuple[str, ...]
    days: tuple[float, float]
    live: bool = False
    share: float = 1.0


def recipes(*, expire_days: int) -> dict[Tag, list[Recipe]]:
    """The plan for each tag. Active shipments stay young enough not to expire."""
    young = max(expire_days / 3, 0.05)
    return {
        Tag.PENDING: [Recipe(("unknown",), days=(0.02, min(5.0, young)))],
        Tag.INFO_RECEIVED: [Recipe((*MOVING, "lost", "stalled"), days=(0, 0), live=True)],
        Tag.IN_TRANSIT: [
            Recipe(("stalled",), days=(0.5, min(8.0, young)), share=0.4),
            Recipe(("lost",), days=(1, min(4.0, young)), share=0.2),
            Recipe(MOVING, days=(0, 4), live=True, share=0.4),
        ],
        Tag.OUT_FOR_DELIVERY: [Recipe(MOVING, days=(1, 7), live=True)],
        Tag.ATTEMPT_FAIL: [Recipe(("attempt_then_delivered",), days=(1, 7), live=True)],
        Tag.DELIVERED: [Recipe(("delivered", "attempt_then_delivered", "pickup"), days=(2, 25))],
        Tag.AVAILABLE_FOR_PICKUP: [Recipe(("pickup",), days=(1, 8), live=True)],
        Tag.EXCEPTION: [
            Recipe(("returned",), days=(3, 25), share=0.5),
            Recipe(("lost",), days=(6, 25), share=0.5),
        ],
        Tag.EXPIRED: [Recipe(("stalled",), days=(expire_days + 1, expire_days + 30))],
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
# The IMpb service type code of each method: the sandbox reports the class it names.
SERVICE_TYPE_CODES = {"Priority Mail Express": "701", "Priority Mail": "055"}
SERVICE_TYPE_CODES["USPS Ground Advantage"] = "001"
# Business days the shop promises from the order: a day to dispatch, the slowest standard, and
# one to spare.
PROMISED_DAYS = {"Priority Mail Express": 3, "Priority Mail": 5, "USPS Ground Advantage": 7}
CHANNELS = ["web", "web", "web", "phone", "marketplace"]


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
                # Candidates are checked against this moment and the batch is tracked right
                # after, so each shipment is in the stage it was picked for.
                now = timezone.now()
                batch = []
                for _ in range(size):
                    serial += 1
                    partner = partners[serial % len(partners)]
                    method = rng.choices(
                        list(SHIPPING_METHODS), weights=list(SHIPPING_METHODS.values())
                    )[0]
                    parcel = _parcel_for(rng, carrier, plan[tag], tag, method, used, now)
                    batch.append(
                        shipment_create(
                            partner=partner,
                            tracking_number=parcel.number,
                            now=parcel.created_at,
                            **_order(rng, partner, serial, parcel, method),
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


@dataclass(frozen=True)
class Parcel:
    number: str
    created_at: datetime
    mailing_date: date
    label_at: datetime  # the sandbox's first event for it


def _tag_of(step) -> str:
    return mapper.map_code(step.code, step.text).tag.value


def _parcel_for(rng, carrier, choices, tag: Tag, method: str, used: set[str], now) -> Parcel:
    """A parcel the sandbox shows in `tag` at `now` (the last candidate if none was found).

    An expired parcel is one the sandbox shows in transit: shipdesk expires it afterwards.
    """
    wanted = Tag.IN_TRANSIT if tag == Tag.EXPIRED else tag
    parcel = None
    for _ in range(TRIES):
        recipe = rng.choices(choices, weights=[r.share for r in choices])[0]
        number = _number_for(rng, recipe, method, used)
        back = timedelta(days=rng.uniform(*recipe.days))
        created_at = now if recipe.live else now - back
        mailing_date = timezone.localdate(created_at - back if recipe.live else created_at)
        request = TrackRequest(number, mailing_date=mailing_date, created_at=created_at)
        journey = carrier.plan_for(request, created_at=created_at)
        if recipe.live:
            lead = _live_lead(rng, journey.events, tag, now, carrier.time_scale)
            if lead is None:
                continue
            created_at = now - lead
            request = TrackRequest(number, mailing_date=mailing_date, created_at=created_at)
            journey = carrier.plan_for(request, created_at=created_at)
        label_at = journey.events[0].at if journey.events else created_at
        parcel = Parcel(number, created_at, mailing_date, label_at)
        events = carrier.usps_item(request, now)["trackingEvents"]
        shown = (
            mapper.map_code(events[0]["eventCode"], events[0]["eventType"]).tag
            if events
            else Tag.PENDING
        )
        if shown == wanted:
            used.add(number)
            return parcel
    assert parcel is not None
    used.add(parcel.number)
    return parcel


def _live_lead(rng, events, tag: Tag, now: datetime, scale: float) -> timedelta | None:
    """How long before now to create a live parcel so that `tag` is its stage now.

    Steps planned before the creation keep their times, later ones come `scale` times sooner:
    created `lead` before now, a step planned for `at` > now shows at
    now - lead + (at - now + lead) / scale.
    """
    for i, planned in enumerate(events):
        if _tag_of(planned.step) != tag.value:
            continue
        begin = planned.at
        end = events[i + 1].at if i + 1 < len(events) else None
        if (end is not None and end <= now) or begin - now > LIVE_LOOKAHEAD:
            continue
        if scale <= 1:
            return timedelta(0) if begin <= now else None
        low = max(begin - now, timedelta(0)) / (scale - 1)
        high = (end - now) / (scale - 1) if end is not None else low + timedelta(minutes=30)
        return low + (high - low) * rng.uniform(0.05, 0.6)
    return None


def _number_for(rng: random.Random, recipe: Recipe, method: str, used: set[str]) -> str:
    """A fresh, valid IMpb for `method` that the sandbox plays with one of the scenarios."""
    mailer_id = LIVE_MAILER_ID if recipe.live else REAL_TIME_MAILER_ID
    prefix = f"94{SERVICE_TYPE_CODES[method]}{mailer_id}"
    while True:
        number = with_impb_check_digit(f"{prefix}{rng.randrange(10**10):010d}")
        if number not in used and scenario_for(number) in recipe.scenarios:
            return number


def _order(rng: random.Random, partner: Partner, serial: int, parcel: Parcel, method: str) -> dict:
    """The order and customer behind a demo shipment."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    item = rng.choice(PARTNERS[partner.name])
    order_number = f"#{1000 + serial}"
    order_date = min(parcel.label_at, parcel.created_at) - timedelta(hours=rng.uniform(2, 30))
    promised = edd.add_business_days(timezone.localdate(order_date), PROMISED_DAYS[method])
    return {
        "title": f"Order {order_number} · {item}",
        "order_id": str(rng.randrange(10**9, 10**10)),
        "order_number": order_number,
        "order_date": order_date,
        "order_promised_delivery_date": promised,
        "customer_name": f"{first} {last}",
        "emails": [f"{first}.{last}{serial % 97}@example.com".lower()],
        "shipping_method": method,
        "shipment_type": "Package",
        "shipment_package_count": 1,
        "shipment_weight": round(rng.uniform(0.3, 12.0), 1),
        "shipment_weight_unit": "lb",
        "mailing_date": parcel.mailing_date,
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
