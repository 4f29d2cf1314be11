"""Estimated delivery against the database: learn from delivered shipments, estimate, predict.

The model itself is pure (tracking/edd/). Here it is learnt from the delivered USPS
shipments of the last HISTORY_DAYS and kept, as a JSON snapshot, in Django's cache (shared by
every process) for CACHE_SECONDS; nothing lives only in one process's memory. Pass `model=`
to any function to use a model of your own (tests, backtests, a batch of estimates).

What is stored on a shipment (`shipments_edd_update`; on creation, shipment_create, and on each
carrier answer, shipments_ingest): `estimated_delivery_date`, `_min`, `_max` and, in
`estimated_delivery_confidence`, the AfterShip confidence code (the API shows it as
`aftership_estimated_delivery_date.confidence_code`).

A lane without history gets the carrier's expected date, else the zone table's days
(tracking.edd.zone_table), answered with CODE_FEW_DATA. Stored estimates never wait on USPS
(they are made while ingesting); predict-batch, a question asked at checkout, also asks USPS
Service Standards when USPS is configured (`usps_standard`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from tracking import edd
from tracking.carriers import registry
from tracking.carriers.budget import BudgetExhausted
from tracking.carriers.usps.client import CarrierUnavailable
from tracking.carriers.usps.standards_mapper import build_standards_query
from tracking.choices import Tag
from tracking.edd.zone_table import Standard
from tracking.models import Checkpoint, Shipment

logger = logging.getLogger(__name__)

CACHE_KEY = "tracking:edd:model:v1"
CACHE_SECONDS = 15 * 60
HISTORY_DAYS = 365
STANDARDS_CACHE_SECONDS = 24 * 3600
STANDARDS_PAUSE_KEY = "tracking:edd:usps-standard:paused"
STANDARDS_PAUSE_SECONDS = 5 * 60
EDD_FIELDS = [
    "estimated_delivery_date",
    "estimated_delivery_date_min",
    "estimated_delivery_date_max",
    "estimated_delivery_confidence",
]


def _first_pickup_offset():
    """The local UTC offset of a shipment's first in-transit (acceptance) checkpoint."""
    return Subquery(
        Checkpoint.objects.filter(shipment=OuterRef("pk"), tag=Tag.IN_TRANSIT)
        .order_by("checkpoint_time", "id")
        .values("utc_offset_minutes")[:1]
    )


def delivered_records(
    *, since: datetime | None = None, until: datetime | None = None
) -> list[edd.TransitRecord]:
    """What the model learns from: USPS shipments delivered by the carrier in [since, until).

    Left out: shipments without pickup or delivery time or origin ZIP, those returned to
    sender, and those marked delivered by hand (their delivery time is not the carrier's).
    """
    shipments = Shipment.objects.filter(
        slug="usps",
        tag=Tag.DELIVERED,
        return_to_sender=False,
        completed_reason="",
        shipment_pickup_date__isnull=False,
        shipment_delivery_date__isnull=False,
    ).exclude(origin_postal_code="")
    if since is not None:
        shipments = shipments.filter(shipment_delivery_date__gte=since)
    if until is not None:
        shipments = shipments.filter(shipment_delivery_date__lt=until)
    rows = (
        shipments.annotate(pickup_offset=_first_pickup_offset())
        .order_by()
        .values_list(
            "origin_postal_code",
            "destination_postal_code",
            "destination_zip",
            "mail_class",
            "shipment_pickup_date",
            "pickup_offset",
            "shipment_delivery_date",
            "shipment_delivery_offset",
        )
    )
    return [
        edd.transit_record(
            origin_postal_code=origin,
            destination_postal_code=destination or destination_zip,
            mail_class=mail_class,
            picked_up_at=picked_up_at,
            pickup_offset_minutes=pickup_offset,
            delivered_at=delivered_at,
            delivery_offset_minutes=delivery_offset,
        )
        for (
            origin,
            destination,
            destination_zip,
            mail_class,
            picked_up_at,
            pickup_offset,
            delivered_at,
            delivery_offset,
        ) in rows.iterator(chunk_size=2000)
    ]


def edd_model_learn(
    *, since: datetime | None = None, until: datetime | None = None, now: datetime | None = None
) -> edd.EddModel:
    """A model learnt from the shipments delivered since `since` (default: a year before now)."""
    now = now or timezone.now()
    since = since or now - timedelta(days=HISTORY_DAYS)
    return edd.EddModel.learn(delivered_records(since=since, until=until))


def edd_model_get(*, refresh: bool = False, now: datetime | None = None) -> edd.EddModel:
    """The current model: from the cache, or learnt now and cached for CACHE_SECONDS."""
    if not refresh:
        snapshot = cache.get(CACHE_KEY)
        if snapshot is not None:
            return edd.EddModel.from_dict(snapshot)
    model = edd_model_learn(now=now)
    cache.set(CACHE_KEY, model.to_dict(), CACHE_SECONDS)
    return model


def _estimate(
    shipment: Shipment, *, pickup_offset: int | None, model: edd.EddModel, now: datetime
) -> edd.Estimate | None:
    return edd.estimate_shipment(
        model,
        origin_postal_code=shipment.origin_postal_code,
        destination_postal_code=shipment.destination_postal_code or shipment.destination_zip,
        mail_class=shipment.mail_class,
        picked_up_at=shipment.shipment_pickup_date,
        pickup_offset_minutes=pickup_offset,
        created_at=shipment.created_at,
        expected_delivery=shipment.expected_delivery,
        now=now,
        delivered=shipment.tag == Tag.DELIVERED,
        origin_state=shipment.origin_state,
        destination_state=shipment.destination_state,
    )


def shipment_estimate_delivery(
    *, shipment: Shipment, model: edd.EddModel | None = None, now: datetime | None = None
) -> edd.Estimate | None:
    """The estimate for one shipment (not stored): from its lane and its pickup, or creation.

    Until delivered, no date is before today. None when there is neither history nor a
    carrier expected date.
    """
    offset = None
    if shipment.shipment_pickup_date is not None and shipment.pk is not None:
        offset = (
            Checkpoint.objects.filter(shipment=shipment, tag=Tag.IN_TRANSIT)
            .order_by("checkpoint_time", "id")
            .values_list("utc_offset_minutes", flat=True)
            .first()
        )
    return _estimate(
        shipment,
        pickup_offset=offset,
        model=model or edd_model_get(),
        now=now or timezone.now(),
    )


def shipments_edd_set(
    *,
    shipments: Iterable[Shipment],
    model: edd.EddModel | None = None,
    now: datetime | None = None,
    pickup_offsets: dict[int, int | None] | None = None,
) -> list[Shipment]:
    """Set (not save) a fresh estimate on each shipment not yet delivered; return the ones
    whose estimate changed. Delivered shipments keep the estimate they had (it is what their
    delivery is judged against).

    `pickup_offsets` ({shipment pk: UTC offset of its first in-transit checkpoint}) spares the
    query that finds them; only shipments already picked up need one.
    """
    pending = [s for s in shipments if s.tag != Tag.DELIVERED]
    if not pending:
        return []
    model = model or edd_model_get()
    now = now or timezone.now()
    if pickup_offsets is None:
        picked = [s.pk for s in pending if s.shipment_pickup_date is not None]
        pickup_offsets = (
            dict(
                Shipment.objects.filter(pk__in=picked)
                .annotate(pickup_offset=_first_pickup_offset())
                .values_list("pk", "pickup_offset")
            )
            if picked
            else {}
        )
    changed = []
    for shipment in pending:
        offset = pickup_offsets.get(shipment.pk)
        found = _estimate(shipment, pickup_offset=offset, model=model, now=now)
        values = (
            (
                found.estimated_delivery_date,
                found.estimated_delivery_date_min,
                found.estimated_delivery_date_max,
                found.confidence_code,
            )
            if found
            else (None, None, None, None)
        )
        if tuple(getattr(shipment, name) for name in EDD_FIELDS) != values:
            for name, value in zip(EDD_FIELDS, values, strict=True):
                setattr(shipment, name, value)
            changed.append(shipment)
    return changed


def shipments_edd_update(
    *,
    shipments: Iterable[Shipment],
    model: edd.EddModel | None = None,
    now: datetime | None = None,
) -> int:
    """Store a fresh estimate on each shipment not yet delivered; return how many changed.

    At most three queries whatever the number of shipments (see shipments_edd_set).
    """
    changed = shipments_edd_set(shipments=shipments, model=model, now=now)
    Shipment.objects.bulk_update(changed, EDD_FIELDS, batch_size=500)
    return len(changed)


def shipment_edd_update(
    *, shipment: Shipment, model: edd.EddModel | None = None, now: datetime | None = None
) -> Shipment:
    """Store a fresh estimate on one shipment (see shipments_edd_update)."""
    shipments_edd_update(shipments=[shipment], model=model, now=now)
    return shipment


def usps_standard(
    *, origin_zip: str | None, destination_zip: str | None, mail_class: str | None
) -> Standard | None:
    """USPS Service Standards' transit days for a lane, when USPS credentials are set.

    Answers are cached a day per lane and class (one USPS call per lane, out of the shared
    hourly budget); after a failure USPS is not asked again for STANDARDS_PAUSE_SECONDS, and
    None sends the caller to the zone table.
    """
    source = registry.usps_standards()
    query = build_standards_query(
        origin_zip=origin_zip, destination_zip=destination_zip, mail_class=mail_class
    )
    if source is None or query is None:
        return None
    key = "tracking:edd:usps-standard:v1:{originZIPCode}:{destinationZIPCode}:{mailClass}"
    key = key.format(**query)
    cached = cache.get(key)
    if cached is not None:
        return Standard(tuple(cached), "usps_standards") if cached else None
    if cache.get(STANDARDS_PAUSE_KEY):
        return None
    try:
        found = source.standard(
            origin_zip=origin_zip, destination_zip=destination_zip, mail_class=mail_class
        )
    except (CarrierUnavailable, BudgetExhausted) as exc:
        logger.warning("USPS Service Standards unavailable, using the zone table: %s", exc)
        cache.set(STANDARDS_PAUSE_KEY, True, STANDARDS_PAUSE_SECONDS)
        return None
    cache.set(key, list(found.transit_days) if found else [], STANDARDS_CACHE_SECONDS)
    return found


def edd_predict_batch(*, items, model: edd.EddModel | None = None) -> list[dict]:
    """AfterShip predict-batch: 1-5 items in, the same items with dates out.

    A lane the model has no history for is answered from USPS Service Standards (when USPS
    is configured) or else the zone table (tracking.edd.zone_table), with a lower confidence.

    Raises tracking.edd.EddInputError (a ValueError) whose `field` names the culprit, e.g.
    "estimated_delivery_dates[0].estimated_pickup.order_cutoff_time".
    """
    requests = edd.parse_predict_batch(items)  # bad input fails before any query
    model = model or edd_model_get()
    answers = []
    for request in requests:
        origin = request.origin_address.get("postal_code")
        destination = request.destination_address.get("postal_code")
        standard = None
        if model.distribution(origin, destination, request.mail_class) is None:
            standard = usps_standard(
                origin_zip=origin, destination_zip=destination, mail_class=request.mail_class
            )
        answers.append(edd.predict(request, model=model, standard=standard))
    return answers
