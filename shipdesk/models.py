from django.db import models

from shipdesk.ids import new_public_id


class Partner(models.Model):
    """An organisation that owns shipments and, later, holds API keys."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class APIKey(models.Model):
    """A partner's secret for the APIs. Only a SHA-256 of the key is stored; the prefix is shown."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    is_test = models.BooleanField(
        default=False, help_text="Test keys create test-mode objects (print-mail progressions)."
    )
    rate_per_second = models.PositiveIntegerField(
        null=True, blank=True, help_text="Requests per second; empty for the default."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.partner.is_active


class ThrottleWindow(models.Model):
    """How many requests a key made in one second (the API throttle; see shipdesk.api).

    Counted by one atomic upsert per request, so every web process sees the same count; a key's
    older windows are deleted when its next window opens."""

    key = models.ForeignKey(APIKey, on_delete=models.CASCADE, related_name="+", db_index=False)
    window_start = models.BigIntegerField(help_text="Unix time of the second counted.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="throttle_key_window")
        ]

    def __str__(self) -> str:
        return f"{self.key_id}@{self.window_start}: {self.count}"


class AuditEvent(models.Model):
    """Who did what, when, to which objects: a person, a partner's key or the system."""

    class ActorKind(models.TextChoices):
        USER = "user", "Person"
        API_KEY = "api_key", "Partner API key"
        SYSTEM = "system", "System"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_label = models.CharField(max_length=200)
    user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        APIKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)
    summary = models.CharField(max_length=500)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.summary}"


class AuditTarget(models.Model):
    """One object an audit event touched (an event may touch many)."""

    event = models.ForeignKey(AuditEvent, on_delete=models.CASCADE, related_name="targets")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.object_label


# Outgoing webhooks live in their own package (shipdesk.webhooks); their models are this app's.
from shipdesk.webhooks.models import (  # noqa: E402, F401
    Webhook,
    WebhookDelivery,
    WebhookEvent,
    WebhookInvocation,
)
