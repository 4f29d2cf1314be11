"""Tell a shipment's subscribers when its tag changes (e-mail; SMS through SMS_SENDER)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.template.loader import render_to_string

from tracking.models import Shipment
from tracking.sms import get_sms_sender


def subscribers_notify(*, shipment_ids: list[int]) -> int:
    """Send each subscriber of these shipments their current status; return messages sent."""
    shipments = Shipment.objects.filter(id__in=shipment_ids).prefetch_related("subscribers")
    emails: list[EmailMessage] = []
    sms = get_sms_sender()
    sent = 0
    for shipment in shipments:
        subject = f"Your shipment {shipment.tracking_number}: {shipment.subtag_message}"
        body = render_to_string("tracking/email/tag_changed.txt", {"shipment": shipment})
        for subscriber in shipment.subscribers.all():
            if subscriber.channel == "email":
                emails.append(
                    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [subscriber.address])
                )
            else:
                sms.send(to=subscriber.address, text=subject)
                sent += 1
    if emails:
        sent += mailers.default.send_messages(emails) or 0
    return sent


def subscribers_notify_later(*, shipment_ids: list[int]) -> None:
    """Queue the subscribers' messages once the current transaction commits."""
    from tracking.tasks import notify_subscribers

    if shipment_ids:
        transaction.on_commit(lambda: notify_subscribers.enqueue(shipment_ids))
