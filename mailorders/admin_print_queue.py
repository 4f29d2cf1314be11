"""The print room's batches in admin: read only (the print queue page does the work), with a link
to each batch's page there."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from mailorders.models import PrintBatch


@admin.register(PrintBatch)
class PrintBatchAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "object_type",
        "size",
        "mailing_class",
        "live",
        "status",
        "created_at",
        "entry_date",
        "entry_facility",
        "queue_page",
    ]
    list_filter = ["status", "object_type", "live"]
    ordering = ["-created_at", "-id"]
    list_per_page = 50

    @admin.display(description="Print queue")
    def queue_page(self, batch: PrintBatch) -> str:
        return format_html('<a href="{}">Open</a>', reverse("print-batch", args=[batch.pk]))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
