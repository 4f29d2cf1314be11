"""Partners' courier connections in admin: their USPS app's consumer key and secret (write-only,
never shown again), its hourly quota and what is left of it, and how its last asks went."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone

from shipdesk.audit import Actor
from shipdesk.sealing import SealedUnreadable
from shipdesk.widgets import WriteOnlyInput
from tracking.carriers import budget
from tracking.models import CourierConnection
from tracking.services import courier_connections as service


class CourierConnectionForm(forms.ModelForm):
    client_id = forms.CharField(
        label="Consumer key",
        required=False,
        max_length=service.MAX_CREDENTIAL_LENGTH,
        widget=WriteOnlyInput(),
        help_text="The partner's USPS developer app's Consumer Key. Never shown again.",
    )
    client_secret = forms.CharField(
        label="Consumer secret",
        required=False,
        max_length=service.MAX_CREDENTIAL_LENGTH,
        widget=WriteOnlyInput(),
        help_text="The app's Consumer Secret. Never shown again.",
    )

    class Meta:
        model = CourierConnection
        fields = ["partner", "courier_slug", "requests_per_hour"]
        widgets = {"courier_slug": forms.Select(choices=[(c, c) for c in service.COURIERS])}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = bool(self.instance.pk)
        for name in service.CREDENTIAL_FIELDS:
            self.fields[name].widget = WriteOnlyInput(stored=stored)
            self.fields[name].required = not stored
        if stored:  # a connection stays with its partner and courier
            for name in ("partner", "courier_slug"):
                self.fields[name].disabled = True

    def credentials(self) -> dict | None:
        """The credentials entered, or None when the stored ones are kept."""
        values = {name: self.cleaned_data.get(name, "") for name in service.CREDENTIAL_FIELDS}
        return values if any(values.values()) else None

    def clean(self):
        cleaned = super().clean()
        credentials = self.credentials()
        if credentials is not None:
            try:
                service.credentials_checked(credentials)
            except service.CourierConnectionError as exc:
                field = exc.field if exc.field in self.fields else None
                message = (
                    "Enter the consumer key and the consumer secret together."
                    if field
                    else str(exc)
                )
                self.add_error(field, message)
        return cleaned


@admin.register(CourierConnection)
class CourierConnectionAdmin(admin.ModelAdmin):
    """Managers see, and may correct, the USPS apps partners connected through the API."""

    form = CourierConnectionForm
    list_display = ["public_id", "partner", "courier_slug", "status", "last_error_at"]
    list_filter = ["courier_slug"]
    list_select_related = ["partner"]
    search_fields = ["=public_id", "partner__name"]
    readonly_fields = [
        "public_id",
        "quota",
        "status",
        "last_success_at",
        "last_error",
        "last_error_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["public_id", "partner", "courier_slug"]}),
        ("Credentials", {"fields": ["client_id", "client_secret"]}),
        ("Quota", {"fields": ["requests_per_hour", "quota"]}),
        (
            "Health",
            {"fields": ["status", "last_success_at", "last_error", "last_error_at"]},
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="status")
    def status(self, connection: CourierConnection) -> str:
        success, error = connection.last_success_at, connection.last_error_at
        if error and (not success or error > success):
            return "failing"
        return "working" if success else "not used yet"

    @admin.display(description="requests left this hour")
    def quota(self, connection: CourierConnection) -> str:
        if not connection.pk:
            return "-"
        try:
            client = service.usps_client_for_connection(connection)
        except SealedUnreadable:
            return "unknown: the credentials cannot be read (enter them again)"
        left = budget.remaining(carrier=client.budget_key, per_hour=client.per_hour)
        return f"{left} of {client.per_hour}"

    def save_model(self, request, obj, form, change):
        actor = Actor.for_user(request.user)
        credentials = form.credentials()
        if not change:
            service.connection_create(connection=obj, credentials=credentials, actor=actor)
        elif credentials is not None:
            service.connection_update(connection=obj, credentials=credentials, actor=actor)
        else:
            obj.updated_at = timezone.now()
            obj.save()
