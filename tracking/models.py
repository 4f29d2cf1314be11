import uuid
from datetime import timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from shipdesk.ids import new_public_id
from shipdesk.indexes import PrefixIndex
from tracking.choices import CompletedReason, OnTimeStatus, Subtag, Tag


class ShipmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def due(self, now=None):
        return self.filter(active=True, next_check_at__lte=now or timezone.now())


class Shipment(models.Model):
    """A tracked shipment: AfterShip's "tracking" object, owned by one partner."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        "shipdesk.Partner", on_delete=models.PROTECT, related_name="shipments"
    )

    tracking_number = models.CharField(max_length=100)
    slug = models.CharField(max_length=50, default="usps")
    title = models.CharField(max_length=255, blank=True)
    note = models.TextField(blank=True)
    source = models.CharField(max_length=20, default="api")
    language = models.CharField(max_length=10, blank=True)

    # Order and customer
    order_id = models.CharField(max_length=255, blank=True)
    order_number = models.CharField(max_length=255, blank=True)
    order_id_path = models.CharField(max_length=1000, blank=True)
    order_date = models.DateTimeField(null=True, blank=True)
    order_promised_delivery_date = models.DateField(null=True, blank=True)
    order_promised_delivery_date_min = models.DateField(null=True, blank=True)
    order_promised_delivery_date_max = models.DateField(null=True, blank=True)
    order_tags = models.JSONField(default=list, blank=True)
    customer_name = models.CharField(max_length=255, blank=True)
    # AfterShip's customers[] (role, name, email, phone_number, language, id) as a partner sent
    # them; the addresses notified are the subscribers.
    customers = models.JSONField(default=list, blank=True)
    custom_fields = models.JSONField(null=True, blank=True)

    # Delivery preferences and package
    delivery_type = models.CharField(max_length=50, blank=True)
    pickup_location = models.CharField(max_length=255, blank=True)
    pickup_note = models.TextField(blank=True)
    shipment_type = models.CharField(max_length=100, blank=True)
    shipping_method = models.CharField(max_length=100, blank=True)
    shipment_weight = models.FloatField(null=True, blank=True)
    shipment_weight_unit = models.CharField(max_length=10, blank=True)
    shipment_package_count = models.PositiveIntegerField(null=True, blank=True)
    shipment_tags = models.JSONField(default=list, blank=True)
    shipment_direction = models.CharField(
        max_length=10, blank=True, choices=[("forward", "Forward"), ("return", "Return")]
    )
    signature_requirement = models.CharField(max_length=50, blank=True)

    # Extra carrier keys a tracking number may need (AfterShip's tracking_* fields)
    tracking_postal_code = models.CharField(max_length=20, blank=True)
    tracking_ship_date = models.CharField(max_length=8, blank=True)
    tracking_account_number = models.CharField(max_length=100, blank=True)
    tracking_key = models.CharField(max_length=100, blank=True)
    tracking_origin_country = models.CharField(max_length=3, blank=True)
    tracking_destination_country = models.CharField(max_length=3, blank=True)
    tracking_state = models.CharField(max_length=50, blank=True)

    # Origin and destination
    origin_country_iso3 = models.CharField(max_length=3, blank=True)
    origin_state = models.CharField(max_length=100, blank=True)
    origin_city = models.CharField(max_length=100, blank=True)
    origin_postal_code = models.CharField(max_length=20, blank=True)
    origin_raw_location = models.CharField(max_length=500, blank=True)
    destination_country_iso3 = models.CharField(max_length=3, blank=True)
    destination_state = models.CharField(max_length=100, blank=True)
    destination_city = models.CharField(max_length=100, blank=True)
    destination_postal_code = models.CharField(max_length=20, blank=True)
    destination_raw_location = models.CharField(max_length=500, blank=True)
    courier_destination_country_iso3 = models.CharField(max_length=3, blank=True)

    # Status, derived from the checkpoints (see services.shipment_derive)
    tag = models.CharField(max_length=20, choices=Tag.choices, default=Tag.PENDING)
    subtag = models.CharField(max_length=30, choices=Subtag.choices, default=Subtag.PENDING_001)
    subtag_message = models.CharField(max_length=100, default="Pending")
    active = models.BooleanField(default=True)
    return_to_sender = models.BooleanField(default=False)
    signed_by = models.CharField(max_length=255, blank=True)
    delivery_time = models.PositiveIntegerField(default=0, help_text="Days in transit.")
    failed_delivery_attempts = models.PositiveIntegerField(default=0)
    first_attempted_at = models.DateTimeField(null=True, blank=True)
    first_attempted_offset = models.SmallIntegerField(null=True, blank=True)
    shipment_pickup_date = models.DateTimeField(null=True, blank=True)
    shipment_delivery_date = models.DateTimeField(null=True, blank=True)
    shipment_delivery_offset = models.SmallIntegerField(null=True, blank=True)
    on_time_status = models.CharField(max_length=20, choices=OnTimeStatus.choices, blank=True)
    on_time_difference = models.IntegerField(default=0)
    completed_reason = models.CharField(max_length=20, choices=CompletedReason.choices, blank=True)

    # Estimated delivery: the carrier's, and shipdesk's own estimate
    expected_delivery = models.DateField(null=True, blank=True)
    first_expected_delivery = models.DateField(null=True, blank=True)
    estimated_delivery_date = models.DateField(null=True, blank=True)
    estimated_delivery_date_min = models.DateField(null=True, blank=True)
    estimated_delivery_date_max = models.DateField(null=True, blank=True)
    estimated_delivery_confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    custom_estimated_delivery_date = models.DateField(null=True, blank=True)

    # USPS specifics
    unique_tracking_id = models.CharField(max_length=100, blank=True)
    mailing_date = models.DateField(null=True, blank=True)
    destination_zip = models.CharField(max_length=10, blank=True)
    mail_class = models.CharField(max_length=100, blank=True)
    pod_eligible = models.BooleanField(default=False)
    rre_eligible = models.BooleanField(default=False)
    carrier_status = models.CharField(max_length=255, blank=True)
    carrier_status_summary = models.TextField(blank=True)

    # Refresh bookkeeping
    tracked_count = models.PositiveIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    retrack_count = models.PositiveSmallIntegerField(default=0)
    closed_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="Why it is never tracked again (its shipping label was cancelled, say); "
        "empty while it may be.",
    )
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    refresh_priority = models.PositiveSmallIntegerField(default=6)
    refresh_claimed_until = models.DateTimeField(null=True, blank=True)

    # Proof chain (tracking.pod.chain): h(n) of the last chained checkpoint, blank for h(0)
    chain_head = models.CharField(max_length=64, blank=True)
    chain_length = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "slug", "tracking_number"], name="shipment_unique_per_partner"
            ),
        ]
        indexes = [
            # The agents' search (tracking.selectors.keyword_q, indexed=True): prefixes of the
            # number and of the upper-cased name and title, the promised-date sort. A name
            # prefix matches hundreds of rows: on PostgreSQL its index also holds what the
            # result page's sorts read, so the page is chosen without visiting them.
            PrefixIndex(F("tracking_number"), name="shipment_number_prefix_idx"),
            PrefixIndex(
                Upper("customer_name"),
                name="shipment_customer_prefix_idx",
                covering=[
                    "customer_name",
                    "id",
                    "updated_at",
                    "created_at",
                    "order_promised_delivery_date",
                ],
            ),
            PrefixIndex(Upper("title"), name="shipment_title_prefix_idx"),
            models.Index(
                fields=["order_promised_delivery_date", "id"], name="shipment_promised_idx"
            ),
            models.Index(fields=["order_id"]),
            models.Index(fields=["order_number"]),
            models.Index(fields=["customer_name"]),
            models.Index(fields=["partner", "-created_at", "-id"]),
            models.Index(fields=["-created_at", "-id"]),
            models.Index(fields=["-updated_at", "-id"]),
            models.Index(fields=["tag", "subtag"]),
            # The dashboard's recent exceptions: a tag's shipments by their latest event.
            models.Index(fields=["tag", "-last_event_at", "-id"], name="shipment_tag_event_idx"),
            models.Index(
                fields=["refresh_priority", "next_check_at"],
                condition=Q(active=True),
                name="shipment_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug.upper()} {self.tracking_number}"


class Subscriber(models.Model):
    """An e-mail address or phone number notified of a shipment's changes (3 of each at most)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="subscribers")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    address = models.CharField(max_length=254)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "channel", "address"], name="subscriber_unique"
            )
        ]
        indexes = [
            models.Index(fields=["address"]),
            # Any-case e-mail search of the agents' workspace.
            models.Index(Upper("address"), name="subscriber_address_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.address


class ImmutableCheckpoint(Exception):
    """A chained checkpoint cannot change: a correction is a new event."""


# What a chained checkpoint's hash covers (tracking.pod.chain.chain_event), plus its link.
CHAINED_FIELDS = frozenset(
    {
        "shipment",
        "shipment_id",
        "event_key",
        "checkpoint_time",
        "utc_offset_minutes",
        "message",
        "tag",
        "subtag",
        "city",
        "state",
        "zip",
        "country_iso3",
        "location",
        "chain_seq",
        "chain_hash",
    }
)
# What the retention purge blanks (the hash stays; the detail goes).
PURGED_FIELDS = (
    "message",
    "raw_tag",
    "city",
    "state",
    "zip",
    "country_iso3",
    "country_name",
    "location",
    "latitude",
    "longitude",
    "recipient_name",
    "firm",
)


class CheckpointQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Refuses to rewrite what a chain link covers; the purge uses `purge_detail`."""
        touched = CHAINED_FIELDS.intersection(kwargs)
        if touched:
            raise ImmutableCheckpoint(
                f"Checkpoints are immutable once chained ({', '.join(sorted(touched))}); "
                "record a correction as a new event."
            )
        return super().update(**kwargs)

    def link(self, *, seq: int, hash: str) -> int:
        """Chain rows that are not chained yet (tracking.pod.services)."""
        unchained = self.filter(chain_hash="")
        return models.QuerySet.update(unchained, chain_seq=seq, chain_hash=hash)

    def purge_detail(self, *, now) -> int:
        """Blank the event detail, keep time, tag and the chain link; mark the rows purged."""
        blank = {name: None if name in ("latitude", "longitude") else "" for name in PURGED_FIELDS}
        return super().update(**blank, detail_purged_at=now)


class Checkpoint(models.Model):
    """One carrier event. The same event ingested twice is one row (see `event_key`).

    Once chained (`chain_hash` set) a checkpoint never changes: a correction is a new event.
    """

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="checkpoints")
    event_key = models.CharField(max_length=64, help_text="Carrier-event fingerprint.")
    checkpoint_time = models.DateTimeField()
    utc_offset_minutes = models.SmallIntegerField(
        null=True, blank=True, help_text="The event's local UTC offset, kept for display."
    )
    slug = models.CharField(max_length=50, default="usps")
    message = models.CharField(max_length=500)
    tag = models.CharField(max_length=20, choices=Tag.choices)
    subtag = models.CharField(max_length=30, choices=Subtag.choices)
    subtag_message = models.CharField(max_length=100)
    raw_tag = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    country_iso3 = models.CharField(max_length=3, blank=True)
    country_name = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    recipient_name = models.CharField(max_length=255, blank=True)
    firm = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # Proof chain: place in the shipment's chain and h(n); the purge marker of the retention task
    chain_seq = models.PositiveIntegerField(null=True, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True)
    detail_purged_at = models.DateTimeField(null=True, blank=True)

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["-checkpoint_time", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "event_key"], name="checkpoint_once"),
            models.UniqueConstraint(fields=["shipment", "chain_seq"], name="checkpoint_chain_seq"),
        ]
        indexes = [models.Index(fields=["shipment", "-checkpoint_time"])]

    def __str__(self) -> str:
        return f"{self.checkpoint_time:%Y-%m-%d %H:%M} {self.message}"

    def save(self, *args, **kwargs):
        if self.chain_hash and not self._state.adding:
            raise ImmutableCheckpoint(
                "Checkpoints are immutable once chained; record a correction as a new event."
            )
        super().save(*args, **kwargs)

    @property
    def local_time(self):
        """The event time in the event's own UTC offset (what the carrier printed)."""
        if self.utc_offset_minutes is None:
            return self.checkpoint_time
        tz = dt_timezone(timedelta(minutes=self.utc_offset_minutes))
        return self.checkpoint_time.astimezone(tz)

    @property
    def coordinates(self) -> list[float]:
        if self.latitude is None or self.longitude is None:
            return []
        return [self.latitude, self.longitude]


class CarrierToken(models.Model):
    """An OAuth access token shared by every process (never kept in process memory)."""

    carrier = models.CharField(max_length=50, unique=True)
    access_token = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.carrier


class CarrierBudget(models.Model):
    """One row per carrier, locked while a request slot is taken (serialises all workers)."""

    carrier = models.CharField(max_length=50, unique=True)
    blocked_until = models.DateTimeField(
        null=True, blank=True, help_text="Set from a 429's Retry-After: nobody calls before."
    )

    def __str__(self) -> str:
        return self.carrier


class CarrierRequest(models.Model):
    """Every request sent to a carrier, kept an hour to enforce its requests-per-hour budget."""

    carrier = models.CharField(max_length=50)
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["carrier", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.carrier} {self.kind} at {self.sent_at:%Y-%m-%d %H:%M:%S}"


class PodRequest(models.Model):
    """A proof of delivery someone asked for, with its outcome.

    Two channels: USPS e-mails its own POD or Return Receipt (Electronic) record (seed 000), or
    shipdesk e-mails its signed POD letter (a PDF carrying the POD passport).
    """

    class Channel(models.TextChoices):
        USPS = "usps", "USPS record"
        LETTER = "letter", "shipdesk letter"

    class LetterType(models.TextChoices):
        PROOF_OF_DELIVERY = "pod", "Proof of Delivery"
        RETURN_RECEIPT = "rre", "Return Receipt (Electronic)"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        FAILED = "failed", "Failed"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="pod_requests")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    letter_type = models.CharField(
        max_length=3, choices=LetterType.choices, default=LetterType.PROOF_OF_DELIVERY
    )
    recipients = models.JSONField(
        default=list, help_text='[{"email", "first_name", "last_name"}], 1 to 3.'
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by_label = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True, help_text="The carrier's or the mailer's answer.")
    simulated = models.BooleanField(
        default=False, help_text="Answered by the sandbox carrier: nobody was e-mailed by USPS."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["shipment", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_letter_type_display()} by {self.get_channel_display()}: {self.status}"

    @property
    def emails(self) -> list[str]:
        return [r["email"] for r in self.recipients]


class CourierConnection(models.Model):
    """A partner's own carrier app credentials (AfterShip's courier connection): that partner's
    trackings, proofs of delivery and labels call the carrier with them, on their own hourly
    quota, instead of the installation's. Sealed at rest (shipdesk.sealing), never shown."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    partner = models.ForeignKey(
        "shipdesk.Partner", on_delete=models.CASCADE, related_name="courier_connections"
    )
    courier_slug = models.CharField(max_length=50, default="usps")
    client_id_sealed = models.TextField(editable=False)
    client_secret_sealed = models.TextField(editable=False)
    requests_per_hour = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The app's hourly USPS quota; empty: USPS_REQUESTS_PER_HOUR.",
    )
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "courier_slug"], name="one_connection_per_courier"
            )
        ]
        indexes = [models.Index(fields=["partner", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.courier_slug.upper()} connection {self.public_id}"
