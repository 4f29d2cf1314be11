"""Import trackings from a CSV file: validate each row, create the good ones, report the bad.

Rows are read one at a time (the file is never loaded whole) and each good row is created in
its own transaction, so an import stopped half-way keeps what it made and a second run skips
what already exists.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from shipdesk.models import Partner
from tracking.carriers.registry import SUPPORTED_SLUGS
from tracking.models import Shipment, Subscriber
from tracking.services.shipments import MAX_SUBSCRIBERS, ShipmentError, shipment_create

REQUIRED_COLUMN = "tracking_number"
TEXT_COLUMNS = [
    "title",
    "order_id",
    "order_number",
    "customer_name",
    "note",
    "origin_city",
    "origin_state",
    "origin_postal_code",
    "origin_raw_location",
    "destination_city",
    "destination_state",
    "destination_postal_code",
    "destination_raw_location",
]
COUNTRY_COLUMNS = ["origin_country_iso3", "destination_country_iso3"]
DATE_COLUMNS = ["order_promised_delivery_date", "mailing_date"]
LIST_COLUMNS = ["emails", "smses"]
COLUMNS = [REQUIRED_COLUMN, "slug", *TEXT_COLUMNS, *COUNTRY_COLUMNS, *DATE_COLUMNS, *LIST_COLUMNS]
MAX_ADDRESS_LENGTH = Subscriber._meta.get_field("address").max_length
FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet numbers them

_LIST_SEPARATORS = re.compile(r"[;,]")
_COUNTRY = re.compile(r"^[A-Za-z]{3}$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,20}$")
_US_ZIP = re.compile(r"^([0-9]{5})(?:-?[0-9]{4})?$")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (no header, no tracking_number column)."""


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    existing: int = 0  # already tracked (by an earlier import, or earlier in this file)
    invalid: int = 0  # rows skipped because of the errors listed in `errors`
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.existing + self.invalid


def _column_name(header: str) -> str:
    return (header or "").strip().lower().replace(" ", "_").replace("-", "_")


def csv_rows(file: IO[str]) -> tuple[list[str], Iterator[dict[str, str]]]:
    """Read a CSV header and return (ignored columns, an iterator over the rows as dicts).

    Column names are matched without regard to case, surrounding spaces or `-`/space versus
    `_`. Raises ImportFileError when the header is missing or lacks `tracking_number`.
    """
    reader = csv.reader(file)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("The file is empty: a header row is needed.") from None
    names = [_column_name(h) for h in header]
    if REQUIRED_COLUMN not in names:
        raise ImportFileError(
            f"The header has no {REQUIRED_COLUMN} column (it has: "
            f"{', '.join(h for h in header if h.strip()) or 'nothing'})."
        )
    ignored = [h for h, n in zip(header, names, strict=True) if n not in COLUMNS and h.strip()]

    def rows() -> Iterator[dict[str, str]]:
        for values in reader:
            if not any(v.strip() for v in values):
                yield {}  # a blank line keeps its row number, and is skipped
                continue
            yield {n: v for n, v in zip(names, values, strict=False) if n in COLUMNS}

    return ignored, rows()


def count_rows(file: IO[str]) -> int:
    """How many data rows follow the header (streams the file; rewinds it afterwards)."""
    start = file.tell()
    total = max(0, sum(1 for _ in csv.reader(file)) - 1)
    file.seek(start)
    return total


def trackings_import(
    *,
    partner: Partner,
    rows: Iterable[Mapping[str, str]],
    first_row: int = FIRST_DATA_ROW,
    on_row: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create a shipment for each good row; report bad rows by row number, field and reason.

    `rows` are mappings of column name to text (csv_rows gives them); `first_row` is the row
    number of the first one. A row whose tracking number the partner already tracks counts as
    existing, not as an error.
    """
    report = ImportReport()
    for number, row in enumerate(rows, start=first_row):
        if on_row:
            on_row(number)
        if not any((v or "").strip() for v in row.values()):
            continue
        report.rows += 1
        fields, errors = _parse_row(row, number)
        if errors:
            report.invalid += 1
            report.errors += errors
            continue
        try:
            shipment_create(partner=partner, source="import", **fields)
        except ShipmentError as exc:
            if exc.code == "exists":
                report.existing += 1
            else:
                report.invalid += 1
                report.errors.append(RowError(number, exc.field or REQUIRED_COLUMN, str(exc)))
        else:
            report.imported += 1
    return report


def _parse_row(row: Mapping[str, str], number: int) -> tuple[dict, list[RowError]]:
    """The shipment_create arguments for a row, and what is wrong with it."""
    errors: list[RowError] = []

    def error(name: str, reason: str) -> None:
        errors.append(RowError(number, name, reason))

    def text(name: str) -> str:
        return (row.get(name) or "").strip()

    for name, value in row.items():
        if "\x00" in (value or ""):
            error(name, "contains a NUL character.")
    if errors:
        return {}, errors
    fields: dict = {"tracking_number": text(REQUIRED_COLUMN)}
    if not fields["tracking_number"]:
        error(REQUIRED_COLUMN, "is required.")
    slug = text("slug").lower()
    if slug and slug not in SUPPORTED_SLUGS:
        error("slug", f"unsupported courier {slug!r}; supported: {', '.join(SUPPORTED_SLUGS)}.")
    fields["slug"] = slug or None
    for name in TEXT_COLUMNS:
        value = text(name)
        limit = Shipment._meta.get_field(name).max_length
        if limit and len(value) > limit:
            error(name, f"is {len(value)} characters long; at most {limit} are allowed.")
        elif value:
            fields[name] = value
    for name in COUNTRY_COLUMNS:
        value = text(name)
        if value and not _COUNTRY.match(value):
            error(name, f"{value!r} is not an ISO 3166-1 alpha-3 country code (e.g. USA).")
        elif value:
            fields[name] = value.upper()
    for name in DATE_COLUMNS:
        value = text(name)
        if value:
            try:
                fields[name] = datetime.strptime(value, "%Y-%m-%d").date()
            except ValueError:
                error(name, f"{value!r} is not a date in the form YYYY-MM-DD.")
    zip_code = _US_ZIP.match(fields.get("destination_postal_code", ""))
    if zip_code:
        fields["destination_zip"] = zip_code.group(1)
    fields["emails"] = _addresses(text("emails"), "emails", _check_email, error)
    fields["smses"] = _addresses(text("smses"), "smses", _check_phone, error)
    return fields, errors


def _addresses(value: str, name: str, check, error) -> list[str]:
    items = list(dict.fromkeys(v.strip() for v in _LIST_SEPARATORS.split(value) if v.strip()))
    if len(items) > MAX_SUBSCRIBERS:
        error(name, f"{len(items)} given; at most {MAX_SUBSCRIBERS} are allowed.")
    for item in items:
        reason = check(item)
        if reason:
            error(name, reason)
    return items


def _check_email(value: str) -> str:
    if len(value) > MAX_ADDRESS_LENGTH:
        return f"{value[:40]!r}… is longer than {MAX_ADDRESS_LENGTH} characters."
    try:
        validate_email(value)
    except ValidationError:
        return f"{value!r} is not a valid e-mail address."
    return ""


def _check_phone(value: str) -> str:
    if not _PHONE.match(value):
        return f"{value!r} is not a phone number (e.g. +18555072509)."
    return ""
