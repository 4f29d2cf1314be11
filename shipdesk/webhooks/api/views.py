"""PostGrid's /print-mail/v1/webhooks: list, create, retrieve, update, delete, invocations.

A partner sees only its own webhooks, and a key only those of its mode (live or test)."""

from __future__ import annotations

from django.db.models import Q
from rest_framework import exceptions
from rest_framework.response import Response

from mailorders.api.base import PostGridAPIView, list_response, page_params, search_param
from shipdesk.api import APIError, describe
from shipdesk.webhooks import services
from shipdesk.webhooks.api.serializers import WebhookSerializer, invocation_data, webhook_data
from shipdesk.webhooks.models import Webhook


def _first_field(detail) -> str | None:
    if isinstance(detail, dict) and detail:
        name = next(iter(detail))
        return None if name == "non_field_errors" else name
    return None


def _validated(serializer: WebhookSerializer) -> WebhookSerializer:
    """The serializer, valid, or a validation_error naming the (first) field at fault."""
    try:
        serializer.is_valid(raise_exception=True)
    except exceptions.ValidationError as exc:
        _, _, message, _ = describe(exc)
        field = _first_field(exc.detail)
        raise APIError(message, data={"field": field} if field else None) from exc
    return serializer


def _api_error(exc: services.WebhookError) -> APIError:
    if exc.field:
        return APIError(f"{exc.field}: {exc}", data={"field": exc.field})
    return APIError(str(exc))


class WebhookView(PostGridAPIView):
    def webhooks(self):
        return Webhook.objects.filter(partner=self.partner, live=self.live)

    def get_webhook(self) -> Webhook:
        webhook = self.webhooks().filter(public_id=self.kwargs["webhook_id"]).first()
        if webhook is None:
            raise APIError("Could not find webhook.", http_status=404)
        return webhook


class WebhookListView(WebhookView):
    def get(self, request, *args, **kwargs):
        limit, skip = page_params(request)
        webhooks = self.webhooks().order_by("-created_at", "-id")
        if search := search_param(request):
            webhooks = webhooks.filter(
                Q(public_id=search) | Q(url__icontains=search) | Q(description__icontains=search)
            )
        return list_response(
            queryset=webhooks,
            limit=limit,
            skip=skip,
            serialize=lambda page: [webhook_data(w) for w in page],
        )

    def post(self, request, *args, **kwargs):
        serializer = _validated(WebhookSerializer(data=self.body()))
        try:
            webhook = services.webhook_create(
                partner=self.partner,
                live=self.live,
                actor=self.actor,
                **serializer.service_kwargs(),
            )
        except services.WebhookError as exc:
            raise _api_error(exc) from exc
        return Response(webhook_data(webhook))


class WebhookDetailView(WebhookView):
    def get(self, request, *args, **kwargs):
        return Response(webhook_data(self.get_webhook()))

    def post(self, request, *args, **kwargs):
        """Update (PostGrid's POST /webhooks/:id): only the members sent change."""
        webhook = self.get_webhook()
        serializer = _validated(WebhookSerializer(data=self.body(), partial=True))
        try:
            webhook = services.webhook_update(
                webhook=webhook, actor=self.actor, **serializer.service_kwargs()
            )
        except services.WebhookError as exc:
            raise _api_error(exc) from exc
        return Response(webhook_data(webhook))

    patch = post

    def delete(self, request, *args, **kwargs):
        webhook = self.get_webhook()
        public_id = webhook.public_id
        services.webhook_delete(webhook=webhook, actor=self.actor)
        return Response({"id": public_id, "object": "webhook", "deleted": True})


class WebhookInvocationListView(WebhookView):
    def get(self, request, *args, **kwargs):
        webhook = self.get_webhook()
        limit, skip = page_params(request)
        invocations = webhook.invocations.with_event().order_by("-created_at", "-id")
        return list_response(
            queryset=invocations,
            limit=limit,
            skip=skip,
            serialize=lambda page: [invocation_data(i, webhook) for i in page],
        )
