from django.contrib import admin, messages

from shipdesk.models import APIKey, Partner
from shipdesk.services import api_key_revoke, api_key_save_new

admin.site.site_header = "shipdesk administration"
admin.site.site_title = "shipdesk admin"


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "public_id", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "public_id"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["public_id", "created_at"]


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "partner",
        "prefix",
        "is_test",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["is_test", "partner", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "partner__name"]
    list_select_related = ["partner"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["partner", "name", "is_test", "rate_per_second"]
        return [
            "partner",
            "name",
            "prefix",
            "is_test",
            "rate_per_second",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.readonly_fields, "partner", "is_test"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        _, raw_key = api_key_save_new(key=obj)
        self.message_user(
            request,
            f"API key created. Copy it now; it will not be shown again: {raw_key}",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected API keys")
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            api_key_revoke(key=key)
        self.message_user(request, f"Revoked {len(keys)} API key(s).", messages.SUCCESS)
