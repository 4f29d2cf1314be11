"""Input validation for the PostGrid print-mail v1 API: camelCase members in, snake_case out."""

from __future__ import annotations

import base64
import binascii
import json

from rest_framework import serializers

from mailorders.choices import (
    CancellationReason,
    Currency,
    ExtraService,
    LetterSize,
    MailingClass,
    PostcardSize,
    SelfMailerSize,
)
from mailorders.services.orders import OrderContent
from shipdesk.jsontypes import FormData, JSONTypesMixin

MAX_HTML = 1_000_000
MAX_JSON = 16_384
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_AMOUNT = 10**11  # cents: a billion dollars
PDF_MAGIC = b"%PDF-"
DATA_PDF_PREFIX = "data:application/pdf;base64,"


class JSONObjectField(serializers.JSONField):
    """A JSON object (metadata, mergeVariables) of at most MAX_JSON bytes; in a form body, also
    a field holding the object as JSON text."""

    def to_internal_value(self, data):
        from_form = isinstance(getattr(self.parent, "initial_data", None), FormData)
        if from_form and isinstance(data, str) and data.strip().startswith("{"):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise serializers.ValidationError("Must be a JSON object.") from exc
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be an object.")
        if len(json.dumps(value)) > MAX_JSON:
            raise serializers.ValidationError(f"Must be at most {MAX_JSON} bytes of JSON.")
        return value


def _text(max_length: int, **kwargs):
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


class ContactSerializer(JSONTypesMixin, serializers.Serializer):
    """A contact as PostGrid takes it (members in camelCase, as on the wire)."""

    firstName = _text(100)
    lastName = _text(100)
    companyName = _text(200)
    jobTitle = _text(100)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phoneNumber = _text(40)
    addressLine1 = serializers.CharField(max_length=200)
    addressLine2 = _text(200)
    city = _text(100)
    provinceOrState = _text(100)
    postalOrZip = _text(20)
    countryCode = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        default="US",
        error_messages={"invalid": "Must be an ISO 3166-1 alpha-2 country code."},
    )
    description = _text(500)
    metadata = JSONObjectField(required=False, default=dict)
    skipVerification = serializers.BooleanField(required=False)
    forceVerifiedStatus = serializers.BooleanField(required=False)

    NAMES = {
        "firstName": "first_name",
        "lastName": "last_name",
        "companyName": "company_name",
        "jobTitle": "job_title",
        "email": "email",
        "phoneNumber": "phone_number",
        "addressLine1": "address_line1",
        "addressLine2": "address_line2",
        "city": "city",
        "provinceOrState": "province_or_state",
        "postalOrZip": "postal_or_zip",
        "countryCode": "country_code",
        "description": "description",
        "metadata": "metadata",
    }

    def validate(self, attrs):
        if not attrs.get("firstName") and not attrs.get("companyName"):
            raise serializers.ValidationError(
                {"firstName": "Either firstName or companyName is required."}
            )
        return {self.NAMES[k]: v for k, v in attrs.items() if k in self.NAMES}


class ContactOrIdField(serializers.Field):
    """A contact id (`contact_…`) or an inline contact object."""

    default_error_messages = {"invalid": "Must be a contact id or a contact object."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            if len(data) > 40 or not data.strip() or "\x00" in data:  # the length as sent
                self.fail("invalid")
            return data.strip()
        if not isinstance(data, dict):
            self.fail("invalid")
        contact = ContactSerializer(data=data)
        if not contact.is_valid():
            raise serializers.ValidationError(contact.errors)
        return contact.validated_data


class PDFField(serializers.Field):
    """An uploaded PDF file (multipart) or a `data:application/pdf;base64,…` URL: bytes out.
    Shipdesk fetches no URL on a client's behalf."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            if not data.startswith(DATA_PDF_PREFIX):
                raise serializers.ValidationError(
                    "Upload the PDF file (multipart/form-data) or send it as a "
                    "data:application/pdf;base64 URL; shipdesk does not fetch URLs."
                )
            try:
                content = base64.b64decode(data[len(DATA_PDF_PREFIX) :], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise serializers.ValidationError("The base64 data is not valid.") from exc
        elif hasattr(data, "read") and hasattr(data, "size"):
            if data.size > MAX_PDF_BYTES:
                raise serializers.ValidationError(f"Must be at most {MAX_PDF_BYTES} bytes.")
            content = data.read()
        else:
            raise serializers.ValidationError("Must be a PDF file.")
        if len(content) > MAX_PDF_BYTES:
            raise serializers.ValidationError(f"Must be at most {MAX_PDF_BYTES} bytes.")
        if not content.startswith(PDF_MAGIC):
            raise serializers.ValidationError("Is not a PDF file (it must start with %PDF-).")
        return content


class RenamedFieldsSerializer(JSONTypesMixin, serializers.Serializer):
    """Declares Python-safe names (`from_`) for members named like keywords (`from`)."""

    RENAMED = {"from_": "from"}

    def get_fields(self):
        fields = super().get_fields()
        for python_name, wire_name in self.RENAMED.items():
            if python_name in fields:
                fields[wire_name] = fields.pop(python_name)
        return fields


class OrderCreateSerializer(RenamedFieldsSerializer):
    """What every order takes. Subclasses name their content members in CONTENT:
    ((html member, template member), (second part's html, template) or None)."""

    CONTENT: tuple = (("html", "template"), None)
    CONTENT_REQUIRED = True
    FROM_REQUIRED = True
    SIZE_CHOICES: list = []

    to = ContactOrIdField()
    from_ = ContactOrIdField(required=False)
    description = _text(500)
    metadata = JSONObjectField(required=False, default=dict)
    mergeVariables = JSONObjectField(required=False, default=dict)
    sendDate = serializers.DateTimeField(required=False)
    mailingClass = serializers.ChoiceField(choices=MailingClass.choices, required=False)
    extraService = serializers.ChoiceField(choices=ExtraService.choices, required=False)
    color = serializers.BooleanField(required=False, default=False)
    doubleSided = serializers.BooleanField(required=False, default=False)
    pdf = PDFField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        for part in filter(None, self.CONTENT):
            html, template = part
            fields[html] = serializers.CharField(
                max_length=MAX_HTML, required=False, allow_null=True, trim_whitespace=False
            )
            fields[template] = serializers.CharField(max_length=40, required=False, allow_null=True)
        if self.SIZE_CHOICES:
            fields["size"] = serializers.ChoiceField(choices=self.SIZE_CHOICES, required=False)
        return fields

    def validate(self, attrs):
        if self.FROM_REQUIRED and "from" not in attrs:
            raise serializers.ValidationError({"from": "This field is required."})
        self._validate_content(attrs)
        return attrs

    def _validate_content(self, attrs):
        has_pdf = "pdf" in attrs
        for part in filter(None, self.CONTENT):
            html, template = part
            given = [name for name in part if attrs.get(name)]
            if len(given) == 2:
                raise serializers.ValidationError(
                    {template: f"Give either {html} or {template}, not both."}
                )
            if has_pdf and given:
                raise serializers.ValidationError(
                    {"pdf": f"Give either pdf or {html}/{template}, not both."}
                )
            if not given and not has_pdf and self.CONTENT_REQUIRED:
                raise serializers.ValidationError(
                    {html: f"One of {html}, {template} or pdf is required."}
                )

    def service_kwargs(self) -> dict:
        """The validated request as order_create's keyword arguments."""
        data = self.validated_data
        first, second = self.CONTENT
        content = OrderContent(
            html=data.get(first[0]) or "",
            template=data.get(first[1]),
            back_html=(data.get(second[0]) or "") if second else "",
            back_template=data.get(second[1]) if second else None,
            uploaded_pdf=data.get("pdf"),
            merge_variables=data["mergeVariables"],
        )
        kwargs = {
            "to": data["to"],
            "from_": data.get("from"),
            "content": content,
            "description": data["description"],
            "metadata": data["metadata"],
            "color": data["color"],
            "double_sided": data["doubleSided"],
            "mailing_class": data.get("mailingClass"),
            "extra_service": data.get("extraService"),
        }
        if "sendDate" in data:
            kwargs["send_date"] = data["sendDate"]
        if "size" in data:
            kwargs["size"] = data["size"]
        return kwargs


class LetterCreateSerializer(OrderCreateSerializer):
    SIZE_CHOICES = LetterSize.choices

    addressPlacement = serializers.ChoiceField(
        choices=["top_first_page", "insert_blank_page"], required=False
    )
    envelope = serializers.CharField(max_length=40, required=False)

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()
        data = self.validated_data
        if "addressPlacement" in data:
            kwargs["address_placement"] = data["addressPlacement"]
        if "envelope" in data:
            kwargs["envelope"] = data["envelope"]
        return kwargs


class PostcardCreateSerializer(OrderCreateSerializer):
    CONTENT = (("frontHTML", "frontTemplate"), ("backHTML", "backTemplate"))
    FROM_REQUIRED = False
    SIZE_CHOICES = PostcardSize.choices


class SelfMailerCreateSerializer(OrderCreateSerializer):
    CONTENT = (("insideHTML", "insideTemplate"), ("outsideHTML", "outsideTemplate"))
    SIZE_CHOICES = SelfMailerSize.choices


class ChequeCreateSerializer(OrderCreateSerializer):
    CONTENT = (("letterHTML", "letterTemplate"), None)
    CONTENT_REQUIRED = False

    bankAccount = serializers.CharField(max_length=40)
    amount = serializers.IntegerField(min_value=1, max_value=MAX_AMOUNT)
    currencyCode = serializers.ChoiceField(
        choices=Currency.choices, required=False, default=Currency.USD
    )
    number = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    memo = _text(200)

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()
        data = self.validated_data
        kwargs.update(
            bank_account=data["bankAccount"],
            amount=data["amount"],
            currency_code=data["currencyCode"],
            memo=data["memo"],
        )
        if "number" in data:
            kwargs["number"] = data["number"]
        return kwargs


CREATE_SERIALIZERS = {
    "letter": LetterCreateSerializer,
    "postcard": PostcardCreateSerializer,
    "self_mailer": SelfMailerCreateSerializer,
    "cheque": ChequeCreateSerializer,
}


class CancellationSerializer(JSONTypesMixin, serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    reason = serializers.ChoiceField(
        choices=CancellationReason.choices,
        required=False,
        default=CancellationReason.USER_INITIATED,
    )


class TemplateSerializer(JSONTypesMixin, serializers.Serializer):
    html = serializers.CharField(max_length=MAX_HTML, trim_whitespace=False)
    description = _text(500)
    metadata = JSONObjectField(required=False, default=dict)


class TemplateUpdateSerializer(JSONTypesMixin, serializers.Serializer):
    html = serializers.CharField(max_length=MAX_HTML, trim_whitespace=False, required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    metadata = JSONObjectField(required=False)


class BankAccountSerializer(JSONTypesMixin, serializers.Serializer):
    bankName = serializers.CharField(max_length=200)
    accountNumber = serializers.RegexField(
        r"^[0-9]{4,17}$", error_messages={"invalid": "Must be 4 to 17 digits."}
    )
    routeNumber = serializers.RegexField(r"^[0-9]{1,20}$", required=False)
    routingNumber = serializers.RegexField(r"^[0-9]{1,20}$", required=False)
    signatureText = _text(100)
    transitNumber = serializers.RegexField(r"^[0-9]{1,20}$", required=False, default="")
    bankPrimaryLine = _text(200)
    bankSecondaryLine = _text(200)
    bankCountryCode = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, default="US")
    description = _text(500)
    metadata = JSONObjectField(required=False, default=dict)

    def validate(self, attrs):
        return {
            "account_number": attrs["accountNumber"],
            "bank_name": attrs["bankName"],
            "route_number": attrs.get("routeNumber") or attrs.get("routingNumber") or "",
            "signature_text": attrs["signatureText"],
            "transit_number": attrs["transitNumber"],
            "bank_primary_line": attrs["bankPrimaryLine"],
            "bank_secondary_line": attrs["bankSecondaryLine"],
            "bank_country_code": attrs["bankCountryCode"].upper(),
            "description": attrs["description"],
            "metadata": attrs["metadata"],
        }
