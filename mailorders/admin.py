"""Mail orders in admin: read-only records (they change through their services), searchable,
with a confirmed, audited cancel action for Managers."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html

from mailorders.choices import CancellationReason
from mailorders.models import (
    BankAccount,
    Cheque,
    Contact,
    Label,
    Letter,
    Manifest,
    Postcard,
    SelfMailer,
    ShipperAccount,
    Template,
)
from mailorders.representation import pdf_path
from mailorders.services.orders import orders_cancel, orders_progress
from shipdesk.admin import ManagerActionsMixin
from shipdesk.audit import Actor


class ReadOnlyAdmin(admin.ModelAdmin):
    """Partners create these through the API; admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CancelForm(forms.Form):
    reason = forms.ChoiceField(choices=CancellationReason.choices)
    note = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OrderAdmin(ManagerActionsMixin, ReadOnlyAdmin):
    list_display = [
        "id",
        "partner",
        "live",
        "recipient",
        "status",
        "mailing_class",
        "tracking_number",
        "imb_status",
        "created_at",
    ]
    list_filter = ["status", "live", "extra_service", "imb_status", "partner"]
    search_fields = [
        "=id",
        "description",
        "=tracking_number",
        "to__first_name",
        "to__last_name",
        "to__company_name",
    ]
    list_select_related = ["partner", "to"]
    date_hierarchy = "created_at"
    actions = ["cancel", "advance"]
    readonly_fields = ["pdf_link"]

    @admin.display(description="Recipient")
    def recipient(self, order):
        return order.to.name

    @admin.display(description="PDF")
    def pdf_link(self, order):
        path = pdf_path(order)
        return format_html('<a href="{}">{}.pdf</a>', path, order.id) if path else "—"

    @admin.action(description="Cancel…", permissions=["manage"])
    def cancel(self, request, queryset):
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            result = orders_cancel(
                orders=queryset.select_related("to", "from_contact"),
                actor=Actor.for_user(request.user),
                note=form.cleaned_data["note"],
                reason=form.cleaned_data["reason"],
            )
            return self._report(request, result)
        return self._confirm(
            request,
            queryset,
            "cancel",
            form,
            "Only orders that are still ready can be cancelled; the others will be refused and "
            "listed. This cannot be undone.",
        )

    @admin.action(description="Advance to the next status…", permissions=["manage"])
    def advance(self, request, queryset):
        """The print house's step: ready → printing → processed for delivery → completed.
        Certified and registered mail gets its tracking number when processed for delivery."""
        if "apply" in request.POST:
            result = orders_progress(
                orders=queryset.select_related("to", "from_contact"),
                actor=Actor.for_user(request.user),
            )
            return self._report(request, result)
        return self._confirm(
            request,
            queryset,
            "advance",
            None,
            "Each order moves one status on (ready → printing → processed for delivery → "
            "completed); certified and registered mail gets its USPS tracking number when it is "
            "processed for delivery. Completed and cancelled orders are refused and listed.",
        )

    def _report(self, request, result):
        level = messages.WARNING if result.refused else messages.SUCCESS
        self.message_user(request, result.report(), level)

    def _confirm(self, request, queryset, action, form, explanation):
        verb = {"cancel": "Cancel", "advance": "Advance"}[action]
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb} {self.model._meta.verbose_name_plural}",
            "verb": verb,
            "explanation": explanation,
            "action": action,
            "opts": self.model._meta,
            "form": form,
            "orders": queryset.select_related("to").order_by("-created_at", "-id")[:50],
            "count": queryset.count(),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected_pks": list(queryset.values_list("pk", flat=True)),
        }
        return TemplateResponse(request, "admin/mailorders/action_confirmation.html", context)


for model in (Letter, Postcard, Cheque, SelfMailer):
    admin.site.register(model, OrderAdmin)


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["id", "partner", "live", "name", "city", "postal_or_zip", "country_code"]
    list_filter = ["live", "partner"]
    search_fields = ["=id", "first_name", "last_name", "company_name", "email"]
    list_select_related = ["partner"]


@admin.register(Template)
class TemplateAdmin(ReadOnlyAdmin):
    list_display = ["id", "partner", "live", "description", "updated_at"]
    list_filter = ["live", "partner"]
    search_fields = ["=id", "description"]
    list_select_related = ["partner"]


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "partner", "live", "bank_name", "account_number_last4"]
    list_filter = ["live", "partner"]
    search_fields = ["=id", "bank_name"]
    list_select_related = ["partner"]


@admin.register(ShipperAccount)
class ShipperAccountAdmin(admin.ModelAdmin):
    """Managers set up the USPS accounts partners buy labels on. Only sandbox accounts can buy
    labels so far; a live one is refused by the label API, with a message saying so."""

    list_display = ["id", "partner", "description", "sandbox", "mailer_id", "next_serial"]
    list_filter = ["sandbox", "partner"]
    list_select_related = ["partner"]
    search_fields = ["=id", "description"]
    fields = ["partner", "description", "sandbox", "credentials_ref", "mailer_id", "next_serial"]
    readonly_fields = ["next_serial"]


@admin.register(Label)
class LabelAdmin(ReadOnlyAdmin):
    list_display = ["id", "partner", "status", "service_type", "tracking_number", "ship_date"]
    list_filter = ["status", "paper_size", "service_type", "partner"]
    list_select_related = ["partner"]
    search_fields = ["=id"]
    date_hierarchy = "created_at"


@admin.register(Manifest)
class ManifestAdmin(ReadOnlyAdmin):
    list_display = ["id", "partner", "shipper_account", "status", "created_at"]
    list_filter = ["status", "partner"]
    list_select_related = ["partner", "shipper_account"]
    search_fields = ["=id"]
