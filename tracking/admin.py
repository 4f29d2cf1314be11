from django.contrib import admin

from tracking.models import Checkpoint, Shipment, Subscriber


class CheckpointInline(admin.TabularInline):
    model = Checkpoint
    extra = 0
    can_delete = False
    ordering = ["-checkpoint_time"]
    fields = [
        "checkpoint_time",
        "utc_offset_minutes",
        "tag",
        "subtag",
        "message",
        "location",
        "raw_tag",
        "recipient_name",
    ]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class SubscriberInline(admin.TabularInline):
    model = Subscriber
    extra = 0


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
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
    list_filter = ["tag", "slug", "active", "partner", "created_at", "updated_at"]
    search_fields = [
        "=tracking_number",
        "=public_id",
        "order_id",
        "order_number",
        "customer_name",
        "title",
        "=subscribers__address",
    ]
    list_select_related = ["partner"]
    show_full_result_count = False
    date_hierarchy = "created_at"
    inlines = [SubscriberInline, CheckpointInline]
    readonly_fields = [
        "public_id",
        "uuid",
        "tag",
        "subtag",
        "subtag_message",
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
    ]


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ["shipment", "checkpoint_time", "tag", "subtag", "message", "location"]
    list_filter = ["tag", "slug"]
    search_fields = ["=shipment__tracking_number", "message"]
    list_select_related = ["shipment"]
    show_full_result_count = False
    raw_id_fields = ["shipment"]

    def has_change_permission(self, request, obj=None):
        return False
