"""PostGrid print-mail v1 vocabularies: statuses, IMb statuses, sizes, mailing classes."""

from django.db import models


class OrderStatus(models.TextChoices):
    READY = "ready", "Ready"
    PRINTING = "printing", "Printing"
    PROCESSED_FOR_DELIVERY = "processed_for_delivery", "Processed for delivery"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# The one step each status moves on to (a progression); cancelling is only allowed while ready.
NEXT_STATUS = {
    OrderStatus.READY: OrderStatus.PRINTING,
    OrderStatus.PRINTING: OrderStatus.PROCESSED_FOR_DELIVERY,
    OrderStatus.PROCESSED_FOR_DELIVERY: OrderStatus.COMPLETED,
}
CANCELLABLE = {OrderStatus.READY}


class IMbStatus(models.TextChoices):
    ENTERED_MAIL_STREAM = "entered_mail_stream", "Entered the mail stream"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    RETURNED_TO_SENDER = "returned_to_sender", "Returned to sender"


class CancellationReason(models.TextChoices):
    USER_INITIATED = "user_initiated", "Cancelled by the sender"
    INVALID_CONTENT = "invalid_content", "Invalid content"
    INVALID_ORDER_MAILING_CLASS = "invalid_order_mailing_class", "Invalid mailing class"


class AddressStatus(models.TextChoices):
    VERIFIED = "verified", "Verified"
    CORRECTED = "corrected", "Corrected"
    FAILED = "failed", "Failed"


class ExtraService(models.TextChoices):
    """Seed 004's `extraService`: the USPS services that give an order a tracking number."""

    CERTIFIED = "certified", "Certified Mail"
    CERTIFIED_RETURN_RECEIPT = "certified_return_receipt", "Certified Mail, Return Receipt"
    REGISTERED = "registered", "Registered Mail"


class MailingClass(models.TextChoices):
    FIRST_CLASS = "first_class", "First Class"
    STANDARD_CLASS = "standard_class", "Standard Class"
    EXPRESS = "express", "Express"
    CERTIFIED = "certified", "Certified"
    CERTIFIED_RETURN_RECEIPT = "certified_return_receipt", "Certified, Return Receipt"
    REGISTERED = "registered", "Registered"
    USPS_FIRST_CLASS = "usps_first_class", "USPS First Class"
    USPS_STANDARD_CLASS = "usps_standard_class", "USPS Marketing Mail"
    USPS_EDDM = "usps_eddm", "USPS EDDM"
    USPS_EXPRESS_2_DAY = "usps_express_2_day", "USPS Express 2-day"
    USPS_EXPRESS_3_DAY = "usps_express_3_day", "USPS Express 3-day"
    USPS_FIRST_CLASS_CERTIFIED = "usps_first_class_certified", "USPS First Class Certified"
    USPS_FIRST_CLASS_CERTIFIED_RETURN_RECEIPT = (
        "usps_first_class_certified_return_receipt",
        "USPS First Class Certified, Return Receipt",
    )
    USPS_FIRST_CLASS_REGISTERED = "usps_first_class_registered", "USPS First Class Registered"
    USPS_EXPRESS_3_DAY_SIGNATURE_CONFIRMATION = (
        "usps_express_3_day_signature_confirmation",
        "USPS Express 3-day, Signature Confirmation",
    )
    USPS_EXPRESS_3_DAY_CERTIFIED = "usps_express_3_day_certified", "USPS Express 3-day Certified"
    USPS_EXPRESS_3_DAY_CERTIFIED_RETURN_RECEIPT = (
        "usps_express_3_day_certified_return_receipt",
        "USPS Express 3-day Certified, Return Receipt",
    )


# The extra service each mailing class carries (the others carry none).
MAILING_CLASS_SERVICE = {
    MailingClass.CERTIFIED: ExtraService.CERTIFIED,
    MailingClass.USPS_FIRST_CLASS_CERTIFIED: ExtraService.CERTIFIED,
    MailingClass.USPS_EXPRESS_3_DAY_CERTIFIED: ExtraService.CERTIFIED,
    MailingClass.CERTIFIED_RETURN_RECEIPT: ExtraService.CERTIFIED_RETURN_RECEIPT,
    MailingClass.USPS_FIRST_CLASS_CERTIFIED_RETURN_RECEIPT: ExtraService.CERTIFIED_RETURN_RECEIPT,
    MailingClass.USPS_EXPRESS_3_DAY_CERTIFIED_RETURN_RECEIPT: (
        ExtraService.CERTIFIED_RETURN_RECEIPT
    ),
    MailingClass.REGISTERED: ExtraService.REGISTERED,
    MailingClass.USPS_FIRST_CLASS_REGISTERED: ExtraService.REGISTERED,
}


class LetterSize(models.TextChoices):
    US_LETTER = "us_letter", "US Letter (8.5 by 11 in)"
    US_LEGAL = "us_legal", "US Legal (8.5 by 14 in)"
    A4 = "a4", "A4"


class PostcardSize(models.TextChoices):
    SIZE_6X4 = "6x4", "6 by 4 in"
    SIZE_9X6 = "9x6", "9 by 6 in"
    SIZE_11X6 = "11x6", "11 by 6 in"


class SelfMailerSize(models.TextChoices):
    BIFOLD = "8.5x11_bifold", "8.5 by 11 in, bifold"
    TRIFOLD = "8.5x11_trifold", "8.5 by 11 in, trifold"
    TRIFOLD_LARGE = "9.5x16_trifold", "9.5 by 16 in, trifold"


class Currency(models.TextChoices):
    USD = "USD", "US dollar"
    CAD = "CAD", "Canadian dollar"


# CSS page sizes (width height) per size value, for the PDF renderer.
PAGE_SIZES = {
    LetterSize.US_LETTER: "8.5in 11in",
    LetterSize.US_LEGAL: "8.5in 14in",
    LetterSize.A4: "210mm 297mm",
    PostcardSize.SIZE_6X4: "6in 4in",
    PostcardSize.SIZE_9X6: "9in 6in",
    PostcardSize.SIZE_11X6: "11in 6in",
    SelfMailerSize.BIFOLD: "11in 8.5in",
    SelfMailerSize.TRIFOLD: "11in 8.5in",
    SelfMailerSize.TRIFOLD_LARGE: "16in 9.5in",
}


class LabelStatus(models.TextChoices):
    """Postmen v3 label statuses."""

    CREATING = "creating", "Creating"
    CREATED = "created", "Created"
    CANCELLING = "cancelling", "Cancelling"
    CANCELLED = "cancelled", "Cancelled"
    MANIFESTING = "manifesting", "Manifesting"
    MANIFESTED = "manifested", "Manifested"
    FAILED = "failed", "Failed"


class ManifestStatus(models.TextChoices):
    MANIFESTING = "manifesting", "Manifesting"
    MANIFESTED = "manifested", "Manifested"
    FAILED = "failed", "Failed"


class PaperSize(models.TextChoices):
    SIZE_4X6 = "4x6", "4 by 6 inches"
    SIZE_4X8 = "4x8", "4 by 8 inches"


class LabelServiceType(models.TextChoices):
    """USPS services a label can be bought for (Postmen's `service_type` values)."""

    PRIORITY_MAIL_EXPRESS = "usps-discounted_express_mail", "Priority Mail Express"
    PRIORITY_MAIL = "usps-discounted_priority_mail", "Priority Mail"
    GROUND_ADVANTAGE = "usps-discounted_ground_advantage", "Ground Advantage"
    FIRST_CLASS_MAIL = "usps-discounted_first_class_mail", "First-Class Mail"
    PARCEL_SELECT = "usps-discounted_parcel_select", "Parcel Select"
    MEDIA_MAIL = "usps-discounted_media_mail", "Media Mail"


# The IMpb service type code (three digits after the channel application identifier) per service.
SERVICE_TYPE_CODES = {
    LabelServiceType.PRIORITY_MAIL_EXPRESS: "701",
    LabelServiceType.PRIORITY_MAIL: "055",
    LabelServiceType.GROUND_ADVANTAGE: "001",
    LabelServiceType.FIRST_CLASS_MAIL: "001",
    LabelServiceType.PARCEL_SELECT: "612",
    LabelServiceType.MEDIA_MAIL: "710",
}
