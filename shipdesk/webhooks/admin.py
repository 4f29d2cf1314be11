"""Webhooks in the admin: endpoints with their health, deliveries with "Replay…", attempts.

An endpoint disabled after failing in a row is flagged in the list, announced above it and
explained on its page; "Enable again…" resumes its pending deliveries. Both actions ask for
confirmation first and are audited.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from shipdesk.audit import Actor
from shipdesk.webhooks.models import (
    EventType,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
    WebhookInvocation,
)
from shipdesk.webhooks.services import (
    UPDATABLE,
    WebhookError,
    delivery_replay,
    webhook_enable,
    webhook_save_new,
    webhook_update,
)
from shipdesk.webhooks.targets import TargetRefused, target_check

RECENT_INVOCATIONS = 20


class WebhookForm(forms.ModelForm):
    enabled_events = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["partner", "live", "url", "enabled_events", "payload_format", "description"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            target_check(url)
        except TargetRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url


def _status(webhook: Webhook) -> str:
    if webhook.enabled:
        return "Enabled"
    return "Disabled after failures" if webhook.disabled_after_failures else "Disabled"


def _confirm(model_admin, request, queryset, *, action, title, text, button, lines):
    """The intermediate page of an action: what it does, to which rows, and a confirm."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "action": action,
        "text": text,
        "button": button,
        "lines": lines,
        "selected_pks": [obj.pk for obj in queryset],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/shipdesk/webhooks/action_confirmation.html", context)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = [
        "public_id",
        "partner",
        "url",
        "live",
        "health",
        "consecutive_failures",
        "payload_format",
        "created_at",
    ]
    list_filter = ["enabled", ("disabled_at", admin.EmptyFieldListFilter), "live", "partner"]
    search_fields = ["=public_id", "url", "partner__name", "description"]
    list_select_related = ["partner"]
    actions = ["enable_again"]

    def get_fields(self, request, obj=None):
        fields = ["partner", "live", "url", "enabled_events", "payload_format", "description"]
        if obj is None:
            return fields
        return [
            "public_id",
            *fields,
            "masked_secret",
            "health",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "updated_at",
            "recent_invocations",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "public_id",
            "partner",
            "live",
            "masked_secret",
            "health",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "updated_at",
            "recent_invocations",
        ]

    @admin.display(description="status")
    def health(self, webhook: Webhook):
        status = _status(webhook)
        if webhook.disabled_after_failures:
            return format_html('<strong style="color: var(--error-fg)">⚠ {}</strong>', status)
        return status

    @admin.display(description="secret")
    def masked_secret(self, webhook: Webhook):
        return f"{webhook.secret[:19]}… (shown once, when the webhook was created)"

    @admin.display(description="last attempts")
    def recent_invocations(self, webhook: Webhook):
        invocations = webhook.invocations.with_event()[:RECENT_INVOCATIONS]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} ms</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(i.created_at), "DATETIME_FORMAT"),
                    i.delivery.event.type,
                    i.status_code or "—",
                    i.duration_ms,
                    ("replay · " if i.replay else "") + (i.error or "ok"),
                )
                for i in invocations
            ),
        )
        url = (
            reverse("admin:shipdesk_webhookinvocation_changelist")
            + f"?webhook__id__exact={webhook.pk}"
        )
        return format_html(
            "<table><thead><tr><th>When</th><th>Event</th><th>Status</th><th>Took</th>"
            "<th>Result</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">Every attempt</a></p>',
            rows or mark_safe('<tr><td colspan="5">No attempt yet.</td></tr>'),
            url,
        )

    def changelist_view(self, request, extra_context=None):
        disabled = list(
            Webhook.objects.filter(enabled=False, disabled_at__isnull=False)
            .select_related("partner")
            .order_by("-disabled_at")[:10]
        )
        if disabled and request.method == "GET":
            names = ", ".join(f"{w.public_id} ({w.partner})" for w in disabled)
            self.message_user(
                request,
                f"Disabled after failing in a row: {names}. Fix the endpoint, then use "
                "“Enable again…”: its pending deliveries resume.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        webhook = self.get_object(request, object_id)
        if webhook is not None and webhook.disabled_after_failures and request.method == "GET":
            self.message_user(request, webhook.disabled_reason, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        actor = Actor.for_user(request.user)
        try:
            if not change:
                webhook_save_new(webhook=obj, actor=actor)
                self.message_user(
                    request,
                    f"Webhook created. Give its secret to the partner now; it will not be "
                    f"shown again here: {obj.secret}",
                    messages.WARNING,
                )
                return
            changed = {name: getattr(obj, name) for name in form.changed_data if name in UPDATABLE}
            webhook_update(webhook=obj, actor=actor, **changed)
        except WebhookError as exc:  # the URL stopped resolving between the form and the save
            self.message_user(request, str(exc), messages.ERROR)

    @admin.action(description="Enable again…", permissions=["change"])
    def enable_again(self, request, queryset):
        webhooks = list(queryset.filter(enabled=False).select_related("partner"))
        if "apply" in request.POST:
            actor = Actor.for_user(request.user)
            for webhook in webhooks:
                webhook_enable(webhook=webhook, actor=actor)
            self.message_user(
                request,
                f"Enabled {len(webhooks)} webhook(s) again; their pending deliveries resume.",
                messages.SUCCESS,
            )
            return None
        return _confirm(
            self,
            request,
            queryset,
            action="enable_again",
            title="Enable webhooks again",
            text=f"Enable {len(webhooks)} disabled webhook(s) again. Their failure count starts "
            "again at zero and their pending deliveries are sent at once.",
            button=f"Enable {len(webhooks)} again",
            lines=[f"{w.public_id} — {w.url} — {_status(w)}" for w in webhooks],
        )


class InvocationInline(admin.TabularInline):
    model = WebhookInvocation
    extra = 0
    can_delete = False
    fields = ["created_at", "status_code", "duration_ms", "error", "replay"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Deliveries, events and attempts are facts the worker records: never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "webhook", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status", "webhook__partner"]
    search_fields = ["=event__public_id", "=webhook__public_id"]
    list_select_related = ["event", "webhook"]
    inlines = [InvocationInline]
    actions = ["replay"]
    fields = [
        "event",
        "webhook",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "delivered_at",
        "created_at",
        "signature",
        "sent_body",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body", "event__data")

    @admin.display(description="body (exactly as sent)")
    def sent_body(self, delivery: WebhookDelivery):
        return format_html(
            "<pre style='white-space: pre-wrap'>{}</pre>", bytes(delivery.body).decode()
        )

    def has_change_permission(self, request, obj=None):
        # Needed to run the replay action; the page itself stays read-only (no field is editable).
        return request.user.has_perm("shipdesk.change_webhook")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False}
        extra_context |= {"show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Replay…", permissions=["change"])
    def replay(self, request, queryset):
        deliveries = list(queryset.select_related("event", "webhook").defer(None))
        if "apply" in request.POST:
            actor = Actor.for_user(request.user)
            results = [delivery_replay(delivery=d, actor=actor) for d in deliveries]
            accepted = sum(i.succeeded for i in results)
            level = messages.SUCCESS if accepted == len(results) else messages.WARNING
            self.message_user(
                request,
                f"Replayed {len(results)} delivery(ies) with the same signed bytes: "
                f"{accepted} accepted, {len(results) - accepted} refused or unreachable.",
                level,
            )
            return None
        return _confirm(
            self,
            request,
            queryset,
            action="replay",
            title="Replay deliveries",
            text=f"Send {len(deliveries)} delivery(ies) again, byte for byte as first signed. "
            "Receivers that already accepted them will get them twice.",
            button=f"Replay {len(deliveries)}",
            lines=[f"{d.event} → {d.webhook.url} ({d.get_status_display()})" for d in deliveries],
        )


@admin.register(WebhookInvocation)
class WebhookInvocationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "webhook", "status_code", "duration_ms", "error", "replay"]
    list_filter = ["replay", "webhook__partner", "webhook"]
    search_fields = ["=public_id", "=webhook__public_id"]
    list_select_related = ["webhook"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "public_id", "type", "partner", "live", "dispatched_at"]
    list_filter = ["type", "partner"]
    search_fields = ["=public_id"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    show_full_result_count = False
