"""Apply what a carrier said to shipments: upsert checkpoints, derive status, schedule."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from shipdesk.prepared import PreparedIn
from shipdesk.webhooks.models import EventType
from shipdesk.webhooks.services import events_record
from tracking.carriers.base import TrackResult
from tracking.choices import Subtag, Tag
from tracking.derive import derive
from tracking.models import Checkpoint, Shipment
from tracking.pod.services import checkpoints_chain
from tracking.schedule import next_check_delay
from tracking.services.edd import EDD_FIELDS, edd_model_get, shipments_edd_set
from tracking.services.rows import rows_insert_new, rows_update

logger = logging.getLogger(__name__)

TERMINAL_SUBTAGS = {Subtag.EXCEPTION_011, Subtag.EXCEPTION_013}
DERIVED_FIELDS = [
    "tag",
    "subtag",
    "subtag_message",
    "signed_by",
    "delivery_time",
    "failed_delivery_attempts",
    "first_attempted_at",
    "first_attempted_offset",
    "shipment_pickup_date",
    "shipment_delivery_date",
    "shipment_delivery_offset",
    "return_to_sender",
    "last_event_at",
    "on_time_status",
    "on_time_difference",
    "refresh_priority",
]
CARRIER_FIELDS = [
    "unique_tracking_id",
    "mail_class",
    "carrier_status",
    "carrier_status_summary",
    "expected_delivery",
    "first_expected_delivery",
    "pod_eligible",
    "rre_eligible",
    "origin_city",
    "origin_state",
    "origin_postal_code",
    "destination_city",
    "destination_state",
    "destination_postal_code",
    "destination_zip",
]
BOOKKEEPING_FIELDS = [
    "active",
    "tracked_count",
    "last_checked_at",
    "next_check_at",
    "last_error",
    "last_error_at",
    "refresh_claimed_until",
    "updated_at",
]

CHAIN_FIELDS = ["chain_head", "chain_length"]


@dataclass
class IngestReport:
    shipments: int = 0
    events: int = 0  # events the carrier reported (its whole history for each shipment)
    new_checkpoints: int = 0  # of those, the ones shipdesk had not stored yet
    errors: int = 0
    retryable_errors: int = 0
    tag_changes: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, other: IngestReport) -> None:
        for name in ("shipments", "events", "new_checkpoints", "errors", "retryable_errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.tag_changes += other.tag_changes


def _limits(model) -> dict[str, int]:
    return {f.name: f.max_length for f in model._meta.concrete_fields if f.max_length}


# A carrier's text can be longer than our columns; PostgreSQL would refuse the whole batch.
CHECKPOINT_LIMITS = _limits(Checkpoint)
SHIPMENT_LIMITS = _limits(Shipment)


@dataclass(slots=True)
class NewCheckpoint:
    """A checkpoint row about to be inserted (a model instance costs more to build than the
    row costs to store); its attributes are Checkpoint's, so the proof chain reads it alike."""

    shipment_id: int
    event_key: str
    checkpoint_time: datetime
    utc_offset_minutes: int | None
    slug: str
    message: str
    tag: str
    subtag: str
    subtag_message: str
    raw_tag: str
    city: str
    state: str
    zip: str
    country_iso3: str
    country_name: str
    location: str
    recipient_name: str
    firm: str
    created_at: datetime
    latitude: float | None = None
    longitude: float | None = None
    chain_seq: int | None = None
    chain_hash: str = ""
    detail_purged_at: datetime | None = None
    pk: None = None  # not known before the insert; only ties in _pickup_offset look at it


class StoredCheckpoint(NamedTuple):
    """What derive and the delivery estimate read of a checkpoint already stored."""

    pk: int
    shipment_id: int
    event_key: str
    checkpoint_time: datetime
    utc_offset_minutes: int | None
    tag: str
    subtag: str
    subtag_message: str
    recipient_name: str


def _checkpoint(shipment: Shipment, event, now: datetime) -> NewCheckpoint:
    cut = CHECKPOINT_LIMITS
    return NewCheckpoint(
        shipment_id=shipment.pk,
        event_key=event.key,
        checkpoint_time=event.time,
        utc_offset_minutes=event.utc_offset_minutes,
        slug=shipment.slug,
        message=event.message[: cut["message"]],
        tag=event.tag,
        subtag=event.subtag,
        subtag_message=event.subtag_message[: cut["subtag_message"]],
        raw_tag=event.raw_tag[: cut["raw_tag"]],
        city=event.city[: cut["city"]],
        state=event.state[: cut["state"]],
        zip=event.zip[: cut["zip"]],
        country_iso3=event.country_iso3[: cut["country_iso3"]],
        country_name=event.country_name[: cut["country_name"]],
        location=event.location[: cut["location"]],
        recipient_name=event.recipient_name[: cut["recipient_name"]],
        firm=event.firm[: cut["firm"]],
        created_at=now,
    )


def _stored_history(shipment_ids: list[int]) -> dict[int, list]:
    """{shipment id: its stored checkpoints}, in one query."""
    history = defaultdict(list)
    rows = Checkpoint.objects.filter(shipment__in=shipment_ids).order_by()
    for row in rows.values_list(*StoredCheckpoint._fields):
        history[row[1]].append(StoredCheckpoint._make(row))
    return history


# The shipments of a batch, locked in primary-key order, their SQL built once per batch size.
SHIPMENT_ATTNAMES = [f.attname for f in Shipment._meta.concrete_fields]
_LOCKED_IN = PreparedIn(
    Shipment.objects.select_for_update().order_by("pk").values_list(*SHIPMENT_ATTNAMES), "pk"
)


def _locked(ids: list[int]) -> dict[int, Shipment]:
    """{id: shipment} of these shipments, read again and locked (in_bulk of a
    select_for_update, without compiling its ~80 columns for every batch)."""
    alias = _LOCKED_IN.queryset.db
    shipments = (Shipment.from_db(alias, SHIPMENT_ATTNAMES, row) for row in _LOCKED_IN.rows(ids))
    return {shipment.pk: shipment for shipment in shipments}


def _copy_carrier_facts(shipment: Shipment, result: TrackResult) -> None:
    def fit(name: str, value: str) -> str:
        return value[: SHIPMENT_LIMITS[name]]

    shipment.unique_tracking_id = fit("unique_tracking_id", result.unique_tracking_id) or (
        shipment.unique_tracking_id
    )
    shipment.mail_class = fit("mail_class", result.mail_class) or shipment.mail_class
    shipment.carrier_status = fit("carrier_status", result.status)
    shipment.carrier_status_summary = result.status_summary
    if result.expected_delivery:
        shipment.expected_delivery = result.expected_delivery
        shipment.first_expected_delivery = (
            shipment.first_expected_delivery or result.expected_delivery
        )
    shipment.pod_eligible = shipment.pod_eligible or result.pod_eligible
    shipment.rre_eligible = shipment.rre_eligible or result.rre_eligible
    for ours, theirs in (
        ("origin_city", result.origin_city),
        ("origin_state", result.origin_state),
        ("origin_postal_code", result.origin_zip),
        ("destination_city", result.destination_city),
        ("destination_state", result.destination_state),
        ("destination_postal_code", result.destination_zip),
        ("destination_zip", result.destination_zip),
    ):
        if theirs and not getattr(shipment, ours):
            setattr(shipment, ours, fit(ours, theirs))


def is_finished(tag: str, subtag: str) -> bool:
    return tag == Tag.DELIVERED or subtag in TERMINAL_SUBTAGS


def shipments_ingest(
    *,
    pairs: list[tuple[Shipment, TrackResult]],
    now: datetime | None = None,
    time_scale: float = 1.0,
) -> IngestReport:
    """Apply carrier results to their shipments in a handful of queries per batch.

    Whatever one answer does to the batch's transaction, the others are still stored: the
    batch is then applied one shipment at a time and a shipment whose answer cannot be stored
    gets that as its error (checked again hours later, not at once: the carrier's answer was
    already paid for from the hourly budget).
    """
    now = now or timezone.now()
    # The delivery-estimate model, before any row is locked (it may have to be learnt first).
    edd_model = edd_model_get() if any(r.ok for _, r in pairs) else None
    if len(pairs) > 1:
        try:
            return _ingest(pairs, now, time_scale, edd_model)
        except Exception:
            logger.exception(
                "Storing %d carrier answers failed: storing them one by one", len(pairs)
            )
    report = IngestReport()
    for shipment, result in pairs:
        try:
            part = _ingest([(shipment, result)], now, time_scale, edd_model)
        except Exception as exc:
            logger.exception("Storing the carrier's answer for %s failed", shipment.tracking_number)
            error = f"shipdesk could not store the carrier's answer ({type(exc).__name__}: {exc})"
            # If even this fails the database itself is failing: the caller sets the batch aside.
            part = _ingest([(shipment, TrackResult(result.tracking_number, error=error))], now)
        report.add(part)
    return report


def _ingest(pairs, now, time_scale=1.0, edd_model=None) -> IngestReport:
    """Apply the results in one transaction.

    The rows are read again (and locked) inside the transaction: a person may have marked a
    shipment completed, edited it or deleted it while the carrier was being asked, and their
    change must win over the copy the refresh claimed.
    """
    report = IngestReport()
    with transaction.atomic():
        current = _locked([s.pk for s, _ in pairs])
        pairs = [(current[s.pk], r) for s, r in pairs if s.pk in current]
        report.shipments = len(pairs)
        good = [(s, r) for s, r in pairs if r.ok]
        good_ids = [s.pk for s, _ in good]
        history = _stored_history(good_ids)
        stored = {(c.shipment_id, c.event_key) for rows in history.values() for c in rows}
        # New events only, each appended to its shipment's proof chain (tracking.pod); an
        # answer repeats the whole history, so events already stored are not even built.
        fresh = checkpoints_chain(
            shipments=[s for s, _ in good],
            checkpoints=[
                _checkpoint(s, e, now)
                for s, r in good
                for e in r.events
                if (s.pk, e.key) not in stored
            ],
            stored=stored,
        )
        # One statement per 500 rows; an event stored meanwhile by another path is skipped.
        report.new_checkpoints = rows_insert_new(
            Checkpoint, fresh, unique=["shipment", "event_key"]
        )
        for checkpoint in fresh:
            history[checkpoint.shipment_id].append(checkpoint)
        for shipment, result in pairs:
            shipment.last_checked_at = now
            shipment.refresh_claimed_until = None
            shipment.updated_at = now
            if not result.ok:
                report.errors += 1
                report.retryable_errors += result.retryable
                shipment.last_error = result.error[:2000]
                shipment.last_error_at = now
                if shipment.active:
                    shipment.next_check_at = now + next_check_delay(
                        tag=shipment.tag,
                        since_last_event=None,
                        error=result.error,
                        retryable=result.retryable,
                    )
                continue
            report.events += len(result.events)
            _apply_history(shipment, result, history[shipment.pk], now, time_scale, report)
        # shipdesk's own delivery estimate, from the lane and the pickup just learnt.
        shipments_edd_set(
            shipments=[s for s, _ in good],
            model=edd_model,
            now=now,
            pickup_offsets={pk: _pickup_offset(h) for pk, h in history.items()},
        )
        # One primary-key UPDATE executed for every row (bulk_update's CASE-per-column
        # statement costs far more).
        rows_update(
            [s for s, _ in pairs],
            fields=DERIVED_FIELDS + CARRIER_FIELDS + BOOKKEEPING_FIELDS + CHAIN_FIELDS + EDD_FIELDS,
        )
        # Partners' `tracking.updated` webhooks, committed with the change (the outbox).
        changed = {pk for pk, _, _ in report.tag_changes}
        _record_updated([s for s, _ in pairs if s.pk in changed])
    return report


def _record_updated(shipments: list[Shipment]) -> None:
    """`tracking.updated` for each shipment, as shipments_record_updated records it, from the
    rows just written: the shipments in hand are those rows (every column as stored), so only
    their subscribers and checkpoints are read back."""
    from tracking.api.representation import rows_data

    if not shipments:
        return
    shipments = list({s.pk: s for s in shipments}.values())
    data = rows_data({s.pk: vars(s) for s in shipments}, [s.pk for s in shipments])
    by_partner: dict[int, list] = defaultdict(list)
    for shipment, item in zip(shipments, data, strict=True):
        by_partner[shipment.partner_id].append((item, None))
    for partner_id, items in by_partner.items():
        events_record(partner_id=partner_id, type=EventType.TRACKING_UPDATED, items=items)


def _pickup_offset(checkpoints: list) -> int | None:
    """The UTC offset of the first in-transit (acceptance) checkpoint (stored ones first on a
    tie: they were there before)."""
    moving = [c for c in checkpoints if c.tag == Tag.IN_TRANSIT]
    first = min(
        moving,
        key=lambda c: (c.checkpoint_time, c.pk is None, c.pk or 0),
        default=None,
    )
    return first.utc_offset_minutes if first else None


def _apply_history(shipment, result, checkpoints, now, time_scale, report) -> None:
    _copy_carrier_facts(shipment, result)
    shipment.tracked_count += 1
    shipment.last_error = ""
    shipment.last_error_at = None
    if shipment.completed_reason:
        # Marked completed by a person: keep their verdict, keep the history.
        shipment.active = False
        shipment.next_check_at = None
        return
    before = shipment.tag
    restarted_at = shipment.last_event_at
    fields = derive(
        checkpoints,
        promised=shipment.order_promised_delivery_date,
        expected=shipment.expected_delivery,
        today=timezone.localdate(now),
    )
    for name, value in fields.items():
        setattr(shipment, name, value)
    if restarted_at and (shipment.last_event_at is None or shipment.last_event_at < restarted_at):
        # A retrack restarts the expiry clock; older checkpoints must not wind it back.
        shipment.last_event_at = restarted_at
    if before != shipment.tag:
        report.tag_changes.append((shipment.pk, before, shipment.tag))
    if is_finished(shipment.tag, shipment.subtag):
        shipment.active = False
        shipment.next_check_at = None
        return
    since = now - shipment.last_event_at if shipment.last_event_at else None
    delay = next_check_delay(tag=shipment.tag, since_last_event=since and since * time_scale)
    shipment.next_check_at = now + delay / time_scale
