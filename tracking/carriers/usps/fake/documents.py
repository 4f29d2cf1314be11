"""The images the fake answers with: small real PDFs (4x6 label, letter-size SCAN form), ZPL, PNG.

The PDFs are written by hand (one page, Helvetica text) so that a bench buying hundreds of labels
spends no time rendering; every file is valid and reads back with pypdf.
"""

from __future__ import annotations

import struct
import zlib

POINTS_PER_INCH = 72


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(lines: list[str], *, width_in: float, height_in: float) -> bytes:
    """A one-page PDF of `width_in` x `height_in` inches showing `lines` top to bottom."""
    width, height = width_in * POINTS_PER_INCH, height_in * POINTS_PER_INCH
    text = ["BT", "/F1 11 Tf", f"18 {height - 30:.0f} Td", "14 TL"]
    for line in lines:
        text.append(f"({_escape(line)}) Tj T*")
    text.append("ET")
    # A framed barcode-like block, so the label looks like one when opened.
    text.append(f"2 w 12 12 {width - 24:.0f} {height - 24:.0f} re S")
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.0f} {height:.0f}] "
            "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zpl(lines: list[str]) -> bytes:
    """A 4x6 ZPL II label at 203 dpi."""
    body = ["^XA", "^CF0,30"]
    for row, line in enumerate(lines):
        body.append(f"^FO40,{40 + 40 * row}^FD{line}^FS")
    body.append("^XZ")
    return "\n".join(body).encode()


def png(width: int = 8, height: int = 12) -> bytes:
    """A small white PNG (the fake draws nothing on it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def label_image(image_type: str, lines: list[str]) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a label image of `image_type`."""
    if image_type.startswith("ZPL"):
        return zpl(lines), "application/octet-stream", "labelImage.zpl"
    if image_type == "PNG":
        return png(), "image/png", "labelImage.png"
    return pdf(lines, width_in=4, height_in=6), "application/pdf", "labelImage.pdf"
