"""AfterShip-style tags and subtags, the vocabulary every carrier maps into."""

from django.db import models


class Tag(models.TextChoices):
    PENDING = "Pending", "Pending"
    INFO_RECEIVED = "InfoReceived", "Info received"
    IN_TRANSIT = "InTransit", "In transit"
    OUT_FOR_DELIVERY = "OutForDelivery", "Out for delivery"
    ATTEMPT_FAIL = "AttemptFail", "Failed attempt"
    DELIVERED = "Delivered", "Delivered"
    AVAILABLE_FOR_PICKUP = "AvailableForPickup", "Available for pickup"
    EXCEPTION = "Exception", "Exception"
    EXPIRED = "Expired", "Expired"


class Subtag(models.TextChoices):
    PENDING_001 = "Pending_001", "No information yet"
    PENDING_002 = "Pending_002", "Tracking number recently added"
    PENDING_003 = "Pending_003", "Awaiting carrier pickup"
    PENDING_004 = "Pending_004", "Pickup rescheduled"
    PENDING_005 = "Pending_005", "Removed from a tracking list"
    PENDING_006 = "Pending_006", "Unrecognised tracking number"
    INFO_RECEIVED_001 = "InfoReceived_001", "Info received"
    IN_TRANSIT_001 = "InTransit_001", "In transit"
    IN_TRANSIT_002 = "InTransit_002", "Acceptance scan"
    IN_TRANSIT_003 = "InTransit_003", "Arrival scan"
    IN_TRANSIT_004 = "InTransit_004", "Arrived at destination country"
    IN_TRANSIT_005 = "InTransit_005", "Customs clearance completed"
    IN_TRANSIT_006 = "InTransit_006", "Customs clearance started"
    IN_TRANSIT_007 = "InTransit_007", "Departure scan"
    IN_TRANSIT_008 = "InTransit_008", "Problem resolved"
    IN_TRANSIT_009 = "InTransit_009", "Forwarded to a different delivery address"
    OUT_FOR_DELIVERY_001 = "OutForDelivery_001", "Out for delivery"
    OUT_FOR_DELIVERY_003 = "OutForDelivery_003", "Customer contacted"
    OUT_FOR_DELIVERY_004 = "OutForDelivery_004", "Delivery appointment scheduled"
    ATTEMPT_FAIL_001 = "AttemptFail_001", "Addressee not available"
    ATTEMPT_FAIL_002 = "AttemptFail_002", "Business closed"
    ATTEMPT_FAIL_003 = "AttemptFail_003", "Customer not available, notice left"
    DELIVERED_001 = "Delivered_001", "Delivered"
    DELIVERED_002 = "Delivered_002", "Picked up by the customer"
    DELIVERED_003 = "Delivered_003", "Delivered and signed by the customer"
    DELIVERED_004 = "Delivered_004", "Delivered and cash collected"
    AVAILABLE_FOR_PICKUP_001 = "AvailableForPickup_001", "Available for pickup"
    EXCEPTION_001 = "Exception_001", "Delivery exception"
    EXCEPTION_002 = "Exception_002", "Customer moved"
    EXCEPTION_003 = "Exception_003", "Refused by the customer"
    EXCEPTION_004 = "Exception_004", "Delayed (customs clearance)"
    EXCEPTION_005 = "Exception_005", "Delayed (external factors)"
    EXCEPTION_006 = "Exception_006", "Held for payment"
    EXCEPTION_007 = "Exception_007", "Incorrect address"
    EXCEPTION_008 = "Exception_008", "Pickup missed"
    EXCEPTION_009 = "Exception_009", "Rejected by carrier"
    EXCEPTION_010 = "Exception_010", "Returning to sender"
    EXCEPTION_011 = "Exception_011", "Returned to sender"
    EXCEPTION_012 = "Exception_012", "Shipment damaged"
    EXCEPTION_013 = "Exception_013", "Shipment lost"
    EXPIRED_001 = "Expired_001", "No further updates"

    @property
    def tag(self) -> Tag:
        return Tag(self.value.split("_", 1)[0])


def default_subtag(tag: str) -> Subtag:
    """The `_001` subtag of a tag, used when a carrier gives nothing finer."""
    return Subtag(f"{tag}_001")


# Refresh urgency: lower runs first. Terminal tags are never refreshed automatically.
REFRESH_PRIORITY = {
    Tag.OUT_FOR_DELIVERY: 0,
    Tag.ATTEMPT_FAIL: 1,
    Tag.AVAILABLE_FOR_PICKUP: 2,
    Tag.IN_TRANSIT: 3,
    Tag.EXCEPTION: 4,
    Tag.INFO_RECEIVED: 5,
    Tag.PENDING: 6,
}

TERMINAL_TAGS = {Tag.DELIVERED, Tag.EXPIRED}


class OnTimeStatus(models.TextChoices):
    ON_TIME = "on-time", "On time"
    LATE = "late", "Late"
    TRENDING_ON_TIME = "trending-on-time", "Trending on time"
    TRENDING_LATE = "trending-late", "Trending late"


class CompletedReason(models.TextChoices):
    DELIVERED = "DELIVERED", "Delivered"
    LOST = "LOST", "Lost"
    RETURNED_TO_SENDER = "RETURNED_TO_SENDER", "Returned to sender"


COMPLETED_REASON_SUBTAG = {
    CompletedReason.DELIVERED: Subtag.DELIVERED_001,
    CompletedReason.LOST: Subtag.EXCEPTION_013,
    CompletedReason.RETURNED_TO_SENDER: Subtag.EXCEPTION_011,
}
