"""Created labels written straight to the database, for tests that need hundreds of them (no PDF,
no shipment: what manifests and lists read)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from mailorders.choices import LabelStatus
from mailorders.models import Label, ShipperAccount
from mailorders.services.shippers import impb_number
from mailorders.tests.label_bodies import ADDRESS_FROM, ADDRESS_TO, PARCEL

SERVICE = "usps-discounted_priority_mail"


def labels_bulk_create(
    account: ShipperAccount,
    count: int,
    *,
    start: dt.datetime | None = None,
    step: dt.timedelta = dt.timedelta(seconds=1),
    **fields,
) -> list[Label]:
    """`count` created labels of `account`, numbered on from its next serial, one `step` apart
    from `start` (now by default); `fields` override the defaults."""
    start = start or timezone.now()
    first = account.next_serial
    account.next_serial += count
    account.save(update_fields=["next_serial"])
    labels = [
        Label(
            **{
                "partner": account.partner,
                "shipper_account": account,
                "service_type": SERVICE,
                "ship_from": ADDRESS_FROM,
                "ship_to": {**ADDRESS_TO, "postal_code": f"{10000 + serial % 90000:05d}"},
                "parcels": [PARCEL],
                "references": [f"order-{serial}"],
                "status": LabelStatus.CREATED,
                "charge_weight_value": Decimal("1.250"),
                "ship_date": start.date(),
                "tracking_numbers": [
                    impb_number(service_type=SERVICE, mailer_id=account.mailer_id, serial=serial)
                ],
                "created_at": start + step * (serial - first),
                **fields,
            }
        )
        for serial in range(first, first + count)
    ]
    return Label.objects.bulk_create(labels)
