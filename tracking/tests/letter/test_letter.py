"""The POD letter, rendered by WeasyPrint and read back with pypdf; its attachment verified."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import segno
from django.conf import settings
from django.utils import dateformat
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from tracking.pod import passport_verify, pod_verify, public_keys_document
from tracking.pod.eligibility import delivery_checkpoint
from tracking.pod.letter import (
    ATTACHMENT_NAME,
    LetterUnavailable,
    offline_fetcher,
    passport_fingerprint,
    pod_letter,
)

pytestmark = pytest.mark.django_db


def read(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def flat(text: str) -> str:
    """The text without line breaks and spaces (long URLs wrap on the page)."""
    return "".join(text.split())


def verify_cli(path: Path, keys: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tracking.verify", str(path), "--keys", str(keys)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )


def test_the_letter_states_the_delivery_and_embeds_the_signed_pod(delivered):
    shipment = delivered()
    delivery = delivery_checkpoint(shipment)
    local = delivery.local_time

    letter = pod_letter(shipment=shipment)

    text, reader = read(letter.pdf)
    assert len(reader.pages) == 1
    assert "Proof of Delivery" in text
    assert shipment.tracking_number in text
    assert "J SMITH" in text  # the recipient, and the printed name
    assert text.count("J SMITH") >= 2
    assert dateformat.format(local, "F j, Y") in text
    assert f"{dateformat.format(local, 'g:i A')} (EST, UTC\u221205:00" in text
    assert "New York, NY 10001" in text
    assert "Priority Mail" in text
    assert "No signature captured" in text
    assert passport_fingerprint(letter.document["passport"]) in text
    assert flat(f"{settings.SITE_URL}/api/v1/shipments/{shipment.uuid}/pod") in flat(text)
    assert "Return Receipt" not in text.replace("Return Receipt (Electronic) (USPS)", "")
    assert letter.filename == f"proof-of-delivery-{shipment.tracking_number}.pdf"

    (embedded,) = reader.attachments[ATTACHMENT_NAME]
    document = json.loads(embedded)
    assert document == letter.document
    keys = public_keys_document()
    payload = pod_verify(document=document, keys=keys)
    assert payload["shipment"]["tracking_number"] == shipment.tracking_number
    assert (
        passport_verify(passport=document["passport"], keys=keys)["delivered_at"]
        == (document["delivered_at"])
    )


def test_the_offline_verifier_accepts_the_letter_and_refuses_an_altered_one(
    delivered, pod_keys, tmp_path
):
    shipment = delivered()
    letter = pod_letter(shipment=shipment)
    good = tmp_path / letter.filename
    good.write_bytes(letter.pdf)

    ok = verify_cli(good, pod_keys)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    altered = json.loads(json.dumps(letter.document))
    altered["delivery"]["city"] = "Elsewhere"
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(pod_letter(shipment=shipment, document=altered).pdf)

    refused = verify_cli(forged, pod_keys)
    assert refused.returncode == 1
    assert "altered" in (refused.stdout + refused.stderr)


def test_a_return_receipt_has_its_own_wording(delivered):
    shipment = delivered(eligibility={"proofOfDeliveryEnabled": True, "RREEnabled": True})

    rre = pod_letter(shipment=shipment, letter_type="rre")
    pod = pod_letter(shipment=shipment, letter_type="pod")

    rre_text, _ = read(rre.pdf)
    pod_text, _ = read(pod.pdf)
    assert "Return Receipt (Electronic)" in rre_text.splitlines()[1]
    assert flat("This electronic return receipt covers the item") in flat(rre_text)
    assert flat("and received by J SMITH") in flat(rre_text)
    assert "Addressee's signature" in rre_text
    assert flat("answers a request for proof of delivery") not in flat(rre_text)
    assert flat("answers a request for proof of delivery") in flat(pod_text)
    assert "Recipient's signature" in pod_text
    assert rre.filename.startswith("return-receipt-")


def test_a_signature_image_replaces_the_no_signature_notice(delivered):
    shipment = delivered()
    image = io.BytesIO()
    segno.make("J SMITH").save(image, kind="png", scale=4)

    letter = pod_letter(shipment=shipment, signature_image=image.getvalue())

    text, reader = read(letter.pdf)
    assert "No signature captured" not in text
    assert len(reader.pages[0].images) == 1


def test_no_letter_before_delivery(delivered):
    shipment = delivered(history="out_for_delivery")
    with pytest.raises(LetterUnavailable):
        pod_letter(shipment=shipment)


def test_rendering_fetches_nothing_from_the_network(httpserver):
    httpserver.expect_request("/logo.png").respond_with_data(b"not reached")
    url = httpserver.url_for("/logo.png")

    with pytest.raises(ValueError, match="disallowed protocol"):
        offline_fetcher().fetch(url)
    with pytest.raises(FatalURLFetchingError):
        HTML(string=f'<img src="{url}"><p>x</p>', url_fetcher=offline_fetcher()).write_pdf()

    assert httpserver.log == []
