"""Manifest PDFs read back: every label's tracking number, the piece count and total weight, the
manifest id as a Code 128 barcode, a table running over pages with its header on each."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from mailorders.models import ShipperAccount
from mailorders.services.labels import label_create
from mailorders.services.manifests import manifest_create
from mailorders.tests.label_bodies import label_body
from mailorders.tests.label_rows import labels_bulk_create
from mailorders.tests.test_label_pdf import decoded_barcodes

LETTER_POINTS = (612, 792)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def account(partner):
    return ShipperAccount.objects.create(
        partner=partner, description="Warehouse 3 sandbox", mailer_id="900000042"
    )


def stored_pdf(manifest) -> bytes:
    with manifest.file.open("rb") as stored:
        return stored.read()


def test_manifest_pdf_lists_every_label_and_its_barcode_decodes(partner, account):
    labels = [
        label_create(partner=partner, data=label_body(account.pk, references=[f"PO-{n}"]))
        for n in range(3)
    ]
    manifest = manifest_create(partner=partner, shipper_account_id=account.pk)
    assert manifest.file.name.endswith(f"{manifest.id}.pdf")
    pdf = stored_pdf(manifest)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == LETTER_POINTS
    text = reader.pages[0].extract_text()
    for label in labels:
        assert label.tracking_number in text
    for expected in (
        "Warehouse 3 sandbox",
        "900000042",
        manifest.id,
        manifest.created_at.date().isoformat(),
        "Pieces 3",
        "6.615 lb",  # three parcels of 1 kg
        "Priority Mail Express",
        "10013",
        "PO-0",
        "PO-2",
    ):
        assert expected in text, expected
    assert [r.text for r in decoded_barcodes(pdf)] == [manifest.id]


def test_a_long_manifest_runs_over_pages_with_its_header_on_each(partner, account):
    labels = labels_bulk_create(account, 160)
    manifest = manifest_create(partner=partner, shipper_account_id=account.pk)
    reader = PdfReader(io.BytesIO(stored_pdf(manifest)))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "Tracking number" in page and "Reference" in page
        assert f"Page {number} of {len(pages)}" in page
    text = "\n".join(pages)
    assert "Pieces 160" in text and "200.000 lb" in text
    found = [label.tracking_number for label in labels if label.tracking_number in text]
    assert len(found) == 160
    # In the order they were created, each exactly once.
    positions = [text.index(label.tracking_number) for label in labels]
    assert positions == sorted(positions)
    assert all(text.count(label.tracking_number) == 1 for label in labels)
