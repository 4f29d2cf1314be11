"""The print-mail objects as the print-mail API's description shows them (mailorders.api.schema):
the camelCase members of mailorders.representation, with their types and nulls."""

from __future__ import annotations

from mailorders.api import openapi as pg
from mailorders.choices import (
    AddressStatus,
    CancellationReason,
    Currency,
    ExtraService,
    IMbStatus,
    LetterSize,
    MailingClass,
    OrderStatus,
    PostcardSize,
    SelfMailerSize,
)
from mailorders.representation import CONTENT_FIELDS

NAMES = {
    "letter": "Letter",
    "postcard": "Postcard",
    "cheque": "Cheque",
    "self_mailer": "SelfMailer",
}


TEXT = pg.NULLABLE_TEXT
CONTACT = pg.object_schema(
    "A contact (an address block), inline in orders or saved under /contacts.",
    {
        "id": {"type": "string", "pattern": "^contact_"},
        "object": {"type": "string", "enum": ["contact"]},
        "live": {"type": "boolean"},
        **dict.fromkeys(["firstName", "lastName", "companyName", "jobTitle", "email"], TEXT),
        "phoneNumber": TEXT,
        "addressLine1": {"type": "string"},
        **dict.fromkeys(["addressLine2", "city", "provinceOrState", "postalOrZip"], TEXT),
        "country": TEXT,
        "countryCode": {"type": "string"},
        "addressStatus": {"type": "string", "enum": AddressStatus.values},
        "description": TEXT,
        "metadata": pg.NULLABLE_OBJECT,
        "createdAt": pg.TIME,
        "updatedAt": pg.TIME,
    },
)
TEMPLATE = pg.object_schema(
    "An HTML template orders name instead of sending their HTML.",
    {
        "id": {"type": "string", "pattern": "^template_"},
        "object": {"type": "string", "enum": ["template"]},
        "live": {"type": "boolean"},
        "description": TEXT,
        "html": {"type": "string"},
        "metadata": pg.NULLABLE_OBJECT,
        "createdAt": pg.TIME,
        "updatedAt": pg.TIME,
    },
)
BANK_ACCOUNT = pg.object_schema(
    "The account cheques are drawn on (only the last 4 digits of its number are shown).",
    {
        "id": {"type": "string", "pattern": "^bank_"},
        "object": {"type": "string", "enum": ["bank_account"]},
        "live": {"type": "boolean"},
        "accountNumberLast4": {"type": "string"},
        "bankCountryCode": {"type": "string"},
        "bankName": {"type": "string"},
        **dict.fromkeys(["bankPrimaryLine", "bankSecondaryLine", "description"], TEXT),
        **dict.fromkeys(["routeNumber", "routingNumber", "signatureText", "transitNumber"], TEXT),
        "metadata": pg.NULLABLE_OBJECT,
        "createdAt": pg.TIME,
        "updatedAt": pg.TIME,
    },
)
CANCELLATION = pg.nullable(
    pg.object_schema(
        "Why and by whom the order was cancelled (null unless it is).",
        {
            "reason": {"type": "string", "enum": CancellationReason.values},
            "note": TEXT,
            "cancelledByUser": TEXT,
        },
    )
)
SIZES = {"letter": LetterSize, "postcard": PostcardSize, "self_mailer": SelfMailerSize}


def order_object(object_name: str) -> dict:
    first, second = CONTENT_FIELDS[object_name]
    content = {first[0]: TEXT, first[1]: TEXT}
    if second:
        content.update({second[0]: TEXT, second[1]: TEXT})
    extra = {}
    if object_name in SIZES:
        extra["size"] = {"type": "string", "enum": SIZES[object_name].values}
    if object_name == "letter":
        extra.update(
            addressPlacement={"type": "string", "enum": ["top_first_page", "insert_blank_page"]},
            envelope={"type": "string"},
        )
    if object_name == "cheque":
        extra.update(
            amount={"type": "integer", "description": "In cents."},
            currencyCode={"type": "string", "enum": Currency.values},
            number=pg.nullable({"type": "integer"}),
            memo=TEXT,
            bankAccount=pg.ref("BankAccount"),
        )
    return pg.object_schema(
        f"A {object_name.replace('_', ' ')} order.",
        {
            "id": {"type": "string", "pattern": f"^{object_name}_"},
            "object": {"type": "string", "enum": [object_name]},
            "live": {"type": "boolean"},
            "description": TEXT,
            "metadata": pg.NULLABLE_OBJECT,
            "to": pg.ref("Contact"),
            "from": pg.nullable({"allOf": [pg.ref("Contact")]}),
            "sendDate": pg.nullable(pg.TIME),
            "status": {"type": "string", "enum": OrderStatus.values},
            "mailingClass": {"type": "string", "enum": MailingClass.values},
            "extraService": pg.nullable({"type": "string", "enum": ExtraService.values}),
            "trackingNumber": pg.nullable(
                {
                    "type": "string",
                    "description": "The USPS number of certified or registered mail.",
                }
            ),
            "imbStatus": pg.nullable({"type": "string", "enum": IMbStatus.values}),
            "imbDate": pg.nullable(pg.TIME),
            "imbZIPCode": TEXT,
            "color": {"type": "boolean"},
            "doubleSided": {"type": "boolean"},
            "mergeVariables": pg.NULLABLE_OBJECT,
            "pageCount": pg.nullable({"type": "integer"}),
            "url": pg.nullable(
                {"type": "string", "format": "uri", "description": "The PDF, for an hour."}
            ),
            "uploadedPDF": pg.nullable({"type": "string", "format": "uri"}),
            "cancellation": CANCELLATION,
            "createdAt": pg.TIME,
            "updatedAt": pg.TIME,
            **content,
            **extra,
        },
    )


ORDER_URL = pg.object_schema(
    "A fresh link to the order's PDF (null while there is none), valid for an hour.",
    {
        "id": {"type": "string"},
        "object": {"type": "string", "enum": list(NAMES)},
        "url": pg.nullable({"type": "string", "format": "uri"}),
    },
)
SCHEMAS = {
    "Contact": CONTACT,
    "ContactList": pg.list_object("Contact"),
    "Template": TEMPLATE,
    "TemplateList": pg.list_object("Template"),
    "TemplateDeleted": pg.deleted_object("template"),
    "BankAccount": BANK_ACCOUNT,
    "BankAccountList": pg.list_object("BankAccount"),
    "OrderURL": ORDER_URL,
    **{NAMES[name]: order_object(name) for name in NAMES},
    **{f"{NAMES[name]}List": pg.list_object(NAMES[name]) for name in NAMES},
}
