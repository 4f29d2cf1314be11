"""Mail orders in admin: read-only records (they change through their services), searchable,
with a confirmed, audited cancel action for Managers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from mailorders import (
    admin_print_queue,  # noqa: F401  (registers PrintBatchAdmin)
    admin_shippers,  # noqa: F401  (registers ShipperAccountAdmin)
)
from mailorders.admin_addresses import LabelAddressMixin, OrderAddressMixin
from mailorders.admin_label_create import LabelCreateMixin
from mailorders.admin_print_provider import OrderPrintHouseMixin
from mailorders.choices import CancellationReason, LabelStatus
from mailorders.downloads import stored_pdf_response
from mailorders.models import (
    BankAccount,
    Cheque,
    Contact,
    Label,
    Letter,
    Manifest,
    Postcard,
    SelfMailer,
    Template,
)
from mailorders.representation import pdf_path
from mailorders.services.common import LabelError
from mailorders.services.labels import label_cancel
from mailorders.services.manifests import ManifestBatch, manifest_batches, manifest_create
from mailorders.services.orders import orders_cancel, orders_progress
from mailorders.views import label_pdf_response
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


def postal_block(address: dict | None):
    """A Postmen address as it is written on an envelope, one line each: name, company (when
    not the name again), streets, "City, ST ZIP", the country unless the USA, phone · e-mail."""
    if not address:
        return "—"
    part = {key: str(value or "").strip() for key, value in address.items()}
    name, company = part.get("contact_name", ""), part.get("company_name", "")
    city_state = ", ".join(p for p in (part.get("city"), part.get("state")) if p)
    country = part.get("country", "")
    lines = [
        name,
        company if company != name else "",
        part.get("street1"),
        part.get("street2"),
        part.get("street3"),
        " ".join(p for p in (city_state, part.get("postal_code")) if p),
        "" if country.upper() in ("", "USA", "US") else country,
        " · ".join(p for p in (part.get("phone"), part.get("email")) if p),
    ]
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines if line))


class CancelForm(forms.Form):
    reason = forms.ChoiceField(choices=CancellationReason.choices)
    note = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OrderAdmin(OrderAddressMixin, OrderPrintHouseMixin, ManagerActionsMixin, ReadOnlyAdmin):
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
    actions = ["cancel", "advance", "forward_again"]
    readonly_fields = ["pdf_link", "print_house"]

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


@dataclass
class LabelPlan:
    """What a label action will do to the selection: the labels it acts on (grouped for a
    manifest) and those it refuses, each with why."""

    labels: list[Label] = field(default_factory=list)
    groups: list[ManifestBatch] = field(default_factory=list)
    refused: list[tuple[Label, str]] = field(default_factory=list)


@dataclass
class LabelResult:
    done: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "id: why"

    def report(self, verb: str, extra: str = "") -> str:
        text = f"{verb} {len(self.done)} label{pluralize(len(self.done))}{extra}."
        if self.refused:
            text += f" Refused {len(self.refused)}: " + "; ".join(self.refused[:10])
            if len(self.refused) > 10:
                text += f"; and {len(self.refused) - 10} more"
        return text


def _status_refusal(label: Label) -> str:
    return f"The label is {label.get_status_display().lower()}."


def _refusal(exc: LabelError) -> str:
    infos = [d["info"] for d in exc.details if d.get("info")]
    return " ".join([str(exc), *infos]) if infos else str(exc)


@admin.register(Label)
class LabelAdmin(LabelCreateMixin, LabelAddressMixin, ManagerActionsMixin, ReadOnlyAdmin):
    """Labels as partners bought them. Managers cancel labels not yet handed over, and hand
    created labels over on manifests (one per partner and shipper account), each after a page
    that says what will be done and what refused."""

    list_display = [
        "id",
        "partner",
        "status",
        "service_type",
        "tracking_number",
        "ship_date",
        "manifest_id",
    ]
    list_filter = ["status", "paper_size", "service_type", "partner"]
    list_select_related = ["partner"]
    search_fields = ["=id", "=shipment__tracking_number"]
    date_hierarchy = "created_at"
    # The PDF and the shipment are offered as links (the stored file's own URL is not served).
    fields = [
        "partner",
        "live",
        "shipper_account",
        "status",
        "tracking_numbers",
        "pdf_link",
        "shipment_link",
        "manifest",
        "service_type",
        "paper_size",
        "ship_date",
        "references",
        "ship_from_address",
        "ship_to_address",
        "return_to_address",
        "parcels",
        "delivery_instructions",
        "is_document",
        "return_shipment",
        "customs",
        "billing",
        "custom_fields",
        "charge_amount",
        "charge_currency",
        "charge_weight_value",
        "charge_weight_unit",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "pdf_link",
        "shipment_link",
        "ship_from_address",
        "ship_to_address",
        "return_to_address",
        "updated_at",
    ]
    actions = ["cancel_labels", "manifest_labels"]
    # The confirmation page lists this many labels; the action acts on the whole selection.
    CONFIRM_LISTED = 100

    def get_urls(self):
        pdf = path(
            "<path:object_id>/label.pdf",
            self.admin_site.admin_view(self.pdf_view),
            name="mailorders_label_pdf",
        )
        return [pdf, *super().get_urls()]

    def pdf_view(self, request, object_id: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        label = get_object_or_404(Label.objects.select_related("shipment"), pk=object_id)
        return label_pdf_response(label, actor=Actor.for_user(request.user))

    # The change page

    @admin.display(description="PDF")
    def pdf_link(self, label):
        if not label.label_file:
            return "—"
        url = reverse("admin:mailorders_label_pdf", args=[label.pk])
        return format_html('<a href="{}">{}.pdf</a>', url, label.tracking_number or label.pk)

    @admin.display(description="Ship from")
    def ship_from_address(self, label):
        return postal_block(label.ship_from)

    @admin.display(description="Ship to")
    def ship_to_address(self, label):
        return postal_block(label.ship_to)

    @admin.display(description="Return to")
    def return_to_address(self, label):
        return postal_block(label.return_to)

    @admin.display(description="Shipment")
    def shipment_link(self, label):
        if label.shipment_id is None:
            return "—"
        shipment = label.shipment
        return format_html(
            '<a href="{}">{} on the shipment page</a> · <a href="{}">in admin</a>',
            reverse("shipment-detail", args=[shipment.public_id]),
            shipment.tracking_number,
            reverse("admin:tracking_shipment_change", args=[shipment.pk]),
        )

    # Actions (Managers only)

    @admin.action(description="Cancel selected labels…", permissions=["manage"])
    def cancel_labels(self, request, queryset):
        plan = LabelPlan()
        labels = queryset.select_related("partner", "shipper_account")
        for label in labels.order_by("-created_at", "-id"):
            # A USPS cancel left unanswered (CANCELLING) is asked again, never twice at USPS.
            unanswered = (
                label.status == LabelStatus.CANCELLING and not label.shipper_account.sandbox
            )
            if label.status == LabelStatus.CREATED or unanswered:
                plan.labels.append(label)
            else:
                plan.refused.append((label, _status_refusal(label)))
        if "apply" not in request.POST:
            return self._confirm(
                request,
                "cancel_labels",
                "Cancel labels",
                plan,
                "Each created label is voided and its shipment is no longer checked with the "
                "carrier. Labels already cancelled or handed over on a manifest are refused. "
                "This cannot be undone.",
            )
        actor = Actor.for_user(request.user)
        result = LabelResult(refused=[f"{label.pk}: {why}" for label, why in plan.refused])
        for label in plan.labels:
            try:
                label_cancel(label=label, actor=actor)
            except LabelError as exc:  # changed since the confirmation page
                result.refused.append(f"{label.pk}: {_refusal(exc)}")
            else:
                result.done.append(label.pk)
        return self._report(request, result.report("Cancelled", ""), result)

    @admin.action(description="Manifest selected labels…", permissions=["manage"])
    def manifest_labels(self, request, queryset):
        plan = LabelPlan()
        labels = queryset.select_related("partner", "shipper_account").order_by(
            "partner__name", "shipper_account__description", "-created_at", "-id"
        )
        created = []
        for label in labels:
            if label.status == LabelStatus.CREATED:
                created.append(label)
            else:
                plan.refused.append((label, _status_refusal(label)))
        plan.groups = manifest_batches(created)
        plan.labels = [label for group in plan.groups for label in group.labels]
        if "apply" not in request.POST:
            return self._confirm(
                request,
                "manifest_labels",
                "Manifest labels",
                plan,
                "Created labels are handed over on one manifest per partner and shipper "
                "account, and can no longer be cancelled. Labels already cancelled or "
                "manifested are refused.",
            )
        actor = Actor.for_user(request.user)
        result = LabelResult(refused=[f"{label.pk}: {why}" for label, why in plan.refused])
        manifests = []
        for group in plan.groups:
            ids = [label.pk for label in group.labels]
            try:
                manifest = manifest_create(
                    partner=group.partner,
                    shipper_account_id=group.account.pk,
                    label_ids=ids,
                    actor=actor,
                )
            except LabelError as exc:  # changed since the confirmation page
                result.refused.extend(f"{pk}: {_refusal(exc)}" for pk in ids)
            else:
                manifests.append(manifest.pk)
                result.done.extend(ids)
        extra = (
            f" on {len(manifests)} manifest{pluralize(len(manifests))} ({', '.join(manifests)})"
            if manifests
            else ""
        )
        return self._report(request, result.report("Manifested", extra), result)

    def _report(self, request, text: str, result: LabelResult):
        level = messages.WARNING if result.refused else messages.SUCCESS
        self.message_user(request, text, level)

    def _confirm(self, request, action: str, title: str, plan: LabelPlan, explanation: str):
        listed = self.CONFIRM_LISTED
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "verb": title.split()[0],
            "explanation": explanation,
            "action": action,
            "opts": self.model._meta,
            "plan": plan,
            "groups": plan.groups,
            "labels": plan.labels[:listed],
            "labels_more": max(0, len(plan.labels) - listed),
            "refused": plan.refused[:listed],
            "refused_more": max(0, len(plan.refused) - listed),
            "count": len(plan.labels),
            "refused_count": len(plan.refused),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected_pks": [label.pk for label in plan.labels]
            + [label.pk for label, _ in plan.refused],
        }
        return TemplateResponse(request, "admin/mailorders/label/action_confirmation.html", context)


@admin.register(Manifest)
class ManifestAdmin(ReadOnlyAdmin):
    list_display = ["id", "partner", "shipper_account", "status", "created_at"]
    list_filter = ["status", "partner"]
    list_select_related = ["partner", "shipper_account"]
    search_fields = ["=id"]
    # The PDF is offered through admin (the stored file's own URL is not served).
    fields = ["partner", "shipper_account", "status", "pdf_link", "labels_link", "created_at"]
    readonly_fields = ["pdf_link", "labels_link"]

    def get_urls(self):
        pdf = path(
            "<path:object_id>/manifest.pdf",
            self.admin_site.admin_view(self.pdf_view),
            name="mailorders_manifest_pdf",
        )
        return [pdf, *super().get_urls()]

    def pdf_view(self, request, object_id: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        manifest = get_object_or_404(Manifest, pk=object_id)
        return stored_pdf_response(manifest.file, f"{manifest.pk}.pdf")

    @admin.display(description="PDF")
    def pdf_link(self, manifest):
        if not manifest.file:
            return "—"
        url = reverse("admin:mailorders_manifest_pdf", args=[manifest.pk])
        return format_html('<a href="{}">{}.pdf</a>', url, manifest.pk)

    @admin.display(description="Labels")
    def labels_link(self, manifest):
        count = manifest.labels.count()
        url = reverse("admin:mailorders_label_changelist") + f"?manifest__id__exact={manifest.pk}"
        return format_html('<a href="{}">{} label{}</a>', url, count, pluralize(count))
