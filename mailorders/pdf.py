"""The PDF behind an order's `url`, rendered by WeasyPrint, never touching the network.

Content is the order's HTML, or its stored template, with `{{variable}}` merge variables
substituted (values HTML-escaped; `to.*` and `from.*` come from the contacts), plus the recipient's
address block; an uploaded PDF is passed through as it is. A cheque is drawn by shipdesk's own
template (amount in words and figures), followed by its letter if it has one.
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from mailorders.choices import PAGE_SIZES, LetterSize
from mailorders.micr import micr_font_family
from mailorders.models import Cheque, Contact, MailOrder

STYLESHEET = Path(settings.BASE_DIR) / "templates" / "pdf" / "mailorders" / "order.css"
MERGE_TAG = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
MAX_MERGE_DEPTH = 8
# The request members that carry each part of an order's content (named in errors).
PART_FIELDS = {
    "letter": ("html", "html"),
    "postcard": ("frontHTML", "backHTML"),
    "self_mailer": ("insideHTML", "outsideHTML"),
    "cheque": ("letterHTML", "letterHTML"),
}


class ContentError(ValueError):
    """Content that cannot be rendered; `field` names the member of the request at fault."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RenderedPDF:
    data: bytes
    page_count: int


class OfflineFetcher(URLFetcher):
    """Only `data:` URLs: http(s), file and every other scheme stop the rendering."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, fail_on_errors=True)

    def fetch(self, url, headers=None):
        if not url.lower().startswith("data:"):
            raise FatalURLFetchingError(url)
        return super().fetch(url, headers)


@cache
def offline_fetcher() -> OfflineFetcher:
    """One fetcher per process: building one costs more than laying a label out (≈ 40 ms)."""
    return OfflineFetcher()


@cache
def font_config() -> FontConfiguration:
    """One font configuration per process, shared by stylesheets parsed once and documents."""
    return FontConfiguration()


# -- merge variables -------------------------------------------------------------------------


def contact_variables(contact: Contact | None) -> dict:
    if contact is None:
        return {}
    return {
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "companyName": contact.company_name,
        "jobTitle": contact.job_title,
        "email": contact.email,
        "phoneNumber": contact.phone_number,
        "addressLine1": contact.address_line1,
        "addressLine2": contact.address_line2,
        "city": contact.city,
        "provinceOrState": contact.province_or_state,
        "postalOrZip": contact.postal_or_zip,
        "countryCode": contact.country_code,
    }


def merge(html: str, variables: dict, *, field: str) -> str:
    """Substitute `{{name}}` / `{{a.b}}` with escaped values; a missing one is refused by name."""

    def value_of(match: re.Match) -> str:
        name = match.group(1)
        value = variables
        for part in name.split(".")[:MAX_MERGE_DEPTH]:
            if not isinstance(value, dict) or part not in value:
                raise ContentError(
                    f"mergeVariables: no value for `{name}`, used in {field}.",
                    field="mergeVariables",
                )
            value = value[part]
        if value is None:
            return ""
        if isinstance(value, bool):
            value = "true" if value else "false"
        return escape(str(value))

    return MERGE_TAG.sub(value_of, html)


def order_variables(order: MailOrder) -> dict:
    return {
        **order.merge_variables,
        "to": contact_variables(order.to),
        "from": contact_variables(order.from_contact),
    }


# -- amounts ---------------------------------------------------------------------------------

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
CURRENCY_WORDS = {"USD": "dollars", "CAD": "dollars"}


def _under_thousand(n: int) -> str:
    words = []
    if n >= 100:
        words.append(f"{_ONES[n // 100]} hundred")
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else ""))
    elif n or not words:
        words.append(_ONES[n])
    return " ".join(words)


def number_in_words(n: int) -> str:
    if n < 1000:
        return _under_thousand(n)
    words = []
    for scale, name in _SCALES:
        if n >= scale:
            words.append(f"{number_in_words(n // scale)} {name}")
            n %= scale
    if n:
        words.append(_under_thousand(n))
    return " ".join(words)


def amount_in_words(cents: int, currency: str = "USD") -> str:
    """12345 → 'One hundred twenty-three and 45/100 dollars'."""
    words = number_in_words(cents // 100)
    unit = CURRENCY_WORDS.get(currency, currency)
    return f"{words[0].upper()}{words[1:]} and {cents % 100:02d}/100 {unit}"


def amount_in_figures(cents: int, currency: str = "USD") -> str:
    return f"${cents // 100:,}.{cents % 100:02d} {currency}"


# -- rendering -------------------------------------------------------------------------------


@cache
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET), url_fetcher=offline_fetcher())


def _page_css(size: str) -> CSS:
    return CSS(string=f"@page {{ size: {PAGE_SIZES.get(size, PAGE_SIZES[LetterSize.US_LETTER])} }}")


def _address_block(order: MailOrder) -> str:
    return render_to_string("pdf/mailorders/address.html", {"order": order})


def _with_address(html: str, block: str) -> str:
    match = BODY_OPEN.search(html)
    if match is None:
        return block + html
    return html[: match.end()] + block + html[match.end() :]


def _content(order: MailOrder, html: str, template, *, field: str) -> str:
    source = template.html if template is not None else html
    return merge(source, order_variables(order), field=field)


def _document(html: str, size: str, *, field: str):
    with _refused_fetches(field):
        return HTML(string=html, url_fetcher=offline_fetcher()).render(
            stylesheets=[_stylesheet(), _page_css(size)]
        )


@contextmanager
def _refused_fetches(field: str):
    """Turn a refused fetch (rendering or writing the PDF) into a ContentError on `field`."""
    try:
        yield
    except FatalURLFetchingError as exc:
        raise ContentError(
            f"{field}: refers to {str(exc)[:200]}; shipdesk fetches nothing while rendering "
            "(inline images and fonts as data: URLs).",
            field=field,
        ) from exc


def _parts(order: MailOrder) -> list[tuple[str, str]]:
    """(merged HTML, request field it came from) for each part of the order, in print order."""
    front, back = PART_FIELDS[order.OBJECT]
    if isinstance(order, Cheque):
        parts = [(render_to_string("pdf/mailorders/cheque.html", cheque_context(order)), front)]
        if order.html or order.template_id:
            parts.append((_content(order, order.html, order.template, field=front), front))
        return parts
    first = _content(order, order.html, order.template, field=front)
    if not order.TWO_SIDED:
        if getattr(order, "address_placement", "") == "insert_blank_page":
            return [(_address_block(order), front), (first, front)]
        return [(_with_address(first, _address_block(order)), front)]
    second = _content(order, order.back_html, order.back_template, field=back)
    return [(first, front), (_with_address(second, _address_block(order)), back)]


def cheque_context(order: Cheque) -> dict:
    return {
        "order": order,
        "bank": order.bank_account,
        "amount_words": amount_in_words(order.amount, order.currency_code),
        "amount_figures": amount_in_figures(order.amount, order.currency_code),
        "micr_font": micr_font_family(),
    }


def render_order(order: MailOrder) -> RenderedPDF:
    """Render the order's HTML or templates to PDF bytes; ContentError (naming the field) when
    it cannot be. (An uploaded PDF is not rendered: it is the order's PDF as it is.)"""
    size = getattr(order, "size", LetterSize.US_LETTER)
    parts = _parts(order)
    documents = [_document(html, size, field=field) for html, field in parts]
    pages = [page for document in documents for page in document.pages]
    with _refused_fetches(parts[0][1]):  # attachments (<a rel=attachment>) are fetched here
        data = documents[0].copy(pages).write_pdf()
    return RenderedPDF(data, len(pages))


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF; ContentError (on `pdf`) when it cannot be read as one."""
    try:
        count = len(PdfReader(io.BytesIO(data)).pages)
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ContentError(f"pdf: the file cannot be read as a PDF ({exc}).", field="pdf") from exc
    if not count:
        raise ContentError("pdf: the file has no pages.", field="pdf")
    return count
