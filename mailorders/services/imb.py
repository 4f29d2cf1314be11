"""USPS Intelligent Mail barcode (IMb) scans: the feed that sets an order's imbStatus."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mailorders.choices import IMbStatus, OrderStatus
from mailorders.selectors import order_for_id
from mailorders.services.common import order_audit, order_event_emit, order_locked
from shipdesk.audit import SYSTEM, Actor

# A piece USPS has out for delivery (or has sent back) has left the print house's hands: the
# order is completed.
COMPLETING_SCANS = {IMbStatus.OUT_FOR_DELIVERY, IMbStatus.RETURNED_TO_SENDER}


@dataclass
class IMbReport:
    applied: int = 0
    ignored: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IMbScan:
    order_id: str
    status: str
    date: datetime
    zip_code: str = ""


def imb_scans_apply(*, scans: list[IMbScan], actor: Actor = SYSTEM) -> IMbReport:
    """Apply USPS Intelligent Mail barcode scans: each sets imbStatus, imbDate and imbZIPCode
    unless the order already has a later scan (feeds may repeat or arrive out of order). A
    mailed order (processed for delivery) out for delivery or returned is completed."""
    report = IMbReport()
    for scan in scans:
        order = order_for_id(scan.order_id)
        if order is None:
            report.errors.append(f"{scan.order_id}: no such order.")
            continue
        with transaction.atomic():
            order = order_locked(order)
            if order.is_cancelled:
                report.errors.append(f"{scan.order_id}: the order is cancelled.")
                continue
            if order.imb_date and order.imb_date >= scan.date:
                report.ignored += 1
                continue
            order.imb_status = scan.status
            order.imb_date = scan.date
            order.imb_zip_code = scan.zip_code
            completes = (
                scan.status in COMPLETING_SCANS
                and order.status == OrderStatus.PROCESSED_FOR_DELIVERY
            )
            if completes:
                order.status = OrderStatus.COMPLETED
            order.save()
            order_audit(
                actor, order, "imb", f"{order}: IMb {scan.status} at {scan.zip_code or '?'}"
            )
            if completes:
                order_audit(
                    actor,
                    order,
                    "progress",
                    f"{order}: {OrderStatus.PROCESSED_FOR_DELIVERY} → {OrderStatus.COMPLETED} "
                    f"(IMb {scan.status})",
                )
            order_event_emit(order=order, kind="updated")
            report.applied += 1
    return report


ZIP_PATTERN = re.compile(r"^([0-9]{5}(-?[0-9]{4})?)?$")


class IMbFeedError(ValueError):
    """A feed that cannot be read; the message names the record and member at fault."""


FEED_FIELDS = ("id", "imbStatus", "imbDate", "imbZIPCode")
MAX_FEED_RECORDS = 10_000


def imb_feed_parse(text: str, *, fmt: str) -> list[IMbScan]:
    """Scans from a JSON feed (an array of objects, or {"scans": [...]}) or a CSV feed with a
    header row, each record with `id`, `imbStatus`, `imbDate` (ISO 8601) and `imbZIPCode`."""
    if fmt == "json":
        try:
            return imb_records_parse(json.loads(text))
        except ValueError as exc:
            if isinstance(exc, IMbFeedError):
                raise
            raise IMbFeedError(f"The feed is not valid JSON: {exc}.") from exc
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = [name for name in FEED_FIELDS[:3] if name not in (reader.fieldnames or [])]
        if missing:
            raise IMbFeedError(f"The CSV header lacks {', '.join(missing)}.")
        return imb_records_parse(list(reader))
    raise IMbFeedError(f"Unknown feed format `{fmt}` (json or csv).")


def imb_records_parse(records) -> list[IMbScan]:
    """Scans from parsed JSON: an array of records, or an object holding it in `scans`."""
    if isinstance(records, dict):
        records = records.get("scans")
    if not isinstance(records, list):
        raise IMbFeedError("A feed is an array of scans (or an object with `scans`).")
    if len(records) > MAX_FEED_RECORDS:
        raise IMbFeedError(f"At most {MAX_FEED_RECORDS} scans per feed.")
    return [_scan(index, record) for index, record in enumerate(records)]


def _scan(index: int, record) -> IMbScan:
    where = f"scan {index}"
    if not isinstance(record, dict):
        raise IMbFeedError(f"{where}: must be an object.")
    order_id = record.get("id") or record.get("orderID") or ""
    if not isinstance(order_id, str) or not order_id or len(order_id) > 40:
        raise IMbFeedError(f"{where}.id: an order id (`letter_…`) is required.")
    status = record.get("imbStatus")
    if status not in IMbStatus.values:
        raise IMbFeedError(
            f"{where}.imbStatus: must be one of {', '.join(IMbStatus.values)}, not {status!r}."
        )
    raw_date = record.get("imbDate")
    try:
        date = parse_datetime(raw_date) if isinstance(raw_date, str) else None
    except ValueError:  # well formed but not a real time (month 13)
        date = None
    if date is None or timezone.is_naive(date):
        raise IMbFeedError(f"{where}.imbDate: an ISO 8601 time with its offset is required.")
    zip_code = record.get("imbZIPCode") or ""
    if not isinstance(zip_code, str) or not ZIP_PATTERN.match(zip_code):
        raise IMbFeedError(f"{where}.imbZIPCode: must be a ZIP Code (5 or 9 digits).")
    return IMbScan(order_id=order_id, status=status, date=date, zip_code=zip_code)
