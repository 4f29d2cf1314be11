"""`POST /print-mail/provider-webhooks/<provider>`: where an upstream print-mail provider
sends its webhooks about the orders shipdesk forwarded to it.

Not a partner endpoint: no API key, the PostGrid-Signature made with the provider's webhook
secret (PRINT_PROVIDER_<NAME>_WEBHOOK_SECRET) is the credential. Answers in PostGrid's
envelope; any 2xx tells the provider to stop retrying."""

from __future__ import annotations

from rest_framework.response import Response

from mailorders.api.base import PostGridAPIView
from mailorders.services.provider_signatures import SIGNATURE_HEADER
from mailorders.services.provider_webhooks import WebhookRefused, provider_webhook_receive
from shipdesk.api import APIError


class ProviderWebhookView(PostGridAPIView):
    authentication_classes = []
    throttle_classes = []

    def post(self, request, provider: str, *args, **kwargs):
        try:
            outcome = provider_webhook_receive(
                provider=provider,
                body=request.body,
                signature=request.headers.get(SIGNATURE_HEADER, ""),
            )
        except WebhookRefused as exc:
            raise APIError(
                str(exc), http_status=exc.status, data={"field": exc.field} if exc.field else None
            ) from exc
        return Response({"received": True, "type": outcome.event_type, "changed": outcome.changed})
