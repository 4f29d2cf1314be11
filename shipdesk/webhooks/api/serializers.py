"""The /print-mail/v1/webhooks API's input (camelCase, as PostGrid takes it) and output."""

from __future__ import annotations

from rest_framework import serializers

from shipdesk.jsontypes import JSONTypesMixin
from shipdesk.webhooks.models import EventType, Webhook, WebhookInvocation

MIN_SECRET = 20


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


class WebhookSerializer(JSONTypesMixin, serializers.Serializer):
    """Create: `url` and `enabledEvents` required. Update (partial): any of them."""

    url = serializers.URLField(max_length=2000)
    enabledEvents = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.values), allow_empty=False, max_length=20
    )
    payloadFormat = serializers.ChoiceField(
        choices=Webhook.PayloadFormat.values, default=Webhook.PayloadFormat.JWT
    )
    secret = serializers.CharField(
        min_length=MIN_SECRET, max_length=200, required=False, trim_whitespace=False
    )
    enabled = serializers.BooleanField(default=True)
    description = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )

    NAMES = {
        "url": "url",
        "enabledEvents": "enabled_events",
        "payloadFormat": "payload_format",
        "secret": "secret",
        "enabled": "enabled",
        "description": "description",
    }

    def validate_secret(self, value: str) -> str:
        if not value.isprintable() or value != value.strip():
            raise serializers.ValidationError("Must be printable, without spaces at either end.")
        return value

    def service_kwargs(self) -> dict:
        return {self.NAMES[name]: value for name, value in self.validated_data.items()}


def webhook_data(webhook: Webhook) -> dict:
    return {
        "id": webhook.public_id,
        "object": "webhook",
        "live": webhook.live,
        "enabled": webhook.enabled,
        "enabledEvents": webhook.enabled_events,
        "payloadFormat": webhook.payload_format,
        "secret": webhook.secret,
        "url": webhook.url,
        "description": webhook.description or None,
        "disabledAt": iso(webhook.disabled_at),
        "disabledReason": webhook.disabled_reason or None,
        "createdAt": iso(webhook.created_at),
        "updatedAt": iso(webhook.updated_at),
    }


def invocation_data(invocation: WebhookInvocation, webhook: Webhook) -> dict:
    """Expects `delivery__event` selected with the invocation."""
    event = invocation.delivery.event
    return {
        "id": invocation.public_id,
        "object": "webhook_invocation",
        "webhook": webhook.public_id,
        "type": event.type,
        "event": event.public_id,
        "statusCode": invocation.status_code,
        "durationMs": invocation.duration_ms,
        "error": invocation.error or None,
        "replay": invocation.replay,
        "createdAt": iso(invocation.created_at),
    }
