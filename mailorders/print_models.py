"""Who prints an order (routes and print jobs) and the print room's batches of pieces.

Imported by `mailorders.models`; see `mailorders.printhouse` for the interface these serve.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from mailorders.choices import MailingClass
from mailorders.printhouse import DEFAULT_HOUSE, HOUSE_CHOICES

ORDER_OBJECTS = [
    ("letter", "Letter"),
    ("postcard", "Postcard"),
    ("cheque", "Cheque"),
    ("self_mailer", "Self-mailer"),
]


class PrintRoute(models.Model):
    """Which print house takes a partner's orders: of one mailing class, or (blank) any."""

    partner = models.ForeignKey("shipdesk.Partner", on_delete=models.CASCADE, related_name="+")
    mailing_class = models.CharField(
        max_length=60,
        choices=MailingClass.choices,
        blank=True,
        help_text="Blank: every mailing class without a route of its own.",
    )
    house = models.CharField(max_length=20, choices=HOUSE_CHOICES, default=DEFAULT_HOUSE)
    provider = models.CharField(
        max_length=40,
        blank=True,
        help_text="For the upstream provider house: which one (a name in PRINT_PROVIDERS); "
        "blank: PRINT_PROVIDER_DEFAULT.",
    )

    class Meta:
        ordering = ["partner", "mailing_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "mailing_class"], name="print_route_per_partner_class"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.mailing_class or 'any class'} → {self.get_house_display()}"


class PrintJobState(models.TextChoices):
    PENDING = "pending", "Not yet taken by the print house"
    SUBMITTED = "submitted", "Taken by the print house"
    FAILED = "failed", "Refused by the print house"
    CANCELLED = "cancelled", "Withdrawn"


class PrintJob(models.Model):
    """One order handed to one print house (made with the order, see `print_job_open`)."""

    partner = models.ForeignKey("shipdesk.Partner", on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=20, choices=ORDER_OBJECTS)
    order_id = models.CharField(max_length=40)
    house = models.CharField(max_length=20, choices=HOUSE_CHOICES, default=DEFAULT_HOUSE)
    state = models.CharField(
        max_length=20, choices=PrintJobState.choices, default=PrintJobState.PENDING
    )
    # For a house elsewhere: which one (a provider's name), the key sent with every
    # submission, and what it answered.
    provider = models.CharField(max_length=40, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    external_status = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["object_type", "order_id"], name="print_job_per_order")
        ]
        indexes = [models.Index(fields=["house", "state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.get_house_display()}"


class BatchStatus(models.TextChoices):
    OPEN = "open", "Open (not printed)"
    PRINTED = "printed", "Printed"
    MAILED = "mailed", "Mailed"


class PdfState(models.TextChoices):
    NONE = "", "Not made"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class PrintBatch(models.Model):
    """Pieces printed together: one kind, size, colour, duplex and mailing class, in ZIP order."""

    object_type = models.CharField(max_length=20, choices=ORDER_OBJECTS)
    size = models.CharField(max_length=20)
    color = models.BooleanField(default=False)
    double_sided = models.BooleanField(default=False)
    mailing_class = models.CharField(max_length=60, choices=MailingClass.choices)
    live = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=200, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)
    printed_by = models.CharField(max_length=200, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    mailed_by = models.CharField(max_length=200, blank=True)
    entry_date = models.DateField(null=True, blank=True, help_text="USPS entry date.")
    entry_facility = models.CharField(max_length=200, blank=True)
    entry_zip_code = models.CharField(max_length=10, blank=True)
    pdf = models.FileField(upload_to="mailorders/batches/%Y/%m/", blank=True)
    pdf_state = models.CharField(
        max_length=10, choices=PdfState.choices, default=PdfState.NONE, blank=True
    )
    pdf_pages_done = models.PositiveIntegerField(default=0)
    pdf_pages_total = models.PositiveIntegerField(default=0)
    pdf_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "print batches"
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"Batch {self.pk}"

    @property
    def pdf_percent(self) -> int:
        if not self.pdf_pages_total:
            return 0
        return min(100, round(100 * self.pdf_pages_done / self.pdf_pages_total))


class PieceState(models.TextChoices):
    QUEUED = "queued", "To print"
    PRINTED = "printed", "Printed"
    FAILED = "failed", "Failed (to reprint)"
    PULLED = "pulled", "Pulled (cancelled)"


class PrintBatchPiece(models.Model):
    """One order in a batch, at its presort position, with the barcodes printed on it."""

    batch = models.ForeignKey(PrintBatch, on_delete=models.CASCADE, related_name="pieces")
    object_type = models.CharField(max_length=20, choices=ORDER_OBJECTS)
    order_id = models.CharField(max_length=40)
    sequence = models.PositiveIntegerField()
    zip_code = models.CharField(max_length=10, blank=True)
    imb = models.CharField("IMb digits", max_length=31, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=10, choices=PieceState.choices, default=PieceState.QUEUED)
    reprints = models.PositiveSmallIntegerField(default=0)
    failure_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["batch", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "order_id"],
                condition=~Q(state="pulled"),
                name="print_piece_one_per_order",
            ),
            models.UniqueConstraint(fields=["batch", "sequence"], name="print_piece_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} #{self.sequence} {self.order_id}"
