"""Included under /print-mail/v1/ (before the mail-order routes and their catch-all 404)."""

from django.urls import path

from shipdesk.webhooks.api import views

urlpatterns = [
    path("webhooks", views.WebhookListView.as_view(), name="postgrid-webhooks"),
    path("webhooks/<id:webhook_id>", views.WebhookDetailView.as_view(), name="postgrid-webhook"),
    path(
        "webhooks/<id:webhook_id>/invocations",
        views.WebhookInvocationListView.as_view(),
        name="postgrid-webhook-invocations",
    ),
]
