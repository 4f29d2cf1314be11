"""Proofs of delivery people ask for: USPS's e-mailed record, or shipdesk's signed letter.

Asking records a PodRequest and queues the work once the transaction commits; the task then
calls the carrier or the mailer and records the answer. Both steps are in the audit trail.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from shipdesk.audit import SYSTEM, Actor, audit_record
from tracking.carriers.base import Carrier, PodRecipient, ProofRequest
from tracking.models import PodRequest, Shipment
from tracking.pod.eligibility import pod_options
from tracking.pod.errors import PodError
from tracking.pod.letter import Letter, LetterUnavailable, pod_letter
from tracking.services import courier_connections

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 3
# A USPS request that met an outage or a spent budget is tried again, this many times in all.
MAX_ATTEMPTS = 4
RETRY_DELAY = timedelta(minutes=5)


class PodRequestError(Exception):
    """A request that cannot be made; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


def _check_allowed(shipment: Shipment, *, channel: str, letter_type: str) -> None:
    if letter_type not in PodRequest.LetterType.values:
        raise PodRequestError(
            f"Choose a letter type: {', '.join(PodRequest.LetterType.values)}.", field="letter_type"
        )
    options = pod_options(shipment)
    if not options.allows(channel=channel, letter_type=letter_type):
        label = PodRequest.LetterType(letter_type).label
        why = options.reason or f"The item has no {label} service."
        raise PodRequestError(f"No {label} can be sent for {shipment}: {why}", field="letter_type")


def recipients_clean(recipients: list[dict], *, names_required: bool) -> list[dict]:
    """1 to 3 recipients `{email, first_name, last_name}` with valid, distinct e-mail addresses."""
    cleaned: list[dict] = []
    for number, raw in enumerate(recipients, start=1):
        email = str(raw.get("email", "")).strip()
        first, last = (str(raw.get(k, "")).strip() for k in ("first_name", "last_name"))
        if not (email or first or last):
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise PodRequestError(
                f"Recipient {number}: enter a valid e-mail address.", field=f"email_{number}"
            ) from None
        if names_required and not (first and last):
            missing = "first_name" if not first else "last_name"
            raise PodRequestError(
                f"Recipient {number}: USPS needs a first and a last name.",
                field=f"{missing}_{number}",
            )
        if any(c["email"].lower() == email.lower() for c in cleaned):
            raise PodRequestError(
                f"Recipient {number}: {email} is already a recipient.", field=f"email_{number}"
            )
        cleaned.append({"email": email, "first_name": first[:50], "last_name": last[:50]})
    if not 1 <= len(cleaned) <= MAX_RECIPIENTS:
        raise PodRequestError(
            f"Give 1 to {MAX_RECIPIENTS} recipients; {len(cleaned)} given.", field="recipients"
        )
    return cleaned


def pod_request_check(
    *, shipment: Shipment, channel: str, letter_type: str, recipients: list[dict]
) -> list[dict]:
    """What a request would send, cleaned, or PodRequestError; changes nothing.

    The confirmation page shows its result before the person confirms.
    """
    _check_allowed(shipment, channel=channel, letter_type=letter_type)
    return recipients_clean(recipients, names_required=channel == PodRequest.Channel.USPS)


def _request_create(
    *, shipment: Shipment, channel: str, letter_type: str, recipients: list[dict], actor: Actor
) -> PodRequest:
    cleaned = pod_request_check(
        shipment=shipment, channel=channel, letter_type=letter_type, recipients=recipients
    )
    with transaction.atomic():
        request = PodRequest.objects.create(
            shipment=shipment,
            channel=channel,
            letter_type=letter_type,
            recipients=cleaned,
            requested_by=actor.user,
            requested_by_label=actor.label[:200],
        )
        audit_record(
            actor=actor,
            action=f"pod.{channel}_request",
            summary=f"Asked for the {request.get_letter_type_display()} of {shipment} "
            f"({request.get_channel_display()}) for {', '.join(request.emails)}",
            targets=[shipment],
            detail={
                "pod_request": request.pk,
                "letter_type": letter_type,
                "emails": request.emails,
            },
        )
        _queue(request)
    return request


def pod_request_usps(
    *, shipment: Shipment, letter_type: str, recipients: list[dict], actor: Actor
) -> PodRequest:
    """Ask USPS to e-mail its POD or Return Receipt (Electronic) record (queued on commit)."""
    return _request_create(
        shipment=shipment,
        channel=PodRequest.Channel.USPS,
        letter_type=letter_type,
        recipients=recipients,
        actor=actor,
    )


def pod_letter_email(
    *, shipment: Shipment, letter_type: str, emails: list[str], actor: Actor
) -> PodRequest:
    """E-mail shipdesk's POD letter (PDF) to 1 to 3 addresses, one message each (queued)."""
    return _request_create(
        shipment=shipment,
        channel=PodRequest.Channel.LETTER,
        letter_type=letter_type,
        recipients=[{"email": e} for e in emails],
        actor=actor,
    )


def pod_letter_download(*, shipment: Shipment, letter_type: str, actor: Actor) -> Letter:
    """Render the letter for a person to download; the download is audited."""
    _check_allowed(shipment, channel=PodRequest.Channel.LETTER, letter_type=letter_type)
    letter = pod_letter(shipment=shipment, letter_type=letter_type)
    audit_record(
        actor=actor,
        action="pod.letter_download",
        summary=f"Downloaded the {PodRequest.LetterType(letter_type).label} letter of {shipment}",
        targets=[shipment],
        detail={"letter_type": letter_type, "filename": letter.filename},
    )
    return letter


def _queue(request: PodRequest, *, run_after: datetime | None = None) -> None:
    from tracking.tasks import pod_request_process

    task = pod_request_process.using(run_after=run_after) if run_after else pod_request_process
    transaction.on_commit(lambda: task.enqueue(request.pk))


def pod_request_process(
    *, pod_request_id: int, carrier: Carrier | None = None, now: datetime | None = None
) -> PodRequest | None:
    """The task's work: send one pending request and record its outcome.

    A request already answered is left as it is; None when it is gone (its shipment deleted).
    """
    request = PodRequest.objects.select_related("shipment").filter(pk=pod_request_id).first()
    if request is None or request.status != PodRequest.Status.PENDING:
        return request
    if request.channel == PodRequest.Channel.USPS:
        shipment = request.shipment
        carrier = carrier or courier_connections.carrier_for(
            partner_id=shipment.partner_id, slug=shipment.slug
        )
        return _ask_carrier(request, carrier, now)
    return _email_letter(request, now)


def _ask_carrier(request: PodRequest, carrier: Carrier, now: datetime | None) -> PodRequest:
    shipment = request.shipment
    answer = carrier.request_proof_of_delivery(
        ProofRequest(
            tracking_number=shipment.tracking_number,
            unique_tracking_id=shipment.unique_tracking_id,
            recipients=tuple(
                PodRecipient(r["email"], r["first_name"], r["last_name"])
                for r in request.recipients
            ),
            return_receipt=request.letter_type == PodRequest.LetterType.RETURN_RECEIPT,
            mailing_date=shipment.mailing_date,
            crid=settings.USPS_CRID,
        )
    )
    now = now or timezone.now()
    with transaction.atomic():
        request.attempts += 1
        request.simulated = carrier.simulated
        if answer.retryable and request.attempts < MAX_ATTEMPTS:
            retry_at = max(answer.retry_at or now, now + RETRY_DELAY)
            request.message = (
                f"{answer.message} (attempt {request.attempts} of {MAX_ATTEMPTS}; "
                f"trying again after {retry_at:%H:%M} UTC)"
            )
            request.save(update_fields=["attempts", "simulated", "message"])
            _queue(request, run_after=retry_at)
            return request
        status = PodRequest.Status.ACCEPTED if answer.accepted else PodRequest.Status.FAILED
        return _answer(request, status=status, message=answer.message, now=now)


def _email_letter(request: PodRequest, now: datetime | None) -> PodRequest:
    shipment = request.shipment
    now = now or timezone.now()
    request.attempts += 1
    try:
        letter = pod_letter(shipment=shipment, letter_type=request.letter_type, now=now)
    except (LetterUnavailable, PodError) as exc:  # not delivered, outside retention, no key
        return _answer(request, status=PodRequest.Status.FAILED, message=str(exc), now=now)
    title = request.get_letter_type_display()
    subject = f"{title} for {shipment.tracking_number}"
    body = render_to_string(
        "tracking/email/pod_letter.txt",
        {"shipment": shipment, "title": title, "letter": letter},
    )
    messages = []
    for email in request.emails:
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
        message.attach(letter.filename, letter.pdf, "application/pdf")
        messages.append(message)
    try:
        sent = mailers.default.send_messages(messages) or 0
    except OSError as exc:  # SMTP refusals and unreachable servers are OSErrors
        logger.warning("E-mailing the POD letter of %s failed: %s", shipment, exc)
        return _answer(
            request,
            status=PodRequest.Status.FAILED,
            message=f"The mail server refused the letter: {exc}",
            now=now,
        )
    return _answer(
        request,
        status=PodRequest.Status.ACCEPTED,
        message=f"E-mailed {letter.filename} to {', '.join(request.emails)} ({sent} sent).",
        now=now,
    )


def _answer(request: PodRequest, *, status: str, message: str, now: datetime) -> PodRequest:
    with transaction.atomic():
        request.status = status
        request.message = message[:2000]
        request.answered_at = now
        request.save(update_fields=["status", "message", "answered_at", "attempts", "simulated"])
        audit_record(
            actor=SYSTEM,
            action=f"pod.{request.channel}_{status}",
            summary=f"{request.get_letter_type_display()} of {request.shipment} "
            f"({request.get_channel_display()}): {request.get_status_display().lower()}",
            targets=[request.shipment],
            detail={"pod_request": request.pk, "message": request.message},
        )
    return request
