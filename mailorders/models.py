"""Print-mail orders (letters, postcards, cheques, self-mailers), their contacts and templates.

Shaped after PostGrid print-mail v1: ids prefixed by type (`letter_…`), `live` from the key that
created the object (test keys create test objects), every row owned by one partner.
"""

from __future__ import annotations

import secrets
import string

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from mailorders.choices import (
    AddressStatus,
    CancellationReason,
    Currency,
    ExtraService,
    IMbStatus,
    LabelServiceType,
    LabelStatus,
    LetterSize,
    MailingClass,
    ManifestStatus,
    OrderStatus,
    PaperSize,
    PostcardSize,
    SelfMailerSize,
)

_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 22


def _new_id(prefix: str) -> str:
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(ID_LENGTH))}"


def new_contact_id() -> str:
    return _new_id("contact")


def new_template_id() -> str:
    return _new_id("template")


def new_bank_account_id() -> str:
    return _new_id("bank")


def new_letter_id() -> str:
    return _new_id("letter")


def new_postcard_id() -> str:
    return _new_id("postcard")


def new_cheque_id() -> str:
    return _new_id("cheque")


def new_self_mailer_id() -> str:
    return _new_id("self_mailer")


def new_shipper_account_id() -> str:
    return _new_id("shipper")


def new_label_id() -> str:
    return _new_id("label")


def new_manifest_id() -> str:
    return _new_id("manifest")


def new_rate_id() -> str:
    return _new_id("rate")


def new_address_validation_id() -> str:
    return _new_id("address_validation")


class RateQuote(models.Model):
    """A rate shop as Postmen's rates API keeps it (POST /rates, read again by GET /rates/{id}):
    the shipment asked about and what each shipper account offered, in shipdesk's words
    (mailorders.services.rate_quotes), or why it offered nothing."""

    id = models.CharField(max_length=40, primary_key=True, default=new_rate_id, editable=False)
    partner = models.ForeignKey("shipdesk.Partner", on_delete=models.PROTECT, related_name="+")
    live = models.BooleanField(default=False, help_text="Asked with a live (not test) key.")
    status = models.CharField(max_length=20, default="calculated")  # Postmen's: calculated
    shipment = models.JSONField()
    is_document = models.BooleanField(default=False)
    ship_date = models.DateField()
    rates = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "-created_at", "-id"])]

    def __str__(self) -> str:
        return self.id


class OwnedResource(models.Model):
    """What every print-mail object has: an owner, test or live mode, a description, metadata."""

    partner = models.ForeignKey("shipdesk.Partner", on_delete=models.PROTECT, related_name="+")
    live = models.BooleanField(default=False, help_text="Created with a live (not test) key.")
    description = models.CharField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class Contact(OwnedResource):
    id = models.CharField(max_length=40, primary_key=True, default=new_contact_id, editable=False)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company_name = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone_number = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    province_or_state = models.CharField(max_length=100, blank=True)
    postal_or_zip = models.CharField(max_length=20, blank=True)
    country_code = models.CharField(max_length=2, default="US")
    address_status = models.CharField(
        max_length=10, choices=AddressStatus.choices, default=AddressStatus.VERIFIED
    )

    class Meta(OwnedResource.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="") | ~Q(company_name=""),
                name="contact_has_name_or_company",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.id

    @property
    def name(self) -> str:
        person = f"{self.first_name} {self.last_name}".strip()
        return person or self.company_name

    @property
    def address_lines(self) -> list[str]:
        """The address block as printed on an envelope, line by line."""
        place = " ".join(p for p in (self.city, self.province_or_state, self.postal_or_zip) if p)
        lines = [
            f"{self.first_name} {self.last_name}".strip(),
            self.company_name,
            self.address_line1,
            self.address_line2,
            place,
            self.country_code if self.country_code != "US" else "",
        ]
        return [line for line in lines if line]


class Template(OwnedResource):
    id = models.CharField(max_length=40, primary_key=True, default=new_template_id, editable=False)
    html = models.TextField()

    def __str__(self) -> str:
        return self.description or self.id


class BankAccount(OwnedResource):
    """Only what is safe to keep: never the full account number."""

    id = models.CharField(
        max_length=40, primary_key=True, default=new_bank_account_id, editable=False
    )
    bank_name = models.CharField(max_length=200)
    bank_primary_line = models.CharField(max_length=200, blank=True)
    bank_secondary_line = models.CharField(max_length=200, blank=True)
    bank_country_code = models.CharField(max_length=2, default="US")
    account_number_last4 = models.CharField(max_length=4)
    route_number = models.CharField(max_length=20, blank=True, help_text="Routing number (US).")
    transit_number = models.CharField(max_length=20, blank=True, help_text="Transit number (CA).")
    signature_text = models.CharField(
        max_length=100, blank=True, help_text="Printed on the cheque's signature line."
    )

    def __str__(self) -> str:
        return f"{self.bank_name} ••••{self.account_number_last4}"


class IdempotencyKey(models.Model):
    """The order an `Idempotency-Key` created, per partner: a retried create returns it."""

    partner = models.ForeignKey("shipdesk.Partner", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    object_type = models.CharField(max_length=20)
    object_id = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="idempotency_key_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.object_id}"


class MailOrderQuerySet(models.QuerySet):
    def for_partner(self, partner):
        return self.filter(partner=partner)

    def with_contacts(self):
        return self.select_related("to", "from_contact")


class MailOrder(OwnedResource):
    """The fields every kind of order shares. Subclasses set OBJECT (PostGrid's `object`)."""

    OBJECT = ""
    TWO_SIDED = False

    to = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    from_contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    send_date = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=30, choices=OrderStatus.choices, default=OrderStatus.READY, db_index=True
    )
    imb_status = models.CharField(max_length=30, choices=IMbStatus.choices, blank=True)
    imb_date = models.DateTimeField(null=True, blank=True)
    imb_zip_code = models.CharField(max_length=10, blank=True)
    mailing_class = models.CharField(
        max_length=60, choices=MailingClass.choices, default=MailingClass.FIRST_CLASS
    )
    extra_service = models.CharField(max_length=30, choices=ExtraService.choices, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True, db_index=True)
    shipment = models.ForeignKey(
        "tracking.Shipment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.CharField(
        max_length=30, choices=CancellationReason.choices, blank=True
    )
    cancellation_note = models.TextField(blank=True)
    cancelled_by = models.CharField(max_length=200, blank=True)
    # Content: HTML (front or inside), a template, or an uploaded PDF; merge variables apply to
    # HTML and templates. Two-sided orders also have a back (postcard) or outside (self-mailer).
    html = models.TextField(blank=True)
    template = models.ForeignKey(
        Template, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    back_html = models.TextField(blank=True)
    back_template = models.ForeignKey(
        Template, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merge_variables = models.JSONField(default=dict, blank=True)
    uploaded_pdf = models.FileField(upload_to="mailorders/uploads/%Y/%m/", blank=True)
    pdf = models.FileField(upload_to="mailorders/rendered/%Y/%m/", blank=True)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    color = models.BooleanField(default=False)
    double_sided = models.BooleanField(default=False)

    objects = MailOrderQuerySet.as_manager()

    class Meta(OwnedResource.Meta):
        abstract = True

    def __str__(self) -> str:
        return f"{self.OBJECT.replace('_', '-')} {self.id}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == OrderStatus.CANCELLED


class Letter(MailOrder):
    OBJECT = "letter"

    id = models.CharField(max_length=40, primary_key=True, default=new_letter_id, editable=False)
    size = models.CharField(max_length=20, choices=LetterSize.choices, default=LetterSize.US_LETTER)
    address_placement = models.CharField(max_length=30, default="top_first_page")
    envelope = models.CharField(max_length=40, default="standard")


class Postcard(MailOrder):
    OBJECT = "postcard"
    TWO_SIDED = True

    id = models.CharField(max_length=40, primary_key=True, default=new_postcard_id, editable=False)
    size = models.CharField(
        max_length=20, choices=PostcardSize.choices, default=PostcardSize.SIZE_6X4
    )


class SelfMailer(MailOrder):
    OBJECT = "self_mailer"
    TWO_SIDED = True

    id = models.CharField(
        max_length=40, primary_key=True, default=new_self_mailer_id, editable=False
    )
    size = models.CharField(
        max_length=20, choices=SelfMailerSize.choices, default=SelfMailerSize.BIFOLD
    )


class Cheque(MailOrder):
    OBJECT = "cheque"

    id = models.CharField(max_length=40, primary_key=True, default=new_cheque_id, editable=False)
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField(help_text="In cents.")
    currency_code = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    number = models.PositiveIntegerField()
    memo = models.CharField(max_length=200, blank=True)

    class Meta(MailOrder.Meta):
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="cheque_amount_gt_0")]


ORDER_MODELS: dict[str, type[MailOrder]] = {
    model.OBJECT: model for model in (Letter, Postcard, Cheque, SelfMailer)
}


class ShipperAccount(models.Model):
    """A USPS account labels are bought on (Postmen's `shipper_account`).

    A sandbox account issues IMpb numbers from its own range (`mailer_id` plus a serial counted
    in the database) and charges nothing. A live account buys real labels through USPS's
    Labels API, paid by its EPS account (see mailorders.services.usps_labels), with its own
    sealed USPS app credentials or those of the settings `credentials_ref` names.
    """

    id = models.CharField(
        max_length=40, primary_key=True, default=new_shipper_account_id, editable=False
    )
    partner = models.ForeignKey("shipdesk.Partner", on_delete=models.PROTECT, related_name="+")
    slug = models.CharField(max_length=20, default="usps", editable=False)
    description = models.CharField(max_length=200)
    credentials_ref = models.CharField(
        max_length=200,
        blank=True,
        help_text="Name of the setting or secret holding the USPS credentials (not the secret).",
    )
    # The account's own USPS app credentials, sealed (mailorders.services.usps_credentials);
    # empty: the ones `credentials_ref` names, else USPS_CLIENT_ID / USPS_CLIENT_SECRET.
    client_id_sealed = models.TextField(blank=True, editable=False)
    client_secret_sealed = models.TextField(blank=True, editable=False)
    sandbox = models.BooleanField(default=True)
    mailer_id = models.CharField(
        max_length=9,
        default="900000001",
        validators=[RegexValidator(r"^[0-9]{9}\Z", "A Mailer ID is nine digits.")],
        help_text="Nine-digit Mailer ID of the IMpb range.",
    )
    next_serial = models.PositiveBigIntegerField(default=1)
    # A live account's USPS enrolment: who pays (CRID, EPS account) and whose label range.
    usps_environment = models.CharField(
        max_length=10,
        choices=[("test", "USPS test environment"), ("production", "USPS production")],
        default="test",
    )
    crid = models.CharField("CRID", max_length=18, blank=True)
    manifest_mid = models.CharField(
        "manifest MID",
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^([0-9]{6}|[0-9]{9})\Z", "A MID is six or nine digits.")],
    )
    eps_account = models.CharField("EPS account", max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["partner", "-created_at", "-id"])]

    def __str__(self) -> str:
        return self.description or self.id


class Manifest(models.Model):
    """The end-of-day hand-over form for a set of labels."""

    id = models.CharField(max_length=40, primary_key=True, default=new_manifest_id, editable=False)
    partner = models.ForeignKey("shipdesk.Partner", on_delete=models.PROTECT, related_name="+")
    shipper_account = models.ForeignKey(ShipperAccount, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=ManifestStatus.choices, default=ManifestStatus.MANIFESTING
    )
    file = models.FileField(upload_to="mailorders/manifests/%Y/%m/", blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "-created_at", "-id"])]

    def __str__(self) -> str:
        return self.id


SERVICE_NAMES = dict(LabelServiceType.choices)


class LabelQuerySet(models.QuerySet):
    def for_partner(self, partner):
        return self.filter(partner=partner)


class Label(models.Model):
    """A shipping label as Postmen v3 describes it: the request as sent, its rate and files."""

    id = models.CharField(max_length=40, primary_key=True, default=new_label_id, editable=False)
    partner = models.ForeignKey("shipdesk.Partner", on_delete=models.PROTECT, related_name="+")
    live = models.BooleanField(default=False, help_text="Created with a live (not test) key.")
    shipper_account = models.ForeignKey(ShipperAccount, on_delete=models.PROTECT, related_name="+")
    # The request as sent.
    service_type = models.CharField(max_length=60)
    paper_size = models.CharField(
        max_length=3, choices=PaperSize.choices, default=PaperSize.SIZE_4X6
    )
    ship_from = models.JSONField()
    ship_to = models.JSONField()
    return_to = models.JSONField(null=True, blank=True)
    parcels = models.JSONField()
    delivery_instructions = models.CharField(max_length=500, blank=True)
    references = models.JSONField(default=list, blank=True)
    is_document = models.BooleanField(default=False)
    return_shipment = models.BooleanField(default=False)
    customs = models.JSONField(null=True, blank=True)
    billing = models.JSONField(null=True, blank=True)
    custom_fields = models.JSONField(null=True, blank=True)
    # What came of it.
    status = models.CharField(
        max_length=20, choices=LabelStatus.choices, default=LabelStatus.CREATING, db_index=True
    )
    charge_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    charge_currency = models.CharField(max_length=3, default="USD")
    charge_weight_value = models.DecimalField(max_digits=10, decimal_places=3, default=0)
    charge_weight_unit = models.CharField(max_length=2, default="lb")
    label_file = models.FileField(upload_to="mailorders/labels/%Y/%m/", blank=True)
    invoice_file = models.FileField(upload_to="mailorders/invoices/%Y/%m/", blank=True)
    manifest = models.ForeignKey(
        Manifest, on_delete=models.SET_NULL, null=True, blank=True, related_name="labels"
    )
    ship_date = models.DateField()
    tracking_numbers = models.JSONField(default=list, blank=True)
    # A label bought from USPS: the partner's order number (a retry with it answers this label)
    # and the idempotency key of the purchase, recorded before USPS is called.
    order_number = models.CharField(max_length=100, blank=True)
    purchase_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # PROTECT: a label's shipment is not deleted while the label exists (cancel the label).
    shipment = models.ForeignKey(
        "tracking.Shipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="labels",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LabelQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "-created_at", "-id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["shipper_account", "order_number"],
                condition=~Q(order_number=""),
                name="label_one_per_order_number",
            )
        ]

    def __str__(self) -> str:
        return f"label {self.id}"

    @property
    def tracking_number(self) -> str:
        return self.tracking_numbers[0] if self.tracking_numbers else ""

    @property
    def service_name(self) -> str:
        """`usps-discounted_priority_mail` → `Priority Mail` (the stored value when unknown)."""
        return SERVICE_NAMES.get(self.service_type, self.service_type)


from mailorders.print_models import (  # noqa: E402  (print jobs and batches live in their own room)
    PrintBatch,
    PrintBatchPiece,
    PrintJob,
    PrintRoute,
)

__all__ = ["PrintBatch", "PrintBatchPiece", "PrintJob", "PrintRoute"]
