from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html

from shipdesk.audit import Actor
from shipdesk.models import APIKey, AuditEvent, AuditTarget, Partner
from shipdesk.paginators import LargeTablePaginator
from shipdesk.roles import is_manager
from shipdesk.services import api_key_revoke, api_key_save_new

admin.site.site_header = "shipdesk administration"
admin.site.site_title = "shipdesk admin"


class ManagerActionsMixin:
    """Actions declared with `permissions=["manage"]` are offered to, and run for, Managers only
    (a staff user outside the group does not see them; a forged POST is refused)."""

    def has_manage_permission(self, request) -> bool:
        return is_manager(request.user)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "public_id", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "public_id"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["public_id", "created_at"]


@admin.register(APIKey)
class APIKeyAdmin(ManagerActionsMixin, admin.ModelAdmin):
    """The secret is shown once, on creation; only its SHA-256 and its prefix are kept."""

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
        _, raw_key = api_key_save_new(key=obj, actor=Actor.for_user(request.user))
        self.message_user(
            request,
            f"API key created. Copy it now; it will not be shown again: {raw_key}",
            messages.WARNING,
        )

    def get_urls(self):
        revoke = self.admin_site.admin_view(self.revoke_view)
        return [
            path("<path:object_id>/revoke/", revoke, name="shipdesk_apikey_revoke"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"can_revoke": self.has_manage_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def revoke_view(self, request, object_id):
        """The key page's "Revoke this key": a confirmation, then the revocation (Managers)."""
        if not self.has_manage_permission(request):
            raise PermissionDenied
        key = self.get_object(request, object_id)
        if key is None:
            raise Http404("No such API key.")
        change_url = reverse("admin:shipdesk_apikey_change", args=[key.pk])
        if request.method == "POST":
            if api_key_revoke(key=key, actor=Actor.for_user(request.user)):
                self.message_user(
                    request, f"Revoked {key}: requests with it are refused.", messages.SUCCESS
                )
            else:
                self.message_user(request, f"{key} was already revoked.", messages.INFO)
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revoke the API key {key}?",
            "opts": self.opts,
            "key": key,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/shipdesk/apikey/revoke_confirmation.html", context)

    @admin.action(description="Revoke selected API keys", permissions=["manage"])
    def revoke(self, request, queryset):
        actor = Actor.for_user(request.user)
        revoked = [
            key
            for key in queryset.select_related("partner")
            if api_key_revoke(key=key, actor=actor)
        ]
        self.message_user(request, f"Revoked {len(revoked)} API key(s).", messages.SUCCESS)


class AuditTargetInline(admin.TabularInline):
    model = AuditTarget
    extra = 0
    can_delete = False
    fields = ["content_type", "object_link"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Object")
    def object_link(self, target):
        model = ContentType.objects.get_for_id(target.content_type_id)
        try:
            url = reverse(f"admin:{model.app_label}_{model.model}_change", args=[target.object_id])
        except NoReverseMatch:
            return target.object_label
        return format_html('<a href="{}">{}</a>', url, target.object_label)


class TargetFilter(admin.SimpleListFilter):
    """`?target=tracking.shipment:42`: the events that touched one object (linked from its page);
    shown only while in use."""

    title = "object"
    parameter_name = "target"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, value)] if value else []

    def queryset(self, request, queryset):
        value = self.value() or ""
        model, _, object_id = value.partition(":")
        app_label, _, model_name = model.partition(".")
        if not (app_label and model_name and object_id):
            return queryset
        return queryset.filter(
            targets__content_type__app_label=app_label,
            targets__content_type__model=model_name,
            targets__object_id=object_id,
        )


def audit_changelist_url(obj) -> str:
    """The audit log in admin, filtered to the events that touched `obj`."""
    opts = obj._meta
    return f"{reverse('admin:shipdesk_auditevent_changelist')}?target={opts.label_lower}:{obj.pk}"


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the services, never edited by hand."""

    list_display = ["created_at", "who", "action", "summary"]
    list_filter = ["actor_kind", "action", "created_at", TargetFilter]
    search_fields = ["actor_label", "summary", "=targets__object_label"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice would scan the table
    paginator = LargeTablePaginator
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

    @admin.display(description="Who", ordering="actor_label")
    def who(self, event):
        return f"{event.actor_label} ({event.get_actor_kind_display().lower()})"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Outgoing webhooks register their own admin pages.
import shipdesk.webhooks.admin  # noqa: E402, F401
