"""Outgoing webhooks: the partner's endpoints, the event outbox, deliveries and their attempts.

An event is written in the transaction of the change that caused it (the outbox). The worker
fans it out into one delivery per subscribed endpoint; each delivery keeps the exact bytes it
signed, so every retry and every replay sends the same request body.
"""

from __future__ import annotations

import secrets
import string

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

_ALPHABET = string.ascii_letters + string.digits


def prefixed_id(prefix: str, length: int = 22) -> str:
    """PostGrid-shaped ids: `webhook_5z5e7KLCKiXn84okdzCiBg`."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_webhook_id() -> str:
    return prefixed_id("webhook_")


def new_event_id() -> str:
    return prefixed_id("event_")


def new_invocation_id() -> str:
    return prefixed_id("webhook_invocation_")


def new_webhook_secret() -> str:
    return prefixed_id("webhook_secret_", 32)


class EventType(models.TextChoices):
    LETTER_CREATED = "letter.created"
    LETTER_UPDATED = "letter.updated"
    POSTCARD_CREATED = "postcard.created"
    POSTCARD_UPDATED = "postcard.updated"
    CHEQUE_CREATED = "cheque.created"
    CHEQUE_UPDATED = "cheque.updated"
    SELF_MAILER_CREATED = "self_mailer.created"
    SELF_MAILER_UPDATED = "self_mailer.updated"
    TRACKING_UPDATED = "tracking.updated"


class Webhook(models.Model):
    """A partner's endpoint and the events it wants, in PostGrid's shape."""

    class PayloadFormat(models.TextChoices):
        JWT = "jwt", "JWT (HS256)"
        JSON = "json", "JSON with a PostGrid-Signature header"

    public_id = models.CharField(max_length=40, unique=True, default=new_webhook_id, editable=False)
    partner = models.ForeignKey(
        "shipdesk.Partner", on_delete=models.CASCADE, related_name="webhooks"
    )
    live = models.BooleanField(
        default=False, help_text="Live webhooks get live events; test webhooks test events."
    )
    url = models.URLField(max_length=2000)
    enabled_events = models.JSONField(default=list)
    payload_format = models.CharField(
        max_length=4, choices=PayloadFormat.choices, default=PayloadFormat.JWT
    )
    secret = models.CharField(max_length=200, default=new_webhook_secret)
    enabled = models.BooleanField(default=True)
    description = models.CharField(max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(
        null=True, blank=True, help_text="When shipdesk disabled it after failing in a row."
    )
    disabled_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.public_id} → {self.url}"

    @property
    def disabled_after_failures(self) -> bool:
        return not self.enabled and self.disabled_at is not None

    def wants(self, event: WebhookEvent) -> bool:
        return (
            self.enabled
            and event.type in self.enabled_events
            and (event.live is None or event.live == self.live)
        )


class WebhookEvent(models.Model):
    """The outbox: one row per event, written in the transaction of the change."""

    public_id = models.CharField(max_length=40, unique=True, default=new_event_id, editable=False)
    partner = models.ForeignKey("shipdesk.Partner", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=50, choices=EventType.choices)
    live = models.BooleanField(
        null=True, help_text="The mode of the object; empty for events of both modes (tracking)."
    )
    data = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When its deliveries were made (one per endpoint)."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(dispatched_at__isnull=True),
                name="webhook_event_undispatched",
            ),
            models.Index(fields=["created_at", "id"], name="webhook_event_created"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: the signed bytes, the retry clock and the worker's lease."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (retries exhausted)"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker is sending it until then (its lease)."
    )
    body = models.BinaryField(help_text="The exact request body sent, every time.")
    signature = models.CharField(
        max_length=200, blank=True, help_text="The PostGrid-Signature header (JSON payloads)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "webhook"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.webhook_id} ({self.status})"


class InvocationQuerySet(models.QuerySet):
    def with_event(self):
        """Each with its delivery's event (type and id), without the bodies."""
        return self.select_related("delivery__event").defer(
            "delivery__body", "delivery__event__data"
        )


class WebhookInvocation(models.Model):
    """One HTTP attempt of a delivery: when, the answer's status code, how long, what failed."""

    public_id = models.CharField(
        max_length=50, unique=True, default=new_invocation_id, editable=False
    )
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="invocations")
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="invocations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    replay = models.BooleanField(default=False, help_text="Sent again from the admin.")

    objects = InvocationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["webhook", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.status_code or self.error or '—'})"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
