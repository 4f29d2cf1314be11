import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation, helpers
from django.forms.models import BaseInlineFormSet
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from shipdesk.admin import ManagerActionsMixin, audit_changelist_url
from shipdesk.audit import Actor, audit_for
from shipdesk.paginators import LargeTablePaginator
from tracking import (
    admin_connections,  # noqa: F401  (registers CourierConnectionAdmin)
    numbers,
)
from tracking.carriers.registry import SUPPORTED_SLUGS
from tracking.choices import CompletedReason
from tracking.models import Checkpoint, Shipment, Subscriber
from tracking.selectors import keyword_q
from tracking.services.bulk import (
    BulkResult,
    shipments_count,
    shipments_export,
    shipments_mark_completed,
    shipments_retrack,
)
from tracking.services.lifecycle import shipment_delete, shipment_update
from tracking.services.shipments import ShipmentError, shipment_create

# The shipment page shows the newest checkpoints and links to all of them.
CHECKPOINTS_SHOWN = 50
AUDIT_EVENTS_SHOWN = 20


class CarrierFilter(admin.SimpleListFilter):
    """The carriers shipdesk knows (not a DISTINCT over every row)."""

    title = "carrier"
    parameter_name = "slug"

    def lookups(self, request, model_admin):
        return [(slug, slug.upper()) for slug in SUPPORTED_SLUGS]

    def queryset(self, request, queryset):
        return queryset.filter(slug=self.value()) if self.value() else queryset


class NewestCheckpointsFormSet(BaseInlineFormSet):
    def get_queryset(self):
        if not hasattr(self, "_newest"):
            self._newest = super().get_queryset()[:CHECKPOINTS_SHOWN]
        return self._newest


class CheckpointInline(admin.TabularInline):
    """Read-only, newest first, the newest CHECKPOINTS_SHOWN only (a shipment may have
    thousands); the shipment's "Checkpoints" field links to all of them."""

    model = Checkpoint
    formset = NewestCheckpointsFormSet
    extra = 0
    can_delete = False
    ordering = ["-checkpoint_time", "-id"]
    fields = [
        "local_time",
        "tag",
        "subtag",
        "message",
        "location",
        "raw_tag",
        "recipient_name",
    ]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = f"Checkpoints (newest {CHECKPOINTS_SHOWN})"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Time (event's zone)")
    def local_time(self, checkpoint):
        return checkpoint.local_time.isoformat(sep=" ", timespec="minutes")


class SubscriberInline(admin.TabularInline):
    """Read-only: partners subscribe addresses through the API, which keeps to three of each."""

    model = Subscriber
    extra = 0
    can_delete = False
    fields = ["channel", "address"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ShipmentAddForm(forms.ModelForm):
    """A shipment added by hand: its number is checked and normalised as the API does."""

    class Meta:
        model = Shipment
        fields = [
            "partner",
            "tracking_number",
            "title",
            "customer_name",
            "order_id",
            "order_number",
            "order_promised_delivery_date",
            "note",
        ]

    def clean_tracking_number(self):
        try:
            parsed = numbers.parse(self.cleaned_data["tracking_number"])
            numbers.validate_for_usps(parsed.number)
        except numbers.TrackingNumberError as error:
            raise forms.ValidationError(str(error)) from error
        return parsed.number

    def clean(self):
        data = super().clean()
        partner, number = data.get("partner"), data.get("tracking_number")
        if partner and number and partner.shipments.filter(tracking_number=number).exists():
            self.add_error("tracking_number", f"{partner} already has a shipment {number}.")
        return data


class MarkCompletedForm(forms.Form):
    reason = forms.ChoiceField(
        choices=CompletedReason.choices,
        widget=forms.RadioSelect,
        label="Completed as",
    )


class _Echo:
    """A file-like whose write() hands back the line, for streaming csv.writer output."""

    def write(self, value):
        return value


@admin.register(Shipment)
class ShipmentAdmin(ManagerActionsMixin, admin.ModelAdmin):
    list_display = [
        "tracking_number",
        "slug",
        "partner",
        "tag",
        "subtag",
        "customer_name",
        "order_id",
        "active",
        "updated_at",
    ]
    list_filter = ["tag", CarrierFilter, "partner", "active", "created_at", "updated_at"]
    # What the search box looks in; get_search_results searches them as the workspace does.
    search_fields = [
        "tracking_number",
        "public_id",
        "order_id",
        "order_number",
        "customer_name",
        "title",
        "subscribers__address",
    ]
    list_select_related = ["partner"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice would scan the table
    paginator = LargeTablePaginator
    actions = ["mark_completed", "retrack", "export_csv"]
    inlines = [SubscriberInline, CheckpointInline]
    readonly_fields = [
        "public_id",
        "uuid",
        "tag",
        "subtag",
        "subtag_message",
        "completed_reason",
        "retrack_count",
        "signed_by",
        "delivery_time",
        "failed_delivery_attempts",
        "first_attempted_at",
        "shipment_pickup_date",
        "shipment_delivery_date",
        "on_time_status",
        "on_time_difference",
        "return_to_sender",
        "tracked_count",
        "last_checked_at",
        "last_event_at",
        "last_error",
        "last_error_at",
        "created_at",
        "updated_at",
        "all_checkpoints",
        "audit_trail",
    ]

    # Adding, changing and deleting go through the services (scheduled for tracking, audited).

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ShipmentAddForm
            kwargs["fields"] = ShipmentAddForm.Meta.fields
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ShipmentAddForm.Meta.fields})]
        return super().get_fieldsets(request, obj)

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        extra = {
            name: data[name]
            for name in form.Meta.fields
            if name not in ("partner", "tracking_number") and data.get(name)
        }
        return shipment_create(
            partner=data["partner"],
            tracking_number=data["tracking_number"],
            source="admin",
            **extra,
        )

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            fields = {name: getattr(obj, name) for name in form.changed_data}
            shipment_update(shipment=obj, actor=Actor.for_user(request.user), **fields)

    def save_related(self, request, form, formsets, change):
        if change:
            return super().save_related(request, form, formsets, change)
        # An added shipment has no many-to-many (its form was not saved by the admin), and its
        # inlines are read-only: saving them saves nothing but lets admin log the addition.
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        return None

    def delete_model(self, request, obj):
        shipment_delete(shipment=obj, actor=Actor.for_user(request.user))

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        # One at a time, from the shipment's page (each deletion is audited).
        actions.pop("delete_selected", None)
        return actions

    def get_search_results(self, request, queryset, search_term):
        """The workspace's search, served by indexes on a million rows: tracking number exact or
        prefix (spaces and dashes ignored), id, order id/number, customer name or title from
        their start, e-mail or phone of a subscriber."""
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(keyword_q(term, indexed=True)), False

    # The change page

    @admin.display(description="Checkpoints")
    def all_checkpoints(self, shipment):
        url = reverse("admin:tracking_checkpoint_changelist")
        return format_html(
            '<a href="{}?shipment={}">All checkpoints of this shipment</a>', url, shipment.pk
        )

    @admin.display(description="Audit trail")
    def audit_trail(self, shipment):
        events = list(audit_for(shipment)[:AUDIT_EVENTS_SHOWN])
        if not events:
            return "No recorded change."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(e.created_at), "DATETIME_FORMAT"),
                    e.actor_label,
                    e.action,
                    e.summary,
                )
                for e in events
            ),
        )
        return format_html(
            '<table class="audit-trail"><thead><tr><th>When</th><th>Who</th><th>Action</th>'
            "<th>What</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">The whole audit trail of this shipment</a></p>',
            rows,
            audit_changelist_url(shipment),
        )

    # Actions (Managers only)

    @admin.action(description="Mark completed…", permissions=["manage"])
    def mark_completed(self, request, queryset):
        form = MarkCompletedForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = CompletedReason(form.cleaned_data["reason"])
            return self._run(
                request,
                lambda actor: shipments_mark_completed(
                    shipments=queryset, reason=reason, actor=actor
                ),
                f"marked completed as {reason.label}",
            )
        return self._confirm(
            request, queryset, "mark_completed", "Mark shipments completed", form=form
        )

    @admin.action(description="Retrack…", permissions=["manage"])
    def retrack(self, request, queryset):
        if "apply" in request.POST:
            return self._run(
                request,
                lambda actor: shipments_retrack(shipments=queryset, actor=actor),
                "retracked",
            )
        return self._confirm(request, queryset, "retrack", "Retrack shipments")

    @admin.action(description="Export selected as CSV", permissions=["manage"])
    def export_csv(self, request, queryset):
        try:
            rows = shipments_export(shipments=queryset, actor=Actor.for_user(request.user))
        except ShipmentError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
        )
        name = f"shipments-{timezone.now():%Y%m%d-%H%M%S}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _confirm(self, request, queryset, action, title, form=None):
        """The intermediate page: what will be done, to how many shipments, and a confirm."""
        try:
            count = shipments_count(shipments=queryset)
        except ShipmentError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        shipments = list(
            queryset.select_related(None)
            .only("pk", "tracking_number", "tag", "customer_name")
            .order_by("-created_at", "-id")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "action": action,
            "form": form,
            "count": count,
            "shipments": shipments,
            "selected_pks": [shipment.pk for shipment in shipments],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/tracking/shipment/action_confirmation.html", context
        )

    def _run(self, request, work, verb):
        try:
            result: BulkResult = work(Actor.for_user(request.user))
        except ShipmentError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        level = messages.WARNING if result.refused else messages.SUCCESS
        self.message_user(request, result.report(verb), level)
        return None


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ["shipment", "checkpoint_time", "tag", "subtag", "message", "location"]
    list_filter = ["tag", CarrierFilter]
    search_fields = ["=shipment__tracking_number", "message"]
    list_select_related = ["shipment"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice would scan the table
    paginator = LargeTablePaginator
    raw_id_fields = ["shipment"]

    # Carrier events are facts the refresh records: read-only here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
