"""Shipping labels (Postmen v3): validate a request, buy the label, track it, cancel, manifest.

Validation collects every problem before refusing, each as a Postmen `details` entry
`{"path": "shipment.parcels.0.weight.value", "info": "…"}`, so a partner fixes a request in one
round trip. A created label creates its Shipment (slug usps) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import NamedTuple

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from mailorders.choices import LabelServiceType, LabelStatus, ManifestStatus, PaperSize
from mailorders.label_pdf import label_pdf_render
from mailorders.manifest_pdf import manifest_pdf_render
from mailorders.models import Label, Manifest, ShipperAccount
from mailorders.services.common import LabelError
from mailorders.services.shippers import tracking_number_issue
from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.models import Partner
from tracking.services.lifecycle import shipment_update
from tracking.services.shipments import ShipmentError, shipment_create

ADDRESS_REQUIRED = ("contact_name", "street1", "city", "postal_code", "country")
ADDRESS_OPTIONAL = ("company_name", "street2", "street3", "state", "phone", "email", "type")
TO_LB = {
    "lb": Decimal(1),
    "oz": Decimal(1) / 16,
    "kg": Decimal("2.20462"),
    "g": Decimal("0.00220462"),
}
TO_IN = {"in": Decimal(1), "cm": Decimal(1) / Decimal("2.54")}
MAX_WEIGHT_LB = Decimal(70)  # USPS domestic limit
MAX_SIDE_IN = Decimal(108)
MAX_LENGTH_PLUS_GIRTH_IN = Decimal(130)
MAX_PARCELS = 1  # one label, one parcel (USPS has no multi-piece labels)
MAX_REFERENCES = 2
# A manifest's PDF is drawn inside its transaction: 1,000 labels take about 3 s.
MANIFEST_MAX_LABELS = 1000
MAX_TEXT = 255
# Address members copied onto the Shipment are held to its column sizes.
MAX_ADDRESS_TEXT = {"city": 100, "state": 100, "postal_code": 20}

logger = logging.getLogger(__name__)


class _FilesWritten:
    """Files stored by a transaction that is still open (see `atomic_with_files`)."""

    def __init__(self) -> None:
        self.stored: list[tuple] = []

    def save(self, field_file: FieldFile, name: str, data: bytes) -> None:
        """Store `data` in the model's file field (the row is saved by the caller)."""
        field_file.save(name, ContentFile(data), save=False)
        self.stored.append((field_file.storage, field_file.name))


@contextmanager
def atomic_with_files() -> Iterator[_FilesWritten]:
    """`transaction.atomic()` for work that stores files: when the block fails, its rows are
    rolled back and the files it stored are deleted, so none outlives its row."""
    written = _FilesWritten()
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        for storage, name in written.stored:
            try:
                storage.delete(name)
            except Exception:  # the original failure is the one to report
                logger.exception("Could not delete %s after a failed transaction", name)
        raise


class _Problems:
    def __init__(self) -> None:
        self.details: list[dict] = []

    def add(self, path: str, info: str) -> None:
        self.details.append({"path": path, "info": info})

    def obj(self, data: dict, path: str, key: str, *, required: bool) -> dict | None:
        value = data.get(key)
        full = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.add(full, f"{full} is required.")
            return None
        if not isinstance(value, dict):
            self.add(full, f"{full} must be an object.")
            return None
        return value

    def text(
        self, data: dict, path: str, key: str, *, required: bool, max_length: int = MAX_TEXT
    ) -> str:
        value = data.get(key)
        full = f"{path}.{key}"
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(full, f"{full} is required.")
            return ""
        if not isinstance(value, str) or len(value) > max_length or "\x00" in value:
            self.add(full, f"{full} must be text of at most {max_length} characters.")
            return ""
        return value.strip()

    def number(self, data: dict, path: str, key: str) -> Decimal | None:
        value = data.get(key)
        full = f"{path}.{key}"
        if value is None:
            self.add(full, f"{full} is required.")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(full, f"{full} must be a number.")
            return None
        if not value > 0:
            self.add(full, f"{full} must be greater than 0.")
            return None
        return Decimal(str(value))

    def choice(self, data: dict, path: str, key: str, allowed, *, default=None):
        value = data.get(key, default)
        full = f"{path}.{key}" if path else key
        if value is None:
            self.add(full, f"{full} is required.")
        elif value not in allowed:
            self.add(full, f"{full} must be one of: {', '.join(allowed)}.")
            return None
        return value

    def boolean(self, data: dict, key: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.add(key, f"{key} must be true or false.")
            return False
        return value


def _address(problems: _Problems, shipment: dict, key: str, *, required: bool) -> dict | None:
    data = problems.obj(shipment, "shipment", key, required=required)
    if data is None:
        return None
    path = f"shipment.{key}"
    address = {
        name: problems.text(
            data, path, name, required=True, max_length=MAX_ADDRESS_TEXT.get(name, MAX_TEXT)
        )
        for name in ADDRESS_REQUIRED
    }
    for name in ADDRESS_OPTIONAL:
        value = problems.text(
            data, path, name, required=False, max_length=MAX_ADDRESS_TEXT.get(name, MAX_TEXT)
        )
        if value:
            address[name] = value
    if address["country"] and len(address["country"]) != 3:
        problems.add(f"{path}.country", f"{path}.country must be an ISO 3166 alpha-3 code.")
    if address["country"].upper() == "USA" and not address.get("state"):
        problems.add(f"{path}.state", f"{path}.state is required for a US address.")
    address["country"] = address["country"].upper()
    return address


def _parcel(problems: _Problems, data, index: int) -> tuple[dict, Decimal]:
    path = f"shipment.parcels.{index}"
    if not isinstance(data, dict):
        problems.add(path, f"{path} must be an object.")
        return {}, Decimal(0)
    parcel: dict = {"box_type": data.get("box_type") or "custom"}
    weight_lb = Decimal(0)
    weight = problems.obj(data, path, "weight", required=True)
    if weight is not None:
        unit = problems.choice(weight, f"{path}.weight", "unit", list(TO_LB))
        value = problems.number(weight, f"{path}.weight", "value")
        if unit and value is not None:
            weight_lb = value * TO_LB[unit]
            if weight_lb > MAX_WEIGHT_LB:
                problems.add(
                    f"{path}.weight.value", f"{path}.weight is over USPS's {MAX_WEIGHT_LB} lb."
                )
            parcel["weight"] = {"unit": unit, "value": weight["value"]}
    dimension = problems.obj(data, path, "dimension", required=True)
    if dimension is not None:
        dpath = f"{path}.dimension"
        unit = problems.choice(dimension, dpath, "unit", list(TO_IN))
        sides = {
            side: problems.number(dimension, dpath, side) for side in ("width", "height", "depth")
        }
        if unit and all(v is not None for v in sides.values()):
            inches = {side: v * TO_IN[unit] for side, v in sides.items()}
            for side, v in inches.items():
                if v > MAX_SIDE_IN:
                    problems.add(f"{dpath}.{side}", f"{dpath}.{side} is over {MAX_SIDE_IN} in.")
            longest = max(inches.values())
            girth = 2 * (sum(inches.values()) - longest)
            if longest + girth > MAX_LENGTH_PLUS_GIRTH_IN:
                problems.add(
                    dpath, f"{dpath}: length plus girth is over {MAX_LENGTH_PLUS_GIRTH_IN} in."
                )
            parcel["dimension"] = {"unit": unit, **{s: dimension[s] for s in sides}}
    items = data.get("items", [])
    if not isinstance(items, list) or len(items) > 50:
        problems.add(f"{path}.items", f"{path}.items must be a list of at most 50 items.")
    else:
        parcel["items"] = items
    description = problems.text(data, path, "description", required=False)
    if description:
        parcel["description"] = description
    return parcel, weight_lb


def label_request_clean(*, data) -> dict:
    """The label request as stored, or LabelError listing every field at fault."""
    problems = _Problems()
    if not isinstance(data, dict):
        raise LabelError("The request body must be a JSON object.", details=[])
    account = problems.obj(data, "", "shipper_account", required=True)
    if account is not None and not isinstance(account.get("id"), str):
        problems.add("shipper_account.id", "shipper_account.id is required.")
    service_type = problems.choice(data, "", "service_type", LabelServiceType.values)
    paper_size = problems.choice(
        data, "", "paper_size", PaperSize.values, default=PaperSize.SIZE_4X6
    )
    shipment = problems.obj(data, "", "shipment", required=True)
    ship_from = ship_to = return_to = None
    parcels, weight_lb = [], Decimal(0)
    if shipment is not None:
        ship_from = _address(problems, shipment, "ship_from", required=True)
        ship_to = _address(problems, shipment, "ship_to", required=True)
        return_to = _address(problems, shipment, "return_to", required=False)
        parcels_in = shipment.get("parcels")
        if not isinstance(parcels_in, list) or not parcels_in:
            problems.add("shipment.parcels", "shipment.parcels is required (one parcel).")
        elif len(parcels_in) > MAX_PARCELS:
            problems.add("shipment.parcels", f"shipment.parcels: at most {MAX_PARCELS} parcel.")
        else:
            for index, raw in enumerate(parcels_in):
                parcel, weight = _parcel(problems, raw, index)
                parcels.append(parcel)
                weight_lb += weight
    references = data.get("references", [])
    if (
        not isinstance(references, list)
        or len(references) > MAX_REFERENCES
        or not all(isinstance(r, str) and 0 < len(r) <= 100 for r in references)
    ):
        problems.add(
            "references", f"references: at most {MAX_REFERENCES} texts of 1-100 characters."
        )
        references = []
    ship_date = timezone.localdate()
    if data.get("ship_date") is not None:
        try:
            ship_date = dt.date.fromisoformat(data["ship_date"])
        except (TypeError, ValueError):
            problems.add("ship_date", "ship_date must be a date (YYYY-MM-DD).")
    cleaned = {
        "service_type": service_type,
        "paper_size": paper_size,
        "ship_from": ship_from,
        "ship_to": ship_to,
        "return_to": return_to,
        "parcels": parcels,
        "references": references,
        "is_document": problems.boolean(data, "is_document"),
        "return_shipment": problems.boolean(data, "return_shipment"),
        "ship_date": ship_date,
    }
    for key in ("customs", "billing", "custom_fields"):
        cleaned[key] = problems.obj(data, "", key, required=False)
    if problems.details:
        raise LabelError("The request is invalid.", details=problems.details, code="invalid")
    cleaned["shipper_account_id"] = account["id"]
    cleaned["charge_weight_value"] = weight_lb.quantize(Decimal("0.001"))
    return cleaned


def label_create(*, partner: Partner, data, live: bool = False, actor: Actor = SYSTEM) -> Label:
    """Validate `data` (a Postmen create-label body), issue the label on the partner's shipper
    account and create the Shipment that tracks it."""
    cleaned = label_request_clean(data=data)
    account = ShipperAccount.objects.filter(
        partner=partner, pk=cleaned.pop("shipper_account_id")
    ).first()
    if account is None:
        raise LabelError(
            "The shipper account does not exist.",
            details=[{"path": "shipper_account.id", "info": "No such shipper account."}],
            code="not_found",
        )
    with atomic_with_files() as files:
        number = tracking_number_issue(account=account, service_type=cleaned["service_type"])
        label = Label.objects.create(
            partner=partner,
            live=live,
            shipper_account=account,
            status=LabelStatus.CREATED,
            tracking_numbers=[number],
            **cleaned,
        )
        try:
            label.shipment = shipment_create(
                partner=partner, tracking_number=number, slug="usps", **_shipment_fields(label)
            )
        except ShipmentError as exc:
            raise LabelError(
                str(exc),
                details=[{"path": "tracking_numbers", "info": str(exc)}],
                code=exc.code,
            ) from exc
        files.save(label.label_file, f"{label.id}.pdf", label_pdf_render(label=label))
        label.save(update_fields=["shipment", "label_file", "updated_at"])
        audit_record(
            actor=actor,
            action="label.create",
            summary=f"Created {label} ({number})",
            targets=[label],
            detail={"tracking_number": number},
        )
    return label


def _shipment_fields(label: Label) -> dict:
    origin, destination = label.ship_from, label.ship_to
    return {
        "source": "label",
        "title": label.references[0] if label.references else "",
        "customer_name": destination["contact_name"],
        "shipment_weight": float(label.charge_weight_value),
        "shipment_weight_unit": "lb",
        "shipment_package_count": len(label.parcels),
        "origin_country_iso3": origin["country"],
        "origin_state": origin.get("state", ""),
        "origin_city": origin["city"],
        "origin_postal_code": origin["postal_code"],
        "destination_country_iso3": destination["country"],
        "destination_state": destination.get("state", ""),
        "destination_city": destination["city"],
        "destination_postal_code": destination["postal_code"],
    }


def label_pdf_open(*, label: Label, actor: Actor):
    """The label's stored PDF, opened for a person to download; the download is audited (on
    the label and its shipment). FileNotFoundError when it has none, OSError when storage
    lost it."""
    if not label.label_file:
        raise FileNotFoundError(f"{label} has no PDF.")
    pdf = label.label_file.open("rb")
    audit_record(
        actor=actor,
        action="label.download",
        summary=f"Downloaded the PDF of {label} ({label.tracking_number})",
        targets=[target for target in (label, label.shipment) if target is not None],
    )
    return pdf


def label_cancel(*, label: Label, actor: Actor = SYSTEM) -> Label:
    """Void a label not yet manifested; its shipment stops being tracked."""
    with transaction.atomic():
        label = Label.objects.select_for_update().get(pk=label.pk)
        if label.status != LabelStatus.CREATED:
            raise LabelError(
                f"A {label.status} label cannot be cancelled.",
                details=[{"path": "label.id", "info": f"The label is {label.status}."}],
                code="not_cancellable",
            )
        label.status = LabelStatus.CANCELLED
        label.save(update_fields=["status", "updated_at"])
        if label.shipment_id:
            shipment_update(shipment=label.shipment, actor=actor, active=False, next_check_at=None)
        audit_record(
            actor=actor, action="label.cancel", summary=f"Cancelled {label}", targets=[label]
        )
    return label


class ManifestBatch(NamedTuple):
    """Labels one manifest hands over: a partner's, bought on one shipper account."""

    partner: Partner
    account: ShipperAccount
    labels: list[Label]


def manifest_batches(labels: Iterable[Label]) -> list[ManifestBatch]:
    """`labels` (created ones, with partner and shipper account loaded) as manifests take
    them: one batch per partner and shipper account, at most MANIFEST_MAX_LABELS each, in the
    order given."""
    groups: dict[tuple[int, str], list[Label]] = {}
    for label in labels:
        groups.setdefault((label.partner_id, label.shipper_account_id), []).append(label)
    return [
        ManifestBatch(
            group[0].partner, group[0].shipper_account, group[i : i + MANIFEST_MAX_LABELS]
        )
        for group in groups.values()
        for i in range(0, len(group), MANIFEST_MAX_LABELS)
    ]


def manifest_create(
    *,
    partner: Partner,
    shipper_account_id: str,
    label_ids: list[str] | None = None,
    actor: Actor = SYSTEM,
) -> Manifest:
    """Hand over the account's created labels on one manifest: those named, or, without
    `label_ids`, the oldest MANIFEST_MAX_LABELS of them (the rest go on the next manifest)."""
    if label_ids is not None and len(label_ids) > MANIFEST_MAX_LABELS:
        raise LabelError(
            f"A manifest holds at most {MANIFEST_MAX_LABELS} labels.",
            details=[{"path": "labels", "info": f"At most {MANIFEST_MAX_LABELS} labels."}],
        )
    account = ShipperAccount.objects.filter(partner=partner, pk=shipper_account_id).first()
    if account is None:
        raise LabelError(
            "The shipper account does not exist.",
            details=[{"path": "shipper_account.id", "info": "No such shipper account."}],
            code="not_found",
        )
    with atomic_with_files() as files:
        labels = Label.objects.select_for_update().filter(
            partner=partner, shipper_account=account, status=LabelStatus.CREATED
        )
        if label_ids is not None:
            labels = labels.filter(pk__in=label_ids)
        chosen = list(labels.order_by("created_at", "id")[:MANIFEST_MAX_LABELS])
        missing = sorted(set(label_ids or []) - {label.pk for label in chosen})
        if missing or not chosen:
            raise LabelError(
                "Nothing to manifest." if not missing else "Some labels cannot be manifested.",
                details=[
                    {"path": "labels", "info": f"{pk} is not a created label of this account."}
                    for pk in missing
                ]
                or [{"path": "labels", "info": "The account has no created label."}],
            )
        manifest = Manifest.objects.create(
            partner=partner, shipper_account=account, status=ManifestStatus.MANIFESTED
        )
        Label.objects.filter(pk__in=[label.pk for label in chosen]).update(
            manifest=manifest, status=LabelStatus.MANIFESTED, updated_at=timezone.now()
        )
        files.save(
            manifest.file,
            f"{manifest.id}.pdf",
            manifest_pdf_render(manifest=manifest, labels=chosen),
        )
        manifest.save(update_fields=["file", "updated_at"])
        audit_record(
            actor=actor,
            action="manifest.create",
            summary=f"Manifested {len(chosen)} labels on {manifest}",
            targets=[manifest],
            detail={"labels": [label.pk for label in chosen]},
        )
    return manifest
