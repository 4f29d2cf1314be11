"""The verifier on PDFs carrying the POD JSON as an embedded file (made here by WeasyPrint)."""

from __future__ import annotations

import io
import json
import re

import pypdf
import pytest
from weasyprint import HTML, Attachment

from tracking.pod.pdf import PdfError, pdf_attachments
from tracking.tests.pod.support import as_letter_writes, run_module

pytestmark = pytest.mark.django_db
PAGE = "<h1>Proof of delivery</h1><p>Verify the attached pod.json offline.</p>"


def letter(attachments: dict[str, bytes], **options) -> bytes:
    files = [Attachment(string=data, name=name) for name, data in attachments.items()]
    return HTML(string=PAGE).write_pdf(attachments=files, **options)


@pytest.fixture
def pdf(pod):
    return letter({"pod.json": pod})


def embedded_stream(pdf_bytes: bytes) -> tuple[int, int]:
    """Where the bytes of the embedded file stream are in the PDF (found independently)."""
    match = re.search(rb"/Type /EmbeddedFile.*?/Length (\d+)>>\s*stream\r?\n", pdf_bytes, re.S)
    assert match, "no embedded file stream"
    return match.end(), match.end() + int(match[1])


def test_the_attachment_is_read_back_exactly_as_pypdf_reads_it(pdf, pod):
    assert pdf_attachments(pdf) == {"pod.json": pod}
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert {name: data[0] for name, data in reader.attachments.items()} == {"pod.json": pod}


def test_a_letter_pdf_verifies_offline(pdf, keys_path, tmp_path):
    file = tmp_path / "letter.pdf"
    file.write_bytes(pdf)

    done = run_module(str(file), "--keys", str(keys_path), tmp_path=tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("VALID: ")


def test_an_uncompressed_pdf_and_another_json_name_verify_too(pod, verify):
    assert verify(letter({"pod.json": pod}, uncompressed_pdf=True))[0] == 0
    assert verify(letter({"proof-of-delivery.json": pod, "notes.txt": b"hello"}))[0] == 0


def test_flipping_any_byte_of_the_attachment_stream_never_passes_altered_content(pdf, pod, verify):
    """Every flip is INVALID, except one that leaves the decoded file byte for byte the same
    (deflate ignores a few bits, such as the padding after its last code): the signed JSON is
    what is checked, and no flip gets a different one accepted."""
    start, end = embedded_stream(pdf)
    assert end - start > 200
    failures, invalid = [], 0
    for index in range(start, end):
        altered = bytearray(pdf)
        altered[index] ^= 0xFF
        status, output = verify(bytes(altered))
        if status == 1 and output.startswith("INVALID: "):
            invalid += 1
        elif status != 0 or pdf_attachments(bytes(altered)) != {"pod.json": pod}:
            failures.append((index - start, status, output))
    assert failures == []
    assert invalid >= end - start - 2


def test_changing_the_recorded_checksum_makes_the_letter_invalid(pdf, verify):
    match = re.search(rb"/CheckSum <([0-9a-f]{32})>", pdf)
    for index in range(match.start(1), match.end(1)):
        altered = bytearray(pdf)
        altered[index] = ord("0") if altered[index] != ord("0") else ord("1")
        status, output = verify(bytes(altered))
        assert status == 1
        assert "checksum" in output


def test_a_letter_whose_attached_pod_was_altered_is_invalid(pod, verify):
    document = json.loads(pod)
    document["data"]["delivery"]["description"] = "Delivered, Left with Neighbor"
    status, output = verify(letter({"pod.json": as_letter_writes(document)}))
    assert status == 1
    assert output.startswith("INVALID: payload altered")

    flipped = bytearray(pod)
    offset = pod.index(b'"payload_b64":"') + 40
    flipped[offset] ^= 0x01
    status, output = verify(letter({"pod.json": bytes(flipped)}))
    assert (status, output.split(":")[1].strip()) == (1, "bad signature")


def test_a_pdf_without_the_pod_is_invalid_not_a_crash(verify):
    status, output = verify(letter({}))
    assert status == 1
    assert "no pod.json attachment" in output
    status, output = verify(b"%PDF-1.7\n1 0 obj\n<</Type /Catalog/Names 2 0 R\nendobj\n")
    assert status == 1


def test_damaged_pdf_structures_are_clear_errors():
    with pytest.raises(PdfError, match="not a PDF"):
        pdf_attachments(b"hello")
    truncated = (
        b"%PDF-1.7\n1 0 obj\n<</EF <</F 2 0 R>>>>\nendobj\n2 0 obj\n<</Length 99>>\nstream\nab"
    )
    with pytest.raises(PdfError):
        pdf_attachments(truncated)
    other_filter = (
        b"%PDF-1.7\n1 0 obj\n<</F (pod.json)/EF <</F 2 0 R>>>>\nendobj\n"
        b"2 0 obj\n<</Filter /LZWDecode/Length 2>>\nstream\nab\nendstream\nendobj\n"
    )
    with pytest.raises(PdfError, match="LZWDecode"):
        pdf_attachments(other_filter)
    plain = (
        b"%PDF-1.7\n1 0 obj\n<</F (p\\(o\\)d.json)/EF <</F 2 0 R>>>>\nendobj\n"
        b'2 0 obj\n<</Length 3 0 R>>\nstream\n{"a":1}\nendstream\nendobj\n3 0 obj\n7\nendobj\n'
    )
    assert pdf_attachments(plain) == {"p(o)d.json": b'{"a":1}'}


def test_a_letter_whose_attachment_changed_only_in_white_space_is_invalid(pod, verify):
    written = as_letter_writes(json.loads(pod))
    assert verify(letter({"pod.json": written}))[0] == 0
    spaces = [i for i, byte in enumerate(written) if byte == ord(" ")]
    for index in spaces[:: len(spaces) // 4][:4]:
        altered = bytearray(written)
        altered[index] = ord("\t")
        status, output = verify(letter({"pod.json": bytes(altered)}))
        assert status == 1
        assert "not byte for byte as shipdesk wrote it" in output
