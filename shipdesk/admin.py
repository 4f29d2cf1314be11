from django.contrib import admin

from shipdesk.models import Partner

admin.site.site_header = "shipdesk administration"
admin.site.site_title = "shipdesk admin"


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "public_id", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "public_id"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["public_id", "created_at"]
