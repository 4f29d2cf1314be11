"""Buying real USPS labels on a live shipper account, never twice.

The attempt is recorded (a CREATING label with its own purchase key) before USPS is called, and
the key goes to USPS as `X-Idempotency-Key`: whatever happens next, sending the same request
with the same key answers the same label and charges nothing more. So:

- a partner's retry with the same `order_number` on the same account answers the first label
  (one row per account and order number, by a database constraint);
- an attempt USPS did not answer (a timeout, a 5xx) stays CREATING and is reconciled, by that
  retry or by `label_attempt_reconcile`, before anything else is bought for it;
- when USPS refuses, the attempt is deleted: nothing was bought and no half-made label is left.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mailorders.choices import LabelServiceType, LabelStatus
from mailorders.models import Label, ShipperAccount
from mailorders.services.common import (
    LabelError,
    atomic_with_files,
    label_not_cancellable,
    label_record_cancelled,
)
from mailorders.services.label_requests import TO_IN
from mailorders.services.usps_credentials import CredentialsUnreadable, account_credentials
from shipdesk.audit import SYSTEM, Actor, audit_record
from tracking.carriers.budget import BudgetExhausted
from tracking.carriers.shipping import (
    Extra,
    LabelOrder,
    Packaging,
    Parcel,
    PaymentAccount,
    PostalAddress,
    PurchasedLabel,
    Service,
)
from tracking.carriers.usps import labels as usps_labels
from tracking.carriers.usps.client import (
    CarrierUnavailable,
    CredentialsRefused,
    UspsClient,
    app_keys,
)
from tracking.carriers.usps.errors import AccountIncomplete, UspsError
from tracking.carriers.usps.labels_mapper import order_field

SERVICES = {
    LabelServiceType.PRIORITY_MAIL_EXPRESS: Service.PRIORITY_MAIL_EXPRESS,
    LabelServiceType.PRIORITY_MAIL: Service.PRIORITY_MAIL,
    LabelServiceType.GROUND_ADVANTAGE: Service.GROUND_ADVANTAGE,
    # First-Class Package Service became USPS Ground Advantage.
    LabelServiceType.FIRST_CLASS_MAIL: Service.GROUND_ADVANTAGE,
    LabelServiceType.PARCEL_SELECT: Service.PARCEL_SELECT,
    LabelServiceType.MEDIA_MAIL: Service.MEDIA_MAIL,
}
BOX_TYPES = {
    "usps_flat_rate_envelope": Packaging.FLAT_RATE_ENVELOPE,
    "usps_padded_flat_rate_envelope": Packaging.PADDED_FLAT_RATE_ENVELOPE,
    "usps_small_flat_rate_box": Packaging.SMALL_FLAT_RATE_BOX,
    "usps_medium_flat_rate_box": Packaging.MEDIUM_FLAT_RATE_BOX,
    "usps_large_flat_rate_box": Packaging.LARGE_FLAT_RATE_BOX,
}
# shipdesk's LabelOrder fields → the Postmen request paths partners sent them in.
ADDRESS_PATHS = {
    "street": "street1",
    "secondary": "street2",
    "city": "city",
    "state": "state",
    "zip_code": "postal_code",
    "zip_plus4": "postal_code",
    "name": "contact_name",
    "company": "company_name",
    "phone": "phone",
    "email": "email",
}
ORDER_PATHS = {
    "parcel.weight": "shipment.parcels.0.weight.value",
    "parcel.length": "shipment.parcels.0.dimension.depth",
    "parcel.width": "shipment.parcels.0.dimension.width",
    "parcel.height": "shipment.parcels.0.dimension.height",
    "parcel": "shipment.parcels.0",
    "service": "service_type",
    "packaging": "shipment.parcels.0.box_type",
    "mailing_date": "ship_date",
    "account": "shipper_account.id",
}
BASE_URL_SETTINGS = {"test": "USPS_TEST_BASE_URL", "production": "USPS_PRODUCTION_BASE_URL"}
IMAGE_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png"}


def _refusal(message: str, path: str, code: str) -> LabelError:
    return LabelError(message, details=[{"path": path, "info": message}] if path else [], code=code)


def _misconfigured(info: str) -> LabelError:
    return _refusal(
        f"This shipper account cannot buy USPS labels: {info}",
        "shipper_account.id",
        "shipper_account_misconfigured",
    )


# --- the account as USPS needs it ----------------------------------------------------------


def usps_client_for(account: ShipperAccount) -> UspsClient:
    """The USPS client of the account's app: its credentials (stored on the account, else the
    settings `credentials_ref` names, else USPS_CLIENT_ID/SECRET) and environment."""
    try:
        credentials = account_credentials(account)
    except CredentialsUnreadable as exc:
        raise _misconfigured(str(exc)) from exc
    if not credentials.complete:
        raise _misconfigured(f"{credentials.source} are not set.")
    client_id, client_secret = credentials.client_id, credentials.client_secret
    base_url = getattr(settings, BASE_URL_SETTINGS[account.usps_environment])
    budget_key, token_key = app_keys(base_url, client_id, client_secret)
    return UspsClient(
        base_url=base_url,
        client_id=client_id,
        client_secret=client_secret,
        per_hour=settings.USPS_LABELS_REQUESTS_PER_HOUR,
        timeout=settings.USPS_TIMEOUT_SECONDS,
        max_retries=settings.USPS_MAX_RETRIES,
        token_key=token_key,
        budget_key=budget_key,
    )


def payment_account_of(account: ShipperAccount) -> PaymentAccount:
    return PaymentAccount(
        crid=account.crid,
        mid=account.mailer_id,
        manifest_mid=account.manifest_mid,
        account_number=account.eps_account,
    )


# --- the Postmen request as a LabelOrder ---------------------------------------------------


def postal_address_of(data: dict) -> PostalAddress:
    zip_code, _, plus4 = str(data.get("postal_code", "")).partition("-")
    return PostalAddress(
        street=data.get("street1", ""),
        secondary=" ".join(filter(None, (data.get("street2"), data.get("street3")))),
        city=data.get("city", ""),
        state=data.get("state", ""),
        zip_code=zip_code,
        zip_plus4=plus4,
        name=data.get("contact_name", ""),
        company=data.get("company_name", ""),
        phone=data.get("phone", ""),
        email=data.get("email", ""),
    )


def label_order_of(label: Label) -> LabelOrder:
    """The USPS order of a recorded attempt, built from the row only: a reconcile sends the
    very request the first attempt sent (USPS answers an idempotency key only to that)."""
    parcel = label.parcels[0]
    dimension = parcel.get("dimension") or {}
    to_in = TO_IN.get(dimension.get("unit", "in"), Decimal(1))

    def inches(side: str) -> Decimal:
        return (Decimal(str(dimension.get(side, 1))) * to_in).quantize(Decimal("0.01"))

    value = sum(
        (
            Decimal(str((item.get("price") or {}).get("amount", 0))) * int(item.get("quantity", 1))
            for item in parcel.get("items") or []
            if isinstance(item, dict)
        ),
        Decimal(0),
    )
    return LabelOrder(
        ship_from=postal_address_of(label.ship_from),
        ship_to=postal_address_of(label.ship_to),
        parcel=Parcel(
            weight_lb=max(label.charge_weight_value, Decimal("0.01")),
            length_in=inches("depth"),
            width_in=inches("width"),
            height_in=inches("height"),
        ),
        service=SERVICES[label.service_type],
        packaging=BOX_TYPES.get(parcel.get("box_type", ""), Packaging.OWN),
        mailing_date=label.ship_date,
        idempotency_key=str(label.purchase_key),
        extras=(Extra.TRACKING,),
        item_value=value,
    )


def _postmen_path(field: str) -> str:
    side, _, rest = field.partition(".")
    if side in ("ship_to", "ship_from"):
        return f"shipment.{side}" + (f".{ADDRESS_PATHS[rest]}" if rest in ADDRESS_PATHS else "")
    return ORDER_PATHS.get(field, "")


# --- buying ---------------------------------------------------------------------------------


def usps_label_buy(
    *, partner, account: ShipperAccount, cleaned: dict, live: bool, actor: Actor = SYSTEM
) -> Label:
    """The label of `cleaned` bought on the live `account` (the first one when this order number
    was already bought or attempted on it)."""
    order_number = cleaned.pop("order_number", "")
    if order_number:
        existing = Label.objects.filter(shipper_account=account, order_number=order_number).first()
        if existing is not None:
            return _answer(existing, actor=actor)
    client = usps_client_for(account)  # a misconfigured account is refused before recording
    try:
        with transaction.atomic():
            attempt = Label.objects.create(
                partner=partner,
                live=live,
                shipper_account=account,
                status=LabelStatus.CREATING,
                order_number=order_number,
                purchase_key=uuid.uuid4(),
                **cleaned,
            )
    except IntegrityError:  # the same order number, recorded a moment ago by another request
        existing = Label.objects.get(shipper_account=account, order_number=order_number)
        return _answer(existing, actor=actor)
    return _purchase(attempt, client=client, actor=actor)


def _answer(label: Label, *, actor: Actor) -> Label:
    if label.status == LabelStatus.CREATING:
        return label_attempt_reconcile(label=label, actor=actor)
    return label


def label_attempt_reconcile(*, label: Label, actor: Actor = SYSTEM) -> Label:
    """Settle an attempt whose outcome is unknown: the same request and key again, which USPS
    answers with the label it bought (or buys it now, once)."""
    return _purchase(label, client=usps_client_for(label.shipper_account), actor=actor)


def _purchase(label: Label, *, client: UspsClient, actor: Actor) -> Label:
    account = label.shipper_account
    try:
        bought = usps_labels.label_create(
            client, payment_account_of(account), label_order_of(label)
        )
    except UspsError as exc:
        _forget(label)
        path = _postmen_path(order_field(exc.field))
        raise _refusal(exc.text, path, "carrier_refused") from exc
    except AccountIncomplete as exc:
        _forget(label)
        raise _misconfigured(f"it has no {', '.join(exc.fields)}.") from exc
    except CredentialsRefused as exc:
        _forget(label)
        raise _misconfigured(f"USPS refused its credentials ({exc.usps_message}).") from exc
    except (CarrierUnavailable, BudgetExhausted) as exc:
        if getattr(exc, "outcome_unknown", False):
            # USPS may have bought it: keep the attempt; the next try reconciles it.
            raise _refusal(
                f"USPS did not answer ({exc}); whether the label was bought is not known yet. "
                "Send the same request again (same order_number) to get it; nothing is bought "
                "twice.",
                "",
                "carrier_unavailable",
            ) from exc
        _forget(label)
        raise _refusal(f"USPS is unavailable: {exc}", "", "carrier_unavailable") from exc
    return _finish(label, bought, actor=actor)


def _forget(label: Label) -> None:
    """Drop an attempt USPS refused (nothing was bought)."""
    Label.objects.filter(pk=label.pk, status=LabelStatus.CREATING).delete()


def _finish(label: Label, bought: PurchasedLabel, *, actor: Actor) -> Label:
    from mailorders.services.labels import label_shipment_attach

    with atomic_with_files() as files:
        label = Label.objects.select_for_update().get(pk=label.pk)
        if label.status != LabelStatus.CREATING:
            return label  # a concurrent retry finished it first (USPS answered both the same)
        label.tracking_numbers = [bought.tracking_number]
        label.charge_amount = bought.total
        label.status = LabelStatus.CREATED
        label_shipment_attach(label=label)
        extension = IMAGE_EXTENSIONS.get(bought.image_type, "zpl")
        files.save(label.label_file, f"{label.id}.{extension}", bought.image)
        label.save(
            update_fields=[
                "tracking_numbers",
                "charge_amount",
                "status",
                "shipment",
                "label_file",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="label.create",
            summary=f"Bought {label} from USPS ({bought.tracking_number})",
            targets=[label],
            detail={
                "tracking_number": bought.tracking_number,
                "postage": str(bought.postage),
                "total": str(bought.total),
                "zone": bought.zone,
            },
        )
    return label


# --- cancelling ------------------------------------------------------------------------------

# What USPS says when asked again to cancel a label it already cancelled or refunded.
ALREADY_CANCELLED = ("order not found", "already been submitted")


def usps_label_cancel(*, label: Label, actor: Actor = SYSTEM) -> Label:
    """Cancel a live label at USPS first (a void, or a refund request once manifested), then
    here. The label is CANCELLING while USPS is asked, outside any transaction."""
    with transaction.atomic():
        label = Label.objects.select_for_update().get(pk=label.pk)
        retry = label.status == LabelStatus.CANCELLING
        if label.status not in (LabelStatus.CREATED, LabelStatus.CANCELLING):
            raise label_not_cancellable(label)
        _status(label, LabelStatus.CANCELLING)
    account = label.shipper_account
    outcome = ""
    try:
        answer = usps_labels.label_cancel(
            usps_client_for(account), payment_account_of(account), label.tracking_number
        )
        outcome = (
            "refunded" if answer.refunded else f"refund requested (dispute {answer.dispute_id})"
        )
    except UspsError as exc:
        # A retry after an unanswered cancel: USPS no longer knows the label as cancellable.
        if not (retry and any(words in exc.text.lower() for words in ALREADY_CANCELLED)):
            _status(label, LabelStatus.CREATED)
            raise _refusal(exc.text, "label.id", "carrier_refused") from exc
        outcome = "already cancelled at USPS"
    except (CarrierUnavailable, BudgetExhausted, AccountIncomplete) as exc:
        if not getattr(exc, "outcome_unknown", False):
            _status(label, LabelStatus.CREATED)
        raise _refusal(
            f"USPS did not cancel the label ({exc}); try again.", "", "carrier_unavailable"
        ) from exc
    with transaction.atomic():
        label_record_cancelled(
            label=label,
            actor=actor,
            summary=f"Cancelled {label} at USPS: {outcome}",
            detail={"usps": outcome},
        )
    return label


def _status(label: Label, status: str) -> None:
    Label.objects.filter(pk=label.pk).update(status=status, updated_at=timezone.now())
