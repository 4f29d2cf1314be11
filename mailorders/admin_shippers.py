"""Shipper accounts in admin: sandbox ones, and live USPS ones with their app's consumer key
and secret (write-only: once saved they are never shown again), CRID, MIDs, EPS account and
environment, and a "Check credentials" action that asks USPS."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from mailorders.models import ShipperAccount
from mailorders.services.shipper_checks import shipper_account_check
from mailorders.services.usps_credentials import (
    account_credentials_clear,
    account_credentials_set,
)
from shipdesk.admin import ManagerActionsMixin
from shipdesk.widgets import WriteOnlyInput
from tracking.models import CourierConnection

LIVE_NEEDS = (("crid", "CRID"), ("manifest_mid", "manifest MID"), ("eps_account", "EPS account"))


class ShipperAccountForm(forms.ModelForm):
    client_id = forms.CharField(
        label="Consumer key",
        required=False,
        max_length=200,
        strip=True,
        widget=WriteOnlyInput(),
        help_text="The USPS developer app's Consumer Key. Never shown again once saved.",
    )
    client_secret = forms.CharField(
        label="Consumer secret",
        required=False,
        max_length=200,
        strip=True,
        widget=WriteOnlyInput(),
        help_text="The app's Consumer Secret. Never shown again once saved.",
    )
    clear_credentials = forms.BooleanField(
        label="Forget the stored key and secret",
        required=False,
        help_text="Then the account uses the settings named below (or the partner's courier "
        "connection, or USPS_CLIENT_ID/SECRET).",
    )

    class Meta:
        model = ShipperAccount
        fields = [
            "partner",
            "description",
            "sandbox",
            "usps_environment",
            "credentials_ref",
            "mailer_id",
            "crid",
            "manifest_mid",
            "eps_account",
        ]
        labels = {"mailer_id": "MID (Mailer ID)"}
        help_texts = {
            "sandbox": "On: labels are made here and cost nothing. Off: real labels are bought "
            "from USPS, paid by the EPS account.",
            "crid": "The business's Customer Registration ID (USPS Business Customer Gateway).",
            "manifest_mid": "The Mailer ID SCAN forms (manifests) are made under.",
            "eps_account": "The Enterprise Payment System account that pays for the labels.",
            "credentials_ref": "Instead of a key and secret stored here: the name of the "
            "settings or environment variables holding them (<NAME>_CLIENT_ID, "
            "<NAME>_CLIENT_SECRET). Blank: the partner's USPS courier connection if it made "
            "one, else USPS_CLIENT_ID and USPS_CLIENT_SECRET.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        account = self.instance
        # A form sent without it (a sandbox account's) keeps the default environment.
        self.fields["usps_environment"].required = False
        self.fields["client_id"].widget = WriteOnlyInput(stored=bool(account.client_id_sealed))
        self.fields["client_secret"].widget = WriteOnlyInput(
            stored=bool(account.client_secret_sealed)
        )

    def clean_usps_environment(self):
        return self.cleaned_data["usps_environment"] or "test"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_credentials"):
            if cleaned.get("client_id") or cleaned.get("client_secret"):
                raise forms.ValidationError(
                    "Either forget the stored key and secret or enter new ones, not both."
                )
            return cleaned
        key, secret = cleaned.get("client_id"), cleaned.get("client_secret")
        has_key = bool(key or self.instance.client_id_sealed)
        has_secret = bool(secret or self.instance.client_secret_sealed)
        if has_key != has_secret:
            missing = "client_secret" if has_key else "client_id"
            self.add_error(missing, "Enter the consumer key and the consumer secret together.")
        return cleaned

    def save(self, commit=True):
        account = super().save(commit=False)
        if self.cleaned_data.get("clear_credentials"):
            account_credentials_clear(account=account)
        else:
            account_credentials_set(
                account=account,
                client_id=self.cleaned_data.get("client_id", ""),
                client_secret=self.cleaned_data.get("client_secret", ""),
            )
        if commit:
            account.save()
        return account


@admin.register(ShipperAccount)
class ShipperAccountAdmin(ManagerActionsMixin, admin.ModelAdmin):
    """Managers set up the USPS accounts partners buy labels on: sandbox ones, and live ones
    that buy real labels from USPS ("Check credentials" asks USPS whether they can)."""

    form = ShipperAccountForm
    list_display = [
        "id",
        "partner",
        "description",
        "sandbox",
        "usps_environment",
        "credentials",
        "mailer_id",
        "crid",
        "next_serial",
    ]
    list_filter = ["sandbox", "usps_environment", "partner"]
    list_select_related = ["partner"]
    search_fields = ["=id", "description", "=crid"]
    readonly_fields = ["credentials", "next_serial"]
    fieldsets = [
        (None, {"fields": ["partner", "description", "sandbox", "mailer_id", "next_serial"]}),
        (
            "USPS (live accounts)",
            {
                "description": "What USPS gave the business: a developer app (consumer key and "
                "secret), the CRID, MIDs and an EPS account. Save, then “Check credentials with "
                "USPS” asks USPS whether they work.",
                "fields": [
                    "usps_environment",
                    "credentials",
                    "client_id",
                    "client_secret",
                    "clear_credentials",
                    "credentials_ref",
                    "crid",
                    "manifest_mid",
                    "eps_account",
                ],
            },
        ),
    ]
    actions = ["check_credentials"]
    CHECKED_AT_ONCE = 10

    change_form_template = "admin/mailorders/shipperaccount/change_form.html"

    def get_urls(self):
        check = path(
            "<path:object_id>/check-credentials/",
            self.admin_site.admin_view(require_POST(self.check_credentials_view)),
            name="mailorders_shipperaccount_check",
        )
        return [check, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_check": self.has_manage_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def check_credentials_view(self, request, object_id: str):
        """The account page's "Check credentials with USPS" (Managers)."""
        if not self.has_manage_permission(request):
            raise PermissionDenied
        account = self.get_object(request, object_id)
        if account is None:
            raise Http404("No such shipper account.")
        check = shipper_account_check(account=account)
        self.message_user(request, check.message, messages.SUCCESS if check.ok else messages.ERROR)
        return redirect(reverse("admin:mailorders_shipperaccount_change", args=[account.pk]))

    @admin.display(description="Credentials")
    def credentials(self, account):
        if account.client_id_sealed and account.client_secret_sealed:
            return "set (stored on the account)"
        if account.client_id_sealed or account.client_secret_sealed:
            return "half set: enter the consumer key and secret again"
        connection = getattr(account, "usps_connection", None)
        if connection and not account.credentials_ref:
            return f"not set here (the partner's USPS courier connection {connection})"
        prefix = account.credentials_ref or "USPS"
        return f"not set here (the settings {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET)"

    def get_queryset(self, request):
        connections = CourierConnection.objects.filter(
            partner_id=OuterRef("partner_id"), courier_slug="usps"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(usps_connection=Subquery(connections.values("public_id")[:1]))
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.sandbox:
            return
        missing = [label for name, label in LIVE_NEEDS if not getattr(obj, name)]
        if missing:
            self.message_user(
                request,
                f"{obj} cannot buy USPS labels until it has its {', '.join(missing)}.",
                messages.WARNING,
            )

    @admin.action(description="Check credentials with USPS", permissions=["manage"])
    def check_credentials(self, request, queryset):
        # Each check spends two of the app's USPS calls an hour: a few accounts at a time.
        accounts = list(queryset.order_by("created_at", "id")[: self.CHECKED_AT_ONCE + 1])
        for account in accounts[: self.CHECKED_AT_ONCE]:
            check = shipper_account_check(account=account)
            self.message_user(
                request, check.message, messages.SUCCESS if check.ok else messages.ERROR
            )
        if len(accounts) > self.CHECKED_AT_ONCE:
            self.message_user(
                request,
                f"Checked the first {self.CHECKED_AT_ONCE} accounts only; select the others next.",
                messages.WARNING,
            )
