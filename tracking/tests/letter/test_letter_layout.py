"""The POD letter's PDF as a reader and a screen reader see it: its language, and each fact
printed as its label beside its value."""

import io

import pytest
from pypdf import PdfReader

from tracking.pod.letter import pod_letter

pytestmark = pytest.mark.django_db


def test_the_letter_pdf_declares_its_language(delivered):
    letter = pod_letter(shipment=delivered())

    reader = PdfReader(io.BytesIO(letter.pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_each_fact_reads_as_its_label_then_its_value(delivered):
    shipment = delivered()

    text = PdfReader(io.BytesIO(pod_letter(shipment=shipment).pdf)).pages[0].extract_text()

    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert f"Tracking number {shipment.tracking_number}" in lines
    assert "Recipient J SMITH" in lines
    assert "Printed name J SMITH" in lines
    assert "Address New York, NY 10001" in lines
