from django.contrib import admin, messages

from shipdesk.models import APIKey, AuditEvent, AuditTarget, Partner
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


class AuditTargetInline(admin.TabularInline):
    model = AuditTarget
    extra = 0
    can_delete = False
    fields = ["content_type", "object_id", "object_label"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the services, never edited by hand."""

    list_display = ["created_at", "actor_label", "actor_kind", "action", "summary"]
    list_filter = ["actor_kind", "action", "created_at"]
    search_fields = ["actor_label", "summary", "=targets__object_label"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [AuditTargetInline]
    readonly_fields = [
        "created_at",
        "actor_kind",
        "actor_label",
        "user",
        "api_key",
        "action",
        "summary",
        "detail",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
